package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prismhook/prismhook/mockserver/prismtest"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/webhook"
)

const secret = "whsec_test_secret"

// The mock Prism API in a test, the httptest way: port 0, closed with the
// test, delays compressed; every webhook gets the secret chosen here.
func TestReceiverGetsCompletedEvent(t *testing.T) {
	prism := prismtest.NewServer(t, prismtest.WithWebhookSecret(secret))
	events := make(chan *webhook.Event, 10)
	receiver := httptest.NewServer(newHandler(secret, events))
	defer receiver.Close()
	prism.CreateWebhook(receiver.URL+"/webhooks/prism", webhook.EventCompleted)

	gen := prism.CreateVideo("A serene mountain lake at sunset")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	deliveries, err := prism.WaitDelivered(ctx, gen)
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveries[0].Attempts[0].Status; got != http.StatusAccepted {
		t.Errorf("first attempt answered %d, want 202", got)
	}
	if ev := <-events; ev.Event != webhook.EventCompleted || ev.Data.ID != gen {
		t.Errorf("queued %s for %s, want video.completed for %s", ev.Event, ev.Data.ID, gen)
	}
}

// The conformance checks from go test, results as values.
func TestConformance(t *testing.T) {
	events := make(chan *webhook.Event, 1000)
	go func() {
		for range events { // this test does not look at them
		}
	}()
	receiver := httptest.NewServer(newHandler(secret, events))
	defer receiver.Close()

	rep, err := suites.Run(t.Context(), suites.Config{URL: receiver.URL + "/webhooks/prism", Secret: secret, Profile: "core"})
	if err != nil {
		t.Fatal(err) // *suites.SetupError: not reachable, bad configuration
	}
	if suites.ExitCode(rep) != 0 {
		for _, c := range rep.Checks {
			t.Logf("%s %s: %s", c.ID, c.Outcome, c.Reason)
		}
		t.Error("the receiver does not conform to the core profile")
	}
}
