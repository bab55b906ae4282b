// Package prismtest runs the mock Prism API inside a Go test, the way
// net/http/httptest runs a server: on a loopback port, with delays
// compressed so that a generation and its webhook delivery take
// milliseconds, and closed when the test ends.
//
//	srv := prismtest.NewServer(t)
//	id, secret := srv.CreateWebhook(receiverURL, "video.completed")
//	gen := srv.CreateVideo("A serene mountain lake at sunset")
//	deliveries, err := srv.WaitDelivered(ctx, gen)
//
// Everything goes through the mock's real HTTP API, so the code under test
// can use the same base URL (Server.URL) and API key (Server.APIKey).
package prismtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/webhook"
)

// Defaults that make a test fast: a generation takes DefaultGenerationDelay
// from request to event, and retry delays are multiplied by
// DefaultTimeScale (Prism's first retry after 10 s comes after 10 ms).
const (
	DefaultGenerationDelay = 20 * time.Millisecond
	DefaultTimeScale       = 0.001
	// DefaultAPIKey is what APIKey returns when no key is configured; the
	// mock then accepts any non-empty bearer token.
	DefaultAPIKey = "prismtest"
)

// Outcomes accepted by ForceOutcome.
const (
	Completed = "completed"
	Failed    = "failed"
)

// waitPoll is how often WaitDelivered looks at the delivery log.
const waitPoll = 5 * time.Millisecond

// Server is a mock Prism API serving on 127.0.0.1. Its helper methods fail
// the test with t.Fatalf, so, like t.Fatal, they must be called from the
// test's goroutine.
type Server struct {
	t      testing.TB
	mock   *mockserver.Server
	url    string
	apiKey string
	client *http.Client
}

// Option changes the mock's configuration.
type Option func(*mockserver.Options)

// WithGenerationDelay sets how long a generation takes from request to
// outcome (default DefaultGenerationDelay).
func WithGenerationDelay(d time.Duration) Option {
	return func(o *mockserver.Options) { o.GenerationDelay = d }
}

// WithRetrySchedule sets the delays between delivery attempts, used as
// given (the time scale is reset to 1).
func WithRetrySchedule(delays ...time.Duration) Option {
	return func(o *mockserver.Options) {
		o.Delivery.Schedule = delays
		o.Delivery.TimeScale = 1
	}
}

// WithTimeScale multiplies every retry delay of Prism's schedule (default
// DefaultTimeScale; 1 for real time).
func WithTimeScale(f float64) Option {
	return func(o *mockserver.Options) { o.Delivery.TimeScale = f }
}

// WithAPIKeys makes the mock accept only these bearer tokens; APIKey
// returns the first.
func WithAPIKeys(keys ...string) Option {
	return func(o *mockserver.Options) { o.APIKeys = keys }
}

// WithWebhookSecret gives every webhook the mock creates this signing
// secret instead of a random one, so that a receiver can be built with its
// secret before the webhook is registered.
func WithWebhookSecret(secret string) Option {
	return func(o *mockserver.Options) { o.WebhookSecret = secret }
}

// WithOptions gives access to every setting of the mock, such as the
// delivery timeout or a logger.
func WithOptions(fn func(*mockserver.Options)) Option { return Option(fn) }

// NewServer starts a mock Prism API for the test; it is closed when the
// test and its subtests end.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := mockserver.Options{
		GenerationDelay: DefaultGenerationDelay,
		Delivery:        delivery.Options{TimeScale: DefaultTimeScale},
		Logger:          slog.New(slog.DiscardHandler),
		Version:         "prismtest",
	}
	for _, opt := range opts {
		opt(&o)
	}
	mock, err := mockserver.New(o)
	if err != nil {
		t.Fatalf("prismtest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("prismtest: listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := mock.Start(ctx); err != nil {
		cancel()
		ln.Close()
		t.Fatalf("prismtest: start: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- mock.Serve(ctx, ln) }()

	s := &Server{
		t:      t,
		mock:   mock,
		url:    "http://" + ln.Addr().String(),
		apiKey: DefaultAPIKey,
		client: &http.Client{Timeout: 10 * time.Second},
	}
	if len(o.APIKeys) > 0 {
		s.apiKey = o.APIKeys[0]
	}
	t.Cleanup(func() {
		cancel()
		<-served
		closeCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		if err := mock.Close(closeCtx); err != nil {
			t.Errorf("prismtest: close: %v", err)
		}
		s.client.CloseIdleConnections()
	})
	return s
}

// URL is the mock's base URL, e.g. http://127.0.0.1:41234; the API is
// under URL()+"/v1".
func (s *Server) URL() string { return s.url }

// APIKey is a bearer token the mock accepts.
func (s *Server) APIKey() string { return s.apiKey }

// Mock is the running mock, for what the helpers do not cover (its
// delivery engine, artifact server, handler).
func (s *Server) Mock() *mockserver.Server { return s.mock }

// CreateWebhook registers url for events through the API and returns the
// webhook's id and signing secret. With no events it subscribes to both
// types: a shortcut of this helper only, since the HTTP API, like Prism's,
// requires "events" and answers 400 without it.
func (s *Server) CreateWebhook(url string, events ...string) (id, secret string) {
	s.t.Helper()
	if len(events) == 0 {
		events = []string{webhook.EventCompleted, webhook.EventFailed}
	}
	var created struct{ ID, Secret string }
	s.call(http.MethodPost, "/v1/webhooks", map[string]any{"url": url, "events": events}, http.StatusCreated, &created)
	return created.ID, created.Secret
}

// CreateVideo starts a generation through the API and returns its id
// (gen_…). It ends, after the generation delay, in the outcome forced with
// ForceOutcome, else completed (unless the prompt contains "[fail]").
func (s *Server) CreateVideo(prompt string) (genID string) {
	s.t.Helper()
	var gen struct{ ID string }
	s.call(http.MethodPost, "/v1/videos", map[string]any{"prompt": prompt}, http.StatusAccepted, &gen)
	return gen.ID
}

// ForceOutcome makes the next generation end as outcome: Completed or
// Failed.
func (s *Server) ForceOutcome(outcome string) {
	s.t.Helper()
	s.call(http.MethodPost, "/_mock/outcome", map[string]string{"outcome": outcome}, http.StatusOK, nil)
}

// Deliveries returns the delivery log of a webhook ("" for all), oldest
// first, with every attempt.
func (s *Server) Deliveries(webhookID string) []delivery.Delivery {
	return s.mock.Engine().List(webhookID)
}

// WaitDelivered waits until the generation's event has been delivered to
// every subscribed webhook, and returns those deliveries. It fails when a
// delivery is given up after its last attempt, or with ctx's error, along
// with the deliveries seen so far.
func (s *Server) WaitDelivered(ctx context.Context, genID string) ([]delivery.Delivery, error) {
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	for {
		var ds []delivery.Delivery
		pending := false
		for _, d := range s.mock.Engine().List("") {
			if d.GenerationID != genID {
				continue
			}
			ds = append(ds, d)
			switch d.Status {
			case delivery.StatusPending:
				pending = true
			case delivery.StatusFailed:
				return ds, fmt.Errorf("prismtest: delivery %s of %s to %s failed after %d attempts", d.ID, genID, d.URL, len(d.Attempts))
			}
		}
		if len(ds) > 0 && !pending {
			return ds, nil
		}
		select {
		case <-ctx.Done():
			return ds, fmt.Errorf("prismtest: waiting for the deliveries of %s: %w", genID, ctx.Err())
		case <-tick.C:
		}
	}
}

// call makes one API request and decodes the answer into out; any other
// status than want fails the test with the mock's error message.
func (s *Server) call(method, path string, body any, want int, out any) {
	s.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		s.t.Fatalf("prismtest: %s %s: %v", method, path, err)
	}
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(b))
	if err != nil {
		s.t.Fatalf("prismtest: %s %s: %v", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("prismtest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		s.t.Fatalf("prismtest: %s %s: reading the answer: %v", method, path, err)
	}
	if resp.StatusCode != want {
		s.t.Fatalf("prismtest: %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("prismtest: %s %s: decoding the answer: %v", method, path, err)
		}
	}
}
