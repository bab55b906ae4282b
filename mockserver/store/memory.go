package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// memory is the default Store: maps behind one lock. Values are copied on
// the way in and out, so a caller that keeps or changes a slice it passed or
// got back cannot change what the store holds.
type memory struct {
	mu       sync.RWMutex
	seq      uint64 // creation order of webhooks
	webhooks map[string]memoryWebhook
	gens     map[string]Generation
}

type memoryWebhook struct {
	w   Webhook
	seq uint64
}

// NewMemory returns an empty in-memory Store.
func NewMemory() Store {
	return &memory{
		webhooks: make(map[string]memoryWebhook),
		gens:     make(map[string]Generation),
	}
}

func (m *memory) CreateWebhook(w Webhook) error {
	if w.ID == "" {
		return errNoID
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.webhooks[w.ID]; ok {
		return fmt.Errorf("store: webhook %s already exists", w.ID)
	}
	m.seq++
	m.webhooks[w.ID] = memoryWebhook{w: cloneWebhook(w), seq: m.seq}
	return nil
}

func (m *memory) Webhook(id string) (Webhook, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.webhooks[id]
	if !ok {
		return Webhook{}, notFound("webhook", id)
	}
	return cloneWebhook(e.w), nil
}

func (m *memory) Webhooks(owner string) ([]Webhook, error) {
	return m.matching(func(w Webhook) bool { return w.Owner == owner }), nil
}

func (m *memory) Subscribers(owner, event string) ([]Webhook, error) {
	return m.matching(func(w Webhook) bool { return subscribed(w, owner, event) }), nil
}

// matching returns copies of the webhooks that keep selects, oldest first.
func (m *memory) matching(keep func(Webhook) bool) []Webhook {
	m.mu.RLock()
	var found []memoryWebhook
	for _, e := range m.webhooks {
		if keep(e.w) {
			found = append(found, e)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(found, func(a, b memoryWebhook) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]Webhook, len(found))
	for i, e := range found {
		out[i] = cloneWebhook(e.w)
	}
	return out
}

func (m *memory) DeleteWebhook(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.webhooks[id]; !ok {
		return notFound("webhook", id)
	}
	delete(m.webhooks, id)
	return nil
}

func (m *memory) PutGeneration(g Generation) error {
	if g.ID == "" {
		return errNoID
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gens[g.ID] = cloneGeneration(g)
	return nil
}

func (m *memory) Generation(id string) (Generation, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	g, ok := m.gens[id]
	if !ok {
		return Generation{}, notFound("generation", id)
	}
	return cloneGeneration(g), nil
}

func (m *memory) Unfinished() ([]Generation, error) {
	m.mu.RLock()
	var out []Generation
	for _, g := range m.gens {
		if !g.Emitted {
			out = append(out, cloneGeneration(g))
		}
	}
	m.mu.RUnlock()
	sortGenerations(out)
	return out, nil
}

func (m *memory) Reset() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.webhooks)
	clear(m.gens)
	return nil
}

// Close does nothing: there is nothing to release.
func (m *memory) Close() error { return nil }

// Helpers shared by the implementations.

var errNoID = errors.New("store: id is required")

func notFound(kind, id string) error { return fmt.Errorf("%w: %s %s", ErrNotFound, kind, id) }

func subscribed(w Webhook, owner, event string) bool {
	return w.Owner == owner && slices.Contains(w.Events, event)
}

func cloneWebhook(w Webhook) Webhook {
	w.Events = slices.Clone(w.Events)
	return w
}

func cloneGeneration(g Generation) Generation {
	if g.Error != nil {
		e := *g.Error
		g.Error = &e
	}
	return g
}

// sortGenerations orders generations oldest first, by id among equals so
// that the order is stable.
func sortGenerations(gs []Generation) {
	slices.SortFunc(gs, func(a, b Generation) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}
