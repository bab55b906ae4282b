package inspector

import (
	"sync"
)

// Event is a change the page shows: a delivery, webhook, generation or
// check run that was created or changed, or a reset of everything.
type Event struct {
	Kind  string // "delivery", "webhook", "generation", "check", "reset"
	ID    string
	Owner string // the API key owner of the object; "" when not owned
}

// subscriberBuffer is how many events a slow page may fall behind before
// it is told to reload its lists instead.
const subscriberBuffer = 256

// maxSubscribers bounds the pages listening at once.
const maxSubscribers = 64

// Hub fans events out to the pages that listen (server-sent events). It is
// safe for concurrent use; Publish never blocks.
type Hub struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
	done   chan struct{}
}

// NewHub returns a hub without listeners.
func NewHub() *Hub {
	return &Hub{subs: map[chan Event]struct{}{}, done: make(chan struct{})}
}

// Publish sends e to every listener; one that is full gets a "reset"
// instead, which makes its page reload what it shows.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- e:
		default:
			// Full: drop the oldest to make room for a resync.
			select {
			case <-c:
			default:
			}
			select {
			case c <- Event{Kind: "reset"}:
			default:
			}
		}
	}
}

// subscribe returns a channel of events and its cancel function; ok is
// false once the hub is closed or has maxSubscribers listeners.
func (h *Hub) subscribe() (<-chan Event, func(), bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || len(h.subs) >= maxSubscribers {
		return nil, nil, false
	}
	c := make(chan Event, subscriberBuffer)
	h.subs[c] = struct{}{}
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}, true
}

// Close ends every event stream, so that a server shutting down is not
// held up by open pages. It is safe to call more than once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}
