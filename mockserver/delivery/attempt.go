package delivery

import (
	"fmt"
	"time"
)

// work runs attempts until the engine closes.
func (e *Engine) work() {
	defer e.wg.Done()
	for {
		r, n, m, inFlight, ok := e.next()
		if !ok {
			return
		}
		// Journaled before sending: if the mock dies during the attempt,
		// the next start still knows the receiver may have seen it.
		e.save(r, inFlight)
		e.notify(inFlight)
		x := e.sender.Send(e.ctx, m)
		e.settle(r, n, x)
	}
}

// next waits for a due delivery and records its new attempt (number n) as
// in flight. It returns false once the engine is closed.
func (e *Engine) next() (r *record, n int, m Message, inFlight Delivery, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		for e.ready.len() == 0 && !e.closed {
			e.cond.Wait()
		}
		if e.closed {
			return nil, 0, Message{}, Delivery{}, false
		}
		r = e.ready.pop()
		// A delivery cancelled, or delivered by a manual attempt, while
		// it waited has nothing left to do.
		if r.d.Status == StatusPending && e.currentLocked(r) {
			break
		}
	}
	r.d.NextAttemptAt = nil
	n = len(r.d.Attempts) + 1
	r.d.Attempts = append(r.d.Attempts, Attempt{N: n, At: time.Now(), InFlight: true})
	return r, n, r.message(), r.snapshot(), true
}

// message is what an attempt of r sends.
func (r *record) message() Message {
	return Message{
		URL:        r.d.URL,
		Secret:     r.d.Secret,
		EventType:  r.d.EventType,
		Body:       r.d.Body,
		DeliveryID: r.d.ID,
		Fault:      r.d.Fault,
	}
}

// autoAttempts counts the attempts of the retry schedule (not the manual
// ones).
func autoAttempts(as []Attempt) int {
	n := 0
	for _, a := range as {
		if !a.Manual {
			n++
		}
	}
	return n
}

// previous is the attempt before number n, or nil.
func previous(as []Attempt, n int) *Attempt {
	if n < 2 || n-1 > len(as) {
		return nil
	}
	return &as[n-2]
}

// settle records the outcome of r's attempt n and decides what follows:
// delivered, a retry later, or failed for good.
func (e *Engine) settle(r *record, n int, x Exchange) {
	e.metrics.attempt(x)
	now := time.Now()

	e.mu.Lock()
	if !e.currentLocked(r) {
		e.mu.Unlock()
		return
	}
	a := &r.d.Attempts[n-1]
	recordExchange(a, x, r.d.Secret, previous(r.d.Attempts, n), r.d.Body)
	trimAnswers(r.d.Attempts)
	if x.Err != nil && e.ctx.Err() != nil {
		a.Error = errShuttingDown
	}
	// Cancelled, or delivered by a manual attempt, meanwhile: the attempt
	// is recorded and changes nothing else.
	wasPending := r.d.Status == StatusPending
	var next time.Time
	switch {
	case !wasPending:
	case x.OK():
		r.d.Status = StatusDelivered
	case autoAttempts(r.d.Attempts[:n]) <= e.policy.retries():
		next = now.Add(e.policy.delay(autoAttempts(r.d.Attempts[:n])))
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
	if wasPending && e.currentLocked(r) {
		switch {
		case d.Status != StatusPending:
			evicted = e.finishLocked(r)
		case !e.closed: // once closed, pending work waits in the journal
			e.scheduleLocked(r, next)
		}
	}
	e.mu.Unlock()
	e.drop(evicted)
	e.notify(d)

	e.logAttempt(d, n, x)
	if !wasPending {
		return
	}
	switch d.Status {
	case StatusDelivered:
		e.metrics.finished(StatusDelivered)
		e.logger.Debug("delivered", "delivery", d.ID, "event", d.EventType, "attempts", len(d.Attempts))
	case StatusFailed:
		e.metrics.finished(StatusFailed)
		e.logger.Warn("delivery failed: retry schedule exhausted", "delivery", d.ID, "event", d.EventType,
			"url", logURL(d.URL), "attempts", len(d.Attempts), "last_error", d.Attempts[n-1].Error)
	}
}

// logAttempt writes the info line of attempt n of d.
func (e *Engine) logAttempt(d Delivery, n int, x Exchange) {
	a := d.Attempts[n-1]
	args := []any{"delivery", d.ID, "event", d.EventType, "generation", d.GenerationID, "attempt", a.N,
		"status", a.Status, "latency_ms", a.LatencyMS, "url", logURL(d.URL)}
	if a.Manual {
		args = append(args, "manual", true)
	}
	if a.Error != "" {
		args = append(args, "error_kind", string(x.ErrKind), "error", a.Error)
	}
	e.logger.Info("delivery attempt", args...)
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
