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
//
// Each owner's webhook ids are kept in creation order, so that listing an
// owner's webhooks or finding its subscribers reads only that owner's
// webhooks, however many other keys have.
type memory struct {
	mu       sync.RWMutex
	webhooks map[string]Webhook
	owners   map[string]*ownerWebhooks
	events   map[string]string // event names seen, to share one copy of each
	gens     map[string]Generation
}

// maxEventNames bounds the event names the store keeps one copy of. The API
// accepts only the event types of its document; this is for other callers.
const maxEventNames = 256

type ownerWebhooks struct {
	owner string   // shared by the owner's stored webhooks
	ids   []string // oldest first
}

// NewMemory returns an empty in-memory Store.
func NewMemory() Store {
	return &memory{
		webhooks: make(map[string]Webhook),
		owners:   make(map[string]*ownerWebhooks),
		events:   make(map[string]string),
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
	o := m.owners[w.Owner]
	if o == nil {
		o = &ownerWebhooks{owner: w.Owner}
		m.owners[w.Owner] = o
	}
	w = m.compact(w, o.owner)
	o.ids = append(o.ids, w.ID)
	m.webhooks[w.ID] = w
	return nil
}

// compact returns a copy of w made of few objects: its id, URL and secret in
// one allocation, its owner and event names shared with the webhooks that
// have the same. The garbage collector traces every object the store keeps,
// every cycle: with hundreds of thousands of webhooks that is most of its
// work, and two objects per webhook cost a third of six.
func (m *memory) compact(w Webhook, owner string) Webhook {
	s := w.ID + w.URL + w.Secret
	w.ID, s = s[:len(w.ID)], s[len(w.ID):]
	w.URL, w.Secret = s[:len(w.URL)], s[len(w.URL):]
	w.Owner = owner
	events := make([]string, len(w.Events))
	for i, e := range w.Events {
		if name, ok := m.events[e]; ok {
			e = name
		} else if len(m.events) < maxEventNames {
			m.events[e] = e
		}
		events[i] = e
	}
	w.Events = events
	return w
}

func (m *memory) Webhook(id string) (Webhook, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	w, ok := m.webhooks[id]
	if !ok {
		return Webhook{}, notFound("webhook", id)
	}
	return cloneWebhook(w), nil
}

func (m *memory) Webhooks(owner string) ([]Webhook, error) {
	return m.owned(owner, func(Webhook) bool { return true }), nil
}

func (m *memory) AllWebhooks() ([]Webhook, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Webhook, 0, len(m.webhooks))
	for _, w := range m.webhooks {
		out = append(out, cloneWebhook(w))
	}
	slices.SortFunc(out, func(a, b Webhook) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

func (m *memory) Subscribers(owner, event string) ([]Webhook, error) {
	return m.owned(owner, func(w Webhook) bool { return subscribed(w, owner, event) }), nil
}

// owned returns copies of the owner's webhooks that keep selects, oldest
// first.
func (m *memory) owned(owner string, keep func(Webhook) bool) []Webhook {
	m.mu.RLock()
	defer m.mu.RUnlock()
	o := m.owners[owner]
	if o == nil {
		return []Webhook{}
	}
	out := make([]Webhook, 0, len(o.ids))
	for _, id := range o.ids {
		if w := m.webhooks[id]; keep(w) {
			out = append(out, cloneWebhook(w))
		}
	}
	return out
}

func (m *memory) DeleteWebhook(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.webhooks[id]
	if !ok {
		return notFound("webhook", id)
	}
	delete(m.webhooks, id)
	o := m.owners[w.Owner]
	if i := slices.Index(o.ids, id); i >= 0 {
		o.ids = slices.Delete(o.ids, i, i+1)
	}
	if len(o.ids) == 0 {
		delete(m.owners, w.Owner)
	}
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
	clear(m.owners)
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
