package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteHTML(t *testing.T) {
	r := sampleReport()
	page := renderHTML(t, r)
	for _, want := range []string{
		"<!DOCTYPE html>",
		"<h1>" + sampleTarget + "</h1>",
		`<div class="verdict-word">Not conformant</div>`,
		"Failed: SIG-04, SIG-05 · Could not be run: RETRY-01",
		"2026-03-14 09:26:53 UTC",
		"<dd>4.21s</dd>",
		`<span class="sel">this run</span>`,
		`<tr class="row-fail"><td class="id"><a href="#check-SIG-04">SIG-04</a></td>`,
		`<section class="card check fail" id="check-SIG-04">`,
		"report schema prismhook.report/v2",
		// SIG-04's single exchange is expanded, with its request.
		`<details class="x" open>`,
		"<th>X-Prism-Signature</th>",
		"<dt>Fault</dt><dd>wrong-secret</dd>",
		// The artifact fetch of IDEM-02.
		`<span class="kind">fetch</span><span class="st s2">200</span><span class="what">GET /thumbnails/gen_0001.jpg · thumbnail</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, `<section class="card check `); n != len(r.Checks) {
		t.Errorf("%d check sections, want %d", n, len(r.Checks))
	}
	if n := strings.Count(page, "<tr class=\"row-"); n != len(r.Checks) {
		t.Errorf("%d table rows, want %d", n, len(r.Checks))
	}
}

func TestWriteHTMLSelfContained(t *testing.T) {
	page := strings.ToLower(renderHTML(t, sampleReport()))
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "@import", "url(", `href="http`, "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: it must not load or run anything", bad)
		}
	}
	if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'"`) {
		t.Error("no Content-Security-Policy forbidding scripts and external resources")
	}
}

var rectRE = regexp.MustCompile(`<rect class="bar (ok|slow|bad)" x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[0-9.]+"><title>`)

func TestWriteHTMLLatencyCharts(t *testing.T) {
	page := renderHTML(t, sampleReport())
	_, charts, ok := strings.Cut(page, "<h2>Acknowledgement latency</h2>")
	if !ok {
		t.Fatal("no latency section")
	}
	charts, _, _ = strings.Cut(charts, "<h2>Evidence</h2>")
	// TIME-01 and TIME-02: 10 deliveries each; TIME-03: 50.
	if n := len(rectRE.FindAllString(charts, -1)); n != 70 {
		t.Errorf("%d bars, want 70", n)
	}
	if n := strings.Count(charts, "<svg "); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	if strings.Count(charts, ">1 s target</text>") != 3 || strings.Count(charts, ">5 s timeout</text>") != 3 {
		t.Error("each chart needs the 1 s and 5 s lines")
	}
	if !strings.Contains(charts, "n = 50 · p50") {
		t.Error("TIME-03 statistics missing")
	}
}

func TestLatencyChart(t *testing.T) {
	c := CheckResult{ID: "TIME-01", Evidence: []Evidence{
		{Kind: KindDelivery, Status: 200, LatencyMS: 0.5},
		{Kind: KindDelivery, Status: 200, LatencyMS: 1500},
		{Kind: KindDelivery, Status: 200, LatencyMS: 12000},
		{Kind: KindDelivery, Status: 500, LatencyMS: 20},
		{Kind: KindArtifactFetch, ServedStatus: 200},
		{Kind: KindDelivery, Error: "timeout"}, // no latency: no bar
	}}
	ch, ok := newLatencyChart(c, chartThresholds(nil))
	if !ok {
		t.Fatal("no chart")
	}
	if len(ch.Bars) != 4 {
		t.Fatalf("%d bars, want 4", len(ch.Bars))
	}
	var classes []string
	for _, b := range ch.Bars {
		classes = append(classes, b.Class)
		if b.Y < ch.Y0 || b.Y+b.H > ch.Y1+0.01 || b.H < 1 {
			t.Errorf("bar %+v outside the plot %v..%v", b, ch.Y0, ch.Y1)
		}
	}
	if got := strings.Join(classes, ","); got != "ok,slow,bad,bad" {
		t.Errorf("bar classes %s", got)
	}
	// Taller bar for the longer latency; the scale reaches past 12 s.
	if !(ch.Bars[2].H > ch.Bars[1].H && ch.Bars[1].H > ch.Bars[3].H && ch.Bars[3].H > ch.Bars[0].H) {
		t.Errorf("bar heights not ordered by latency: %+v", ch.Bars)
	}
	if first, last := ch.Ticks[0].Label, ch.Ticks[len(ch.Ticks)-1].Label; first != "0.1 ms" || last != "100 s" {
		t.Errorf("scale %s..%s, want 0.1 ms..100 s", first, last)
	}
	if !(ch.Marks[0].Y > ch.Marks[1].Y) {
		t.Error("the 1 s line must be below the 5 s line")
	}
	if ch.P95 != "12.000 s" || ch.Max != "12.000 s" || ch.P50 != "20.0 ms" {
		t.Errorf("stats p50=%s p95=%s max=%s", ch.P50, ch.P95, ch.Max)
	}

	if _, ok := newLatencyChart(CheckResult{Evidence: []Evidence{{Kind: KindDelivery, Error: "refused"}}}, chartThresholds(nil)); ok {
		t.Error("a chart without any latency")
	}
}
