package suites

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver/artifacts"
	"github.com/prismhook/prismhook/mockserver/delivery"
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
	m := r.h.message(webhook.EventCompleted, body, delivery.FaultNone)
	m.DeliveryID = delivery.NewDeliveryID()
	first := r.deliver("first delivery", m)
	m.Fault = delivery.FaultDuplicate
	again := r.deliver("redelivery: same bytes, signature and X-Prism-Delivery", m)
	r.expectAck(first, "the first delivery")
	r.expectAck(again, "the redelivery of an acknowledged event")
}

// noFetch skips a probe check whose generation was never fetched. When the
// receiver did not acknowledge the event, that is the cause to name first.
func (r *checkRun) noFetch(ev report.Evidence) {
	if !acked(ev) {
		r.skip("the event was not acknowledged (%s), so processing could not be observed", shortAnswer(ev))
	}
	r.skip("the receiver did not fetch video_url within %s (probe wait) after the delivery: it does not process events by fetching video_url, or cannot reach the harness at %s (set the public URL)",
		r.h.cfg.ProbeWait, r.h.publicURL)
}

// checkAsyncProcessing is ASYNC-01: with the video answering only after D,
// an acknowledgement that takes D or longer waited for processing.
func checkAsyncProcessing(r *checkRun) {
	d := r.h.cfg.SlowArtifact
	genID, body := r.event(webhook.EventCompleted)
	r.h.art.SetBehavior(genID, artifacts.Behavior{Delay: d})
	defer r.recordFetches(genID)

	ev := r.deliver(fmt.Sprintf("video.completed while video_url takes %s to answer", d),
		r.h.message(webhook.EventCompleted, body, delivery.FaultNone))
	r.skipIfRefused(genID, ev)
	if _, ok := r.waitVideoFetches(genID, 1, time.Now().Add(r.h.cfg.ProbeWait)); !ok {
		r.noFetch(ev)
	}
	r.Expect(ev.Error).To(gomega.BeEmpty(), "no answer within %s while video_url took %s to answer: the receiver processes the event before responding", r.h.cfg.AckTimeout, d)
	r.expectAck(ev, "the delivery")
	r.Expect(ev.LatencyMS).To(gomega.BeNumerically("<", ms(d)), "acknowledged after %.0f ms while video_url took %s to answer: the receiver processes the event before responding", ev.LatencyMS, d)
	r.explain("acknowledged in %.1f ms; video_url fetched afterwards", ev.LatencyMS)
}

// checkProcessedOnce is IDEM-02: one event, three deliveries (distinct
// X-Prism-Delivery, same bytes and signature), one fetch of video_url.
func checkProcessedOnce(r *checkRun) {
	genID, body := r.event(webhook.EventCompleted)
	defer r.recordFetches(genID)

	m := r.h.message(webhook.EventCompleted, body, delivery.FaultNone)
	var firstEv report.Evidence
	for i := range 3 {
		label := "first delivery"
		if i > 0 {
			m.Fault = delivery.FaultDuplicate
			label = fmt.Sprintf("redelivery %d: same bytes and signature, new X-Prism-Delivery", i)
		}
		if ev := r.deliver(label, m); i == 0 {
			firstEv = ev
		}
	}
	r.skipIfRefused(genID, firstEv)
	sent := time.Now()
	first, ok := r.waitVideoFetches(genID, 1, sent.Add(r.h.cfg.ProbeWait))
	if !ok {
		r.noFetch(firstEv)
	}
	// Watch from the later of the first fetch and the last delivery, so
	// that processing of the last delivery has the whole window.
	fs, _ := r.waitVideoFetches(genID, 2, later(first[0].At, sent).Add(idemSettle))
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
		r.h.message(webhook.EventCompleted, body, delivery.FaultNone))
	r.skipIfRefused(genID, ev)
	first, ok := r.waitVideoFetches(genID, 1, time.Now().Add(r.h.cfg.ProbeWait))
	if !ok {
		r.noFetch(ev)
	}
	window := r.h.cfg.RetryWindow
	fs, _ := r.waitVideoFetches(genID, 3, first[0].At.Add(window))
	r.Expect(len(fs)).To(gomega.BeNumerically(">=", 3), "video_url fetched %d time(s) in the %s after it answered 503: the receiver does not retry failed processing until it succeeds", len(fs), window)
	r.explain("video_url fetched again after two 503s; the third fetch came %.1f s after the first", fs[2].At.Sub(first[0].At).Seconds())
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
