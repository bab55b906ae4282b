package prismtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/prismtest"
	"github.com/prismhook/prismhook/webhook"
)

// A long generation delay keeps a generation unfinished, which a test of
// "the event has not come yet" needs; the running mock (Server.Mock)
// answers the API in-process, without a network round trip.
func TestWithGenerationDelayAndMock(t *testing.T) {
	srv := prismtest.NewServer(t, prismtest.WithGenerationDelay(time.Hour))
	receiver(t, srv, func(*webhook.Delivery) int { return http.StatusOK })
	gen := srv.CreateVideo("a lake")

	// With the default delay the event would be delivered well within this.
	ds, err := srv.WaitDelivered(waitCtx(t, 300*time.Millisecond), gen)
	if !errors.Is(err, context.DeadlineExceeded) || len(ds) != 0 {
		t.Fatalf("WaitDelivered = %v, %v; want no delivery while the generation runs", ds, err)
	}

	var mock *mockserver.Server = srv.Mock()
	req := httptest.NewRequest(http.MethodGet, "/v1/videos/"+gen, nil)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	rec := httptest.NewRecorder()
	mock.Handler().ServeHTTP(rec, req)
	var video struct{ ID, Status string }
	if err := json.Unmarshal(rec.Body.Bytes(), &video); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/videos/%s = %d %s (%v)", gen, rec.Code, rec.Body, err)
	}
	if video.ID != gen || video.Status == "completed" || video.Status == "failed" {
		t.Errorf("video = %+v, want %s still running", video, gen)
	}
}

// Real time (scale 1) keeps Prism's first retry 10 s away, so a failed
// first attempt stays the only one for the length of this test.
func TestWithTimeScale(t *testing.T) {
	srv := prismtest.NewServer(t, prismtest.WithTimeScale(1))
	receiver(t, srv, func(*webhook.Delivery) int { return http.StatusInternalServerError })
	gen := srv.CreateVideo("a lake")

	// With the default scale the retries would come after 10 ms, 60 ms …
	ds, err := srv.WaitDelivered(waitCtx(t, 400*time.Millisecond), gen)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitDelivered error = %v, want the context's deadline", err)
	}
	if len(ds) != 1 || ds[0].Status != delivery.StatusPending || len(ds[0].Attempts) != 1 {
		t.Fatalf("deliveries = %+v, want one pending delivery after its first attempt", ds)
	}
	if a := ds[0].Attempts[0]; a.Status != http.StatusInternalServerError {
		t.Errorf("first attempt status = %d, want 500", a.Status)
	}
}

// WithOptions reaches settings that have no option of their own, here the
// per-attempt timeout: a receiver slower than it fails with a timeout.
func TestWithOptions(t *testing.T) {
	srv := prismtest.NewServer(t,
		prismtest.WithRetrySchedule(5*time.Millisecond),
		prismtest.WithOptions(func(o *mockserver.Options) { o.Delivery.Sender.Timeout = 50 * time.Millisecond }),
	)
	receiver(t, srv, func(d *webhook.Delivery) int {
		time.Sleep(time.Second) // longer than the timeout set above, shorter than the default
		return http.StatusOK
	})
	gen := srv.CreateVideo("a lake")
	ds, err := srv.WaitDelivered(waitCtx(t, 10*time.Second), gen)
	if err == nil || !strings.Contains(err.Error(), "failed after 2 attempts") {
		t.Fatalf("WaitDelivered error = %v, want the delivery failed after 2 attempts", err)
	}
	for _, a := range ds[0].Attempts {
		if a.ErrorKind != wire.ErrKindTimeout {
			t.Errorf("attempt %d: error kind %q (%s), want timeout", a.N, a.ErrorKind, a.Error)
		}
	}
}
