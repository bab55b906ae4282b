// Package wire is the one-shot webhook delivery core that both halves of
// prismhook stand on: the mock's retrying engine (mockserver/delivery), the
// conformance harness (suites) and `prismhook send`. It builds one request
// with Prism's semantics (body, headers, HMAC signature, a deliberate fault
// when asked), sends it once with the 5 second timeout, and reports what
// happened on the wire as an Exchange. Retries, queues, journals and
// metrics belong to the mock, not here.
//
// A fault is one entry of faultTable (fault.go): adding one is adding that
// entry and its test. Sending a message more than once (a duplicate, a
// burst, a redelivery as new deliveries) is a Pattern carried out by Repeat.
package wire

import (
	"net/http"
	"time"
)

// Message is one event to send to one URL.
type Message struct {
	URL       string
	Secret    string
	EventType string // X-Prism-Event; also the "event" field of Body
	// Body is the event as Prism sends it: compact JSON. Faults derive the
	// bytes on the wire from it.
	Body       []byte
	DeliveryID string // X-Prism-Delivery; generated ("dlv_…") when empty
	Fault      Fault
}

// Exchange is what happened on the wire for one request: what was sent and
// what came back. The harness keeps it as evidence.
type Exchange struct {
	DeliveryID string
	Fault      Fault
	URL        string
	Started    time.Time
	// RequestHeader holds the headers exactly as written on the wire (keys
	// are not canonicalised, so a lowercase-header fault shows as such).
	RequestHeader http.Header
	BodySize      int
	BodyExcerpt   string // the first bytes of the body sent, for reports
	Status        int    // 0 when no HTTP answer came back
	// ResponseExcerpt is the first bytes of the answer's body; the rest is
	// discarded unread beyond a bound, so a hostile receiver cannot make the
	// sender buffer megabytes.
	ResponseExcerpt string
	// ResponseHeader is a bounded copy of the answer's headers: a few
	// dozen values, each cut short, a password in a Location hidden (see
	// boundedHeader).
	ResponseHeader http.Header
	// Location is the Location header of a 3xx answer (cut short, a
	// password in it hidden); the redirect is never followed.
	Location string
	// Latency runs from the first byte sent to the end of what was read of
	// the answer (its headers and the excerpt of its body).
	Latency time.Duration
	// Connect runs from the start of the attempt until a connection was
	// obtained (dial and TLS handshake, or an idle connection reused).
	Connect time.Duration
	// Err is set when no HTTP answer arrived in time: a timeout, a refused
	// or reset connection, a TLS failure. ErrKind classifies it.
	Err     error
	ErrKind ErrKind
	// TLSVersion is the negotiated version (tls.VersionTLS12 …) on HTTPS.
	TLSVersion uint16
}

// ErrKind classifies transport failures for logs, metrics and reports.
type ErrKind string

// Transport failure kinds.
const (
	ErrKindNone       ErrKind = ""
	ErrKindTimeout    ErrKind = "timeout"
	ErrKindConnection ErrKind = "connection" // refused, reset, closed early
	ErrKindTLS        ErrKind = "tls"
	ErrKindOther      ErrKind = "other"
)

// OK reports whether the exchange counts as delivered: an HTTP answer with a
// 2xx status within the timeout. Redirects are not followed and count as
// failures, as do all other statuses.
func (x Exchange) OK() bool { return x.Err == nil && x.Status >= 200 && x.Status < 300 }
