package suites

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

// Bounds of the TIME-04 load, so that a setting cannot make a run send
// without end.
const (
	maxLoadRate     = 2000
	maxLoadDuration = time.Minute
)

// ackLatencyMS is the latency rule every latency statistic (TIME-02,
// TIME-04) follows, timed from the start of the attempt as Prism's 5 s
// rule is, so the wait for a connection counts: a 2xx counts with its
// connect time plus latency, a timeout as +Inf (never acknowledged in
// time). A refusal (any other status, a redirect included) or a broken
// connection is no acknowledgement and no measure of speed: counted is
// false.
func ackLatencyMS(ev report.Evidence) (latency float64, counted bool) {
	switch {
	case acked(ev):
		return ev.ConnectMS + ev.LatencyMS, true
	case timedOut(ev):
		return math.Inf(1), true
	}
	return 0, false
}

// ackLatencies applies ackLatencyMS to evs: the latencies it counts, in
// milliseconds, and the deliveries it does not (no acknowledgement).
func ackLatencies(evs []report.Evidence) (ls []float64, notAcks []report.Evidence) {
	for _, ev := range evs {
		if l, ok := ackLatencyMS(ev); ok {
			ls = append(ls, l)
		} else {
			notAcks = append(notAcks, ev)
		}
	}
	return ls, notAcks
}

// timedOut reports whether a delivery got no answer within the ack timeout.
func timedOut(ev report.Evidence) bool {
	return ev.Status == 0 && strings.HasPrefix(ev.Error, string(wire.ErrKindTimeout))
}

// showMS renders a statistic of ackLatencyMS values.
func showMS(v float64) string {
	if math.IsInf(v, 1) {
		return "no ack"
	}
	return fmt.Sprintf("%.1f ms", v)
}

// checkSustainedLoad is TIME-04: LoadRate valid events per second for
// LoadDuration, sent on schedule whatever the answers (an open loop, as
// Prism's sender is), each to be acknowledged within the ack timeout.
//
// It runs with the other concurrent checks, which send their few
// deliveries at the start and then mostly watch the artifact server, so
// that a run takes little more than the load itself; the checks that need
// the receiver alone run after it. It starts once the sequential run of
// TIME-01/02 is over, so that the load never inflates the latencies those
// judge.
func checkSustainedLoad(r *checkRun) {
	r.h.awaitSequential(r.ctx)
	rate, dur, timeout := r.h.cfg.LoadRate, r.h.cfg.LoadDuration, r.h.cfg.AckTimeout
	n := int(math.Round(float64(rate) * dur.Seconds()))
	interval := time.Second / time.Duration(rate)
	evs := make([]report.Evidence, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-r.ctx.Done():
			}
		}
		if r.ctx.Err() != nil {
			break
		}
		_, body := r.event(webhook.EventCompleted)
		m := r.h.message(webhook.EventCompleted, body, wire.FaultNone)
		wg.Go(func() {
			ev := compactEvidence(exchangeEvidence(fmt.Sprintf("load event %d of %d", i+1, n), r.h.send(r.ctx, m)))
			mu.Lock()
			defer mu.Unlock()
			evs = append(evs, ev)
		})
	}
	wg.Wait()
	slices.SortFunc(evs, func(a, b report.Evidence) int { return a.At.Compare(b.At) })
	r.record(evs...)
	if r.ctx.Err() != nil {
		r.end(report.Error, "run interrupted: "+r.ctx.Err().Error())
	}

	lat, notAcks := ackLatencies(evs)
	if len(lat) == 0 {
		r.skip("not meaningful: no event of the load was acknowledged (%s), so there is no acknowledgement latency to measure (see TIME-01)", answers(notAcks))
	}
	var bad []string
	firstOver := 0
	for _, ev := range evs {
		if l, ok := ackLatencyMS(ev); ok && l <= ms(timeout) {
			continue
		}
		bad = append(bad, ev.Label+": "+answer(ev))
		if sec := int(ev.At.Sub(start)/time.Second) + 1; firstOver == 0 || sec < firstOver {
			firstOver = sec
		}
	}
	stats := fmt.Sprintf("p50 %s, p95 %s, p99 %s, max %s", showMS(percentile(lat, 50)), showMS(percentile(lat, 95)), showMS(percentile(lat, 99)), showMS(slices.Max(lat)))
	if len(notAcks) > 0 {
		stats += fmt.Sprintf(" over %d acknowledgements and timeouts (not counted, no acknowledgement: %s)", len(lat), answers(notAcks))
	}
	r.Expect(bad).To(gomega.BeEmpty(), "%d of %d events sent at %d/s for %s not acknowledged with 2xx within %s, the first in second %d; %s: %s",
		len(bad), len(evs), rate, dur, timeout, firstOver, stats, firstFew(bad))
	r.explain("%d events at %d/s for %s, all acknowledged; %s", len(evs), rate, dur, stats)
}

// compactEvidence keeps what a latency chart and a reason need of a load
// delivery: a few hundred of them must not bloat the report.
func compactEvidence(ev report.Evidence) report.Evidence {
	ev.RequestHeader, ev.BodyExcerpt = nil, ""
	if acked(ev) {
		ev.Response = ""
	}
	return ev
}
