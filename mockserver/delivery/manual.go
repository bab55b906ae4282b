package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
)

// ErrNotFound is returned for a delivery that is not in the log.
var ErrNotFound = errors.New("delivery: no such delivery")

// notify hands a delivery that changed to Options.OnChange.
func (e *Engine) notify(d Delivery) {
	if e.onChange != nil {
		e.onChange(d)
	}
}

// Redeliver sends a delivery of the log again now: the same bytes,
// signature and delivery id, recorded as a manual attempt. A 2xx makes it
// delivered (a pending one then needs no more retries); a failure changes
// nothing else. It returns the delivery after the attempt and the exchange.
func (e *Engine) Redeliver(ctx context.Context, id string) (Delivery, Exchange, error) {
	e.mu.Lock()
	r, ok := e.byID[id]
	closed := e.closed
	e.mu.Unlock()
	switch {
	case !ok:
		return Delivery{}, Exchange{}, ErrNotFound
	case closed:
		return Delivery{}, Exchange{}, ErrClosed
	}
	return e.manualAttempt(ctx, r)
}

// SendTest puts d in the log as a test delivery (see Delivery.Test) and
// makes its first attempt now, without retries: a 2xx makes it delivered,
// anything else failed. d needs what Enqueue needs.
func (e *Engine) SendTest(ctx context.Context, d Delivery) (Delivery, Exchange, error) {
	if err := validate(d); err != nil {
		return Delivery{}, Exchange{}, err
	}
	if d.ID == "" {
		d.ID = wire.NewDeliveryID()
	}
	if d.EventID == "" {
		d.EventID = wire.NewEventID()
	}
	d.Test = true
	d.CreatedAt = time.Now()
	d.Status = StatusPending
	d.NextAttemptAt = nil
	d.Attempts = []Attempt{}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return Delivery{}, Exchange{}, ErrClosed
	}
	if e.byID[d.ID] != nil {
		e.mu.Unlock()
		return Delivery{}, Exchange{}, ErrDuplicateID
	}
	r := &record{d: d}
	e.addLocked(r)
	e.mu.Unlock()
	return e.manualAttempt(ctx, r)
}

// manualAttempt makes one attempt of r now, outside the schedule.
func (e *Engine) manualAttempt(ctx context.Context, r *record) (Delivery, Exchange, error) {
	e.mu.Lock()
	if !e.currentLocked(r) {
		e.mu.Unlock()
		return Delivery{}, Exchange{}, ErrNotFound
	}
	n := len(r.d.Attempts) + 1
	r.d.Attempts = append(r.d.Attempts, Attempt{N: n, At: time.Now(), InFlight: true, Manual: true})
	m := r.message()
	inFlight := r.snapshot()
	e.mu.Unlock()
	e.save(r, inFlight)
	e.notify(inFlight)

	x := e.sender.Send(ctx, m)
	e.metrics.attempt(x)

	e.mu.Lock()
	if !e.currentLocked(r) { // reset meanwhile
		d := r.snapshot()
		e.mu.Unlock()
		return d, x, nil
	}
	recordExchange(&r.d.Attempts[n-1], x, r.d.Secret, previous(r.d.Attempts, n), r.d.Body)
	trimAnswers(r.d.Attempts)
	finished := false
	switch {
	case x.OK() && r.d.Status != StatusDelivered:
		finished = r.d.Status == StatusPending
		r.d.Status = StatusDelivered
	case r.d.Test && r.d.Status == StatusPending:
		finished = true
		r.d.Status = StatusFailed
	}
	if finished {
		r.d.NextAttemptAt = nil
	}
	d := r.snapshot()
	e.mu.Unlock()

	e.save(r, d)
	if finished {
		e.metrics.finished(d.Status)
		e.mu.Lock()
		var evicted []*record
		if e.currentLocked(r) {
			evicted = e.finishLocked(r)
		}
		e.mu.Unlock()
		e.drop(evicted)
	}
	e.notify(d)
	e.logAttempt(d, n, x)
	return d, x, nil
}

// CancelWebhook cancels the pending deliveries of a webhook (deleted): no
// more attempts are made; an attempt in flight is still recorded. It
// returns how many it cancelled.
func (e *Engine) CancelWebhook(webhookID string) int {
	var (
		rs      []*record
		ds      []Delivery
		evicted []*record
	)
	e.mu.Lock()
	for el := e.log.Front(); el != nil; el = el.Next() {
		r := el.Value.(*record)
		if r.d.WebhookID != webhookID || r.d.Status != StatusPending {
			continue
		}
		r.d.Status = StatusCancelled
		r.d.NextAttemptAt = nil
		rs = append(rs, r)
		ds = append(ds, r.snapshot())
	}
	for _, r := range rs {
		evicted = append(evicted, e.finishLocked(r)...)
	}
	e.mu.Unlock()
	for i, r := range rs {
		e.save(r, ds[i])
	}
	e.drop(evicted)
	for _, d := range ds {
		e.notify(d)
	}
	if len(rs) > 0 {
		e.logger.Info("pending deliveries cancelled: webhook deleted", "webhook", webhookID, "deliveries", len(rs))
	}
	return len(rs)
}
