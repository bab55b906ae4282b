package delivery

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// DefaultSchedule is the delay before each retry: 7 attempts over about
// 8.5 hours, each delay stretched or shrunk by the jitter.
var DefaultSchedule = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// ParseSchedule parses a comma-separated list of delays such as
// "1s,5s,30s". "none" is a schedule without retries. The error names the
// item it could not use.
func ParseSchedule(s string) ([]time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf(`delivery: empty retry schedule (use "none" for no retries)`)
	}
	if s == "none" {
		return []time.Duration{}, nil
	}
	items := strings.Split(s, ",")
	out := make([]time.Duration, 0, len(items))
	for i, item := range items {
		item = strings.TrimSpace(item)
		d, err := time.ParseDuration(item)
		switch {
		case item == "":
			return nil, fmt.Errorf("delivery: retry schedule item %d is empty", i+1)
		case err != nil:
			return nil, fmt.Errorf("delivery: retry schedule item %d %q is not a duration like 30s or 5m", i+1, item)
		case d < 0:
			return nil, fmt.Errorf("delivery: retry schedule item %d %q is negative", i+1, item)
		}
		out = append(out, d)
	}
	return out, nil
}

// retryPolicy turns the schedule into the actual wait before a retry.
type retryPolicy struct {
	schedule  []time.Duration
	jitter    float64
	timeScale float64
}

// retries is how many retries follow the first attempt.
func (p retryPolicy) retries() int { return len(p.schedule) }

// delay returns the wait after attempt n (1-based) failed: the schedule's
// item, scaled by a random factor in [1-jitter, 1+jitter] and by the time
// scale.
func (p retryPolicy) delay(n int) time.Duration {
	d := float64(p.schedule[n-1]) * p.timeScale
	if p.jitter > 0 {
		d *= 1 - p.jitter + 2*p.jitter*rand.Float64()
	}
	return time.Duration(d)
}

// plainDelay is delay without jitter, for resuming after a restart.
func (p retryPolicy) plainDelay(n int) time.Duration {
	return time.Duration(float64(p.schedule[n-1]) * p.timeScale)
}
