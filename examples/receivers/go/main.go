// Command go-receiver is a Prism webhook receiver in plain net/http: the
// webhook package verifies each delivery over its raw bytes, the handler
// answers at once, and a pool of workers downloads video_url in the
// background, once per event, with backoff.
//
// Environment: PORT (default 3000), PRISM_WEBHOOK_SECRET (required).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

const (
	workers     = 8
	queueSize   = 1024
	maxBody     = 1 << 20 // room for long multi-byte prompts; far above Prism's events
	maxAttempts = 8
)

// job is one event to process; key is its deduplication key.
type job struct {
	key string
	ev  *webhook.Event
}

// receiver holds the queue and the keys of events already taken on.
type receiver struct {
	queue  chan job
	mu     sync.Mutex
	seen   map[string]bool // event + data.id; a real service keeps these in its database
	client *http.Client
}

func main() {
	secret := os.Getenv("PRISM_WEBHOOK_SECRET")
	if secret == "" {
		log.Fatal("PRISM_WEBHOOK_SECRET is not set")
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	// Background work runs on this context, not the request's: a request's
	// context is cancelled as soon as the answer is sent.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rc := &receiver{
		queue:  make(chan job, queueSize),
		seen:   make(map[string]bool),
		client: &http.Client{Timeout: 30 * time.Second},
	}
	for range workers {
		go rc.work(ctx)
	}

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/prism", webhook.Middleware(secret, webhook.WithMaxBodyBytes(maxBody))(http.HandlerFunc(rc.handle)))
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("listening on http://%s/webhooks/prism", srv.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// handle runs after webhook.Middleware has verified the signature and
// parsed the event (4xx otherwise). It queues the event and answers.
func (rc *receiver) handle(w http.ResponseWriter, r *http.Request) {
	d, _ := webhook.DeliveryFrom(r.Context())
	if !d.Event.Known() {
		w.WriteHeader(http.StatusNoContent) // acknowledge and ignore
		return
	}
	key := d.Event.Event + ":" + d.Event.Data.ID
	if !rc.claim(key) {
		w.WriteHeader(http.StatusNoContent) // a redelivery: already taken on
		return
	}
	select {
	case rc.queue <- job{key: key, ev: d.Event}:
		w.WriteHeader(http.StatusAccepted)
	default:
		rc.release(key)
		http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
	}
}

// claim records key and reports whether it was new. Check and record
// happen under one lock, so five copies of a delivery arriving at once
// yield one job.
func (rc *receiver) claim(key string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.seen[key] {
		return false
	}
	rc.seen[key] = true
	return true
}

// release forgets key, so that a later delivery of the event is processed.
func (rc *receiver) release(key string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	delete(rc.seen, key)
}

func (rc *receiver) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-rc.queue:
			if err := rc.process(ctx, j.ev); err != nil {
				rc.release(j.key)
				log.Printf("%s %s: %v", j.ev.Event, j.ev.Data.ID, err)
			}
		}
	}
}

func (rc *receiver) process(ctx context.Context, ev *webhook.Event) error {
	if ev.Event == webhook.EventFailed {
		log.Printf("generation %s failed: %+v", ev.Data.ID, ev.Data.Error)
		return nil
	}
	return rc.download(ctx, ev.Data.VideoURL)
}

// download fetches url, retrying 5xx, 429 and network errors with
// exponential backoff. Each wait is at least the server's Retry-After and
// half as long again as the wait before, so retries thin out instead of
// storming storage.
func (rc *receiver) download(ctx context.Context, url string) error {
	wait := 500 * time.Millisecond
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		var retryAfter time.Duration
		if retryAfter, err = rc.fetch(ctx, url); err == nil {
			return nil
		}
		var perm permanent
		if errors.As(err, &perm) || attempt == maxAttempts {
			break
		}
		wait = max(wait, retryAfter)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = wait * 3 / 2
	}
	return err
}

// permanent is a failure retrying cannot mend (a 4xx, a bad URL).
type permanent struct{ error }

func (rc *receiver) fetch(ctx context.Context, url string) (retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, permanent{err}
	}
	resp, err := rc.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := time.ParseDuration(resp.Header.Get("Retry-After") + "s")
		return min(secs, 30*time.Second), fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, permanent{fmt.Errorf("GET %s: %s", url, resp.Status)}
	}
	// Store the video; this example only reads it.
	_, err = io.Copy(io.Discard, resp.Body)
	return 0, err
}
