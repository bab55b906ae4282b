package delivery

import (
	"fmt"
	"time"
)

// work runs attempts until the engine closes.
func (e *Engine) work() {
	defer e.wg.Done()
	for {
		r, m, inFlight, ok := e.next()
		if !ok {
			return
		}
		// Journaled before sending: if the mock dies during the attempt,
		// the next start still knows the receiver may have seen it.
		e.save(r, inFlight)
		x := e.sender.Send(e.ctx, m)
		e.settle(r, x)
	}
}

// next waits for a due delivery and records its new attempt as in flight.
// It returns false once the engine is closed.
func (e *Engine) next() (*record, Message, Delivery, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for e.ready.len() == 0 && !e.closed {
		e.cond.Wait()
	}
	if e.closed {
		return nil, Message{}, Delivery{}, false
	}
	r := e.ready.pop()
	r.d.NextAttemptAt = nil
	r.d.Attempts = append(r.d.Attempts, Attempt{N: len(r.d.Attempts) + 1, At: time.Now(), InFlight: true})
	m := Message{
		URL:        r.d.URL,
		Secret:     r.d.Secret,
		EventType:  r.d.EventType,
		Body:       r.d.Body,
		DeliveryID: r.d.ID,
		Fault:      r.d.Fault,
	}
	return r, m, r.snapshot(), true
}

// settle records the outcome of r's attempt in flight and decides what
// follows: delivered, a retry later, or failed for good.
func (e *Engine) settle(r *record, x Exchange) {
	e.metrics.attempt(x)
	now := time.Now()

	e.mu.Lock()
	if !e.currentLocked(r) {
		e.mu.Unlock()
		return
	}
	a := &r.d.Attempts[len(r.d.Attempts)-1]
	a.InFlight = false
	a.Status = x.Status
	a.LatencyMS = float64(x.Latency) / float64(time.Millisecond)
	a.Error = attemptError(x)
	if x.Err != nil && e.ctx.Err() != nil {
		a.Error = errShuttingDown
	}
	var next time.Time
	switch {
	case x.OK():
		r.d.Status = StatusDelivered
	case a.N <= e.policy.retries():
		next = now.Add(e.policy.delay(a.N))
		r.d.NextAttemptAt = &next
	default:
		r.d.Status = StatusFailed
	}
	d := r.snapshot()
	e.mu.Unlock()

	// The outcome is journaled before the delivery can be picked up again,
	// so the journal sees its writes in order.
	e.save(r, d)

	var evicted []*record
	e.mu.Lock()
	if e.currentLocked(r) {
		switch {
		case d.Status != StatusPending:
			evicted = e.finishLocked(r)
		case !e.closed: // once closed, pending work waits in the journal
			e.scheduleLocked(r, next)
		}
	}
	e.mu.Unlock()
	e.drop(evicted)

	a = &d.Attempts[len(d.Attempts)-1]
	e.logger.Debug("delivery attempt", "delivery", d.ID, "attempt", a.N, "url", logURL(d.URL),
		"status", a.Status, "latency_ms", a.LatencyMS, "error_kind", string(x.ErrKind), "error", a.Error)
	switch d.Status {
	case StatusDelivered:
		e.metrics.finished(StatusDelivered)
		e.logger.Debug("delivered", "delivery", d.ID, "event", d.EventType, "attempts", len(d.Attempts))
	case StatusFailed:
		e.metrics.finished(StatusFailed)
		e.logger.Warn("delivery failed: retry schedule exhausted", "delivery", d.ID, "event", d.EventType,
			"url", logURL(d.URL), "attempts", len(d.Attempts), "last_error", a.Error)
	}
}

// attemptError is the Attempt.Error of an exchange: the transport failure,
// or the status of an answer that is not a 2xx.
func attemptError(x Exchange) string {
	switch {
	case x.Err != nil:
		return x.Err.Error()
	case x.OK():
		return ""
	case x.Status >= 300 && x.Status < 400:
		return fmt.Sprintf("status %d (redirects are not followed)", x.Status)
	}
	return fmt.Sprintf("status %d", x.Status)
}
