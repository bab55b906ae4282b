package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRedeliverEndsPendingRetries(t *testing.T) {
	var n atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer rc.Close()
	e, err := NewEngine(Options{Schedule: []time.Duration{500 * time.Millisecond}, NoJitter: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	d, err := e.Enqueue(Delivery{URL: rc.URL, Secret: "s", EventType: "video.completed", Body: []byte(`{}`), WebhookID: "wh_1"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := e.Get(d.ID)
		if len(got.Attempts) == 1 && !got.Attempts[0].InFlight {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no first attempt")
		}
		time.Sleep(5 * time.Millisecond)
	}
	got, x, err := e.Redeliver(context.Background(), d.ID)
	if err != nil || !x.OK() {
		t.Fatalf("redeliver: %v %+v", err, x)
	}
	if got.Status != StatusDelivered || len(got.Attempts) != 2 || !got.Attempts[1].Manual || got.NextAttemptAt != nil {
		t.Fatalf("after the redelivery: %+v", got)
	}
	time.Sleep(800 * time.Millisecond) // past the retry that was due
	if c := n.Load(); c != 2 {
		t.Errorf("the receiver got %d requests, want 2: the pending retry must not run", c)
	}
	if _, _, err := e.Redeliver(context.Background(), "dlv_unknown"); err != ErrNotFound {
		t.Errorf("unknown id: %v", err)
	}
}

func TestSendTestIsNotRetried(t *testing.T) {
	var n atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer rc.Close()
	e, _ := NewEngine(Options{Schedule: []time.Duration{10 * time.Millisecond}, NoJitter: true})
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	d, x, err := e.SendTest(context.Background(), Delivery{URL: rc.URL, Secret: "s", EventType: "video.completed", Body: []byte(`{}`)})
	if err != nil || x.Status != http.StatusUnauthorized {
		t.Fatalf("send: %v %+v", err, x)
	}
	if d.Status != StatusFailed || !d.Test || len(d.Attempts) != 1 || d.Attempts[0].Status != 401 {
		t.Fatalf("test delivery: %+v", d)
	}
	time.Sleep(100 * time.Millisecond)
	if c := n.Load(); c != 1 {
		t.Errorf("the receiver got %d requests, want 1", c)
	}
	if len(e.List("")) != 1 {
		t.Error("the test delivery is not in the log")
	}
}
