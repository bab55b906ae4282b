package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	pctl "github.com/prismhook/prismhook/internal/stats"
	"github.com/prismhook/prismhook/internal/wire"
)

// loadStats is what one worker of the load generator saw.
type loadStats struct {
	sent      int
	latencies []time.Duration // of every answer, 2xx or not
	failures  map[string]int  // failed deliveries by outcome
}

// load sends n deliveries (each with its own delivery id) over c workers
// and prints throughput, outcomes and latency percentiles.
func (s *sendRun) load(ctx context.Context, n, c int) error {
	c = min(c, n)
	var next atomic.Int64
	stats := make([]loadStats, c)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range stats {
		st := &stats[w]
		st.failures = map[string]int{}
		wg.Go(func() {
			for ctx.Err() == nil && next.Add(1) <= int64(n) {
				x := s.sender.Send(ctx, s.msg)
				st.sent++
				if x.Err == nil {
					st.latencies = append(st.latencies, x.Latency)
				}
				if !s.want.matches(x) {
					st.failures[failureKey(x)]++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	sent, failedN := 0, 0
	var latencies []time.Duration
	failures := map[string]int{}
	for _, st := range stats {
		sent += st.sent
		latencies = append(latencies, st.latencies...)
		for k, v := range st.failures {
			failures[k] += v
			failedN += v
		}
	}
	slices.Sort(latencies)
	fmt.Fprintf(s.out, "%d deliveries in %s over %d connections: %.0f deliveries/s\n",
		sent, elapsed.Round(time.Millisecond), c, float64(sent)/elapsed.Seconds())
	fmt.Fprintf(s.out, "ok %d, failed %d\n", sent-failedN, failedN)
	for _, k := range slices.Sorted(maps.Keys(failures)) {
		fmt.Fprintf(s.out, "  %d × %s\n", failures[k], k)
	}
	if len(latencies) > 0 {
		fmt.Fprintf(s.out, "latency p50 %s  p90 %s  p99 %s  max %s\n",
			formatLatency(pctl.Percentile(latencies, 50)), formatLatency(pctl.Percentile(latencies, 90)),
			formatLatency(pctl.Percentile(latencies, 99)), formatLatency(latencies[len(latencies)-1]))
	}
	switch {
	case ctx.Err() != nil:
		return usage("interrupted after %d of %d deliveries", sent, n)
	case failedN > 0:
		return failed("%d of %d deliveries failed", failedN, sent)
	}
	return nil
}

// failureKey groups failures without their variable details (addresses,
// ports), so that thousands of them sum up in a few lines.
func failureKey(x wire.Exchange) string {
	if x.Err != nil {
		return fmt.Sprintf("no answer (%s)", x.ErrKind)
	}
	return outcome(x)
}
