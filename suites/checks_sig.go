package suites

import (
	"strings"

	"github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

// Signature checks: valid events are accepted, forged or damaged
// signatures are refused with 4xx, and verification covers the raw bytes.

// checkDocExample is SIG-01: the documentation's example, id and URLs aside.
func checkDocExample(r *checkRun) {
	_, body, err := r.h.event(webhook.EventCompleted, true)
	if err != nil {
		r.harnessError(err)
	}
	ev := r.deliver("the documentation's video.completed example, correctly signed",
		r.h.message(webhook.EventCompleted, body, wire.FaultNone))
	r.expectAck(ev, "the documentation's video.completed example")
}

// checkFailedEvent is SIG-02.
func checkFailedEvent(r *checkRun) {
	ev := r.deliverFresh("video.failed, correctly signed", webhook.EventFailed, wire.FaultNone)
	r.expectAck(ev, "a correctly signed video.failed event")
}

// checkMissingSignature is SIG-03.
func checkMissingSignature(r *checkRun) {
	ev := r.deliverFresh("no X-Prism-Signature header", webhook.EventCompleted, wire.FaultMissingSignature)
	r.expectRefused(ev, "a delivery without X-Prism-Signature")
}

// checkWrongSecret is SIG-04.
func checkWrongSecret(r *checkRun) {
	ev := r.deliverFresh("signed with a wrong secret", webhook.EventCompleted, wire.FaultWrongSecret)
	r.expectRefused(ev, "a delivery signed with a wrong secret")
}

// checkBodyChanged is SIG-05.
func checkBodyChanged(r *checkRun) {
	ev := r.deliverFresh("body changed after signing", webhook.EventCompleted, wire.FaultBodyChanged)
	r.expectRefused(ev, "a body changed after signing")
}

// checkMalformedSignatures is SIG-06: every malformed value must be a 4xx.
// A 5xx is the typical result of comparing buffers of different lengths
// without checking them first (the documentation's JavaScript throws).
func checkMalformedSignatures(r *checkRun) {
	evs := r.deliverVariants([]variant{
		{"empty signature", wire.FaultEmptySignature},
		{"non-hex signature", wire.FaultNonHexSignature},
		{"truncated signature", wire.FaultTruncatedSignature},
		{"over-long signature", wire.FaultLongSignature},
	})
	bad := unmet(evs, refused)
	r.Expect(bad).To(gomega.BeEmpty(), "malformed signatures not refused with 4xx: %s", strings.Join(bad, "; "))
}

// checkNonCanonicalJSON is SIG-07: valid JSON that re-encoding would change
// must verify, because the signature covers the bytes as sent.
func checkNonCanonicalJSON(r *checkRun) {
	evs := r.deliverVariants([]variant{
		{"pretty-printed JSON", wire.FaultWhitespace},
		{"keys in another order", wire.FaultKeyOrder},
		{"\\u escapes", wire.FaultUnicodeEscapes},
		{"trailing newline", wire.FaultTrailingNewline},
	})
	bad := unmet(evs, acked)
	r.Expect(bad).To(gomega.BeEmpty(), "correctly signed non-canonical JSON not acknowledged: %s", strings.Join(bad, "; "))
}

// checkLowercaseHeader is SIG-08: HTTP header names are case-insensitive.
func checkLowercaseHeader(r *checkRun) {
	ev := r.deliverFresh("x-prism-signature in lowercase on the wire", webhook.EventCompleted, wire.FaultLowercaseHeader)
	r.expectAck(ev, "the signature header in lowercase")
}

// nonASCIIPrompt mixes the scripts a charset bug breaks: emoji (4-byte
// UTF-8, one with a zero-width joiner), CJK, right-to-left Arabic and
// Hebrew, and combining marks.
const nonASCIIPrompt = "Un café au coucher du soleil 🌅 — 東京の夜景、桜が舞う 🎬 · مدينة على البحر · עיר ליד הים · Zoë, naïve, e\u0301 a\u0308 n\u0303 · 👩\u200d🚀 🇯🇵"

// checkNonASCII is SIG-09: raw (not \u-escaped) non-ASCII UTF-8 in the
// body, signed over those bytes. A receiver that decodes the body with the
// wrong charset and re-encodes it verifies other bytes than were signed.
func checkNonASCII(r *checkRun) {
	_, body, err := r.h.eventWithPrompt(webhook.EventCompleted, false, nonASCIIPrompt)
	if err != nil {
		r.harnessError(err)
	}
	ev := r.deliver("video.completed with emoji, CJK, Arabic, Hebrew and combining marks in prompt (raw UTF-8), correctly signed",
		r.h.message(webhook.EventCompleted, body, wire.FaultNone))
	r.expectAck(ev, "a correctly signed event with raw non-ASCII UTF-8 in prompt")
}
