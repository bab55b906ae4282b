// Package delivery signs and sends webhook events with Prism's semantics: a
// 5 second timeout, retries with exponential backoff and jitter, a record of
// every attempt, and optional faults injected on purpose. It is the only
// sender in prismhook: the mock, the conformance harness and `prismhook send`
// all deliver through it.
package delivery

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

// Status values of a Delivery.
const (
	StatusPending   = "pending"   // waiting for its next attempt
	StatusDelivered = "delivered" // an attempt got a 2xx
	StatusFailed    = "failed"    // every attempt of the schedule failed
	// StatusCancelled: its webhook was deleted while retries were pending.
	StatusCancelled = "cancelled"
)

// Delivery is one event to one webhook, with every attempt made for it.
type Delivery struct {
	ID           string    `json:"id"`                   // dlv_…
	WebhookID    string    `json:"webhook_id,omitempty"` // "" for a test event sent to a bare URL
	EventType    string    `json:"event"`
	EventID      string    `json:"event_id"` // evt_…, shared by all deliveries of one event
	GenerationID string    `json:"generation_id"`
	URL          string    `json:"url"`
	Status       string    `json:"status"`
	Attempts     []Attempt `json:"attempts"`
	CreatedAt    time.Time `json:"created_at"`
	// NextAttemptAt is set while Status is pending.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// Test marks a delivery sent on request (a test event of the control
	// API or the inspector) rather than by a generation; it is not retried.
	Test bool `json:"test,omitempty"`

	// Owner is the API key owner of the webhook (or of the request that
	// sent a test event); "" in open mode. Kept by the journal, never shown.
	Owner string `json:"-"`

	// Secret and Body are needed to (re)send; they are never part of API
	// answers or logs.
	Secret string `json:"-"`
	Body   []byte `json:"-"`
	Fault  Fault  `json:"-"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	N         int       `json:"n"` // 1-based
	At        time.Time `json:"at"`
	Status    int       `json:"status,omitempty"` // HTTP status, 0 without an answer
	LatencyMS float64   `json:"latency_ms"`
	Error     string    `json:"error,omitempty"` // transport failure or "status 500"
	ErrorKind ErrKind   `json:"error_kind,omitempty"`
	// Manual marks an attempt made on request (redeliver, test event),
	// outside the retry schedule.
	Manual bool `json:"manual,omitempty"`
	// What was sent and what came back, bounded and redacted (see
	// recordExchange): the headers as written on the wire, the first bytes
	// of the body sent and its size, the answer's headers and the first
	// bytes of its body.
	RequestHeaders  http.Header `json:"request_headers,omitempty"`
	RequestBody     string      `json:"request_body,omitempty"`
	RequestBodySize int         `json:"request_body_size,omitempty"`
	ResponseHeaders http.Header `json:"response_headers,omitempty"`
	ResponseBody    string      `json:"response_body,omitempty"`
	// InFlight marks an attempt recorded before it was sent; a restart that
	// finds one turns it into an "interrupted" failure, so an attempt the
	// receiver may have seen is never missing from the log.
	InFlight bool `json:"in_flight,omitempty"`
}

// Journal persists deliveries so that they survive a restart. The engine
// calls SaveDelivery when a delivery is created, before each attempt (with
// the attempt marked InFlight) and after it; DeleteDelivery when retention
// evicts a finished delivery; LoadDeliveries once, at start, to rebuild its
// log and resume the pending ones. Implementations must be safe for
// concurrent use and must keep Secret, Body and Fault, which the JSON form of
// Delivery leaves out.
type Journal interface {
	SaveDelivery(d Delivery) error
	DeleteDelivery(id string) error
	LoadDeliveries() ([]Delivery, error)
}
