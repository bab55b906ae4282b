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

// Header values the sender writes.
const contentTypeJSON = "application/json"

// Prepare applies m.Fault and signs: the exact body and headers that Send
// writes, header keys as they appear on the wire. The body is signed with
// webhook.Sign over the bytes returned. A correct delivery (no fault) signs
// m.Body as it is, whatever it holds; the body faults need m.Body to be a
// JSON object. A missing m.DeliveryID is generated.
//
// A sending pattern (FaultDuplicate, FaultBurst) prepares one correct
// request; Repeat sends it again.
func Prepare(m Message) (body []byte, header http.Header, err error) {
	return prepare(m, defaultUserAgent())
}

func defaultUserAgent() string { return "Prism-Webhooks/" + Version }

func prepare(m Message, userAgent string) ([]byte, http.Header, error) {
	f, ok := m.Fault.spec()
	if !ok {
		return nil, nil, fmt.Errorf("delivery: fault %q: unknown fault", m.Fault)
	}
	body, event := m.Body, m.EventType
	if f.body != nil {
		var err error
		if body, event, err = f.body(m); err != nil {
			return nil, nil, fmt.Errorf("delivery: fault %q: %w", m.Fault, err)
		}
	}
	id := m.DeliveryID
	if id == "" {
		id = NewDeliveryID()
	}
	sig, present := webhook.Sign(m.Secret, body), true
	if f.signature != nil {
		sig, present = f.signature(m, body)
	}
	// One array backs every value (a header is built per request); each
	// value is a full slice of it so that an append cannot reach the next.
	v := [...]string{contentTypeJSON, userAgent, event, id, sig}
	// Header keys are set directly, not with Header.Set, so that they reach
	// the wire exactly as written here.
	h := make(http.Header, len(v))
	h["Content-Type"] = v[0:1:1]
	h["User-Agent"] = v[1:2:2]
	h[webhook.EventHeader] = v[2:3:3]
	h[webhook.DeliveryHeader] = v[3:4:4]
	if present {
		h[webhook.SignatureHeader] = v[4:5:5]
	}
	if f.header != nil {
		f.header(h)
	}
	return body, h, nil
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
