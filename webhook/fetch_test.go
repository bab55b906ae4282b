package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// storage answers each fetch with the next status of statuses (the last
// one repeated), and counts the fetches.
func storage(t *testing.T, header http.Header, statuses ...int) (url string, fetches *atomic.Int32) {
	t.Helper()
	fetches = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(fetches.Add(1))
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(statuses[min(n, len(statuses))-1])
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/video.mp4", fetches
}

func TestFetcherRetriesWhatCanMend(t *testing.T) {
	for _, status := range []int{500, 502, 503, 429, 408} {
		url, fetches := storage(t, nil, status, status, 200)
		f := &webhook.Fetcher{Backoff: time.Millisecond}
		resp, err := f.Get(context.Background(), url)
		if err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		resp.Body.Close()
		if fetches.Load() != 3 {
			t.Errorf("%d then 200: %d fetches, want 3", status, fetches.Load())
		}
	}
}

func TestFetcherGivesUpOnWhatCannot(t *testing.T) {
	for _, status := range []int{404, 403, 400} {
		url, fetches := storage(t, nil, status)
		_, err := (&webhook.Fetcher{Backoff: time.Millisecond}).Get(context.Background(), url)
		if err == nil || !strings.Contains(err.Error(), "attempt 1") {
			t.Errorf("%d: err = %v, want a failure after attempt 1", status, err)
		}
		if fetches.Load() != 1 {
			t.Errorf("%d: %d fetches, want 1", status, fetches.Load())
		}
	}
}

func TestFetcherStopsAfterAttempts(t *testing.T) {
	url, fetches := storage(t, nil, 503)
	_, err := (&webhook.Fetcher{Attempts: 3, Backoff: time.Millisecond}).Get(context.Background(), url)
	if err == nil || fetches.Load() != 3 {
		t.Errorf("err = %v after %d fetches, want an error after 3", err, fetches.Load())
	}
}

func TestFetcherCapsRetryAfterAndHonoursContext(t *testing.T) {
	// Retry-After asks for an hour; the cap makes it 20 ms.
	url, fetches := storage(t, http.Header{"Retry-After": {"3600"}}, 503, 200)
	f := &webhook.Fetcher{Backoff: time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := f.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if fetches.Load() != 2 {
		t.Errorf("%d fetches, want 2", fetches.Load())
	}

	// Without a cap that short, the wait outlives the context.
	url, fetches = storage(t, http.Header{"Retry-After": {"3600"}}, 503)
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = (&webhook.Fetcher{MaxRetryAfter: time.Hour}).Get(ctx, url)
	if !errors.Is(err, context.DeadlineExceeded) || fetches.Load() != 1 {
		t.Errorf("err = %v after %d fetches, want the context's deadline after 1", err, fetches.Load())
	}
}

func TestFetcherRefusesOtherSchemes(t *testing.T) {
	for _, u := range []string{"", "file:///etc/passwd", "/relative.mp4", "http://"} {
		if _, err := (&webhook.Fetcher{}).Get(context.Background(), u); err == nil {
			t.Errorf("%q: no error", u)
		}
	}
}

func TestOnceIsBounded(t *testing.T) {
	once := webhook.NewOnce(2)
	for _, k := range []string{"a", "b", "c"} {
		if !once.First(k) {
			t.Errorf("%s: not first", k)
		}
	}
	if !once.First("a") {
		t.Error(`"a" should have been forgotten, the least recently seen of 3 keys in a set of 2`)
	}
	if once.First("c") {
		t.Error(`"c" is still remembered`)
	}
	if (&webhook.Event{Event: webhook.EventCompleted}).OnceKey() != "" {
		t.Error("an event without data.id has a key")
	}
}
