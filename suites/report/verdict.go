package report

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// errNilReport is what every writer returns for a nil report.
var errNilReport = errors.New("report: nil report")

// Conformant reports whether the run is known to conform to its own
// profile: the recorded Summary.Conformant[Profile] when there is one (an
// unknown verdict is not conformance), otherwise (a report assembled by
// hand) whether no check failed or errored. An interrupted run never
// conforms.
func (r *Report) Conformant() bool {
	ok, known := r.verdict(r.Profile)
	return known && ok
}

// VerdictKnown reports whether the run has a verdict for its own profile:
// it was not interrupted and every check of the profile ran.
func (r *Report) VerdictKnown() bool {
	_, known := r.verdict(r.Profile)
	return known
}

// verdict returns a profile's verdict and whether there is one.
func (r *Report) verdict(profile string) (ok, known bool) {
	if r.Interrupted {
		return false, false
	}
	if v, found := r.Summary.Conformant[profile]; found {
		if v == nil {
			return false, false
		}
		return *v, true
	}
	for _, c := range r.Checks {
		if c.Outcome == Fail || c.Outcome == Error {
			return false, true
		}
	}
	return true, true
}

// profileResult is one profile's line of a summary.
type profileResult struct {
	Name       string
	Conformant bool
	Known      bool     // false: no verdict (partial or interrupted run)
	Coverage   Coverage // zero when not recorded
	Selected   bool     // the profile the run was made for
}

// State is the profile's result in words: "conformant", "not conformant"
// or, without a verdict, how much of it ran.
func (p profileResult) State() string {
	switch {
	case p.Known && p.Conformant:
		return "conformant"
	case p.Known:
		return "not conformant"
	case p.Coverage.Checks > 0:
		return fmt.Sprintf("no verdict (%d of %d checks ran)", p.Coverage.Ran, p.Coverage.Checks)
	}
	return "no verdict"
}

// Class is the profile's CSS class.
func (p profileResult) Class() string {
	switch {
	case p.Known && p.Conformant:
		return "ok"
	case p.Known:
		return "bad"
	}
	return "unknown"
}

// profileResults lists the profiles recorded in the summary: the known
// ones in order from least to most demanding, then any others by name.
func (r *Report) profileResults() []profileResult {
	var out []profileResult
	add := func(name string) {
		ok, known := r.verdict(name)
		out = append(out, profileResult{
			Name: name, Conformant: ok, Known: known,
			Coverage: r.Summary.Coverage[name], Selected: name == r.Profile,
		})
	}
	for _, p := range Profiles {
		if _, ok := r.Summary.Conformant[p]; ok {
			add(p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(r.Summary.Conformant)) {
		if !slices.Contains(Profiles, p) {
			add(p)
		}
	}
	return out
}

// idsWith returns the IDs of the checks with outcome o, comma-separated.
func (r *Report) idsWith(o Outcome) string {
	var ids []string
	for _, c := range r.Checks {
		if c.Outcome == o {
			ids = append(ids, line(c.ID))
		}
	}
	return strings.Join(ids, ", ")
}

// verdictWord is the verdict in one or two words, for headings.
func (r *Report) verdictWord() string {
	switch {
	case r.Interrupted:
		return "INTERRUPTED"
	case !r.VerdictKnown():
		return "NO VERDICT"
	case r.Conformant():
		return "CONFORMANT"
	}
	return "NOT CONFORMANT"
}

// verdictLine is the one-sentence result of a run, plain text.
func (r *Report) verdictLine() string {
	profile := line(r.Profile)
	switch {
	case r.Interrupted:
		return "INTERRUPTED: no verdict for the " + profile + " profile; the run did not finish"
	case !r.VerdictKnown():
		v := "NO VERDICT for the " + profile + " profile"
		if cov, ok := r.Summary.Coverage[r.Profile]; ok {
			v += fmt.Sprintf(": %d of its %d checks ran", cov.Ran, cov.Checks)
		}
		return v + "; a verdict needs a full run"
	case r.Conformant():
		return "CONFORMANT to the " + profile + " profile"
	}
	var why []string
	if ids := r.idsWith(Fail); ids != "" {
		why = append(why, "failed: "+ids)
	}
	if ids := r.idsWith(Error); ids != "" {
		why = append(why, "errors: "+ids)
	}
	v := "NOT CONFORMANT to the " + profile + " profile"
	if len(why) > 0 {
		v += " (" + strings.Join(why, "; ") + ")"
	}
	return v
}

// plural is "1 check", "2 checks".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
