// Package stats holds the small statistics the harness, the CLI and the
// benchmarks share, so that a figure such as "p95" means the same thing in
// every report.
package stats

import (
	"cmp"
	"math"
)

// Percentile returns the nearest-rank p-th percentile (p in percent, 0–100)
// of sorted, which must be in ascending order: the smallest value with at
// least p percent of the values at or below it. It returns the zero value
// for an empty slice. Nearest-rank never interpolates, so the result is
// always one of the observed values.
func Percentile[T cmp.Ordered](sorted []T, p float64) T {
	var zero T
	n := len(sorted)
	if n == 0 {
		return zero
	}
	// rank = ceil(n·p/100). n·p is exact for whole percentages, and a
	// quotient that is not a whole number is at least 1/100 away from one,
	// so the float ceiling cannot be pushed past an integer by rounding.
	rank := int(math.Ceil(float64(n) * p / 100))
	return sorted[min(max(rank, 1), n)-1]
}
