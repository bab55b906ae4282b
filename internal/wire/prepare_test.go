package wire_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2mS1aCs8Zc8"

// unicodeEvent has non-ASCII text, a character outside the Basic
// Multilingual Plane, HTML-sensitive characters and an existing escape.
const unicodeEvent = `{"event":"video.completed","timestamp":"2026-01-13T14:35:00Z",` +
	`"data":{"id":"gen_uni","status":"completed","prompt":"湖の夕日 é 🎬 </b> & \"q\" \u00e9",` +
	`"duration":6,"video_url":"https://storage.prism.video/videos/gen_uni.mp4"}}`

func completedEvent() []byte {
	b, err := fixtures.CompactEvent(webhook.EventCompleted)
	Expect(err).NotTo(HaveOccurred())
	return b
}

func message(f wire.Fault) wire.Message {
	return wire.Message{Secret: secret, EventType: webhook.EventCompleted, Body: completedEvent(), Fault: f}
}

// decode decodes JSON into generic values, numbers kept as written.
func decode(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	ExpectWithOffset(1, dec.Decode(&v)).To(Succeed(), "body: %.200s", b)
	return v
}

// keys returns an object's keys in document order.
func keys(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	ExpectWithOffset(1, tok).To(Equal(json.Delim('{')))
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		out = append(out, tok.(string))
		var skip json.RawMessage
		ExpectWithOffset(1, dec.Decode(&skip)).To(Succeed())
	}
	return out
}

func dataOf(b []byte) []byte {
	var ev struct{ Data json.RawMessage }
	ExpectWithOffset(1, json.Unmarshal(b, &ev)).To(Succeed())
	return ev.Data
}

var _ = Describe("Prepare", func() {
	It("signs exactly like the independent test vectors", func() {
		for _, v := range fixtures.Vectors() {
			body, h, err := wire.Prepare(wire.Message{Secret: v.Secret, Body: []byte(v.Body), EventType: "x"})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(body)).To(Equal(v.Body), v.Name)
			Expect(h[webhook.SignatureHeader]).To(Equal([]string{v.Signature}), v.Name)
		}
	})

	It("always sends the content type, user agent, event, delivery id and signature", func() {
		m := message(wire.FaultNone)
		body, h, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(body).To(Equal(m.Body))
		Expect(h).To(HaveLen(5))
		Expect(h["Content-Type"]).To(Equal([]string{"application/json"}))
		Expect(h["User-Agent"]).To(Equal([]string{"Prism-Webhooks/" + wire.Version}))
		Expect(h[webhook.EventHeader]).To(Equal([]string{webhook.EventCompleted}))
		Expect(h[webhook.DeliveryHeader][0]).To(MatchRegexp(`^dlv_[0-9a-f]{24}$`))
		Expect(webhook.Verify(secret, body, h[webhook.SignatureHeader][0])).To(Succeed())

		m.DeliveryID = "dlv_given"
		_, h, err = wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(h[webhook.DeliveryHeader]).To(Equal([]string{"dlv_given"}))
	})

	It("generates distinct ids", func() {
		Expect(wire.NewDeliveryID()).NotTo(Equal(wire.NewDeliveryID()))
		Expect(wire.NewEventID()).To(MatchRegexp(`^evt_[0-9a-f]{24}$`))
	})

	DescribeTable("signature faults",
		func(f wire.Fault, check func(good, sig string, present bool)) {
			m := message(f)
			good := webhook.Sign(secret, m.Body)
			body, h, err := wire.Prepare(m)
			Expect(err).NotTo(HaveOccurred())
			Expect(body).To(Equal(m.Body))
			sig, present := h[webhook.SignatureHeader]
			var value string
			if present {
				Expect(sig).To(HaveLen(1))
				value = sig[0]
			}
			check(good, value, present)
		},
		Entry("missing-signature", wire.FaultMissingSignature, func(_, _ string, present bool) {
			Expect(present).To(BeFalse())
		}),
		Entry("wrong-secret", wire.FaultWrongSecret, func(good, sig string, present bool) {
			Expect(present).To(BeTrue())
			Expect(sig).To(MatchRegexp(`^[0-9a-f]{64}$`))
			Expect(sig).NotTo(Equal(good))
		}),
		Entry("empty-signature", wire.FaultEmptySignature, func(_, sig string, present bool) {
			Expect(present).To(BeTrue())
			Expect(sig).To(BeEmpty())
		}),
		Entry("non-hex-signature", wire.FaultNonHexSignature, func(_, sig string, present bool) {
			Expect(present).To(BeTrue())
			Expect(sig).To(HaveLen(webhook.SignatureLength))
			_, err := hex.DecodeString(sig)
			Expect(err).To(HaveOccurred())
		}),
		Entry("truncated-signature", wire.FaultTruncatedSignature, func(good, sig string, _ bool) {
			Expect(sig).To(Equal(good[:32]))
		}),
		Entry("long-signature", wire.FaultLongSignature, func(good, sig string, _ bool) {
			Expect(sig).To(Equal(good + "00"))
		}),
	)

	DescribeTable("faults that keep the meaning of the body",
		func(f wire.Fault, body string, check func(sent []byte)) {
			m := message(f)
			if body != "" {
				m.Body = []byte(body)
			}
			sent, h, err := wire.Prepare(m)
			Expect(err).NotTo(HaveOccurred())
			Expect(sent).NotTo(Equal(m.Body), "the fault must show on the wire")
			Expect(decode(sent)).To(Equal(decode(m.Body)), "same JSON value")
			Expect(webhook.Verify(secret, sent, h[webhook.SignatureHeader][0])).To(Succeed())
			Expect(h[webhook.EventHeader]).To(Equal([]string{webhook.EventCompleted}))
			check(sent)
		},
		Entry("whitespace", wire.FaultWhitespace, "", func(sent []byte) {
			Expect(string(sent)).To(ContainSubstring("{\n  \"event\": \"video.completed\",\n"))
		}),
		Entry("key-order", wire.FaultKeyOrder, "", func(sent []byte) {
			Expect(keys(sent)).To(Equal([]string{"data", "timestamp", "event"}))
			Expect(keys(dataOf(sent))).To(Equal([]string{"created_at", "thumbnail_url", "video_url",
				"duration", "provider", "prompt", "status", "id"}))
		}),
		Entry("key-order, unicode body", wire.FaultKeyOrder, unicodeEvent, func(sent []byte) {
			Expect(keys(sent)[0]).To(Equal("data"))
		}),
		Entry("unicode-escapes", wire.FaultUnicodeEscapes, "", func(sent []byte) {
			Expect(string(sent)).To(ContainSubstring(`"\u0068ttps:\u002f\u002fstorage.prism.video\u002fvideos`))
			Expect(string(sent)).To(ContainSubstring(`"event":"\u0076ideo.completed"`))
		}),
		Entry("unicode-escapes, unicode body", wire.FaultUnicodeEscapes, unicodeEvent, func(sent []byte) {
			Expect(regexp.MustCompile(`[^\x00-\x7f]`).Match(sent)).To(BeFalse(), "no raw non-ASCII byte left: %s", sent)
			Expect(string(sent)).To(ContainSubstring(`\u6e56\u306e\u5915\u65e5 \u00e9 \ud83c\udfac`))
		}),
		Entry("trailing-newline", wire.FaultTrailingNewline, "", func(sent []byte) {
			Expect(sent).To(Equal(append(completedEvent(), '\n')))
		}),
	)

	It("unknown-event names an undocumented event in the body and the header", func() {
		m := message(wire.FaultUnknownEvent)
		sent, h, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(webhook.Verify(secret, sent, h[webhook.SignatureHeader][0])).To(Succeed())
		Expect(h[webhook.EventHeader]).To(Equal([]string{wire.UnknownEventType}))
		ev, err := webhook.Parse(sent)
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.Event).To(Equal(wire.UnknownEventType))
		want := decode(m.Body).(map[string]any)
		want["event"] = wire.UnknownEventType
		Expect(decode(sent)).To(Equal(want))
	})

	It("extra-fields adds unknown fields at the top level and in data, and nothing else", func() {
		m := message(wire.FaultExtraFields)
		sent, h, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(webhook.Verify(secret, sent, h[webhook.SignatureHeader][0])).To(Succeed())
		got, orig := decode(sent).(map[string]any), decode(m.Body).(map[string]any)
		gotData, origData := got["data"].(map[string]any), orig["data"].(map[string]any)
		Expect(len(got)).To(BeNumerically(">", len(orig)))
		Expect(len(gotData)).To(BeNumerically(">", len(origData)))
		for k, v := range origData {
			Expect(gotData).To(HaveKeyWithValue(k, v))
		}
		delete(got, "data")
		for k, v := range orig {
			if k != "data" {
				Expect(got).To(HaveKeyWithValue(k, v))
			}
		}
		_, err = webhook.Parse(sent)
		Expect(err).NotTo(HaveOccurred())
	})

	It("body-changed alters one data field after signing, keeping valid JSON", func() {
		m := message(wire.FaultBodyChanged)
		sent, h, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		sig := h[webhook.SignatureHeader][0]
		Expect(webhook.Verify(secret, m.Body, sig)).To(Succeed(), "signature of the original body")
		Expect(errors.Is(webhook.Verify(secret, sent, sig), webhook.ErrSignatureMismatch)).To(BeTrue())
		got, orig := decode(sent).(map[string]any), decode(m.Body).(map[string]any)
		Expect(got["event"]).To(Equal(orig["event"]))
		gotData, origData := got["data"].(map[string]any), orig["data"].(map[string]any)
		Expect(gotData["id"]).To(Equal(origData["id"]))
		changed := 0
		for k := range origData {
			if gotData[k] != origData[k] {
				changed++
			}
		}
		Expect(changed).To(Equal(1))
	})

	It("malformed-json signs bytes that are not JSON", func() {
		m := message(wire.FaultMalformedJSON)
		sent, h, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Valid(sent)).To(BeFalse())
		Expect(m.Body).To(HavePrefix(string(sent)))
		Expect(webhook.Verify(secret, sent, h[webhook.SignatureHeader][0])).To(Succeed())
	})

	It("oversized pads valid JSON to exactly OversizedBytes and signs it", func() {
		m := message(wire.FaultOversized)
		sent, h, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(sent).To(HaveLen(wire.OversizedBytes))
		Expect(webhook.Verify(secret, sent, h[webhook.SignatureHeader][0])).To(Succeed())
		Expect(json.Valid(sent)).To(BeTrue())
		// The original members, then one padding string.
		head := string(m.Body[:len(m.Body)-1]) + `,"_padding":"`
		Expect(string(sent[:len(head)])).To(Equal(head))
		Expect(string(sent[len(sent)-2:])).To(Equal(`"}`))
		padding := sent[len(head) : len(sent)-2]
		Expect(bytes.Equal(padding, bytes.Repeat([]byte("x"), len(padding)))).To(BeTrue())
	})

	It("lowercase-header writes the signature under a lowercase key", func() {
		sent, h, err := wire.Prepare(message(wire.FaultLowercaseHeader))
		Expect(err).NotTo(HaveOccurred())
		Expect(h).NotTo(HaveKey(webhook.SignatureHeader))
		lower := "x-prism-signature" // not canonical, on purpose
		Expect(h).To(HaveKey(lower))
		Expect(webhook.Verify(secret, sent, h[lower][0])).To(Succeed())
	})

	It("charset adds a charset to the content type", func() {
		_, h, err := wire.Prepare(message(wire.FaultCharset))
		Expect(err).NotTo(HaveOccurred())
		Expect(h["Content-Type"]).To(Equal([]string{"application/json; charset=utf-8"}))
	})

	It("prepares duplicate and burst as correct deliveries", func() {
		for _, f := range []wire.Fault{wire.FaultDuplicate, wire.FaultBurst} {
			m := message(f)
			m.DeliveryID = "dlv_same"
			sent, h, err := wire.Prepare(m)
			Expect(err).NotTo(HaveOccurred())
			Expect(sent).To(Equal(m.Body))
			Expect(h[webhook.SignatureHeader]).To(Equal([]string{webhook.Sign(secret, m.Body)}))
			Expect(h[webhook.DeliveryHeader]).To(Equal([]string{"dlv_same"}))
		}
	})

	It("refuses body faults on a body that is not a JSON object, and unknown faults", func() {
		for _, f := range []wire.Fault{wire.FaultWhitespace, wire.FaultKeyOrder, wire.FaultUnicodeEscapes,
			wire.FaultUnknownEvent, wire.FaultExtraFields, wire.FaultBodyChanged, wire.FaultOversized} {
			m := message(f)
			m.Body = []byte(`{"event": "video.completed"`)
			_, _, err := wire.Prepare(m)
			Expect(err).To(MatchError(ContainSubstring(string(f))), string(f))
		}
		_, _, err := wire.Prepare(message("no-such-fault"))
		Expect(err).To(MatchError(ContainSubstring("unknown fault")))
	})

	It("has one table entry per fault: a distinct name, a description, a request that differs from a correct one", func() {
		m := message(wire.FaultNone)
		m.DeliveryID = "dlv_same"
		correctBody, correctHeader, err := wire.Prepare(m)
		Expect(err).NotTo(HaveOccurred())
		seen := map[wire.Fault]bool{}
		for _, f := range wire.Faults {
			Expect(seen[f.Name]).To(BeFalse(), "fault %s listed twice", f.Name)
			seen[f.Name] = true
			Expect(f.Description).NotTo(BeEmpty(), string(f.Name))
			if _, pattern := f.Name.Pattern(2); pattern {
				continue // a correct request, sent more than once
			}
			m.Fault = f.Name
			body, header, err := wire.Prepare(m)
			Expect(err).NotTo(HaveOccurred(), string(f.Name))
			Expect(bytes.Equal(body, correctBody) && reflect.DeepEqual(header, correctHeader)).To(BeFalse(), "fault %s sends a correct request", f.Name)
		}
	})

	It("knows every fault of the catalogue", func() {
		for _, f := range wire.Faults {
			_, _, err := wire.Prepare(message(f.Name))
			Expect(err).NotTo(HaveOccurred(), string(f.Name))
		}
	})
})
