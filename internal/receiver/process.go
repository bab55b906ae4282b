package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// Fetching video_url.
const (
	fetchTimeout     = 10 * time.Second
	fetchAttempts    = 8
	firstBackoff     = 100 * time.Millisecond // doubled after every attempt
	maxRetryAfter    = time.Second            // a longer Retry-After is cut to this
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
		h.seen.forget(j.key)
		h.log.Warn("processing failed", "event", ev.Event, "id", ev.Data.ID, "err", err)
		return
	}
	h.processed.Add(1)
	h.log.Info("event processed", "event", ev.Event, "id", ev.Data.ID)
}

// permanentError is a fetch failure that retrying cannot mend.
type permanentError struct{ error }

// fetch downloads an http(s) URL, retrying server errors and transport
// failures with exponential backoff.
func (h *Handler) fetch(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("video_url %q is not an http(s) URL", rawURL)
	}
	attempts := fetchAttempts
	if h.opts.Defect == DefectNoFetchRetry {
		// Defect: one attempt, no retry.
		attempts = 1
	}
	backoff := firstBackoff
	storm := h.opts.Defect == DefectRetryStorm
	if storm {
		// Defect: retry at once and again, no backoff, no Retry-After.
		attempts, backoff = stormAttempts, stormGap
	}
	for attempt := 1; ; attempt++ {
		retryAfter, err := h.fetchOnce(ctx, u.String())
		if err == nil {
			return nil
		}
		var perm permanentError
		if errors.As(err, &perm) || attempt == attempts || ctx.Err() != nil {
			return fmt.Errorf("fetch %s: attempt %d: %w", u.Redacted(), attempt, err)
		}
		wait := max(backoff, retryAfter)
		if storm {
			wait = stormGap
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("fetch %s: %w", u.Redacted(), ctx.Err())
		}
		backoff *= 2
	}
}

// fetchOnce makes one attempt. A retryable failure may come with the delay
// the server asked for, cut to maxRetryAfter.
func (h *Handler) fetchOnce(ctx context.Context, u string) (retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, permanentError{err}
	}
	req.Header.Set("User-Agent", fetchUserAgent)
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 500, code == http.StatusTooManyRequests, code == http.StatusRequestTimeout:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return parseRetryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("status %d", code)
	case code >= 300:
		return 0, permanentError{fmt.Errorf("status %d", code)}
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxArtifactBytes)); err != nil {
		return 0, err
	}
	return 0, nil
}

// parseRetryAfter reads a Retry-After value (seconds or an HTTP date),
// bounded by maxRetryAfter; 0 when absent or unreadable.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), maxRetryAfter)
}
