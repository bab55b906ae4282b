// Command plainclient is the baseline for `prismhook send --count`: a plain
// net/http client that posts the same signed event body, with the same Prism
// headers and the same number of requests in flight, to the same receiver,
// and prints its report in the same format. It has no faults, no exchange
// records and no per-delivery signing, so the ratio between the two rates is
// what prismhook's sender costs on top of net/http.
//
// Usage:
//
//	plainclient -url URL -secret SECRET [-event video.completed] [-count 20000] [-concurrency 32]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/stats"
	"github.com/prismhook/prismhook/webhook"
)

type config struct {
	url, secret, event string
	count, concurrency int
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", "", "receiver URL (required)")
	flag.StringVar(&c.secret, "secret", "", "signing secret (required)")
	flag.StringVar(&c.event, "event", webhook.EventCompleted, "event type whose example body is posted")
	flag.IntVar(&c.count, "count", 20000, "deliveries to post")
	flag.IntVar(&c.concurrency, "concurrency", 32, "requests in flight at once")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "plainclient:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	if c.url == "" || c.secret == "" {
		return errors.New("-url and -secret are required")
	}
	if c.count < 1 || c.concurrency < 1 {
		return errors.New("-count and -concurrency must be at least 1")
	}
	body, err := fixtures.CompactEvent(c.event)
	if err != nil {
		return err
	}
	// The body is the same for every delivery, so it is signed once: the
	// baseline is the HTTP cost alone.
	signature := webhook.Sign(c.secret, body)

	// A plain client, but not a crippled one: the default transport keeps only
	// 2 idle connections per host, which would make most requests open a new
	// connection.
	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        c.concurrency,
			MaxIdleConnsPerHost: c.concurrency,
			IdleConnTimeout:     90 * time.Second,
		},
	}

	workers := min(c.concurrency, c.count)
	latencies := make([][]time.Duration, workers) // one slice per worker: no lock
	var next, sent, failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && next.Add(1) <= int64(c.count) {
				n := sent.Add(1)
				latency, err := post(ctx, client, c, body, signature, n)
				if latency > 0 {
					latencies[w] = append(latencies[w], latency)
				}
				if err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	// The same report as `prismhook send --count`.
	all := slices.Concat(latencies...)
	slices.Sort(all)
	fmt.Printf("%d deliveries in %s over %d connections: %.0f deliveries/s\n",
		sent.Load(), elapsed.Round(time.Millisecond), workers, float64(sent.Load())/elapsed.Seconds())
	fmt.Printf("ok %d, failed %d\n", sent.Load()-failed.Load(), failed.Load())
	if len(all) > 0 {
		fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n",
			ms(stats.Percentile(all, 50)), ms(stats.Percentile(all, 90)), ms(stats.Percentile(all, 99)), ms(all[len(all)-1]))
	}
	if firstErr != nil {
		return fmt.Errorf("%d deliveries failed; first: %w", failed.Load(), firstErr)
	}
	return ctx.Err()
}

// post sends delivery number n and reads the whole answer, so that the
// connection goes back to the pool. The latency is that of the answer's
// headers, zero when none came.
func post(ctx context.Context, client *http.Client, c config, body []byte, signature string, n int64) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Prism-Webhooks/bench")
	req.Header.Set(webhook.SignatureHeader, signature)
	req.Header.Set(webhook.EventHeader, c.event)
	req.Header.Set(webhook.DeliveryHeader, "dlv_"+strconv.FormatInt(n, 36))
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	latency := time.Since(start)
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return latency, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return latency, fmt.Errorf("status %d", resp.StatusCode)
	}
	return latency, nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
}
