package prismtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/prismtest"
	"github.com/prismhook/prismhook/webhook"
)

// receiver registers a webhook on srv for events and serves it with
// answer, which sees only verified deliveries.
func receiver(t *testing.T, srv *prismtest.Server, answer func(*webhook.Delivery) int, events ...string) (webhookID string) {
	t.Helper()
	rcv := httptest.NewUnstartedServer(nil)
	id, secret := srv.CreateWebhook("http://"+rcv.Listener.Addr().String()+"/hook", events...)
	rcv.Config.Handler = webhook.Middleware(secret)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := webhook.DeliveryFrom(r.Context())
		w.WriteHeader(answer(d))
	}))
	rcv.Start()
	t.Cleanup(rcv.Close)
	return id
}

func waitCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestForcedFailureIsDelivered(t *testing.T) {
	srv := prismtest.NewServer(t)
	got := make(chan *webhook.Event, 1)
	receiver(t, srv, func(d *webhook.Delivery) int { got <- d.Event; return http.StatusOK })

	srv.ForceOutcome(prismtest.Failed)
	gen := srv.CreateVideo("a lake")
	ds, err := srv.WaitDelivered(waitCtx(t, 10*time.Second), gen)
	if err != nil {
		t.Fatal(err)
	}
	ev := <-got
	if ev.Event != webhook.EventFailed || ev.Data.ID != gen || ev.Data.Error == nil {
		t.Errorf("event = %+v, want video.failed for %s with an error", ev, gen)
	}
	if len(ds) != 1 || ds[0].EventType != webhook.EventFailed || ds[0].Status != delivery.StatusDelivered {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestRetriesAreRecorded(t *testing.T) {
	srv := prismtest.NewServer(t, prismtest.WithRetrySchedule(10*time.Millisecond, 10*time.Millisecond))
	var calls atomic.Int32
	id := receiver(t, srv, func(*webhook.Delivery) int {
		if calls.Add(1) == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	gen := srv.CreateVideo("a lake")
	if _, err := srv.WaitDelivered(waitCtx(t, 10*time.Second), gen); err != nil {
		t.Fatal(err)
	}
	ds := srv.Deliveries(id)
	if len(ds) != 1 {
		t.Fatalf("Deliveries(%s) = %d deliveries, want 1", id, len(ds))
	}
	var statuses []int
	for _, a := range ds[0].Attempts {
		statuses = append(statuses, a.Status)
	}
	if fmt.Sprint(statuses) != "[500 204]" {
		t.Errorf("attempt statuses = %v, want [500 204]", statuses)
	}
}

func TestWaitDeliveredReportsExhaustedDeliveries(t *testing.T) {
	srv := prismtest.NewServer(t, prismtest.WithRetrySchedule(5*time.Millisecond))
	receiver(t, srv, func(*webhook.Delivery) int { return http.StatusServiceUnavailable })
	gen := srv.CreateVideo("a lake")
	ds, err := srv.WaitDelivered(waitCtx(t, 10*time.Second), gen)
	if err == nil || !strings.Contains(err.Error(), "failed after 2 attempts") {
		t.Fatalf("WaitDelivered error = %v, want one saying the delivery failed after 2 attempts", err)
	}
	if len(ds) != 1 || ds[0].Status != delivery.StatusFailed {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestWaitDeliveredStopsWithItsContext(t *testing.T) {
	srv := prismtest.NewServer(t)
	// Subscribed to completed only: a failed generation is delivered nowhere.
	receiver(t, srv, func(*webhook.Delivery) int { return http.StatusOK }, webhook.EventCompleted)
	srv.ForceOutcome(prismtest.Failed)
	gen := srv.CreateVideo("a lake")
	ds, err := srv.WaitDelivered(waitCtx(t, 300*time.Millisecond), gen)
	if !errors.Is(err, context.DeadlineExceeded) || len(ds) != 0 {
		t.Fatalf("WaitDelivered = %v, %v; want no delivery and the context's error", ds, err)
	}
}

func TestAPIKeys(t *testing.T) {
	srv := prismtest.NewServer(t, prismtest.WithAPIKeys("sk_test_a", "sk_test_b"))
	if srv.APIKey() != "sk_test_a" {
		t.Errorf("APIKey = %q, want the first key", srv.APIKey())
	}
	for key, want := range map[string]int{"sk_test_b": http.StatusOK, "sk_test_c": http.StatusUnauthorized} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/v1/webhooks", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("key %s: status %d, want %d", key, resp.StatusCode, want)
		}
	}
	if id, secret := srv.CreateWebhook("https://example.com/hook"); !strings.HasPrefix(id, "wh_") || !strings.HasPrefix(secret, "whsec_") {
		t.Errorf("CreateWebhook = %q, %q", id, secret)
	}
}

func TestServerIsClosedWithTheTest(t *testing.T) {
	var url string
	t.Run("inner", func(t *testing.T) {
		url = prismtest.NewServer(t).URL()
	})
	_, err := http.Get(url + "/healthz")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("GET after the test ended: %v, want connection refused", err)
	}
}

// fatalT records the failure NewServer's helpers report.
type fatalT struct {
	testing.TB
	msg string
}

type fatal struct{}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatal{})
}
func (f *fatalT) Helper() {}

func TestHelpersFailTheTestWithTheAPIError(t *testing.T) {
	// t in all but Fatalf, which is recorded.
	ft := &fatalT{TB: t}
	srv := prismtest.NewServer(ft)
	func() {
		defer func() {
			if r := recover(); r != nil && r != (fatal{}) {
				panic(r)
			}
		}()
		srv.CreateWebhook("not-a-url")
	}()
	if !strings.Contains(ft.msg, "POST /v1/webhooks: 400") {
		t.Errorf("Fatalf message = %q, want the API's 400", ft.msg)
	}
}

// A receiver configured with its secret before its webhook exists, the way
// an application reads it from its configuration.
func TestWithWebhookSecret(t *testing.T) {
	const secret = "whsec_fixed_for_this_test"
	srv := prismtest.NewServer(t, prismtest.WithWebhookSecret(secret))
	got := make(chan string, 2) // one delivery for each webhook below
	rcv := httptest.NewServer(webhook.Middleware(secret)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := webhook.DeliveryFrom(r.Context())
		got <- d.Event.Data.ID
		w.WriteHeader(http.StatusNoContent)
	})))
	t.Cleanup(rcv.Close)

	id, returned := srv.CreateWebhook(rcv.URL + "/webhooks/prism")
	if returned != secret {
		t.Fatalf("CreateWebhook returned secret %q, want %q", returned, secret)
	}
	_, other := srv.CreateWebhook(rcv.URL + "/other")
	if other != secret {
		t.Errorf("a second webhook got secret %q, want %q", other, secret)
	}
	gen := srv.CreateVideo("a lake")
	ds, err := srv.WaitDelivered(waitCtx(t, 10*time.Second), gen)
	if err != nil {
		t.Fatal(err)
	}
	if seen := <-got; seen != gen {
		t.Errorf("receiver verified the event of %s, want %s", seen, gen)
	}
	for _, d := range ds {
		if d.WebhookID == id && d.Status != delivery.StatusDelivered {
			t.Errorf("delivery to %s: %s", id, d.Status)
		}
	}
}

// CreateWebhook's "both types when none are given" is the helper's; the
// API itself requires events, as Prism's does.
func TestCreateWebhookWithoutEventsSubscribesToBoth(t *testing.T) {
	srv := prismtest.NewServer(t)
	id, _ := srv.CreateWebhook("http://127.0.0.1:1/hook")
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/v1/webhooks/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var wh struct{ Events []string }
	err = json.NewDecoder(resp.Body).Decode(&wh)
	resp.Body.Close()
	if err != nil || strings.Join(wh.Events, ",") != "video.completed,video.failed" {
		t.Errorf("events = %v (%v), want both types", wh.Events, err)
	}

	req, _ = http.NewRequest(http.MethodPost, srv.URL()+"/v1/webhooks", strings.NewReader(`{"url": "http://127.0.0.1:1/hook"}`))
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /v1/webhooks without events: %s, want 400", resp.Status)
	}
}
