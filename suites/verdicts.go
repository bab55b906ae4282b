package suites

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

// Verdicts that depend on more than one check: a rejection check proves
// something only if correctly signed events get another answer, and a
// profile has a verdict only when all of its checks ran to the end.

// release collects results as checks finish and hands them on in
// catalogue order: a row goes out as soon as it and every row before it
// are done. Judgements across checks are made then, from the rows before
// it only, so that what was printed and what the report says agree
// whatever order the checks finished in.
type release struct {
	ctx      context.Context
	h        *harness
	results  []result
	done     []bool
	next     int
	progress func(report.CheckResult)
	mu       sync.Mutex

	// control is a correctly signed delivery of the harness's own, sent
	// only when a rejection check has no correctly signed event before it
	// to compare with (e.g. --only SIG-03).
	control *report.Evidence
}

func newRelease(ctx context.Context, h *harness, results []result, ran map[string]int, progress func(report.CheckResult)) *release {
	rl := &release{ctx: ctx, h: h, results: results, done: make([]bool, len(results)), progress: progress}
	for i, c := range Catalog {
		if _, ok := ran[c.ID]; !ok {
			rl.done[i] = true
		}
	}
	return rl
}

// finished records row i and releases every row whose turn has come.
func (rl *release) finished(i int, res result) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.results[i], rl.done[i] = res, true
	for rl.next < len(rl.results) && rl.done[rl.next] {
		res := &rl.results[rl.next]
		if res.ran {
			rl.judge(rl.next)
			if rl.progress != nil {
				rl.progress(res.CheckResult)
			}
		}
		rl.next++
	}
}

// judge revises row i with what the rows before it showed.
func (rl *release) judge(i int) {
	res := &rl.results[i]
	c := Catalog[i]
	switch {
	case c.Rejection && res.raw == report.Pass:
		rl.judgeRejection(res)
	case c.ID == sigExampleID && res.raw == report.Fail:
		if hint := refusalHint(res.Evidence); hint != "" {
			res.Reason += " — " + hint
		}
	case c.ID == sigCanonicalID && res.raw == report.Fail:
		if hint := reserializedHint(signedEvidence(rl.results[:i]), res.Evidence); hint != "" {
			res.Reason += " — " + hint
		}
	case res.raw == report.Fail && slices.ContainsFunc(res.Evidence, crashedOnInput):
		res.Reason += " — " + diagCrash
	}
}

// The checks whose reasons carry a diagnosis of their own: SIG-01 (the
// documentation's example refused) and SIG-07 (non-canonical JSON refused).
const (
	sigExampleID   = "SIG-01"
	sigCanonicalID = "SIG-07"
)

// judgeRejection turns a passed rejection check into skip when every
// correctly signed event so far was refused with 4xx as well.
func (rl *release) judgeRejection(res *result) {
	refs := signedEvidence(rl.results[:indexOf(res.ID)])
	if len(refs) == 0 {
		ev := rl.controlDelivery()
		res.Evidence = append(res.Evidence, ev)
		refs = []labelled{{check: "a correctly signed control delivery", ev: ev}}
	}
	for _, r := range refs {
		if !refused(r.ev) {
			return // a 2xx, a 5xx, a late or missing answer: told apart
		}
	}
	res.raw, res.Outcome = report.Skip, report.Skip
	res.Reason = "not meaningful: correctly signed events are refused too — " + refusedSummary(refs)
}

// controlDelivery sends, once per run, a correctly signed video.completed.
func (rl *release) controlDelivery() report.Evidence {
	if rl.control == nil {
		ev := report.Evidence{Kind: report.KindDelivery, Label: "control: a correctly signed video.completed, to compare with", Error: "harness error: no control event"}
		if _, body, err := rl.h.event(webhook.EventCompleted, false); err == nil {
			ev = rl.h.deliver(rl.ctx, ev.Label, rl.h.message(webhook.EventCompleted, body, wire.FaultNone))
		}
		rl.control = &ev
	}
	return *rl.control
}

// labelled is a delivery and the check it belongs to.
type labelled struct {
	check string
	ev    report.Evidence
}

// plainValid reports whether a delivery carried a valid, correctly signed
// event as the documentation describes it (sent once, again, or in a
// burst): the deliveries a receiver must acknowledge whatever else it
// checks.
func plainValid(ev report.Evidence) bool {
	if ev.Kind != report.KindDelivery {
		return false
	}
	switch wire.Fault(ev.Fault) {
	case wire.FaultNone, wire.FaultDuplicate, wire.FaultBurst:
		return true
	}
	return false
}

// signedEvidence returns the plain valid deliveries of the rows that ran.
func signedEvidence(rows []result) []labelled {
	var out []labelled
	for _, r := range rows {
		if !r.ran {
			continue
		}
		for _, ev := range r.Evidence {
			if plainValid(ev) {
				out = append(out, labelled{r.ID, ev})
			}
		}
	}
	return out
}

// refusedSummary says what correctly signed events got: "404 for SIG-01",
// "401 for SIG-01, SIG-02 and 18 more deliveries".
func refusedSummary(refs []labelled) string {
	type group struct {
		status int
		checks []string
	}
	var groups []*group
	for _, r := range refs {
		var g *group
		for _, x := range groups {
			if x.status == r.ev.Status {
				g = x
			}
		}
		if g == nil {
			g = &group{status: r.ev.Status}
			groups = append(groups, g)
		}
		if len(g.checks) == 0 || g.checks[len(g.checks)-1] != r.check {
			g.checks = append(g.checks, r.check)
		}
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		names := strings.Join(g.checks, ", ")
		if n := len(g.checks); n > 3 {
			names = strings.Join(g.checks[:3], ", ") + fmt.Sprintf(" and %d more checks", n-3)
		}
		parts[i] = fmt.Sprintf("%d for %s", g.status, names)
	}
	return strings.Join(parts, "; ")
}

// indexOf is the catalogue position of id.
func indexOf(id string) int {
	for i, c := range Catalog {
		if c.ID == id {
			return i
		}
	}
	return len(Catalog)
}

// judgeRun fills the verdict part of the summary. A profile's checks are
// those whose broken rule counts against it (Check.appliesIn); a profile
// whose checks did not all run, or any profile of an interrupted run, has
// an unknown verdict (nil) rather than one drawn from part of the
// evidence.
func judgeRun(rep *report.Report, results []result, interrupted bool) {
	known := conformance(results)
	rep.Interrupted = interrupted
	rep.Summary.Conformant = make(map[string]*bool, len(report.Profiles))
	rep.Summary.Coverage = make(map[string]report.Coverage, len(report.Profiles))
	for _, p := range report.Profiles {
		var cov report.Coverage
		for _, res := range results {
			c, _ := Lookup(res.ID)
			if !c.appliesIn(p) {
				continue
			}
			cov.Checks++
			if res.ran {
				cov.Ran++
			}
		}
		rep.Summary.Coverage[p] = cov
		if interrupted || cov.Ran < cov.Checks {
			rep.Summary.Conformant[p] = nil
			continue
		}
		rep.Summary.Conformant[p] = report.Known(known[p])
	}
	rep.Summary.Diagnosis = diagnose(results)
}

// answers summarises the answers of deliveries: "404 ×5", "401 ×3, no
// answer (connection: EOF) ×1".
func answers(evs []report.Evidence) string {
	var order []string
	n := map[string]int{}
	for _, ev := range evs {
		a := answer(ev)
		if n[a] == 0 {
			order = append(order, a)
		}
		n[a]++
	}
	parts := make([]string, len(order))
	for i, a := range order {
		parts[i] = fmt.Sprintf("%s ×%d", a, n[a])
	}
	return strings.Join(parts, ", ")
}
