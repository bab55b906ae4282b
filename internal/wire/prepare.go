package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/prismhook/prismhook/webhook"
)

// Version is the sender's version, sent as "User-Agent: Prism-Webhooks/<Version>".
// Builds set it with -ldflags "-X github.com/prismhook/prismhook/internal/wire.Version=…".
var Version = "dev"

// UnknownEventType is the event type of a FaultUnknownEvent delivery: one
// Prism does not document.
const UnknownEventType = "video.upscaled"

// Header values the sender writes.
const (
	contentTypeJSON    = "application/json"
	contentTypeCharset = "application/json; charset=utf-8"
	// lowercaseSignatureHeader is how FaultLowercaseHeader spells the
	// signature header on the wire.
	lowercaseSignatureHeader = "x-prism-signature"
)

// Prepare applies m.Fault and signs: the exact body and headers that Send
// writes, header keys as they appear on the wire. The body is signed with
// webhook.Sign over the bytes returned. A correct delivery (no fault) signs
// m.Body as it is, whatever it holds; the body faults need m.Body to be a
// JSON object. A missing m.DeliveryID is generated.
//
// FaultDuplicate and FaultBurst prepare one correct request: callers repeat
// it.
func Prepare(m Message) (body []byte, header http.Header, err error) {
	return prepare(m, defaultUserAgent())
}

func defaultUserAgent() string { return "Prism-Webhooks/" + Version }

func prepare(m Message, userAgent string) ([]byte, http.Header, error) {
	body, event, err := faultBody(m)
	if err != nil {
		return nil, nil, fmt.Errorf("delivery: fault %q: %w", m.Fault, err)
	}
	id := m.DeliveryID
	if id == "" {
		id = NewDeliveryID()
	}
	contentType := contentTypeJSON
	if m.Fault == FaultCharset {
		contentType = contentTypeCharset
	}
	sig, present := signature(m, body)
	// One array backs every value (a header is built per request); each
	// value is a full slice of it so that an append cannot reach the next.
	v := [...]string{contentType, userAgent, event, id, sig}
	// Header keys are set directly, not with Header.Set, so that they reach
	// the wire exactly as written here.
	h := make(http.Header, len(v))
	h["Content-Type"] = v[0:1:1]
	h["User-Agent"] = v[1:2:2]
	h[webhook.EventHeader] = v[2:3:3]
	h[webhook.DeliveryHeader] = v[3:4:4]
	switch {
	case !present:
	case m.Fault == FaultLowercaseHeader:
		h[lowercaseSignatureHeader] = v[4:5:5]
	default:
		h[webhook.SignatureHeader] = v[4:5:5]
	}
	return body, h, nil
}

// signature returns the X-Prism-Signature value for the bytes sent, and
// false when the fault leaves the header out.
func signature(m Message, body []byte) (string, bool) {
	switch m.Fault {
	case FaultMissingSignature:
		return "", false
	case FaultEmptySignature:
		return "", true
	case FaultWrongSecret:
		return webhook.Sign(randomSecret(), body), true
	case FaultBodyChanged:
		return webhook.Sign(m.Secret, m.Body), true // the body as it was before the change
	}
	sig := webhook.Sign(m.Secret, body)
	switch m.Fault {
	case FaultNonHexSignature:
		return "not-hex-" + sig[len("not-hex-"):], true // the right length, not hex
	case FaultTruncatedSignature:
		return sig[:len(sig)/2], true
	case FaultLongSignature:
		return sig + "00", true
	}
	return sig, true
}

// faultBody returns the body to send for m and its event type.
func faultBody(m Message) ([]byte, string, error) {
	switch m.Fault {
	case FaultNone, FaultMissingSignature, FaultWrongSecret, FaultEmptySignature,
		FaultNonHexSignature, FaultTruncatedSignature, FaultLongSignature,
		FaultLowercaseHeader, FaultCharset, FaultDuplicate, FaultBurst:
		return m.Body, m.EventType, nil
	case FaultTrailingNewline:
		return append(bytes.Clone(m.Body), '\n'), m.EventType, nil
	case FaultMalformedJSON:
		return truncate(m.Body), m.EventType, nil
	case FaultWhitespace:
		var buf bytes.Buffer
		if err := json.Indent(&buf, m.Body, "", "  "); err != nil {
			return nil, "", fmt.Errorf("%w: %v", errNotObject, err)
		}
		return buf.Bytes(), m.EventType, nil
	case FaultUnicodeEscapes:
		if !json.Valid(m.Body) {
			return nil, "", errNotObject
		}
		return escapeUnicode(m.Body), m.EventType, nil
	case FaultOversized:
		b, err := pad(m.Body, OversizedBytes)
		return b, m.EventType, err
	case FaultKeyOrder, FaultUnknownEvent, FaultExtraFields, FaultBodyChanged:
		o, err := parseObject(m.Body)
		if err != nil {
			return nil, "", err
		}
		return rewriteObject(m, o)
	}
	return nil, "", fmt.Errorf("unknown fault")
}

// rewriteObject applies the faults that change members of the event.
func rewriteObject(m Message, o object) ([]byte, string, error) {
	event := m.EventType
	data, hasData := o.data()
	switch m.Fault {
	case FaultKeyOrder:
		// Reversed at both levels, so "event" is no longer first and
		// "data" no longer last.
		o = o.reversed()
		if hasData {
			o = o.withData(data.reversed())
		}
	case FaultUnknownEvent:
		event = UnknownEventType
		o = o.set("event", jsonString(event))
	case FaultExtraFields:
		o = o.set("api_version", jsonString("2099-01-01"))
		o = o.set("x_prismhook_extra", json.RawMessage(`{"note":"unknown fields must be ignored"}`))
		if hasData {
			data = data.set("seed", json.RawMessage(`42`))
			data = data.set("x_prismhook_extra", json.RawMessage(`["unknown","fields"]`))
			o = o.withData(data)
		}
	case FaultBodyChanged:
		o = changeOneField(o, data, hasData)
	}
	return o.marshal(), event, nil
}

// changeOneField alters the first string in data other than the id (the
// prompt, in Prism's events): what an attacker who edits a captured delivery
// would do. Without one, it adds a member.
func changeOneField(o, data object, hasData bool) object {
	if !hasData {
		return o.set("tampered", json.RawMessage(`true`))
	}
	for i, mb := range data {
		var s string
		if mb.key == "id" || json.Unmarshal(mb.value, &s) != nil {
			continue
		}
		data[i].value = jsonString(s + " (altered)")
		return o.withData(data)
	}
	return o.withData(data.set("tampered", json.RawMessage(`true`)))
}

// truncate returns the first half of body, trimmed of whitespace: an object
// cut short, which no JSON parser accepts.
func truncate(body []byte) []byte {
	b := bytes.TrimSpace(body)
	if half := b[:len(b)/2]; len(half) > 0 && !json.Valid(half) {
		return bytes.Clone(half)
	}
	return []byte(`{"event":`)
}
