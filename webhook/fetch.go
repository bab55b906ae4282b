package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prismhook/prismhook/internal/endpoint"
)

// Defaults of Fetcher.
const (
	DefaultFetchAttempts = 8
	DefaultFetchBackoff  = 100 * time.Millisecond
	DefaultMaxRetryAfter = time.Second
)

// Fetcher downloads what an event points at (data.video_url,
// data.thumbnail_url) as storage under load wants to be asked: server
// errors (5xx), 429 and 408 answers and transport failures are retried
// with exponential backoff — a growing gap, never a storm — and a
// Retry-After header is honoured up to MaxRetryAfter. Other answers (a 404,
// a redirect) are returned as errors at once. The zero value is ready to
// use.
type Fetcher struct {
	// Client makes the requests; default http.DefaultClient. Give it a
	// Timeout.
	Client *http.Client
	// Attempts bounds the requests for one URL; default
	// DefaultFetchAttempts.
	Attempts int
	// Backoff is the gap after the first failure, doubled after each one;
	// default DefaultFetchBackoff.
	Backoff time.Duration
	// MaxRetryAfter caps the gap a Retry-After header asks for; default
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// UserAgent, when set, is sent with every request.
	UserAgent string
}

// Get fetches an http(s) URL until it answers 2xx, and returns that
// response; the caller reads and closes its body. It stops early when ctx
// ends.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*http.Response, error) {
	u, err := endpoint.ParseHTTP(rawURL)
	if err != nil {
		return nil, fmt.Errorf("webhook: %q: %w", rawURL, err)
	}
	attempts, backoff := f.Attempts, f.Backoff
	if attempts <= 0 {
		attempts = DefaultFetchAttempts
	}
	if backoff <= 0 {
		backoff = DefaultFetchBackoff
	}
	for attempt := 1; ; attempt++ {
		resp, retryAfter, err := f.once(ctx, u.String())
		if err == nil {
			return resp, nil
		}
		var perm permanentError
		if errors.As(err, &perm) || attempt == attempts || ctx.Err() != nil {
			return nil, fmt.Errorf("webhook: fetch %s: attempt %d: %w", u.Redacted(), attempt, err)
		}
		t := time.NewTimer(max(backoff, retryAfter))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("webhook: fetch %s: %w", u.Redacted(), ctx.Err())
		}
		backoff *= 2
	}
}

// permanentError is a fetch failure that retrying cannot mend.
type permanentError struct{ error }

// once makes one attempt. A retryable failure may come with the delay the
// server asked for, capped.
func (f *Fetcher) once(ctx context.Context, u string) (*http.Response, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, permanentError{err}
	}
	if f.UserAgent != "" {
		req.Header.Set("User-Agent", f.UserAgent)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return resp, 0, nil
	}
	// Drained so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout {
		return nil, f.retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("status %d", code)
	}
	return nil, 0, permanentError{fmt.Errorf("status %d", code)}
}

// retryAfter reads a Retry-After value (seconds or an HTTP date), capped by
// MaxRetryAfter; 0 when absent or unreadable.
func (f *Fetcher) retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	limit := f.MaxRetryAfter
	if limit <= 0 {
		limit = DefaultMaxRetryAfter
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), limit)
}
