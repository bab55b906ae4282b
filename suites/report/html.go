package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate is parsed once; a broken template is a build defect that
// the package's tests catch, hence Must.
var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// WriteHTML writes r as one self-contained HTML page: inline CSS, inline
// SVG charts, no scripts and no external resources (its Content Security
// Policy forbids them), <details> for the parts that expand. All text from
// the report is cleaned, then goes through html/template's contextual
// escaping as plain strings; none of it is ever trusted as markup.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, newHTMLPage(r)); err != nil {
		return fmt.Errorf("report: render HTML: %w", err)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
}

// htmlPage is what the template renders. Every string in it is computed
// and cleaned here, so the template only places values: it calls no
// functions, and its text cannot bypass html/template's escaping.
type htmlPage struct {
	Target, Profile, Tool, Version, Schema string
	Started, Duration                      string
	Conformant                             bool
	VerdictClass, VerdictWord              string // banner: ok, bad or unknown; "Conformant", "Not conformant", "No verdict", "Interrupted"
	Diagnosis                              []string
	Verdict                                string // one sentence under the verdict word
	Counts                                 []htmlCount
	Profiles                               []profileResult
	Checks                                 []htmlCheck
	Charts                                 []latencyChart
	Notes                                  []string
	// TargetLabel and TimeoutLabel name the chart thresholds, e.g. "1 s".
	TargetLabel, TimeoutLabel string
}

// htmlCount is one outcome's tile in the verdict banner.
type htmlCount struct {
	Label, Class string
	N            int
}

type htmlCheck struct {
	ID, Level, Title, Doc, Reason, Duration string
	Label, Class                            string // outcome badge
	Fix                                     *Fix   // cleaned; set on fail and warn
	Open                                    bool   // evidence expanded: the checks that need attention
	OpenEach                                bool   // each exchange expanded too, when there are few
	Exchanges                               []htmlExchange
}

type htmlExchange struct {
	N                               int
	Kind                            string // short name of the kind
	Fetch                           bool   // an artifact fetch: one line, nothing to expand
	Label, Fault, Method, URL, Path string
	DeliveryID                      string
	Status, StatusClass             string // the status answered or served, "" for none
	Latency                         string
	Offset                          string // since the start of the run
	When                            string // full UTC time
	Error, Response, Location       string
	Headers                         []htmlHeader
	BodyBytes                       int
	Body                            string
	HasBody                         bool
}

type htmlHeader struct{ Name, Value string }

func newHTMLPage(r *Report) htmlPage {
	c := func(s string) string { return clean(s, true) }
	p := htmlPage{
		Target: c(r.Target), Profile: c(r.Profile), Tool: c(r.Tool), Version: c(r.Version),
		Schema:       c(cmp.Or(r.Schema, Schema)),
		Duration:     formatMS(r.DurationMS),
		Conformant:   r.Conformant(),
		VerdictClass: verdictClass(r),
		VerdictWord:  verdictHeading(r),
		Verdict:      verdictDetail(r),
		Counts: []htmlCount{
			{"pass", "pass", r.Summary.Pass},
			{"fail", "fail", r.Summary.Fail},
			{"warn", "warn", r.Summary.Warn},
			{"skip", "skip", r.Summary.Skip},
			{"error", "error", r.Summary.Error},
		},
	}
	if !r.StartedAt.IsZero() {
		p.Started = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	th := chartThresholds(r.Settings)
	p.TargetLabel, p.TimeoutLabel = tickLabel(th.target), tickLabel(th.timeout)
	for _, d := range r.Summary.Diagnosis {
		p.Diagnosis = append(p.Diagnosis, c(d))
	}
	for _, n := range r.Notes {
		p.Notes = append(p.Notes, c(n))
	}
	for _, pr := range r.profileResults() {
		pr.Name = c(pr.Name)
		p.Profiles = append(p.Profiles, pr)
	}
	for _, chk := range r.Checks {
		hc := htmlCheck{
			ID: c(chk.ID), Level: c(chk.Level), Title: c(chk.Title), Doc: c(chk.Doc), Reason: c(chk.Reason),
			Duration: formatMS(chk.DurationMS),
			Label:    outcomeLabel(chk.Outcome),
			Class:    outcomeClass(chk.Outcome),
			Open:     chk.Outcome == Fail || chk.Outcome == Error,
		}
		if chk.Fix != nil && (chk.Outcome == Fail || chk.Outcome == Warn) {
			hc.Fix = &Fix{Why: c(chk.Fix.Why), How: c(chk.Fix.How), Reference: c(chk.Fix.Reference)}
		}
		hc.OpenEach = hc.Open && len(chk.Evidence) <= 5
		for i, e := range chk.Evidence {
			hc.Exchanges = append(hc.Exchanges, newHTMLExchange(i+1, e, r.StartedAt))
		}
		p.Checks = append(p.Checks, hc)
		if strings.HasPrefix(chk.ID, "TIME-") {
			if ch, ok := newLatencyChart(chk, th); ok {
				p.Charts = append(p.Charts, ch)
			}
		}
	}
	return p
}

// verdictDetail says what the verdict rests on.
// verdictClass is the banner's CSS class.
func verdictClass(r *Report) string {
	switch {
	case !r.VerdictKnown():
		return "unknown"
	case r.Conformant():
		return "ok"
	}
	return "bad"
}

// verdictHeading is the banner's word.
func verdictHeading(r *Report) string {
	w := strings.ToLower(r.verdictWord())
	return strings.ToUpper(w[:1]) + w[1:]
}

func verdictDetail(r *Report) string {
	var parts []string
	if !r.VerdictKnown() {
		parts = append(parts, strings.TrimPrefix(strings.TrimPrefix(r.verdictLine(), "NO VERDICT "), "INTERRUPTED: "))
	}
	if ids := r.idsWith(Fail); ids != "" {
		parts = append(parts, "Failed: "+ids)
	}
	if ids := r.idsWith(Error); ids != "" {
		parts = append(parts, "Could not be run: "+ids)
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("No check failed: %d passed, %d warned, %d skipped", r.Summary.Pass, r.Summary.Warn, r.Summary.Skip))
	}
	return strings.Join(parts, " · ")
}

func newHTMLExchange(n int, e Evidence, start time.Time) htmlExchange {
	c := func(s string) string { return clean(s, true) }
	x := htmlExchange{
		N: n, Fetch: e.Kind == KindArtifactFetch,
		Label: c(e.Label), Fault: c(e.Fault), Method: c(e.Method), URL: c(e.URL), Path: c(e.Path),
		DeliveryID: c(e.DeliveryID), Error: c(e.Error), Response: c(e.Response), Location: c(e.Location),
		Offset:    offset(e.At, start),
		BodyBytes: e.BodyBytes, Body: c(e.BodyExcerpt), HasBody: e.BodyExcerpt != "" || e.BodyBytes > 0,
	}
	switch e.Kind {
	case KindDelivery, "":
		x.Kind = "delivery"
	case KindArtifactFetch:
		x.Kind = "fetch"
	case KindTLSHandshake:
		x.Kind = "TLS"
	default:
		x.Kind = c(e.Kind)
	}
	if !e.At.IsZero() {
		x.When = e.At.UTC().Format("2006-01-02 15:04:05.000 UTC")
	}
	status := e.Status
	if x.Fetch {
		status = e.ServedStatus
	}
	if status != 0 {
		x.Status = strconv.Itoa(status)
	}
	x.StatusClass = statusClass(status)
	if e.LatencyMS > 0 {
		x.Latency = formatLatency(e.LatencyMS) + connectNote(e)
	}
	for _, k := range sortedKeys(e.RequestHeader) {
		x.Headers = append(x.Headers, htmlHeader{c(k), c(e.RequestHeader[k])})
	}
	return x
}

// statusClass groups a status code for colouring: s2 for 2xx, s4 for 4xx,
// s5 for 5xx, s0 when there was none (an error or a timeout).
func statusClass(code int) string {
	switch {
	case code >= 200 && code < 300:
		return "s2"
	case code >= 400 && code < 500:
		return "s4"
	case code >= 500 && code < 600:
		return "s5"
	case code == 0:
		return "s0"
	}
	return "s3"
}
