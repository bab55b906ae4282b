package suites

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

// Robustness checks: unexpected but harmless input is acknowledged, bad
// input is refused as a client error, and nothing takes the receiver down.

// checkUnknownEvent is ROB-01: Prism may add event types.
func checkUnknownEvent(r *checkRun) {
	ev := r.deliverFresh("event type Prism does not document, correctly signed", webhook.EventCompleted, wire.FaultUnknownEvent)
	r.expectAck(ev, "an event of an unknown type")
}

// checkMalformedJSON is ROB-02: a body that is not JSON is the sender's
// problem (4xx), not the receiver's (5xx).
func checkMalformedJSON(r *checkRun) {
	ev := r.deliverFresh("correctly signed body that is not JSON", webhook.EventCompleted, wire.FaultMalformedJSON)
	r.expectRefused(ev, "a correctly signed body that is not JSON")
}

// checkStaysUp is ROB-03. It sends its own volley of bad input first, so it
// means the same when run alone; in a full run it comes after every other
// bad-input check as well.
func checkStaysUp(r *checkRun) {
	r.deliverVariants([]variant{
		{"bad input (answer not judged): not JSON", wire.FaultMalformedJSON},
		{"bad input (answer not judged): no signature", wire.FaultMissingSignature},
		{"bad input (answer not judged): wrong secret", wire.FaultWrongSecret},
		{"bad input (answer not judged): non-hex signature", wire.FaultNonHexSignature},
		{"bad input (answer not judged): over-long signature", wire.FaultLongSignature},
	})
	ev := r.deliverFresh("valid video.completed after the bad input", webhook.EventCompleted, wire.FaultNone)
	r.expectAck(ev, "a valid event after bad input")
}

// checkOversized is ROB-04: a 20 MiB body must not hold the receiver: any
// answer or a closed connection within the ack timeout will do, and the
// next valid event must be acknowledged.
func checkOversized(r *checkRun) {
	_, body := r.event(webhook.EventCompleted)
	x := r.h.send(r.ctx, r.h.message(webhook.EventCompleted, body, wire.FaultOversized))
	big := exchangeEvidence("20 MiB body", x)
	r.record(big)
	r.Expect(x.ErrKind).NotTo(gomega.Equal(wire.ErrKindTimeout), "a 20 MiB body got neither an answer nor a closed connection within %s", r.h.cfg.AckTimeout)
	ev := r.deliverFresh("valid video.completed after the 20 MiB body", webhook.EventCompleted, wire.FaultNone)
	r.expectAck(ev, "a valid event after the 20 MiB body")
	r.explain("20 MiB body: %s; the next valid event was acknowledged", answer(big))
}

// checkCharset is ROB-05: a charset parameter is still application/json.
func checkCharset(r *checkRun) {
	ev := r.deliverFresh("Content-Type: application/json; charset=utf-8", webhook.EventCompleted, wire.FaultCharset)
	r.expectAck(ev, "Content-Type with a charset")
}

// checkExtraFields is ROB-06: Prism may add fields.
func checkExtraFields(r *checkRun) {
	ev := r.deliverFresh("unknown extra fields at the top level and in data", webhook.EventCompleted, wire.FaultExtraFields)
	r.expectAck(ev, "an event with unknown extra fields")
}

// longPromptBytes is the size of ROB-07's prompt: 32 KiB.
const longPromptBytes = 32 << 10

// longPrompt is about longPromptBytes of multi-byte UTF-8 text, cut at a
// character boundary.
func longPrompt() string {
	const unit = "A long shot over 京都の古い街並み at dawn, 🎥 slow dolly, مشهد هادئ, soft light. "
	s := strings.Repeat(unit, longPromptBytes/len(unit)+1)
	for i := longPromptBytes; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return s
}

// checkLongPrompt is ROB-07: a legitimate event whose prompt is 32 KiB of
// multi-byte UTF-8 must fit the receiver's body limit.
func checkLongPrompt(r *checkRun) {
	_, body, err := r.h.eventWithPrompt(webhook.EventCompleted, false, longPrompt())
	if err != nil {
		r.harnessError(err)
	}
	ev := r.deliver(fmt.Sprintf("video.completed with a %d KiB multi-byte UTF-8 prompt (%d-byte body), correctly signed", longPromptBytes>>10, len(body)),
		r.h.message(webhook.EventCompleted, body, wire.FaultNone))
	what := fmt.Sprintf("a legitimate %d-byte event with a long prompt", len(body))
	if ev.Status == http.StatusUnauthorized || ev.Status == http.StatusForbidden {
		// Not the body limit: verification broke on the multi-byte text.
		what += " was refused as if its signature were wrong (multi-byte UTF-8 breaks verification: see SIG-09)"
	}
	r.expectAck(ev, what)
}
