package inspector

import "testing"

func TestHubSlowListenerGetsReset(t *testing.T) {
	h := NewHub()
	c, cancel, ok := h.subscribe()
	if !ok {
		t.Fatal("cannot subscribe")
	}
	defer cancel()
	for range subscriberBuffer + 10 {
		h.Publish(Event{Kind: "delivery", ID: "dlv_x"})
	}
	var last Event
	for len(c) > 0 {
		last = <-c
	}
	if last.Kind != "reset" {
		t.Errorf("a listener that fell behind last got %+v, want a reset", last)
	}
	h.Close()
	h.Close()
	if _, _, ok := h.subscribe(); ok {
		t.Error("subscribed to a closed hub")
	}
}

func TestHubBoundsListeners(t *testing.T) {
	h := NewHub()
	for i := range maxSubscribers {
		if _, _, ok := h.subscribe(); !ok {
			t.Fatalf("listener %d refused", i+1)
		}
	}
	if _, _, ok := h.subscribe(); ok {
		t.Error("more than maxSubscribers listeners")
	}
}
