package suites

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/stats"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

// Timing checks: Prism waits 5 seconds for an answer, and a receiver should
// answer well before that, one event at a time or many at once.

// maxSequentialTimeouts ends the sequential run early: a receiver that let
// this many deliveries in a row time out has failed TIME-01 already, and
// waiting out every remaining timeout would only make the run long.
const maxSequentialTimeouts = 2

// p95Limit is TIME-02's bound on the 95th percentile acknowledgement latency.
const p95Limit = time.Second

// sequentialRun is the run TIME-01 and TIME-02 both judge: Sequential valid
// events, one after another. It happens once per harness, whichever of the
// two asks first; the other waits for it.
func (h *harness) sequentialRun(ctx context.Context) ([]wire.Exchange, error) {
	h.seqOnce.Do(func() {
		timeouts := 0
		for range h.cfg.Sequential {
			if ctx.Err() != nil {
				return
			}
			_, body, err := h.event(webhook.EventCompleted, false)
			if err != nil {
				h.seqErr = err
				return
			}
			x := h.send(ctx, h.message(webhook.EventCompleted, body, wire.FaultNone))
			h.seq = append(h.seq, x)
			if x.ErrKind != wire.ErrKindTimeout {
				timeouts = 0
				continue
			}
			if timeouts++; timeouts == maxSequentialTimeouts {
				return
			}
		}
	})
	return h.seq, h.seqErr
}

// awaitSequential returns once the sequential run is over, when TIME-01 or
// TIME-02 is selected (it may run it itself); at once otherwise.
func (h *harness) awaitSequential(ctx context.Context) {
	for _, id := range []string{"TIME-01", "TIME-02"} {
		if ok, _ := h.cfg.selected(id); ok {
			_, _ = h.sequentialRun(ctx)
			return
		}
	}
}

// sequentialEvidence runs (or waits for) the sequential run and records it.
func (r *checkRun) sequentialEvidence() []report.Evidence {
	xs, err := r.h.sequentialRun(r.ctx)
	if err == nil && len(xs) == 0 {
		err = errors.New("the sequential run sent nothing")
	}
	if err != nil {
		r.harnessError(err)
	}
	evs := make([]report.Evidence, len(xs))
	for i, x := range xs {
		evs[i] = exchangeEvidence(fmt.Sprintf("sequential event %d of %d", i+1, r.h.cfg.Sequential), x)
	}
	r.record(evs...)
	return evs
}

// stoppedEarly says so when the sequential run did not send every event.
func (r *checkRun) stoppedEarly(evs []report.Evidence) string {
	if len(evs) < r.h.cfg.Sequential {
		return fmt.Sprintf(" (run stopped after %d timeouts in a row)", maxSequentialTimeouts)
	}
	return ""
}

// checkSequentialAck is TIME-01.
func checkSequentialAck(r *checkRun) {
	evs := r.sequentialEvidence()
	bad := unmet(evs, acked)
	r.Expect(bad).To(gomega.BeEmpty(), "%d of %d sequential events not acknowledged with 2xx within %s%s: %s",
		len(bad), len(evs), r.h.cfg.AckTimeout, r.stoppedEarly(evs), firstFew(bad))
	r.explain("%d sequential events acknowledged, slowest in %.1f ms", len(evs), slices.Max(latencies(evs)))
}

// checkSequentialP95 is TIME-02, under the latency rule of ackLatencyMS:
// only acknowledgements are timed, a delivery without an answer as
// infinitely slow; a refusal is no acknowledgement at all, so a run with
// nothing to time does not pass.
func checkSequentialP95(r *checkRun) {
	evs := r.sequentialEvidence()
	ls, notAcks := ackLatencies(evs)
	if len(ls) == 0 {
		r.skip("not meaningful: no event of the sequential run was acknowledged (%s), so there is no acknowledgement latency to measure (see TIME-01)", answers(notAcks))
	}
	p95 := percentile(ls, 95)
	shown := showMS(p95)
	if math.IsInf(p95, 1) {
		shown = fmt.Sprintf("over %s (no answer)", r.h.cfg.AckTimeout)
	}
	over := fmt.Sprintf("%d acknowledgements and timeouts", len(ls))
	if len(notAcks) == 0 {
		over = fmt.Sprintf("%d sequential events", len(evs))
	} else {
		over += fmt.Sprintf(" of %d sequential events (not counted, no acknowledgement: %s)", len(evs), answers(notAcks))
	}
	r.Expect(p95).To(gomega.BeNumerically("<=", ms(p95Limit)), "p95 acknowledgement latency %s over %s%s, want at most %s",
		shown, over, r.stoppedEarly(evs), p95Limit)
	r.explain("p95 acknowledgement latency %s over %s", shown, over)
}

// checkBurst is TIME-03: Concurrency valid deliveries released at once.
func checkBurst(r *checkRun) {
	n := r.h.cfg.Concurrency
	msgs := make([]wire.Message, n)
	for i := range msgs {
		_, body := r.event(webhook.EventCompleted)
		msgs[i] = r.h.message(webhook.EventCompleted, body, wire.FaultBurst)
	}
	// Each send of the burst is its own event: the pattern says when, the
	// messages what.
	xs := wire.Repeat(r.ctx, wire.Burst(n), msgs[0], func(ctx context.Context, i int, _ wire.Message) wire.Exchange {
		return r.h.send(ctx, msgs[i])
	})
	evs := make([]report.Evidence, n)
	for i, x := range xs {
		evs[i] = exchangeEvidence(fmt.Sprintf("burst delivery %d of %d", i+1, n), x)
	}
	r.record(evs...)
	bad := unmet(evs, acked)
	r.Expect(bad).To(gomega.BeEmpty(), "%d of %d concurrent deliveries not acknowledged with 2xx within %s: %s%s",
		len(bad), n, r.h.cfg.AckTimeout, firstFew(bad), backlogNote(evs))
	r.explain("%d concurrent deliveries acknowledged, slowest in %.1f ms%s", n, slices.Max(latencies(evs)), backlogNote(evs))
}

// backlogNote says so when connections waited to be accepted, which is
// time the ack timeout counts but latency_ms does not.
func backlogNote(evs []report.Evidence) string {
	waited := 0.0
	for _, ev := range evs {
		waited = max(waited, ev.ConnectMS)
	}
	if waited < backlogWaitMS {
		return ""
	}
	return " — " + fmt.Sprintf(diagBacklog, waited/1000)
}

// latencies returns the latency of each delivery, in milliseconds.
func latencies(evs []report.Evidence) []float64 {
	ls := make([]float64, len(evs))
	for i, ev := range evs {
		ls[i] = ev.LatencyMS
	}
	return ls
}

// percentile returns the nearest-rank p-th percentile of vs (0 for none).
func percentile(vs []float64, p float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	return stats.Percentile(s, p)
}

// firstFew joins the first three items of a list, saying how many more.
func firstFew(items []string) string {
	const n = 3
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf("; and %d more", len(items)-n)
}
