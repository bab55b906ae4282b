// Package report is the conformance report: a versioned, documented type
// (docs/report-schema.md) and its renderings — terminal, JSON, JUnit XML,
// HTML and Markdown. Everything in a report that a receiver controls
// (bodies, headers, status lines) is treated as hostile text by every writer.
package report

import "time"

// Schema identifies the JSON layout; it changes only with a new major
// version of the report format.
const Schema = "prismhook.report/v1"

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
	Schema     string        `json:"schema"`
	Tool       string        `json:"tool"`
	Version    string        `json:"version"`
	Target     string        `json:"target"`
	Profile    string        `json:"profile"`
	StartedAt  time.Time     `json:"started_at"`
	DurationMS int64         `json:"duration_ms"`
	Summary    Summary       `json:"summary"`
	Checks     []CheckResult `json:"checks"`
}

// Summary counts outcomes and says, for each profile, whether the checks
// that ran conform to it.
type Summary struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
	// Conformant maps each profile name to true when no check of that
	// profile failed or errored.
	Conformant map[string]bool `json:"conformant"`
}

// CheckResult is the outcome of one check, with its evidence.
type CheckResult struct {
	ID    string `json:"id"`    // stable, e.g. "SIG-01"
	Level string `json:"level"` // "MUST", "SHOULD" or "MUST when HTTPS"
	Title string `json:"title"`
	// Doc is the line of Prism's documentation the check enforces.
	Doc        string     `json:"doc"`
	Outcome    Outcome    `json:"outcome"`
	Reason     string     `json:"reason,omitempty"`
	DurationMS int64      `json:"duration_ms"`
	Evidence   []Evidence `json:"evidence"`
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
	Response      string            `json:"response_excerpt,omitempty"`
	Location      string            `json:"location,omitempty"` // of a 3xx answer, which is never followed

	// Artifact fetches: the path asked for and what the harness answered.
	Path         string `json:"path,omitempty"`
	ServedStatus int    `json:"served_status,omitempty"`
}

// Count recomputes the outcome counts of the summary from the checks.
func (r *Report) Count() {
	s := Summary{Conformant: r.Summary.Conformant}
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
