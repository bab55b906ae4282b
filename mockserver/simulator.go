package mockserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prismhook/prismhook/internal/artifacts"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// failMarker in a prompt makes its generation fail: a way to get a
// video.failed event without the control API.
const failMarker = "[fail]"

// generationError is what a failed generation reports.
var generationError = webhook.Error{Code: "provider_error", Message: "The provider could not generate this video."}

// simulator runs generations: queued, processing after half the delay,
// then the outcome chosen at creation, whose event is handed to the
// delivery engine for every subscribed webhook of the owner. Each
// generation in progress is a goroutine sleeping until its next step.
type simulator struct {
	store  store.Store
	engine *delivery.Engine
	delay  time.Duration
	logger *slog.Logger

	mu     sync.Mutex
	forced string // outcome of the next generation; "" = the default
	// forcedFor holds forced outcomes per owner, for a mock whose control
	// API is scoped to the caller's API key (see Server.scoped); forced is
	// unused then.
	forcedFor map[string]string
	perOwner  bool

	// forwardID is the webhook of serve --forward-to; with forwardAll
	// (no API keys) it gets every generation's event, whoever owns it.
	forwardID  atomic.Pointer[string]
	forwardAll atomic.Bool

	// state is held for reading by each step that writes a generation or
	// enqueues deliveries, and for writing by reset and close, so that no
	// step of a cancelled run lands after them.
	state  sync.RWMutex
	ctx    context.Context // cancelled by reset (then replaced) and close
	cancel context.CancelFunc
	closed bool
	wg     sync.WaitGroup
	// stopping is set by close before it waits for the state lock, so that
	// an emit fanning out to many webhooks (each enqueue journaled) stops
	// between two of them instead of holding the shutdown up; what it did
	// not enqueue is emitted again at the next start.
	stopping atomic.Bool
}

func newSimulator(st store.Store, e *delivery.Engine, delay time.Duration, logger *slog.Logger) *simulator {
	s := &simulator{store: st, engine: e, delay: delay, logger: logger}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// forceNext makes the next generation end in outcome.
func (s *simulator) forceNext(outcome string) {
	s.mu.Lock()
	s.forced = outcome
	s.mu.Unlock()
}

// forceNextFor makes the owner's next generation end in outcome, when
// outcomes are forced per owner; otherwise it is forceNext.
func (s *simulator) forceNextFor(owner, outcome string) {
	if !s.perOwner {
		s.forceNext(outcome)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if outcome == "" {
		delete(s.forcedFor, owner)
		return
	}
	if s.forcedFor == nil {
		s.forcedFor = make(map[string]string)
	}
	s.forcedFor[owner] = outcome
}

// outcomeFor chooses a new generation's outcome: forced, else failed for a
// prompt with the fail marker, else completed.
func (s *simulator) outcomeFor(owner, prompt string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.forcedFor[owner]; s.perOwner && o != "" {
		delete(s.forcedFor, owner)
		return o
	}
	if o := s.forced; !s.perOwner && o != "" {
		s.forced = ""
		return o
	}
	if strings.Contains(strings.ToLower(prompt), failMarker) {
		return store.GenFailed
	}
	return store.GenCompleted
}

// create stores a queued generation and starts it. base is the public URL
// its artifacts will be served under.
func (s *simulator) create(owner, prompt, provider string, duration int, base string) (store.Generation, error) {
	now := time.Now().UTC()
	g := store.Generation{
		ID:        wire.NewID("gen_"),
		Owner:     owner,
		Prompt:    prompt,
		Provider:  provider,
		Duration:  duration,
		Status:    store.GenQueued,
		Outcome:   s.outcomeFor(owner, prompt),
		EventID:   wire.NewEventID(), // stored with it: a restart must emit the same event
		CreatedAt: now,
		UpdatedAt: now,
	}
	if g.Outcome == store.GenCompleted {
		// Known now, shown once completed; kept so that a restart serves
		// the same URLs.
		g.VideoURL = base + artifacts.VideoPath(g.ID)
		g.ThumbnailURL = base + artifacts.ThumbnailPath(g.ID)
	}
	s.state.RLock()
	defer s.state.RUnlock()
	if s.closed {
		return store.Generation{}, errors.New("the server is shutting down")
	}
	if err := s.store.PutGeneration(g); err != nil {
		return store.Generation{}, err
	}
	s.wg.Add(1)
	go s.run(s.ctx, g)
	return g, nil
}

// resume restarts the generations a previous run left unfinished.
func (s *simulator) resume() (int, error) {
	gens, err := s.store.Unfinished()
	if err != nil {
		return 0, err
	}
	s.state.RLock()
	defer s.state.RUnlock()
	if s.closed {
		return 0, nil
	}
	for _, g := range gens {
		s.wg.Add(1)
		go s.run(s.ctx, g)
	}
	return len(gens), nil
}

// run takes g from its current state to its emitted terminal event,
// sleeping until each step is due (at once for steps a restart found
// overdue).
func (s *simulator) run(ctx context.Context, g store.Generation) {
	defer s.wg.Done()
	for _, st := range []struct {
		from string
		at   time.Time
		to   string
	}{
		{store.GenQueued, g.CreatedAt.Add(s.delay / 2), store.GenProcessing},
		{store.GenProcessing, g.CreatedAt.Add(s.delay), g.Outcome},
	} {
		if g.Status != st.from {
			continue
		}
		var ok bool
		if !sleepUntil(ctx, st.at) {
			return
		}
		if g, ok = s.step(ctx, g, st.to); !ok {
			return
		}
	}
	if !g.Emitted {
		s.emit(ctx, g)
	}
}

// sleepUntil waits until t, and reports false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// step moves g to status and stores it.
func (s *simulator) step(ctx context.Context, g store.Generation, status string) (store.Generation, bool) {
	g.Status = status
	g.UpdatedAt = time.Now().UTC()
	if status == store.GenFailed {
		e := generationError
		g.Error = &e
	}
	return g, s.put(ctx, g)
}

// put stores g, unless the run was cancelled; it reports whether it did.
func (s *simulator) put(ctx context.Context, g store.Generation) bool {
	s.state.RLock()
	defer s.state.RUnlock()
	if ctx.Err() != nil {
		return false
	}
	if err := s.store.PutGeneration(g); err != nil {
		s.logger.Error("storing a generation", slog.String("generation_id", g.ID), slog.String("error", err.Error()))
		return false
	}
	return true
}

// emit hands g's event to the engine for every subscribed webhook, then
// marks g emitted. The deliveries share g's event id and the same bytes.
// A full queue is waited out; if the server stops first, g stays
// unemitted and the next start emits it again, under the same event id:
// delivery is at least once, and a receiver can tell a repeat.
func (s *simulator) emit(ctx context.Context, g store.Generation) {
	eventType := eventTypeFor(g.Status)
	body, err := eventBody(g, eventType, g.UpdatedAt)
	if err != nil {
		s.logger.Error("encoding an event", slog.String("generation_id", g.ID), slog.String("error", err.Error()))
		return
	}
	if g.EventID == "" {
		// Stored by a version that did not keep event ids: choose one and
		// store it before any delivery carries it.
		g.EventID = wire.NewEventID()
		if !s.put(ctx, g) {
			return
		}
	}
	done := map[string]bool{} // webhook ids enqueued
	const firstWait, maxWait = 50 * time.Millisecond, 5 * time.Second
	for wait := firstWait; ; wait = min(2*wait, maxWait) {
		finished, ok := s.enqueue(ctx, g, eventType, body, done)
		if finished || !ok {
			return
		}
		// Once per generation: under a long backlog every waiting
		// generation retries, and a line per retry would flood the log.
		level := slog.LevelDebug
		if wait == firstWait {
			level = slog.LevelWarn
		}
		s.logger.Log(ctx, level, "delivery queue full; waiting to emit", slog.String("generation_id", g.ID), slog.Duration("wait", wait))
		if !sleepUntil(ctx, time.Now().Add(wait)) {
			return
		}
	}
}

// enqueue enqueues the deliveries of g's event not done yet. It reports
// whether all are done (and g marked emitted), and false for ok when the
// run must stop.
func (s *simulator) enqueue(ctx context.Context, g store.Generation, eventType string, body []byte, done map[string]bool) (finished, ok bool) {
	s.state.RLock()
	defer s.state.RUnlock()
	if ctx.Err() != nil {
		return false, false
	}
	subs, err := s.store.Subscribers(g.Owner, eventType)
	if err != nil {
		s.logger.Error("listing subscribers", slog.String("generation_id", g.ID), slog.String("error", err.Error()))
		return false, false
	}
	subs = s.withForward(subs, eventType)
	full := false
	for _, w := range subs {
		if done[w.ID] {
			continue
		}
		if s.stopping.Load() {
			return false, false
		}
		_, err := s.engine.Enqueue(delivery.Delivery{
			ID:           eventDeliveryID(g.EventID, w.ID),
			WebhookID:    w.ID,
			Owner:        w.Owner,
			EventType:    eventType,
			EventID:      g.EventID,
			GenerationID: g.ID,
			URL:          w.URL,
			Secret:       w.Secret,
			Body:         body,
		})
		switch {
		case err == nil, errors.Is(err, delivery.ErrDuplicateID):
			// A duplicate was enqueued before a restart interrupted the
			// emit: it is resumed from the journal, not sent twice.
			done[w.ID] = true
		case errors.Is(err, delivery.ErrQueueFull):
			full = true
		case errors.Is(err, delivery.ErrClosed):
			return false, false
		default:
			// Not retryable (the webhook cannot be delivered to at all).
			done[w.ID] = true
			s.logger.Error("enqueueing a delivery", slog.String("generation_id", g.ID),
				slog.String("webhook_id", w.ID), slog.String("error", err.Error()))
		}
	}
	if full {
		return false, true
	}
	g.Emitted = true
	if err := s.store.PutGeneration(g); err != nil {
		s.logger.Error("marking a generation emitted", slog.String("generation_id", g.ID), slog.String("error", err.Error()))
	}
	return true, true
}

// withForward adds the forward webhook to subs when it forwards every
// owner's events and is not among them.
func (s *simulator) withForward(subs []store.Webhook, eventType string) []store.Webhook {
	id := s.forwardID.Load()
	if id == nil || !s.forwardAll.Load() {
		return subs
	}
	for _, w := range subs {
		if w.ID == *id {
			return subs
		}
	}
	w, err := s.store.Webhook(*id)
	if err != nil || !slices.Contains(w.Events, eventType) {
		return subs // deleted meanwhile
	}
	return append(subs, w)
}

// reset stops every generation in progress and forgets all state: the
// store, the engine's log and pending work, the forced outcome.
func (s *simulator) reset() error {
	s.state.Lock()
	defer s.state.Unlock()
	s.cancel()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.forceNext("")
	s.mu.Lock()
	s.forcedFor = nil
	s.mu.Unlock()
	s.engine.Reset()
	return s.store.Reset()
}

// close stops every generation in progress and waits for their goroutines.
// Their state stays in the store for the next start.
func (s *simulator) close() {
	s.stopping.Store(true)
	s.state.Lock()
	s.closed = true
	s.cancel()
	s.state.Unlock()
	s.wg.Wait()
}

func eventTypeFor(status string) string {
	if status == store.GenFailed {
		return webhook.EventFailed
	}
	return webhook.EventCompleted
}

// eventBody is the event as Prism sends it: compact JSON, timestamps in
// RFC 3339 UTC to the second, no HTML escaping (a receiver sees "&", not
// "\u0026"). Completed events carry the URLs, failed ones the error.
func eventBody(g store.Generation, eventType string, at time.Time) ([]byte, error) {
	ev := webhook.Event{
		Event:     eventType,
		Timestamp: at.UTC().Truncate(time.Second),
		Data: webhook.Data{
			ID:        g.ID,
			Status:    store.GenCompleted,
			Prompt:    g.Prompt,
			Provider:  g.Provider,
			Duration:  g.Duration,
			CreatedAt: g.CreatedAt.UTC().Truncate(time.Second),
		},
	}
	if eventType == webhook.EventFailed {
		ev.Data.Status = store.GenFailed
		e := generationError
		if g.Error != nil {
			e = *g.Error
		}
		ev.Data.Error = &e
	} else {
		ev.Data.VideoURL, ev.Data.ThumbnailURL = g.VideoURL, g.ThumbnailURL
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, fmt.Errorf("encoding event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// eventDeliveryID is the id of the delivery of an event to a webhook: the
// same on every emit of the event, so that an emit interrupted by a
// shutdown and repeated at the next start does not enqueue a second
// delivery for a webhook that already has one.
func eventDeliveryID(eventID, webhookID string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + webhookID))
	return "dlv_" + hex.EncodeToString(sum[:12])
}
