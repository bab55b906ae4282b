package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/prismhook/prismhook/webhook"
)

// Fault is a deliberate defect the sender puts into one delivery, so that a
// receiver's handling of it can be observed from outside, or the name of a
// sending pattern (duplicate, burst; see Pattern). The zero value sends a
// correct delivery.
//
// A fault is one entry of faultTable: its name, its description and what it
// changes — the body, the signature, the headers. Adding a fault is adding
// an entry there (a constant below only when Go code names it) and a test
// of it in prepare_test.go; help texts, the control API's list, ParseFault
// and Prepare all read the table.
type Fault string

// Names of the faults. They are stable: they appear in flags (`prismhook
// send --fault`), the control API and reports.
const (
	FaultNone Fault = ""

	// Signature faults.
	FaultMissingSignature   Fault = "missing-signature"
	FaultWrongSecret        Fault = "wrong-secret"
	FaultBodyChanged        Fault = "body-changed"
	FaultEmptySignature     Fault = "empty-signature"
	FaultNonHexSignature    Fault = "non-hex-signature"
	FaultTruncatedSignature Fault = "truncated-signature"
	FaultLongSignature      Fault = "long-signature"

	// Body faults; all but malformed-json stay valid JSON and are signed
	// correctly over the bytes actually sent.
	FaultWhitespace      Fault = "whitespace"
	FaultKeyOrder        Fault = "key-order"
	FaultUnicodeEscapes  Fault = "unicode-escapes"
	FaultTrailingNewline Fault = "trailing-newline"
	FaultUnknownEvent    Fault = "unknown-event"
	FaultExtraFields     Fault = "extra-fields"
	FaultMalformedJSON   Fault = "malformed-json"
	FaultOversized       Fault = "oversized"

	// Transport faults.
	FaultLowercaseHeader Fault = "lowercase-header"
	FaultCharset         Fault = "charset"

	// Sending patterns (see patternTable): a correct request, sent more
	// than once.
	FaultDuplicate Fault = "duplicate"
	FaultBurst     Fault = "burst"
)

// OversizedBytes is the size of a FaultOversized body: 20 MiB.
const OversizedBytes = 20 << 20

// UnknownEventType is the event type of a FaultUnknownEvent delivery: one
// Prism does not document.
const UnknownEventType = "video.upscaled"

// lowercaseSignatureHeader is how FaultLowercaseHeader spells the
// signature header on the wire.
const lowercaseSignatureHeader = "x-prism-signature"

// faultSpec is one fault. A nil field leaves that part of the request as a
// correct delivery has it.
type faultSpec struct {
	name        Fault
	description string
	// body returns the bytes to send and the X-Prism-Event value; nil
	// sends m.Body under m.EventType.
	body func(m Message) ([]byte, string, error)
	// signature returns the X-Prism-Signature value for the bytes sent,
	// and false to leave the header out; nil signs them with m.Secret.
	signature func(m Message, body []byte) (string, bool)
	// header changes the headers as they reach the wire (keys are not
	// canonicalised); nil leaves them.
	header func(h http.Header)
}

// faultTable lists every fault that changes the request, in a stable order.
var faultTable = []faultSpec{
	{name: FaultMissingSignature, description: "no X-Prism-Signature header",
		signature: func(Message, []byte) (string, bool) { return "", false }},
	{name: FaultWrongSecret, description: "signed with a different secret",
		signature: func(_ Message, body []byte) (string, bool) { return webhook.Sign(NewSecret(), body), true }},
	{name: FaultBodyChanged, description: "body changed after signing",
		body: objectBody(func(m Message, o, data object, hasData bool) (object, string) {
			return changeOneField(o, data, hasData), m.EventType
		}),
		// The body as it was before the change.
		signature: func(m Message, _ []byte) (string, bool) { return webhook.Sign(m.Secret, m.Body), true }},
	{name: FaultEmptySignature, description: "X-Prism-Signature present but empty",
		signature: func(Message, []byte) (string, bool) { return "", true }},
	{name: FaultNonHexSignature, description: "signature of the right length that is not hex",
		signature: func(m Message, body []byte) (string, bool) {
			sig := webhook.Sign(m.Secret, body)
			return "not-hex-" + sig[len("not-hex-"):], true
		}},
	{name: FaultTruncatedSignature, description: "signature digest cut short",
		signature: func(m Message, body []byte) (string, bool) {
			sig := webhook.Sign(m.Secret, body)
			return sig[:len(sig)/2], true
		}},
	{name: FaultLongSignature, description: "signature digest with extra characters",
		signature: func(m Message, body []byte) (string, bool) { return webhook.Sign(m.Secret, body) + "00", true }},
	{name: FaultWhitespace, description: "valid JSON with whitespace (pretty-printed)",
		body: func(m Message) ([]byte, string, error) {
			var buf bytes.Buffer
			if err := json.Indent(&buf, m.Body, "", "  "); err != nil {
				return nil, "", fmt.Errorf("%w: %v", errNotObject, err)
			}
			return buf.Bytes(), m.EventType, nil
		}},
	{name: FaultKeyOrder, description: "valid JSON with keys in another order",
		// Reversed at both levels, so "event" is no longer first and
		// "data" no longer last.
		body: objectBody(func(m Message, o, data object, hasData bool) (object, string) {
			o = o.reversed()
			if hasData {
				o = o.withData(data.reversed())
			}
			return o, m.EventType
		})},
	{name: FaultUnicodeEscapes, description: "valid JSON with \\u escapes",
		body: func(m Message) ([]byte, string, error) {
			if !json.Valid(m.Body) {
				return nil, "", errNotObject
			}
			return escapeUnicode(m.Body), m.EventType, nil
		}},
	{name: FaultTrailingNewline, description: "valid compact JSON followed by a newline",
		body: func(m Message) ([]byte, string, error) { return append(bytes.Clone(m.Body), '\n'), m.EventType, nil }},
	{name: FaultUnknownEvent, description: "an event type Prism does not document",
		body: objectBody(func(_ Message, o, _ object, _ bool) (object, string) {
			return o.set("event", jsonString(UnknownEventType)), UnknownEventType
		})},
	{name: FaultExtraFields, description: "unknown extra fields at the top level and in data",
		body: objectBody(func(m Message, o, data object, hasData bool) (object, string) {
			o = o.set("api_version", jsonString("2099-01-01"))
			o = o.set("x_prismhook_extra", json.RawMessage(`{"note":"unknown fields must be ignored"}`))
			if hasData {
				data = data.set("seed", json.RawMessage(`42`))
				data = data.set("x_prismhook_extra", json.RawMessage(`["unknown","fields"]`))
				o = o.withData(data)
			}
			return o, m.EventType
		})},
	{name: FaultMalformedJSON, description: "a correctly signed body that is not JSON",
		body: func(m Message) ([]byte, string, error) { return truncate(m.Body), m.EventType, nil }},
	{name: FaultOversized, description: "valid JSON padded to 20 MiB",
		body: func(m Message) ([]byte, string, error) {
			b, err := pad(m.Body, OversizedBytes)
			return b, m.EventType, err
		}},
	{name: FaultLowercaseHeader, description: "signature header name in lowercase on the wire",
		header: func(h http.Header) {
			if v, ok := h[webhook.SignatureHeader]; ok {
				delete(h, webhook.SignatureHeader)
				h[lowercaseSignatureHeader] = v
			}
		}},
	{name: FaultCharset, description: "Content-Type: application/json; charset=utf-8",
		header: func(h http.Header) { h["Content-Type"] = []string{"application/json; charset=utf-8"} }},
}

// objectBody makes a body function of a change to the event's members:
// change gets the event as an ordered object and its "data" member, and
// returns the object to send and its event type.
func objectBody(change func(m Message, o, data object, hasData bool) (object, string)) func(Message) ([]byte, string, error) {
	return func(m Message) ([]byte, string, error) {
		o, err := parseObject(m.Body)
		if err != nil {
			return nil, "", err
		}
		data, hasData := o.data()
		o, event := change(m, o, data, hasData)
		return o.marshal(), event, nil
	}
}

// FaultInfo describes a fault for help texts and the control API.
type FaultInfo struct {
	Name        Fault
	Description string
}

// Faults lists every fault name a user may pick, in a stable order: the
// faults of the request, then the sending patterns.
var Faults = func() []FaultInfo {
	out := make([]FaultInfo, 0, len(faultTable)+len(patternTable))
	for _, f := range faultTable {
		out = append(out, FaultInfo{f.name, f.description})
	}
	for _, p := range patternTable {
		out = append(out, FaultInfo{p.name, p.description})
	}
	return out
}()

// ParseFault returns the fault with that name, or false.
func ParseFault(name string) (Fault, bool) {
	if name == "" || name == "none" {
		return FaultNone, true
	}
	for _, f := range Faults {
		if string(f.Name) == name {
			return f.Name, true
		}
	}
	return "", false
}

// spec returns the table entry of f: the zero entry (a correct request)
// for no fault and for a sending pattern, false for an unknown name.
func (f Fault) spec() (faultSpec, bool) {
	for _, s := range faultTable {
		if s.name == f {
			return s, true
		}
	}
	_, pattern := f.Pattern(1)
	return faultSpec{name: f}, f == FaultNone || pattern
}
