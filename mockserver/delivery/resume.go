package delivery

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// resume rebuilds the log from the journal and queues what is pending.
func (e *Engine) resume(ctx context.Context) error {
	if e.journal == nil {
		return nil
	}
	ds, err := e.journal.LoadDeliveries()
	if err != nil {
		return fmt.Errorf("delivery: loading the journal: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	slices.SortStableFunc(ds, func(a, b Delivery) int { return a.CreatedAt.Compare(b.CreatedAt) })

	type change struct {
		r *record
		d Delivery
	}
	var (
		changed           []change
		evicted           []*record
		pending, restored int
		now               = time.Now()
	)
	e.mu.Lock()
	for _, d := range ds {
		if d.ID == "" || e.byID[d.ID] != nil {
			continue
		}
		due, dirty := e.recover(&d, now)
		r := &record{d: d}
		e.addLocked(r)
		restored++
		if d.Status == StatusPending {
			pending++
			e.scheduleLocked(r, due)
		} else {
			evicted = append(evicted, e.finishLocked(r)...)
		}
		if dirty {
			changed = append(changed, change{r, r.snapshot()})
		}
	}
	e.mu.Unlock()

	for _, c := range changed {
		e.save(c.r, c.d)
	}
	e.drop(evicted)
	if restored > 0 {
		e.logger.Info("delivery journal loaded", "deliveries", restored, "pending", pending, "updated", len(changed))
	}
	return nil
}

// recover settles a delivery loaded from the journal: an attempt left in
// flight becomes an "interrupted" failure, and a pending delivery gets the
// time of its next attempt (now, if that time has passed) or, with no
// retry left, fails. It reports whether d changed.
func (e *Engine) recover(d *Delivery, now time.Time) (due time.Time, changed bool) {
	interrupted := false
	for i := range d.Attempts {
		if d.Attempts[i].InFlight {
			d.Attempts[i].InFlight = false
			d.Attempts[i].Error = errRestarted
			interrupted = true
		}
	}
	if d.Attempts == nil {
		d.Attempts = []Attempt{}
	}
	changed = interrupted
	if d.Status == StatusDelivered || d.Status == StatusFailed || d.Status == StatusCancelled {
		return time.Time{}, changed
	}
	if d.Test { // sent on request, never retried
		d.Status = StatusFailed
		d.NextAttemptAt = nil
		return time.Time{}, true
	}
	if d.Status != StatusPending {
		d.Status = StatusPending
		changed = true
	}
	n := autoAttempts(d.Attempts)
	switch {
	case n > e.policy.retries():
		d.Status = StatusFailed
		d.NextAttemptAt = nil
		e.metrics.finished(StatusFailed)
		return time.Time{}, true
	case interrupted || d.NextAttemptAt == nil:
		due = now
		if n > 0 {
			due = d.Attempts[len(d.Attempts)-1].At.Add(e.policy.plainDelay(n))
		}
		if due.Before(now) {
			due = now
		}
		d.NextAttemptAt = &due
		return due, true
	}
	return *d.NextAttemptAt, changed
}
