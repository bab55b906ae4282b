package report

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// errNilReport is what every writer returns for a nil report.
var errNilReport = errors.New("report: nil report")

// Conformant reports whether the run conforms to its own profile: the
// recorded Summary.Conformant[Profile] when there is one, otherwise (a
// report assembled by hand) whether no check failed or errored.
func (r *Report) Conformant() bool {
	if ok, found := r.Summary.Conformant[r.Profile]; found {
		return ok
	}
	for _, c := range r.Checks {
		if c.Outcome == Fail || c.Outcome == Error {
			return false
		}
	}
	return true
}

// profileResult is one profile's line of a summary.
type profileResult struct {
	Name       string
	Conformant bool
	Selected   bool // the profile the run was made for
}

// profileResults lists the profiles recorded in the summary: the known
// ones in order from least to most demanding, then any others by name.
func (r *Report) profileResults() []profileResult {
	var out []profileResult
	add := func(name string) {
		out = append(out, profileResult{Name: name, Conformant: r.Summary.Conformant[name], Selected: name == r.Profile})
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

// verdictLine is the one-sentence result of a run, plain text.
func (r *Report) verdictLine() string {
	profile := line(r.Profile)
	if r.Conformant() {
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
