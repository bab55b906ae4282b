package report

import (
	"fmt"
	"math"
	"slices"
)

// Latency thresholds of Prism's documentation, drawn on every chart: the
// TIME-02 target for p95 and the 5 s the sender waits for an answer.
const (
	targetMS  = 1000
	timeoutMS = 5000
)

// Chart geometry, in SVG user units; the SVG scales to the page width.
const (
	chartW      = 1000.0
	chartH      = 230.0
	chartLeft   = 64.0  // room for the axis labels
	chartRight  = 110.0 // room for the threshold labels
	chartTop    = 14.0
	chartBottom = 30.0
)

// latencyChart is a bar chart of the acknowledgement latency of each
// delivery of a TIME check, on a log scale so that a 2 ms answer and a
// 5 s one are both visible, with the 1 s and 5 s thresholds as lines. Every
// number is computed here, rounded to a tenth of a unit so that the SVG
// stays short; the template only places elements.
type latencyChart struct {
	ID, Title      string
	W, H           float64
	X0, Y0, X1, Y1 float64 // plot area
	Bars           []chartBar
	Ticks          []chartTick // scale gridlines
	Marks          []chartTick // thresholds
	N              int
	P50, P95, Max  string
	FirstX, LastX  float64 // centres of the first and last bar, labelled
}

type chartBar struct {
	X, Y, W, H float64
	Class      string // ok (2xx under 1 s), slow (2xx under 5 s), bad
	Tip        string
}

type chartTick struct {
	Y            float64
	Label, Class string
}

// newLatencyChart builds the chart of c's deliveries; ok is false when
// none of them has a latency to show.
func newLatencyChart(c CheckResult) (latencyChart, bool) {
	var lat []float64
	var ev []Evidence
	for _, e := range c.Evidence {
		// The time the ack timeout counts: waiting for the connection too.
		if total := e.ConnectMS + e.LatencyMS; (e.Kind == KindDelivery || e.Kind == "") && total > 0 {
			lat = append(lat, total)
			ev = append(ev, e)
		}
	}
	if len(lat) == 0 {
		return latencyChart{}, false
	}
	sorted := slices.Sorted(slices.Values(lat))
	lo, hi := 1.0, 10_000.0
	if sorted[0] < 1 {
		lo = 0.1
	}
	for hi < sorted[len(sorted)-1] {
		hi *= 10
	}
	ch := latencyChart{
		ID: line(c.ID), Title: line(c.Title),
		W: chartW, H: chartH,
		X0: chartLeft, Y0: chartTop, X1: chartW - chartRight, Y1: chartH - chartBottom,
		N:   len(lat),
		P50: formatLatency(percentile(sorted, 0.50)),
		P95: formatLatency(percentile(sorted, 0.95)),
		Max: formatLatency(sorted[len(sorted)-1]),
	}
	y := func(ms float64) float64 {
		ms = min(max(ms, lo), hi)
		f := (math.Log10(ms) - math.Log10(lo)) / (math.Log10(hi) - math.Log10(lo))
		return r1(ch.Y1 - f*(ch.Y1-ch.Y0))
	}
	for v := lo; v <= hi*1.0001; v *= 10 {
		ch.Ticks = append(ch.Ticks, chartTick{Y: y(v), Label: tickLabel(v)})
	}
	ch.Marks = []chartTick{
		{Y: y(targetMS), Label: "1 s target", Class: "target"},
		{Y: y(timeoutMS), Label: "5 s timeout", Class: "timeout"},
	}

	slot := (ch.X1 - ch.X0) / float64(len(lat))
	w := min(max(slot*0.72, 1), 28)
	for i, e := range ev {
		top := y(lat[i])
		// A bar is at least a sliver tall, so a sub-floor latency still shows.
		h := max(ch.Y1-top, 1.5)
		ch.Bars = append(ch.Bars, chartBar{
			X: r1(ch.X0 + float64(i)*slot + (slot-w)/2), Y: r1(ch.Y1 - h), W: r1(w), H: r1(h),
			Class: barClass(e),
			Tip:   fmt.Sprintf("#%d %s: %s in %s", i+1, line(e.Label), statusOrError(e), formatLatency(lat[i])),
		})
	}
	ch.FirstX, ch.LastX = r1(ch.X0+slot/2), r1(ch.X0+(float64(len(lat))-0.5)*slot)
	return ch, true
}

// barClass colours a delivery by whether it met the documentation.
func barClass(e Evidence) string {
	switch {
	case e.Status < 200 || e.Status > 299 || e.ConnectMS+e.LatencyMS >= timeoutMS:
		return "bad"
	case e.ConnectMS+e.LatencyMS >= targetMS:
		return "slow"
	}
	return "ok"
}

func statusOrError(e Evidence) string {
	if e.Status != 0 {
		return fmt.Sprint(e.Status)
	}
	if e.Error != "" {
		return "error"
	}
	return "no status"
}

// r1 rounds v to one decimal.
func r1(v float64) float64 { return math.Round(v*10) / 10 }

// percentile returns the nearest-rank q-quantile of sorted values.
func percentile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func tickLabel(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}
