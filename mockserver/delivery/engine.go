package delivery

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/internal/wire"
)

// Options configures an Engine. Zero fields take their defaults.
type Options struct {
	Sender SenderOptions
	// Schedule is the delay before each retry: len(Schedule)+1 attempts in
	// all. nil means DefaultSchedule; an empty, non-nil schedule means a
	// single attempt.
	Schedule []time.Duration
	// Jitter scales each delay by a random factor in [1-Jitter, 1+Jitter];
	// default 0.2. NoJitter disables it.
	Jitter   float64
	NoJitter bool
	// TimeScale multiplies every retry delay (not the timeout): 0.001 turns
	// hours into seconds for tests. Default 1.
	TimeScale float64
	Workers   int // attempts in flight at once, default 32
	// QueueSize bounds the deliveries waiting for a worker, default 10000;
	// Enqueue returns ErrQueueFull beyond. Retries already accepted are
	// never refused.
	QueueSize int
	// Retention is how many finished deliveries the log keeps, default
	// 10000; the oldest go first. Pending ones are never dropped.
	Retention  int
	Journal    Journal               // optional persistence
	Logger     *slog.Logger          // optional; secrets and bodies are never logged
	Registerer prometheus.Registerer // optional; see the package's metrics
	// OnChange, when set, is called with a copy of a delivery each time
	// it is created or changes (an attempt starts or ends, it is
	// cancelled), outside the engine's locks. It must not block for long.
	OnChange func(Delivery)
}

// Defaults of Options.
const (
	defaultJitter    = 0.2
	defaultWorkers   = 32
	defaultQueueSize = 10000
	defaultRetention = 10000
)

// Errors of Enqueue.
var (
	ErrQueueFull = errors.New("delivery: queue full")
	ErrClosed    = errors.New("delivery: engine closed")
)

// Errors recorded for attempts cut short by the mock itself.
const (
	errRestarted    = "interrupted: mock restarted"
	errShuttingDown = "interrupted: mock shutting down"
)

// Engine delivers events with Prism's semantics: a bounded pool of workers
// takes deliveries from a bounded queue, failed attempts are retried on the
// schedule, and every attempt is recorded in the delivery log and, when
// there is one, the journal. It is safe for concurrent use.
type Engine struct {
	sender   *Sender
	policy   retryPolicy
	workers  int
	queueSz  int
	keep     int
	journal  Journal
	logger   *slog.Logger
	metrics  *metrics
	onChange func(Delivery)

	// ctx is the parent of every attempt; cancel ends the attempts still
	// running when Close runs out of time.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond         // signalled when ready gains work or the engine closes
	byID     map[string]*record // every delivery in the log
	log      *list.List         // of *record, oldest first
	ready    fifo               // due, waiting for a worker
	waiting  waitList           // pending, due later
	timer    *time.Timer        // armed for the earliest of waiting
	finished fifo               // finished deliveries, in the order they finished, for retention
	started  bool
	closed   bool
}

// record is a delivery in the engine.
type record struct {
	d    Delivery      // guarded by Engine.mu
	elem *list.Element // guarded by Engine.mu
	due  time.Time     // guarded by Engine.mu; next attempt, while waiting

	// jmu orders the journal writes of this delivery; dropped (guarded by
	// jmu) is set once the delivery left the log, after which the journal
	// must not see it again.
	jmu     sync.Mutex
	dropped bool
}

// NewEngine returns an engine; Start loads the journal and starts it.
func NewEngine(o Options) (*Engine, error) {
	switch {
	case o.Jitter < 0 || o.Jitter >= 1:
		return nil, fmt.Errorf("delivery: jitter %v is outside [0, 1)", o.Jitter)
	case o.TimeScale < 0:
		return nil, fmt.Errorf("delivery: negative time scale %v", o.TimeScale)
	case o.Workers < 0 || o.QueueSize < 0 || o.Retention < 0:
		return nil, errors.New("delivery: workers, queue size and retention cannot be negative")
	case o.Sender.DenyPrivate && o.Sender.Transport != nil:
		// A transport of the caller's dials as it likes: the check could
		// not be kept.
		return nil, errors.New("delivery: DenyPrivate needs the default transport, not a Transport of its own")
	}
	for i, d := range o.Schedule {
		if d < 0 {
			return nil, fmt.Errorf("delivery: retry schedule item %d (%s) is negative", i+1, d)
		}
	}
	// A copy: the caller's slice (or DefaultSchedule) may change later.
	p := retryPolicy{schedule: slices.Clone(o.Schedule), jitter: o.Jitter, timeScale: o.TimeScale}
	if p.schedule == nil {
		p.schedule = slices.Clone(DefaultSchedule)
	}
	if p.jitter == 0 {
		p.jitter = defaultJitter
	}
	if o.NoJitter {
		p.jitter = 0
	}
	if p.timeScale == 0 {
		p.timeScale = 1
	}
	m, err := newMetrics(o.Registerer)
	if err != nil {
		return nil, fmt.Errorf("delivery: metrics: %w", err)
	}
	e := &Engine{
		sender:   wire.NewSender(o.Sender),
		policy:   p,
		workers:  cmpOr(o.Workers, defaultWorkers),
		queueSz:  cmpOr(o.QueueSize, defaultQueueSize),
		keep:     cmpOr(o.Retention, defaultRetention),
		journal:  o.Journal,
		logger:   o.Logger,
		metrics:  m,
		onChange: o.OnChange,
		byID:     map[string]*record{},
		log:      list.New(),
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	e.cond = sync.NewCond(&e.mu)
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Sender returns the engine's sender, for one-off sends outside the queue.
func (e *Engine) Sender() *Sender { return e.sender }

// Start loads the journal, rebuilds the delivery log from it, turns the
// attempts a previous run left in flight into "interrupted" failures,
// resumes the pending deliveries (those already due at once) and starts the
// workers. ctx bounds the start only; Close stops the engine.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	switch {
	case e.closed:
		e.mu.Unlock()
		return ErrClosed
	case e.started:
		e.mu.Unlock()
		return errors.New("delivery: engine already started")
	}
	e.started = true
	e.mu.Unlock()

	if err := e.resume(ctx); err != nil {
		e.mu.Lock()
		e.started = false
		e.mu.Unlock()
		return err
	}
	e.wg.Add(e.workers)
	for range e.workers {
		go e.work()
	}
	return nil
}

// Enqueue accepts a delivery: it needs URL, Secret, Body and EventType,
// gets an ID ("dlv_…") if it has none, and is journaled before Enqueue
// returns. The copy returned is pending.
func (e *Engine) Enqueue(d Delivery) (Delivery, error) {
	if err := validate(d); err != nil {
		return Delivery{}, err
	}
	if d.ID == "" {
		d.ID = wire.NewDeliveryID()
	}
	if d.EventID == "" {
		d.EventID = wire.NewEventID()
	}
	now := time.Now()
	d.CreatedAt = now
	d.Status = StatusPending
	d.NextAttemptAt = &now
	d.Attempts = []Attempt{}

	e.mu.Lock()
	err := e.admitLocked(d.ID)
	e.mu.Unlock()
	if err != nil {
		return Delivery{}, err
	}
	// Journaled before any worker can see it, so that the journal's
	// first write of a delivery is always its creation.
	if e.journal != nil {
		if err := e.journal.SaveDelivery(d); err != nil {
			return Delivery{}, fmt.Errorf("delivery: journal: %w", err)
		}
	}
	r := &record{d: d}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.admitLocked(d.ID); err != nil {
		// Closed or filled up meanwhile; a duplicate id's journal entry
		// belongs to the other delivery.
		if !errors.Is(err, ErrDuplicateID) && e.journal != nil {
			_ = e.journal.DeleteDelivery(d.ID) // best effort: a stale entry would be resumed, not lost
		}
		return Delivery{}, err
	}
	e.addLocked(r)
	e.ready.push(r)
	e.cond.Signal()
	d = r.snapshot()
	e.notify(d)
	return d, nil
}

// ErrDuplicateID is Enqueue's error for an id already in the log.
var ErrDuplicateID = errors.New("delivery: a delivery with this id exists")

// admitLocked says whether a new delivery can be queued now.
func (e *Engine) admitLocked(id string) error {
	switch {
	case e.closed:
		return ErrClosed
	case e.ready.len() >= e.queueSz:
		return ErrQueueFull
	case e.byID[id] != nil:
		return fmt.Errorf("%w: %s", ErrDuplicateID, id)
	}
	return nil
}

// validate checks what a delivery needs to be sent.
func validate(d Delivery) error {
	switch {
	case d.URL == "":
		return errors.New("delivery: URL is required")
	case d.Secret == "":
		return errors.New("delivery: Secret is required")
	case len(d.Body) == 0:
		return errors.New("delivery: Body is required")
	case d.EventType == "":
		return errors.New("delivery: EventType is required")
	}
	if _, err := endpoint.ParseHTTP(d.URL); err != nil {
		return fmt.Errorf("delivery: URL %q: %w", wire.RedactURL(d.URL), err)
	}
	return nil
}

// Get returns a copy of the delivery with that id.
func (e *Engine) Get(id string) (Delivery, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.byID[id]
	if !ok {
		return Delivery{}, false
	}
	return r.snapshot(), true
}

// List returns copies of the deliveries to a webhook ("" for all), oldest
// first.
func (e *Engine) List(webhookID string) []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []Delivery{}
	for el := e.log.Front(); el != nil; el = el.Next() {
		r := el.Value.(*record)
		if webhookID == "" || r.d.WebhookID == webhookID {
			out = append(out, r.snapshot())
		}
	}
	return out
}

// Reset drops the delivery log and all pending work, from memory and the
// journal. Attempts in flight finish unrecorded.
func (e *Engine) Reset() {
	e.mu.Lock()
	dropped := make([]*record, 0, e.log.Len())
	for el := e.log.Front(); el != nil; el = el.Next() {
		dropped = append(dropped, el.Value.(*record))
	}
	e.byID = map[string]*record{}
	e.log.Init()
	e.ready = fifo{}
	e.waiting = nil
	e.finished = fifo{}
	e.mu.Unlock()
	e.drop(dropped)
}

// Close stops taking work and stops the retry timers, then waits for the
// attempts in flight to finish and be recorded. If ctx ends first, those
// attempts are cancelled (and recorded as interrupted) and Close returns
// ctx's error. Pending deliveries stay in the journal for the next Start.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	if e.timer != nil {
		e.timer.Stop()
	}
	e.cond.Broadcast()
	e.mu.Unlock()

	done := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		e.cancel()
		return nil
	case <-ctx.Done():
		e.cancel()
		<-done // cancelled attempts return at once
		return ctx.Err()
	}
}

// addLocked puts a record in the log.
func (e *Engine) addLocked(r *record) {
	r.elem = e.log.PushBack(r)
	e.byID[r.d.ID] = r
}

// currentLocked reports whether r is still in the log (Reset or retention may
// have dropped it while an attempt was in flight).
func (e *Engine) currentLocked(r *record) bool { return e.byID[r.d.ID] == r }

// scheduleLocked queues r for an attempt at the given time.
func (e *Engine) scheduleLocked(r *record, at time.Time) {
	if !at.After(time.Now()) {
		e.ready.push(r)
		e.cond.Signal()
		return
	}
	r.due = at
	e.waiting.add(r)
	if first, _ := e.waiting.next(); first == r {
		e.armLocked()
	}
}

// armLocked sets the timer for the earliest waiting delivery.
func (e *Engine) armLocked() {
	first, ok := e.waiting.next()
	if !ok || e.closed {
		return
	}
	d := time.Until(first.due)
	if e.timer == nil {
		e.timer = time.AfterFunc(d, e.wake)
		return
	}
	e.timer.Reset(d)
}

// wake moves the deliveries that are due to the ready queue.
func (e *Engine) wake() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	now := time.Now()
	for {
		r, ok := e.waiting.popDue(now)
		if !ok {
			break
		}
		e.ready.push(r)
		e.cond.Signal()
	}
	e.armLocked()
}

// finishLocked notes that r reached a final status, and returns the
// deliveries retention evicts in consequence.
func (e *Engine) finishLocked(r *record) []*record {
	e.finished.push(r)
	var evicted []*record
	for e.finished.len() > e.keep {
		old := e.finished.pop()
		if !e.currentLocked(old) {
			continue
		}
		e.log.Remove(old.elem)
		delete(e.byID, old.d.ID)
		evicted = append(evicted, old)
	}
	return evicted
}

// save writes a snapshot of r to the journal, unless r left the log.
func (e *Engine) save(r *record, d Delivery) {
	if e.journal == nil {
		return
	}
	r.jmu.Lock()
	defer r.jmu.Unlock()
	if r.dropped {
		return
	}
	if err := e.journal.SaveDelivery(d); err != nil {
		e.logger.Error("delivery journal write failed", "delivery", d.ID, "err", err)
	}
}

// drop removes records that left the log from the journal.
func (e *Engine) drop(rs []*record) {
	for _, r := range rs {
		r.jmu.Lock()
		r.dropped = true
		if e.journal != nil {
			if err := e.journal.DeleteDelivery(r.d.ID); err != nil {
				e.logger.Error("delivery journal delete failed", "delivery", r.d.ID, "err", err)
			}
		}
		r.jmu.Unlock()
	}
}

// snapshot returns a copy of the delivery that shares nothing mutable
// with the record.
func (r *record) snapshot() Delivery {
	d := r.d
	d.Attempts = make([]Attempt, len(r.d.Attempts))
	copy(d.Attempts, r.d.Attempts)
	return d
}

// logURL is a delivery URL fit for logs: no credentials, query or
// fragment, which may carry tokens.
func logURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
