package soak

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// answer is what the receiver did with one request.
type answer string

const (
	answerOK      answer = "2xx"     // 204 at once
	answerSlowOK  answer = "slow2xx" // 204 after the slow delay
	answer500     answer = "500"     // 500 at once
	answerStall   answer = "stall"   // nothing until past the mock's timeout, then 503
	answerDrop    answer = "drop"    // connection closed without an answer
	answerReset   answer = "reset"   // connection reset (RST) without an answer
	answerHeld    answer = "held"    // held while the test killed the mock
	answerBadSign answer = "401"     // the signature did not verify
)

// answeredStatus is the status a mock that waited long enough would have
// seen for each answer; 0 for none.
var answeredStatus = map[answer]int{
	answerOK:      http.StatusNoContent,
	answerSlowOK:  http.StatusNoContent,
	answer500:     http.StatusInternalServerError,
	answerStall:   http.StatusServiceUnavailable,
	answerHeld:    http.StatusNoContent,
	answerBadSign: http.StatusUnauthorized,
}

// receipt is one request as the receiver saw it.
type receipt struct {
	DeliveryID   string // X-Prism-Delivery
	Event        string // X-Prism-Event
	BodyEvent    string // "event" of the body
	GenerationID string // "data.id" of the body
	Verified     bool   // X-Prism-Signature verified with the webhook's secret
	Answer       answer
}

// doomedMarker in a prompt makes the chaos receiver fail every delivery of
// that generation, so that its retries run out.
const doomedMarker = "[doomed]"

// receiver is a webhook receiver in the test process that verifies every
// delivery, records it, and answers as its policy says.
type receiver struct {
	srv *httptest.Server
	// policy chooses the answer to a correctly signed request; doomed
	// says whether the event's prompt has the doomed marker.
	policy func(doomed bool) answer
	// stall is how long a stalled request is held (past the mock's
	// timeout, unless the mock gives up first); slow is the delay of a
	// slow 2xx.
	stall, slow time.Duration

	secret atomic.Pointer[string]
	hold   atomic.Pointer[holdHook]

	mu       sync.Mutex
	receipts []receipt
	inFlight map[string]int // delivery id → requests being answered
}

// holdHook makes the next request wait: arrived gets its delivery id, and
// the request is answered once release is closed (or the mock gave up).
type holdHook struct {
	arrived chan string
	release chan struct{}
}

// chaosPolicy answers at random with the seed given: half successes, the
// rest split between errors, stalls, drops and resets; doomed events get
// failures only.
func chaosPolicy(seed uint64) func(doomed bool) answer {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(doomed bool) answer {
		mu.Lock()
		n := rng.IntN(100)
		mu.Unlock()
		if doomed {
			n = 50 + n/2
		}
		switch {
		case n < 50:
			return answerOK
		case n < 65:
			return answer500
		case n < 80:
			return answerStall
		case n < 90:
			return answerDrop
		default:
			return answerReset
		}
	}
}

// slowPolicy answers every request with a 2xx after the slow delay.
func slowPolicy(bool) answer { return answerSlowOK }

func startReceiver(policy func(doomed bool) answer, stall, slow time.Duration) *receiver {
	rc := &receiver{policy: policy, stall: stall, slow: slow, inFlight: map[string]int{}}
	rc.srv = httptest.NewServer(rc)
	return rc
}

// URL is the webhook endpoint.
func (rc *receiver) URL() string { return rc.srv.URL + "/webhooks/prism" }

// Close stops the receiver.
func (rc *receiver) Close() { rc.srv.Close() }

// setSecret gives the receiver the webhook's secret, known once the webhook
// exists.
func (rc *receiver) setSecret(s string) { rc.secret.Store(&s) }

// holdNext arms a hook for the next request.
func (rc *receiver) holdNext() *holdHook {
	h := &holdHook{arrived: make(chan string, 1), release: make(chan struct{})}
	rc.hold.Store(h)
	return h
}

// Receipts returns a copy of every receipt so far.
func (rc *receiver) Receipts() []receipt {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]receipt(nil), rc.receipts...)
}

// InFlight returns the delivery ids of the requests being answered now.
func (rc *receiver) InFlight() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	ids := make([]string, 0, len(rc.inFlight))
	for id := range rc.inFlight {
		ids = append(ids, id)
	}
	return ids
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	rec := receipt{
		DeliveryID: r.Header.Get(webhook.DeliveryHeader),
		Event:      r.Header.Get(webhook.EventHeader),
	}
	if s := rc.secret.Load(); s != nil && err == nil {
		rec.Verified = webhook.Verify(*s, body, r.Header.Get(webhook.SignatureHeader)) == nil
	}
	doomed := false
	if ev, err := webhook.Parse(body); err == nil {
		rec.BodyEvent, rec.GenerationID = ev.Event, ev.Data.ID
		doomed = strings.Contains(ev.Data.Prompt, doomedMarker)
	}
	hook := rc.hold.Swap(nil)
	switch {
	case !rec.Verified:
		rec.Answer = answerBadSign
	case hook != nil:
		rec.Answer = answerHeld
	default:
		rec.Answer = rc.policy(doomed)
	}
	rc.begin(rec)
	defer rc.end(rec.DeliveryID)

	switch rec.Answer {
	case answerOK:
		w.WriteHeader(http.StatusNoContent)
	case answerBadSign:
		http.Error(w, "invalid signature", http.StatusUnauthorized)
	case answer500:
		http.Error(w, "chaos: internal error", http.StatusInternalServerError)
	case answerSlowOK:
		if wait(r, rc.slow) {
			w.WriteHeader(http.StatusNoContent)
		}
	case answerStall:
		if wait(r, rc.stall) {
			http.Error(w, "chaos: too late", http.StatusServiceUnavailable)
		}
	case answerHeld:
		hook.arrived <- rec.DeliveryID
		select {
		case <-hook.release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusNoContent) // to a mock that is gone
	case answerDrop, answerReset:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tcp, ok := conn.(*net.TCPConn); ok && rec.Answer == answerReset {
			_ = tcp.SetLinger(0) // Close sends RST instead of FIN
		}
		_ = conn.Close()
	}
}

// wait waits d, or less if the client goes away; it reports whether the
// client is still there.
func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (rc *receiver) begin(rec receipt) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.receipts = append(rc.receipts, rec)
	rc.inFlight[rec.DeliveryID]++
}

func (rc *receiver) end(id string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.inFlight[id]--; rc.inFlight[id] <= 0 {
		delete(rc.inFlight, id)
	}
}
