package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Every format shows a check's fix under a fail and a warn, and nowhere
// else.
func TestFixInEveryFormat(t *testing.T) {
	r := sampleReport()
	how := r.Checks[3].Fix.How // SIG-04, a fail
	render := func(w func(*bytes.Buffer, *Report) error) string {
		var b bytes.Buffer
		if err := w(&b, r); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	html := render(func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) })
	if strings.Count(html, `<details class="fix">`) != 2 || !strings.Contains(html, "<summary>How to fix</summary>") {
		t.Error("HTML: want one expandable fix per fail and warn (SIG-04, TLS-01)")
	}
	md := render(func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) })
	if strings.Count(md, "**How to fix:**") != 2 || !strings.Contains(md, "**Why it matters:**") {
		t.Error("Markdown: want the full fix under SIG-04 and TLS-01")
	}
	junit := render(func(b *bytes.Buffer, r *Report) error { return WriteJUnit(b, r) })
	if !strings.Contains(junit, "How to fix: "+how) {
		t.Error("JUnit: failure text lacks the fix")
	}
	var doc struct {
		Checks []struct {
			ID  string         `json:"id"`
			Fix map[string]any `json:"fix"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(render(func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) })), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Checks {
		has := c.Fix != nil
		if want := c.ID == "SIG-04" || c.ID == "TLS-01"; has != want {
			t.Errorf("JSON: %s has fix %v, want %v", c.ID, has, want)
		}
	}
	var term bytes.Buffer
	tm := NewTerminal(&term, false)
	for _, c := range r.Checks {
		tm.Check(c)
	}
	if strings.Count(term.String(), "fix: ") != 2 {
		t.Errorf("terminal: want two fix lines:\n%s", term.String())
	}
}

// Chart thresholds come from the run's settings, not constants.
func TestChartThresholdsFromSettings(t *testing.T) {
	r := sampleReport()
	r.Settings = &Settings{AckTimeoutMS: 10_000, P95TargetMS: 1000}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Count(page, ">10 s timeout</text>") != 3 || strings.Contains(page, ">5 s timeout</text>") {
		t.Error("charts must draw the configured 10 s ack timeout")
	}
	if !strings.Contains(page, "Amber: 2xx within 10 s") {
		t.Error("the legend must name the configured timeout")
	}
}

// TIME-04 is charted on a time axis: its bars sit where their deliveries
// were sent, and the axis is labelled in seconds.
func TestSustainedLoadTimeline(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := CheckResult{ID: "TIME-04"}
	for i := range 50 {
		c.Evidence = append(c.Evidence, Evidence{Kind: KindDelivery, Label: fmt.Sprint(i), At: start.Add(time.Duration(i*i) * time.Millisecond), Status: 200, LatencyMS: 2})
	}
	ch, ok := newLatencyChart(c, chartThresholds(nil))
	if !ok || !ch.Timeline {
		t.Fatal("no timeline chart")
	}
	if ch.FirstLabel != "0 s" || ch.LastLabel != "2.4 s" {
		t.Errorf("axis %q..%q", ch.FirstLabel, ch.LastLabel)
	}
	// Sends spread quadratically: later gaps between bars are wider.
	if g1, g2 := ch.Bars[2].X-ch.Bars[1].X, ch.Bars[49].X-ch.Bars[48].X; !(g2 > 5*g1) {
		t.Errorf("bars not placed by time: gaps %.1f and %.1f", g1, g2)
	}
}
