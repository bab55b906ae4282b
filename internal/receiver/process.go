package receiver

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// Fetching video_url.
const (
	fetchTimeout     = 10 * time.Second
	maxArtifactBytes = 1 << 30
	fetchUserAgent   = "prismhook-reference-receiver"

	// DefectRetryStorm's pace.
	stormGap      = 10 * time.Millisecond
	stormAttempts = 1000
)

// job is one event waiting for a worker.
type job struct {
	key   string // dedupe key, "" when not deduplicated
	event *webhook.Event
}

func newFetchClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Timeout: fetchTimeout, Transport: t}
}

// work processes queued events until the handler is closed.
func (h *Handler) work() {
	defer h.workers.Done()
	for {
		select {
		case <-h.ctx.Done():
			return
		case j := <-h.queue:
			h.process(h.ctx, j)
		}
	}
}

// process handles one event. When it fails for good, the event's dedupe key
// is forgotten so that a later delivery of the same event is processed.
func (h *Handler) process(ctx context.Context, j job) {
	ev := j.event
	var err error
	if ev.Event == webhook.EventCompleted {
		err = h.fetch(ctx, ev.Data.VideoURL)
	}
	// A video.failed event has nothing to fetch: recording it is all.
	if err != nil {
		h.seen.Forget(j.key)
		h.log.Warn("processing failed", "event", ev.Event, "id", ev.Data.ID, "err", err)
		return
	}
	h.processed.Add(1)
	h.log.Info("event processed", "event", ev.Event, "id", ev.Data.ID)
}

// fetch downloads an http(s) URL with webhook.Fetcher's defaults: server
// errors and transport failures are retried with exponential backoff.
func (h *Handler) fetch(ctx context.Context, rawURL string) error {
	f := webhook.Fetcher{Client: h.client, UserAgent: fetchUserAgent}
	if h.opts.Defect == DefectNoFetchRetry {
		// Defect: one attempt, no retry.
		f.Attempts = 1
	}
	if h.opts.Defect == DefectRetryStorm {
		return h.fetchStorm(ctx, f, rawURL)
	}
	resp, err := f.Get(ctx, rawURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxArtifactBytes))
	return err
}

// fetchStorm is DefectRetryStorm's fetch: a loop of its own around single
// attempts, one every stormGap, with no backoff and no regard for
// Retry-After. Like Fetcher, it gives up at once on an answer that retrying
// cannot mend (a 404, a redirect, a URL that is not http(s)).
func (h *Handler) fetchStorm(ctx context.Context, f webhook.Fetcher, rawURL string) error {
	spy := &statusSpy{next: h.client.Transport}
	if spy.next == nil {
		spy.next = http.DefaultTransport
	}
	client := *h.client
	client.Transport = spy
	f.Client, f.Attempts = &client, 1
	var err error
	for range stormAttempts {
		spy.sent, spy.status = false, 0
		resp, getErr := f.Get(ctx, rawURL)
		if getErr == nil {
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxArtifactBytes))
			return err
		}
		err = getErr
		if !spy.retryable() {
			return err
		}
		t := time.NewTimer(stormGap)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
	return err
}

// statusSpy remembers whether a request was sent and the status of its
// answer, for a loop of single fetches that must tell a failure worth
// retrying from one that is not. One fetch uses it at a time.
type statusSpy struct {
	next   http.RoundTripper
	sent   bool
	status int // 0: no answer
}

func (s *statusSpy) RoundTrip(req *http.Request) (*http.Response, error) {
	s.sent = true
	resp, err := s.next.RoundTrip(req)
	if err == nil {
		s.status = resp.StatusCode
	}
	return resp, err
}

// retryable reports whether the last fetch failed as Fetcher would retry:
// no answer at all, a server error, 429 or 408.
func (s *statusSpy) retryable() bool {
	if !s.sent {
		return false // refused before any request: not an http(s) URL
	}
	c := s.status
	return c == 0 || c >= 500 || c == http.StatusTooManyRequests || c == http.StatusRequestTimeout
}
