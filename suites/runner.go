package suites

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
)

// result is a check's report entry plus its raw outcome, which says whether
// the receiver met the rule whatever the profile (the reported outcome
// turns some failures into warnings); conformance is judged on it.
type result struct {
	report.CheckResult
	raw report.Outcome
	ran bool
}

// Run runs the selected checks of the catalogue against c.URL and returns
// the report, its checks in catalogue order.
//
// Phase 1 runs every Concurrent check at once (TIME-04's sustained load
// among them); phase 2 runs the others alone, in RunOrder. Results go to
// Progress in catalogue order, each as soon as it and every check before
// it are done. Checks not selected by Only/Skip are in the report as skip,
// with the setting as reason, and are not passed to Progress; the profiles
// they belong to get no verdict, nor does any profile of an interrupted
// run.
//
// The error is a *SetupError when no check could run: an invalid config or
// an unreachable receiver. If ctx ends during the run, the checks it
// interrupted are errors in the report (callers see ctx.Err() themselves).
func Run(ctx context.Context, c Config) (*report.Report, error) {
	if err := c.Validate(); err != nil {
		return nil, &SetupError{Reason: "invalid configuration", Err: err}
	}
	c = c.withDefaults()
	// Validate accepted both lists, so parsing only normalises the case.
	c.Only, _ = ParseIDs(strings.Join(c.Only, ","))
	c.Skip, _ = ParseIDs(strings.Join(c.Skip, ","))

	started := time.Now()
	h, err := newHarness(c)
	if err != nil {
		return nil, &SetupError{Reason: "invalid configuration", Err: err}
	}
	defer h.close()
	if err := h.preflight(ctx); err != nil {
		return nil, err
	}
	stop := h.startArtifacts()
	defer stop()

	results := make([]result, len(Catalog))
	selected := make(map[string]int)
	for i, chk := range Catalog {
		if ok, why := c.selected(chk.ID); ok {
			selected[chk.ID] = i
		} else {
			results[i] = result{CheckResult: entry(chk), raw: report.Skip}
			results[i].Outcome, results[i].Reason = report.Skip, why
		}
	}

	rel := newRelease(ctx, h, results, selected, c.Progress)
	runOne := func(i int) { rel.finished(i, h.runCheck(ctx, Catalog[i])) }
	var wg sync.WaitGroup
	for i, chk := range Catalog {
		if _, ok := selected[chk.ID]; ok && chk.Phase == Concurrent {
			wg.Go(func() { runOne(i) })
		}
	}
	wg.Wait()
	for _, id := range RunOrder() {
		if i, ok := selected[id]; ok {
			runOne(i)
		}
	}

	rep := &report.Report{
		Schema:     report.Schema,
		Tool:       "prismhook",
		Version:    c.Version,
		Target:     wire.RedactURL(c.URL),
		Profile:    c.Profile,
		StartedAt:  started.UTC(),
		DurationMS: time.Since(started).Milliseconds(),
		Checks:     make([]report.CheckResult, len(results)),
		Settings:   c.settings(),
		Notes:      h.notes(),
	}
	for i, res := range results {
		rep.Checks[i] = res.CheckResult
	}
	judgeRun(rep, results, ctx.Err() != nil)
	rep.Count()
	return rep, nil
}

// entry is a check's report entry before it ran.
func entry(c Check) report.CheckResult {
	return report.CheckResult{
		ID:       c.ID,
		Level:    string(c.Level),
		Title:    c.Title,
		Doc:      c.Doc,
		Evidence: []report.Evidence{},
	}
}

// runCheck runs one check and maps its raw outcome onto the profile.
func (h *harness) runCheck(ctx context.Context, c Check) result {
	start := time.Now()
	res := result{CheckResult: entry(c), ran: true}
	switch {
	case h.tls != nil && !h.tls.usable() && !c.HandshakeOnly:
		// The sender cannot talk to the receiver; TLS-02 says why.
		res.raw, res.Reason = report.Skip, "TLS handshake failed (see TLS-02)"
	case c.Probe && h.artErr != nil:
		res.raw, res.Reason = report.Error, "harness error: "+h.artErr.Error()
	default:
		res.raw, res.Reason, res.Evidence = execute(ctx, h, c.run)
	}
	res.Outcome = verdict(c, res.raw, h.cfg.Profile)
	if res.Outcome == report.Fail || res.Outcome == report.Warn {
		fix := c.Fix
		res.Fix = &fix
	}
	res.DurationMS = time.Since(start).Milliseconds()
	return res
}

// verdict maps a raw outcome onto a profile: a rule that does not apply in
// the profile (a SHOULD rule in core; TLS-01 outside production) only warns.
func verdict(c Check, raw report.Outcome, profile string) report.Outcome {
	if raw == report.Fail && !c.appliesIn(profile) {
		return report.Warn
	}
	return raw
}

// conformance says for each profile whether no check of that profile failed
// or errored (see Check.appliesIn).
func conformance(results []result) map[string]bool {
	ok := make(map[string]bool, len(report.Profiles))
	for _, p := range report.Profiles {
		ok[p] = true
	}
	for _, res := range results {
		if !res.ran || (res.raw != report.Fail && res.raw != report.Error) {
			continue
		}
		c, _ := Lookup(res.ID)
		for _, p := range report.Profiles {
			if c.appliesIn(p) {
				ok[p] = false
			}
		}
	}
	return ok
}

// ExitCode is the process exit code for a report, as `prismhook check`
// documents it: 0 when no check failed or errored (warn and skip allowed),
// 1 when any check failed, 2 when a check errored and none failed.
func ExitCode(r *report.Report) int {
	code := 0
	for _, c := range r.Checks {
		switch c.Outcome {
		case report.Fail:
			return 1
		case report.Error:
			code = 2
		}
	}
	return code
}
