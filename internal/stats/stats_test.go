package stats

import (
	"math"
	"testing"
	"time"
)

func seq(n int) []float64 {
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = float64(i + 1)
	}
	return vs
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		name string
		vs   []float64
		p    float64
		want float64
	}{
		{"empty", nil, 95, 0},
		{"one value", []float64{3}, 95, 3},
		{"p0 is the smallest", seq(20), 0, 1},
		{"p50 of 20", seq(20), 50, 10},
		{"p95 of 20", seq(20), 95, 19},
		{"p100 is the largest", seq(20), 100, 20},
		{"p50 of an odd count", seq(5), 50, 3},
		{"p90 of 10", seq(10), 90, 9},
		{"p99 of 10 rounds up", seq(10), 99, 10},
		{"p99 of 100", seq(100), 99, 99},
		{"p7 of 100", seq(100), 7, 7},
		{"above 100 is the largest", seq(4), 150, 4},
		{"infinity is a value", []float64{1, math.Inf(1)}, 95, math.Inf(1)},
	} {
		if got := Percentile(tc.vs, tc.p); got != tc.want {
			t.Errorf("%s: Percentile(p=%g) = %g, want %g", tc.name, tc.p, got, tc.want)
		}
	}
}

// Every whole percentage over every small count agrees with the integer
// definition ceil(n·p/100).
func TestPercentileWholePercentagesAreExact(t *testing.T) {
	for n := 1; n <= 300; n++ {
		vs := seq(n)
		for p := 0; p <= 100; p++ {
			rank := max((n*p+99)/100, 1)
			if got := Percentile(vs, float64(p)); got != float64(rank) {
				t.Fatalf("n=%d p=%d: got %g, want %d", n, p, got, rank)
			}
		}
	}
}

func TestPercentileDurations(t *testing.T) {
	ds := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond}
	if got := Percentile(ds, 50); got != 2*time.Millisecond {
		t.Errorf("p50 = %v, want 2ms", got)
	}
	if got := Percentile(ds, 99); got != 4*time.Millisecond {
		t.Errorf("p99 = %v, want 4ms", got)
	}
}
