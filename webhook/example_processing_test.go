package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// Five deliveries of one event arrive at once (Prism retried while the first
// was still being processed): exactly one is processed.
func ExampleOnce() {
	once := webhook.NewOnce(0)
	ev := &webhook.Event{Event: webhook.EventCompleted, Data: webhook.Data{ID: "gen_abc123xyz"}}

	var processed atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if once.First(ev.OnceKey()) {
				processed.Add(1) // queue it; every delivery is answered 2xx either way
			}
		})
	}
	wg.Wait()
	fmt.Println("processed", processed.Load(), "of 5")

	// Processing failed for good: the next delivery gets another chance.
	once.Forget(ev.OnceKey())
	fmt.Println("first again:", once.First(ev.OnceKey()))
	// Output:
	// processed 1 of 5
	// first again: true
}

// Storage answers 503 twice before the video is ready: Get waits a growing
// gap between attempts and returns the answer that worked.
func ExampleFetcher() {
	var fetches atomic.Int32
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) <= 2 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "video bytes")
	}))
	defer storage.Close()

	f := &webhook.Fetcher{Client: &http.Client{Timeout: 10 * time.Second}, Backoff: 10 * time.Millisecond}
	resp, err := f.Get(context.Background(), storage.URL+"/videos/gen_abc123xyz.mp4")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%s after %d fetches\n", body, fetches.Load())
	// Output: video bytes after 3 fetches
}
