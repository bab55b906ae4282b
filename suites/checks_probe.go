package suites

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/artifacts"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

// Processing checks: redeliveries are acknowledged again, and — observed
// through the artifact server, for receivers that fetch video_url while
// processing — work happens after the answer, once per event, and is
// retried when storage fails.

// idemSettle is how long IDEM-02 keeps watching for further fetches after
// the first one: ample for a receiver that processes each delivery at once.
const idemSettle = 1500 * time.Millisecond

// checkRedeliveryAck is IDEM-01: Prism redelivers when it saw no 2xx, even
// if the receiver did process the event; the redelivery must get 2xx too.
func checkRedeliveryAck(r *checkRun) {
	_, body := r.event(webhook.EventCompleted)
	evs := r.repeat(wire.Duplicate(2), r.h.message(webhook.EventCompleted, body, wire.FaultNone), func(i int) string {
		return []string{"first delivery", "redelivery: same bytes, signature and X-Prism-Delivery"}[i]
	})
	first, again := evs[0], evs[1]
	r.expectAck(first, "the first delivery")
	r.expectAck(again, "the redelivery of an acknowledged event")
}

// noFetch ends a probe check whose generation was never fetched for the
// delivery ev. When the receiver did not acknowledge ev, that is the cause
// to name first (a skip); otherwise a skip, or with ExpectFetch a failure
// that names the usual causes.
func (r *checkRun) noFetch(ev report.Evidence) {
	if !acked(ev) {
		r.skip("the event was not acknowledged (%s), so processing could not be observed", shortAnswer(ev))
	}
	if r.h.cfg.ExpectFetch {
		r.end(report.Fail, fmt.Sprintf("the receiver never fetched video_url within %s (probe wait) after acknowledging the event, although its processing is expected to (--expect-fetch): "+
			"usually the background work is bound to the request's lifetime or context and cancelled when the response is sent, or a job queue drops the work; "+
			"or the receiver cannot reach the harness at %s (set --public-url)", r.h.cfg.ProbeWait, r.h.publicURL))
	}
	r.h.noFetchSkips.Add(1)
	r.skip("the receiver did not fetch video_url within %s (probe wait) after the delivery: it does not process events by fetching video_url, or cannot reach the harness at %s (set the public URL)",
		r.h.cfg.ProbeWait, r.h.publicURL)
}

// notes are the run's one-line remarks: without ExpectFetch, that the
// receiver's processing was never observed when every probe that ran saw
// no fetch of video_url.
func (h *harness) notes() []string {
	if h.cfg.ExpectFetch || h.fetchSeen.Load() || h.noFetchSkips.Load() == 0 {
		return nil
	}
	return []string{fmt.Sprintf("Processing was never observed: the receiver never fetched video_url, so %d probe check(s) skipped; if its processing does download video_url, run with --expect-fetch to make this a failure.", h.noFetchSkips.Load())}
}

// firstFetch waits a probe wait for the first fetch of genID's video and
// ends the check (noFetch, about the delivery ev) when none comes.
func (r *checkRun) firstFetch(genID string, from time.Time, ev report.Evidence) artifacts.Fetch {
	fs, ok := r.waitVideoFetches(genID, 1, from.Add(r.h.cfg.ProbeWait))
	if !ok {
		r.noFetch(ev)
	}
	r.h.fetchSeen.Store(true)
	return fs[0]
}

// checkAsyncProcessing is ASYNC-01: with the video answering only after D,
// an acknowledgement that takes D or longer waited for processing.
func checkAsyncProcessing(r *checkRun) {
	d := r.h.cfg.SlowArtifact
	genID, body := r.event(webhook.EventCompleted)
	r.h.art.SetBehavior(genID, artifacts.Behavior{Delay: d})
	defer r.recordFetches(genID)

	ev := r.deliver(fmt.Sprintf("video.completed while video_url takes %s to answer", d),
		r.h.message(webhook.EventCompleted, body, wire.FaultNone))
	r.skipIfRefused(genID, ev)
	r.firstFetch(genID, time.Now(), ev)
	r.Expect(ev.Error).To(gomega.BeEmpty(), "no answer within %s while video_url took %s to answer: the receiver processes the event before responding", r.h.cfg.AckTimeout, d)
	r.expectAck(ev, "the delivery")
	r.Expect(ev.LatencyMS).To(gomega.BeNumerically("<", ms(d)), "acknowledged after %.0f ms while video_url took %s to answer: the receiver processes the event before responding", ev.LatencyMS, d)
	r.explain("acknowledged in %.1f ms; video_url fetched afterwards", ev.LatencyMS)
}

// checkProcessedOnce is IDEM-02: one event redelivered as three new
// deliveries (distinct X-Prism-Delivery, same bytes and signature), one
// fetch of video_url.
func checkProcessedOnce(r *checkRun) {
	genID, body := r.event(webhook.EventCompleted)
	defer r.recordFetches(genID)

	// The same event three times as new deliveries, not duplicates: a
	// receiver that deduplicates by X-Prism-Delivery alone processes it
	// three times.
	evs := r.repeat(wire.AsNew(3), r.h.message(webhook.EventCompleted, body, wire.FaultNone), func(i int) string {
		if i == 0 {
			return "first delivery"
		}
		return fmt.Sprintf("redelivered as new delivery %d: same bytes and signature, new X-Prism-Delivery", i)
	})
	firstEv := evs[0]
	r.skipIfRefused(genID, firstEv)
	sent := time.Now()
	first := r.firstFetch(genID, sent, firstEv)
	// Watch from the later of the first fetch and the last delivery, so
	// that processing of the last delivery has the whole window.
	fs, _ := r.waitVideoFetches(genID, 2, later(first.At, sent).Add(idemSettle))
	r.Expect(fs).To(gomega.HaveLen(1), "video_url fetched %d times for one event delivered 3 times: the receiver does not deduplicate processing", len(fs))
	r.explain("video_url fetched once for 3 deliveries (watched %s after the first fetch)", idemSettle)
}

// checkFetchRetry is RETRY-01: video_url answers 503 twice; a receiver with
// retry logic fetches a third time, within the retry window.
func checkFetchRetry(r *checkRun) {
	genID, body := r.event(webhook.EventCompleted)
	r.h.art.SetBehavior(genID, artifacts.Behavior{FailFirst: 2})
	defer r.recordFetches(genID)

	ev := r.deliver("video.completed while video_url answers 503 twice",
		r.h.message(webhook.EventCompleted, body, wire.FaultNone))
	r.skipIfRefused(genID, ev)
	first := r.firstFetch(genID, time.Now(), ev)
	window := r.h.cfg.RetryWindow
	fs, _ := r.waitVideoFetches(genID, 3, first.At.Add(window))
	r.Expect(len(fs)).To(gomega.BeNumerically(">=", 3), "video_url fetched %d time(s) in the %s after it answered 503: the receiver does not retry failed processing until it succeeds", len(fs), window)
	r.explain("video_url fetched again after two 503s; the third fetch came %.1f s after the first", fs[2].At.Sub(first.At).Seconds())
}

// skipIfRefused skips at once, without the probe wait, when the receiver
// refused the event with 4xx and has not fetched anything for it.
func (r *checkRun) skipIfRefused(genID string, ev report.Evidence) {
	if refused(ev) && len(r.h.art.Fetches(genID)) == 0 {
		r.noFetch(ev)
	}
}

// shortAnswer is an answer in a few words: "401", "no answer (timeout)".
func shortAnswer(ev report.Evidence) string {
	if ev.Error == "" {
		return fmt.Sprint(ev.Status)
	}
	kind, _, _ := strings.Cut(ev.Error, ":")
	return "no answer (" + kind + ")"
}

// later returns the later of two instants.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// concurrentCopies is how many copies of one delivery IDEM-03 sends at once.
const concurrentCopies = 5

// checkConcurrentDuplicates is IDEM-03: the same delivery (bytes, signature
// and X-Prism-Delivery) sent concurrentCopies times at once, as happens
// when Prism retries an attempt that is still being processed; video_url
// must be fetched once.
func checkConcurrentDuplicates(r *checkRun) {
	genID, body := r.event(webhook.EventCompleted)
	defer r.recordFetches(genID)

	evs := r.repeat(wire.Pattern{Count: concurrentCopies, Concurrency: concurrentCopies, Same: true},
		r.h.message(webhook.EventCompleted, body, wire.FaultDuplicate), func(i int) string {
			return fmt.Sprintf("copy %d of %d, sent at once: same bytes, signature and X-Prism-Delivery", i+1, concurrentCopies)
		})
	ev := evs[0]
	for _, e := range evs {
		if acked(e) {
			ev = e
			break
		}
	}
	r.skipIfRefused(genID, ev)
	sent := time.Now()
	first := r.firstFetch(genID, sent, ev)
	fs, _ := r.waitVideoFetches(genID, 2, later(first.At, sent).Add(idemSettle))
	r.Expect(fs).To(gomega.HaveLen(1), "video_url fetched %d times for one delivery sent %d times at once: deduplication is not atomic (check-then-act), so simultaneous duplicates all pass it", len(fs), concurrentCopies)
	r.explain("video_url fetched once for %d simultaneous copies (watched %s after the first fetch)", concurrentCopies, idemSettle)
}

// RETRY-02's storage outage and its bounds.
const (
	outage         = 3 * time.Second
	maxOutageFetch = 10
	// growthFactor: the later half of the gaps between fetches must be, on
	// average, this much longer than the earlier half to count as backoff
	// (averages, so that jitter does not decide).
	growthFactor = 1.5
	// retryAfterGap: the artifact server's 503s carry Retry-After: 1; a
	// receiver that waits about that long on average is not storming
	// either, growing gaps or not.
	retryAfterGap = 900 * time.Millisecond
)

// checkRetryBackoff is RETRY-02: video_url answers 503 for outage from the
// first fetch; the receiver may fetch at most maxOutageFetch times in it,
// with gaps that grow (or that honour Retry-After).
func checkRetryBackoff(r *checkRun) {
	genID, body := r.event(webhook.EventCompleted)
	r.h.art.SetBehavior(genID, artifacts.Behavior{FailFirst: math.MaxInt32})
	defer r.recordFetches(genID)

	ev := r.deliver(fmt.Sprintf("video.completed while video_url answers 503 for %s", outage),
		r.h.message(webhook.EventCompleted, body, wire.FaultNone))
	r.skipIfRefused(genID, ev)
	first := r.firstFetch(genID, time.Now(), ev)
	end := first.At.Add(outage)
	select {
	case <-time.After(time.Until(end)):
	case <-r.ctx.Done():
		r.end(report.Error, "run interrupted: "+r.ctx.Err().Error())
	}
	r.h.art.SetBehavior(genID, artifacts.Behavior{}) // storage is back
	var during []time.Time
	for _, f := range r.h.art.Fetches(genID) {
		if f.Kind == artifacts.KindVideo && f.Method == "GET" && f.Status == 503 {
			during = append(during, f.At)
		}
	}
	gaps := make([]time.Duration, 0, len(during))
	for i := 1; i < len(during); i++ {
		gaps = append(gaps, during[i].Sub(during[i-1]))
	}
	shown := fmt.Sprintf("%d fetches during the %s outage, gaps %s", len(during), outage, gapList(gaps))
	r.Expect(len(during)).To(gomega.BeNumerically("<=", maxOutageFetch), "%s: more than %d is a retry storm; back off between attempts", shown, maxOutageFetch)
	r.Expect(backsOff(gaps)).To(gomega.BeTrue(), "%s: the gaps do not grow (no backoff) and are shorter than the Retry-After of 1 s", shown)
	r.explain("%s", shown)
}

// backsOff judges the gaps between fetches during the outage: fewer than
// two say nothing; otherwise the later half must be on average
// growthFactor times the earlier half, or the gaps about as long as the
// Retry-After the server asked for.
func backsOff(gaps []time.Duration) bool {
	if len(gaps) < 2 {
		return true
	}
	early, late := gaps[:len(gaps)/2], gaps[len(gaps)/2:]
	return float64(mean(late)) >= growthFactor*float64(mean(early)) || mean(gaps) >= retryAfterGap
}

// mean is the average of ds (which is not empty).
func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// gapList renders gaps between fetches in milliseconds, at most 12 of them.
func gapList(gaps []time.Duration) string {
	if len(gaps) == 0 {
		return "none"
	}
	parts := make([]string, 0, min(len(gaps), 12))
	for i, g := range gaps {
		if i == 12 {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(gaps)-12))
			break
		}
		parts = append(parts, fmt.Sprintf("%d", g.Milliseconds()))
	}
	return strings.Join(parts, ", ") + " ms"
}
