// Package report is the conformance report: a versioned, documented type
// (docs/report-schema.md) and its renderings — terminal, JSON, JUnit XML,
// HTML and Markdown. Everything in a report that a receiver controls
// (bodies, headers, status lines) is treated as hostile text by every writer.
package report

import "time"

// Schema identifies the JSON layout; it changes only with a new major
// version of the report format.
const Schema = "prismhook.report/v2"

// SchemaV1 is the previous layout, which ReadJSON still reads: its
// conformance values are never null and it has no interrupted marker.
const SchemaV1 = "prismhook.report/v1"

// Outcome of one check.
type Outcome string

// Outcomes. Error means the harness itself could not run the check (a setup
// problem), which is different from the receiver failing it.
const (
	Pass  Outcome = "pass"
	Fail  Outcome = "fail"
	Warn  Outcome = "warn"
	Skip  Outcome = "skip"
	Error Outcome = "error"
)

// Profiles, from the least to the most demanding.
const (
	ProfileCore        = "core"
	ProfileRecommended = "recommended"
	ProfileProduction  = "production"
)

// Profiles lists the profile names in order.
var Profiles = []string{ProfileCore, ProfileRecommended, ProfileProduction}

// Report is the result of one conformance run.
type Report struct {
	Schema     string    `json:"schema"`
	Tool       string    `json:"tool"`
	Version    string    `json:"version"`
	Target     string    `json:"target"`
	Profile    string    `json:"profile"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	// Interrupted is true when the run was stopped before it finished
	// (Ctrl-C, a cancelled context): no profile has a verdict then.
	Interrupted bool    `json:"interrupted"`
	Summary     Summary `json:"summary"`
	// Settings are the thresholds the run judged by, for charts.
	Settings *Settings `json:"settings,omitempty"`
	// Notes are one-line remarks about the run as a whole.
	Notes  []string      `json:"notes,omitempty"`
	Checks []CheckResult `json:"checks"`
}

// Summary counts outcomes and says, for each profile, whether the checks
// that ran conform to it.
type Summary struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
	// Conformant maps each profile name to its verdict: true when every
	// check of the profile ran and none failed or errored, false when a
	// full run had one that did, and nil (JSON null) when the verdict is
	// unknown: --only/--skip left checks of the profile unrun, or the run
	// was interrupted. A reader that treats null as false is never told
	// "conformant" wrongly.
	Conformant map[string]*bool `json:"conformant"`
	// Coverage says, per profile, how many of its checks ran.
	Coverage map[string]Coverage `json:"coverage,omitempty"`
	// Diagnosis holds the likely causes the run points at, one sentence
	// each (e.g. a secret that differs from the receiver's), for a person
	// to act on first.
	Diagnosis []string `json:"diagnosis,omitempty"`
}

// Coverage is how many of a profile's checks ran (Ran) out of all of them
// (Checks).
type Coverage struct {
	Ran    int `json:"ran"`
	Checks int `json:"checks"`
}

// Known returns a pointer to v, for Summary.Conformant.
func Known(v bool) *bool { return &v }

// CheckResult is the outcome of one check, with its evidence.
type CheckResult struct {
	ID    string `json:"id"`    // stable, e.g. "SIG-01"
	Level string `json:"level"` // "MUST", "SHOULD" or "MUST when HTTPS"
	Title string `json:"title"`
	// Doc is the line of Prism's documentation the check enforces.
	Doc        string  `json:"doc"`
	Outcome    Outcome `json:"outcome"`
	Reason     string  `json:"reason,omitempty"`
	DurationMS int64   `json:"duration_ms"`
	// Fix says why the rule matters and how to meet it; set on fail and
	// warn.
	Fix      *Fix       `json:"fix,omitempty"`
	Evidence []Evidence `json:"evidence"`
}

// Fix is the guidance for a check that was not met.
type Fix struct {
	Why       string `json:"why"`       // why the rule matters
	How       string `json:"how"`       // how to meet it, language-neutral
	Reference string `json:"reference"` // where the reference receiver does it right
}

// Settings are the thresholds of a run that reports draw: the ack timeout
// (the 5 s rule) and the p95 target of TIME-02.
type Settings struct {
	AckTimeoutMS   int64 `json:"ack_timeout_ms"`
	P95TargetMS    int64 `json:"p95_target_ms"`
	LoadRate       int   `json:"load_rate,omitempty"`        // TIME-04 events per second
	LoadDurationMS int64 `json:"load_duration_ms,omitempty"` // TIME-04 duration
}

// Evidence is one observation behind an outcome: a delivery the harness
// sent and what came back, or a fetch of an artifact by the receiver.
type Evidence struct {
	Kind  string    `json:"kind"`  // "delivery" or "artifact-fetch"
	Label string    `json:"label"` // what this exchange was for, e.g. "wrong secret"
	At    time.Time `json:"at"`

	// Deliveries.
	DeliveryID    string            `json:"delivery_id,omitempty"`
	Fault         string            `json:"fault,omitempty"`
	Method        string            `json:"method,omitempty"`
	URL           string            `json:"url,omitempty"`
	RequestHeader map[string]string `json:"request_headers,omitempty"`
	BodyBytes     int               `json:"body_bytes,omitempty"`
	BodyExcerpt   string            `json:"body_excerpt,omitempty"`
	Status        int               `json:"status,omitempty"`
	LatencyMS     float64           `json:"latency_ms,omitempty"`
	Error         string            `json:"error,omitempty"`
	// ConnectMS is how long the attempt waited for a connection before
	// sending (dial, TLS handshake, or waiting in the receiver's listen
	// backlog); LatencyMS counts from the connection to the answer.
	ConnectMS float64 `json:"connect_ms,omitempty"`
	Response  string  `json:"response_excerpt,omitempty"`
	// Location is the Location header of a 3xx answer (never followed).
	Location string `json:"location,omitempty"`

	// Artifact fetches: the path asked for and what the harness answered.
	Path         string `json:"path,omitempty"`
	ServedStatus int    `json:"served_status,omitempty"`
}

// Count recomputes the outcome counts of the summary from the checks.
func (r *Report) Count() {
	s := Summary{Conformant: r.Summary.Conformant, Coverage: r.Summary.Coverage, Diagnosis: r.Summary.Diagnosis}
	for _, c := range r.Checks {
		switch c.Outcome {
		case Pass:
			s.Pass++
		case Fail:
			s.Fail++
		case Warn:
			s.Warn++
		case Skip:
			s.Skip++
		case Error:
			s.Error++
		}
	}
	r.Summary = s
}

// Verdicts turns known verdicts into the form of Summary.Conformant.
func Verdicts(m map[string]bool) map[string]*bool {
	out := make(map[string]*bool, len(m))
	for k, v := range m {
		out[k] = Known(v)
	}
	return out
}
