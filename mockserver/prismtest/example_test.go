package prismtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prismhook/prismhook/mockserver/prismtest"
	"github.com/prismhook/prismhook/webhook"
)

// A receiver built on the webhook package gets a real, signed delivery from
// the mock: register it, start a generation, wait for the event.
func Example() {
	// In a test this is the test's *testing.T; an Example has none, so a
	// stand-in plays its part.
	t := &exampleT{}
	defer t.cleanup()

	srv := prismtest.NewServer(t)

	// The receiver's address is known before it serves, so that it can be
	// registered first and started with the secret the mock returns.
	received := make(chan *webhook.Event, 1)
	rcv := httptest.NewUnstartedServer(nil)
	_, secret := srv.CreateWebhook("http://"+rcv.Listener.Addr().String()+"/webhooks/prism", webhook.EventCompleted)
	rcv.Config.Handler = webhook.Middleware(secret)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := webhook.DeliveryFrom(r.Context())
		received <- d.Event
		w.WriteHeader(http.StatusNoContent)
	}))
	rcv.Start()
	defer rcv.Close()

	genID := srv.CreateVideo("A serene mountain lake at sunset")
	ev := <-received
	fmt.Println(ev.Event, ev.Data.Status, ev.Data.ID == genID)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	deliveries, err := srv.WaitDelivered(ctx, genID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(deliveries[0].Status, "after", len(deliveries[0].Attempts), "attempt")
	// Output:
	// video.completed completed true
	// delivered after 1 attempt
}

// exampleT is the part of testing.TB that NewServer uses.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                      {}
func (t *exampleT) Cleanup(f func())             { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(f string, args ...any) { fmt.Printf(f+"\n", args...) }
func (t *exampleT) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }

func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
