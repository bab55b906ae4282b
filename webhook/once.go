package webhook

import (
	"container/list"
	"sync"
)

// DefaultOnceSize is the number of keys NewOnce remembers when given 0.
const DefaultOnceSize = 100_000

// Once remembers the events a receiver has taken on, so that each is
// processed once. Prism delivers an event again when it did not see the
// answer in time, and that redelivery can arrive while the first one is
// still being processed: First records a key and says whether it is new in
// one step, so two concurrent deliveries can never both be first (a
// "have I seen it?" followed by "now I have" lets both through).
//
// It is bounded: when full, the key least recently seen is forgotten. It is
// in memory; a receiver with several instances needs the same idea in a
// shared store (a unique key in a database, SET NX in Redis).
type Once struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent
	index map[string]*list.Element
}

// NewOnce returns an empty set that remembers up to max keys
// (DefaultOnceSize when max <= 0).
func NewOnce(max int) *Once {
	if max <= 0 {
		max = DefaultOnceSize
	}
	return &Once{max: max, order: list.New(), index: make(map[string]*list.Element)}
}

// First records key and reports whether it was new.
func (o *Once) First(key string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.index[key]; ok {
		o.order.MoveToFront(e)
		return false
	}
	o.index[key] = o.order.PushFront(key)
	if o.order.Len() > o.max {
		oldest := o.order.Back()
		o.order.Remove(oldest)
		delete(o.index, oldest.Value.(string))
	}
	return true
}

// Forget removes key, so that the next delivery of its event is first
// again: call it when processing failed for good, or when the event could
// not even be queued.
func (o *Once) Forget(key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.index[key]; ok {
		o.order.Remove(e)
		delete(o.index, key)
	}
}

// OnceKey identifies an event for Once: its type and the generation it is
// about, which every delivery of the event shares (X-Prism-Delivery does
// not: each delivery has its own). It is "" for an event without
// data.id, which cannot be told apart from others.
func (e *Event) OnceKey() string {
	if e.Data.ID == "" {
		return ""
	}
	return e.Event + "\x00" + e.Data.ID
}
