package suites

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/gcustom"
	"github.com/onsi/gomega/types"

	"github.com/prismhook/prismhook/internal/artifacts"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

// checkFunc implements one catalogue check. It asserts with the Gomega
// embedded in its checkRun; the first failed assertion ends it.
type checkFunc func(r *checkRun)

// checkRun is one execution of a check: Gomega assertions that end the
// check on their first failure, the harness, and the evidence gathered.
//
// Each run gets its own Gomega with its own fail handler, rather than
// Ginkgo's global one, so that checks can run concurrently. The handler
// records the failure and leaves the check's goroutine with runtime.Goexit,
// which still runs the check's deferred calls.
type checkRun struct {
	gomega.Gomega
	ctx context.Context
	h   *harness

	mu       sync.Mutex
	evidence []report.Evidence
	outcome  report.Outcome // raw: Fail means "rule broken", whatever the profile
	reason   string
	decided  bool
}

// execute runs fn in a goroutine of its own and returns its raw outcome.
func execute(ctx context.Context, h *harness, fn checkFunc) (report.Outcome, string, []report.Evidence) {
	r := &checkRun{ctx: ctx, h: h}
	r.Gomega = gomega.NewGomega(func(message string, _ ...int) {
		r.end(report.Fail, firstLine(message))
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			// A panic is the harness's fault, never the receiver's.
			if p := recover(); p != nil {
				r.decide(report.Error, fmt.Sprintf("harness error: %v", p))
			}
		}()
		fn(r)
	}()
	<-done

	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.decided {
		r.outcome = report.Pass
	}
	if err := ctx.Err(); err != nil && r.outcome != report.Pass {
		r.outcome, r.reason = report.Error, "run interrupted: "+err.Error()
	}
	if r.evidence == nil {
		r.evidence = []report.Evidence{}
	}
	return r.outcome, r.reason, r.evidence
}

// decide records the outcome unless one was recorded already.
func (r *checkRun) decide(o report.Outcome, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.decided {
		r.outcome, r.reason, r.decided = o, reason, true
	}
}

// end decides and stops the check. Only the check's own goroutine may call
// it.
func (r *checkRun) end(o report.Outcome, reason string) {
	r.decide(o, reason)
	runtime.Goexit()
}

// skip ends the check as not applicable.
func (r *checkRun) skip(format string, args ...any) { r.end(report.Skip, fmt.Sprintf(format, args...)) }

// harnessError ends the check as a harness error.
func (r *checkRun) harnessError(err error) { r.end(report.Error, "harness error: "+err.Error()) }

// explain sets the reason shown if the check passes.
func (r *checkRun) explain(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reason = fmt.Sprintf(format, args...)
}

// record adds evidence.
func (r *checkRun) record(ev ...report.Evidence) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evidence = append(r.evidence, ev...)
}

// event makes a fresh event (see harness.event); a failure is the
// harness's.
func (r *checkRun) event(eventType string) (genID string, body []byte) {
	genID, body, err := r.h.event(eventType, false)
	if err != nil {
		r.harnessError(err)
	}
	return genID, body
}

// deliver sends m and records the exchange.
func (r *checkRun) deliver(label string, m wire.Message) report.Evidence {
	ev := r.h.deliver(r.ctx, label, m)
	r.record(ev)
	return ev
}

// repeat sends m as p says (see wire.Pattern) and records one piece of
// evidence per send, labelled label(i).
func (r *checkRun) repeat(p wire.Pattern, m wire.Message, label func(i int) string) []report.Evidence {
	xs := wire.Repeat(r.ctx, p, m, func(ctx context.Context, _ int, m wire.Message) wire.Exchange { return r.h.send(ctx, m) })
	evs := make([]report.Evidence, len(xs))
	for i, x := range xs {
		evs[i] = exchangeEvidence(label(i), x)
	}
	r.record(evs...)
	return evs
}

// deliverFresh sends a fresh event of eventType with fault applied.
func (r *checkRun) deliverFresh(label, eventType string, fault wire.Fault) report.Evidence {
	_, body := r.event(eventType)
	return r.deliver(label, r.h.message(eventType, body, fault))
}

// variant is one delivery of a check that sends several.
type variant struct {
	label string
	fault wire.Fault
}

// deliverVariants sends a fresh video.completed event per variant, all at
// once (they are independent, and a receiver that hangs costs one timeout
// rather than one per variant), and records them in order.
func (r *checkRun) deliverVariants(vs []variant) []report.Evidence {
	msgs := make([]wire.Message, len(vs))
	for i, v := range vs {
		_, body := r.event(webhook.EventCompleted)
		msgs[i] = r.h.message(webhook.EventCompleted, body, v.fault)
	}
	evs := make([]report.Evidence, len(vs))
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Go(func() { evs[i] = r.h.deliver(r.ctx, vs[i].label, m) })
	}
	wg.Wait()
	r.record(evs...)
	return evs
}

// maxFetchEvidence bounds the fetches kept as evidence per generation: a
// receiver that retries in a tight loop must not bloat the report.
const maxFetchEvidence = 20

// recordFetches adds the receiver's fetches of genID's artifacts as
// evidence. Checks defer it, so the fetches are in the evidence whatever the
// outcome.
func (r *checkRun) recordFetches(genID string) {
	fs := r.h.art.Fetches(genID)
	if len(fs) > maxFetchEvidence {
		fs = fs[:maxFetchEvidence]
	}
	for _, f := range fs {
		r.record(fetchEvidence(f))
	}
}

// waitVideoFetches waits until genID's video was fetched n times or until
// deadline, and returns the video fetches seen and whether there were n.
func (r *checkRun) waitVideoFetches(genID string, n int, deadline time.Time) ([]artifacts.Fetch, bool) {
	ctx, cancel := context.WithDeadline(r.ctx, deadline)
	defer cancel()
	fs, err := r.h.art.WaitVideoFetches(ctx, genID, n)
	return fs, err == nil && len(fs) >= n
}

// acked reports whether a delivery was acknowledged: 2xx within the ack
// timeout.
func acked(ev report.Evidence) bool { return ev.Error == "" && ev.Status >= 200 && ev.Status < 300 }

// refused reports whether a delivery was refused as a client error: 4xx.
func refused(ev report.Evidence) bool { return ev.Error == "" && ev.Status >= 400 && ev.Status < 500 }

// answer describes what came back for a delivery, for reasons.
func answer(ev report.Evidence) string {
	if ev.Error != "" {
		return "no answer (" + ev.Error + ")"
	}
	if ev.Status >= 300 && ev.Status < 400 {
		// Prism does not follow redirects, and neither does the harness.
		loc := ev.Location
		if loc == "" {
			loc = "no Location header"
		}
		return fmt.Sprintf("status %d redirecting to %s (redirects are not followed: register the final URL with Prism)", ev.Status, loc)
	}
	return fmt.Sprintf("status %d", ev.Status)
}

// beAcknowledged matches delivery evidence with a 2xx answer.
func beAcknowledged() types.GomegaMatcher {
	return gcustom.MakeMatcher(func(ev report.Evidence) (bool, error) { return acked(ev), nil })
}

// beRefused matches delivery evidence with a 4xx answer.
func beRefused() types.GomegaMatcher {
	return gcustom.MakeMatcher(func(ev report.Evidence) (bool, error) { return refused(ev), nil })
}

// expectAck asserts that a delivery got 2xx within the ack timeout.
func (r *checkRun) expectAck(ev report.Evidence, what string) {
	r.Expect(ev).To(beAcknowledged(), "%s: %s, want 2xx within %s", what, answer(ev), r.h.cfg.AckTimeout)
}

// expectRefused asserts that a delivery got 4xx.
func (r *checkRun) expectRefused(ev report.Evidence, what string) {
	r.Expect(ev).To(beRefused(), "%s: %s, want 4xx", what, answer(ev))
}

// unmet lists the variants for which ok is false, as "label: answer".
func unmet(evs []report.Evidence, ok func(report.Evidence) bool) []string {
	var out []string
	for _, ev := range evs {
		if !ok(ev) {
			out = append(out, ev.Label+": "+answer(ev))
		}
	}
	return out
}

// firstLine turns a Gomega failure message into a one-line reason: checks
// always give a description, which is the message's first line.
func firstLine(msg string) string {
	msg = strings.TrimSpace(msg)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
