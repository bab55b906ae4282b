// Package delivery is the mock's retrying delivery engine: a queue, Prism's
// retry schedule with backoff and jitter, a journal that survives restarts,
// manual redelivery, the delivery log and its metrics. Each attempt is one
// send of the shared core, internal/wire, which the conformance harness
// uses too.
package delivery

import (
	"net/http"
	"time"
)

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
