package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// partialReport is a run of one check: no profile has a verdict.
func partialReport() *Report {
	return &Report{
		Profile: ProfileRecommended,
		Summary: Summary{
			Pass:       1,
			Conformant: map[string]*bool{ProfileCore: nil, ProfileRecommended: nil, ProfileProduction: nil},
			Coverage: map[string]Coverage{
				ProfileCore: {Ran: 1, Checks: 12}, ProfileRecommended: {Ran: 1, Checks: 22}, ProfileProduction: {Ran: 1, Checks: 23},
			},
			Diagnosis: []string{"the secret the receiver verifies with is most likely not the one given to --secret"},
		},
		Checks: []CheckResult{{ID: "SIG-01", Outcome: Pass}},
	}
}

func TestUnknownVerdictInEveryFormat(t *testing.T) {
	r := partialReport()
	if r.Conformant() || r.VerdictKnown() {
		t.Fatalf("Conformant() = %v, VerdictKnown() = %v for a partial run", r.Conformant(), r.VerdictKnown())
	}
	writers := map[string]func(*bytes.Buffer) error{
		"terminal": func(b *bytes.Buffer) error { NewTerminal(b, false).Summary(r); return nil },
		"markdown": func(b *bytes.Buffer) error { return WriteMarkdown(b, r) },
		"junit":    func(b *bytes.Buffer) error { return WriteJUnit(b, r) },
		"html":     func(b *bytes.Buffer) error { return WriteHTML(b, r) },
	}
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := b.String()
		if strings.Contains(out, "CONFORMANT to") || strings.Contains(strings.ToLower(out), ">conformant<") {
			t.Errorf("%s claims conformance for a partial run:\n%s", name, out)
		}
		if !strings.Contains(out, "secret the receiver verifies with") {
			t.Errorf("%s lacks the diagnosis", name)
		}
	}
	var term bytes.Buffer
	NewTerminal(&term, false).Summary(r)
	for _, want := range []string{
		"1 check in 0ms",
		"profiles: core no verdict (1 of 12 checks ran), recommended no verdict (1 of 22 checks ran), production no verdict (1 of 23 checks ran)",
		"diagnosis: the secret the receiver verifies with",
		"NO VERDICT for the recommended profile: 1 of its 22 checks ran; a verdict needs a full run",
	} {
		if !strings.Contains(term.String(), want) {
			t.Errorf("terminal lacks %q:\n%s", want, term.String())
		}
	}
	var junit bytes.Buffer
	_ = WriteJUnit(&junit, r)
	if !strings.Contains(junit.String(), `<property name="conformant" value="unknown">`) {
		t.Errorf("JUnit conformant property not unknown:\n%s", junit.String())
	}
}

func TestUnknownVerdictJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, partialReport()); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Interrupted *bool `json:"interrupted"`
		Summary     struct {
			Conformant map[string]any `json:"conformant"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Interrupted == nil || *raw.Interrupted {
		t.Errorf("interrupted = %v, want false and present", raw.Interrupted)
	}
	for _, p := range Profiles {
		if v, ok := raw.Summary.Conformant[p]; !ok || v != nil {
			t.Errorf("conformant[%s] = %v (present %v), want null", p, v, ok)
		}
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if back.VerdictKnown() {
		t.Error("the verdict became known on reading back")
	}
}

func TestInterruptedHasNoVerdict(t *testing.T) {
	r := &Report{Profile: ProfileCore, Interrupted: true,
		Summary: Summary{Conformant: Verdicts(map[string]bool{ProfileCore: true})}}
	if r.Conformant() {
		t.Error("an interrupted run is conformant")
	}
	if got := r.verdictLine(); !strings.HasPrefix(got, "INTERRUPTED") {
		t.Errorf("verdict line %q", got)
	}
}

func TestReadJSONReadsV1(t *testing.T) {
	r, err := ReadJSON(strings.NewReader(`{"schema":"prismhook.report/v1","profile":"core","summary":{"conformant":{"core":true}},"checks":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Conformant() {
		t.Error("a v1 report's true verdict was lost")
	}
}
