package report

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prismhook/prismhook/internal/stats"
)

// Latency thresholds of Prism's documentation, drawn on every chart when
// the report carries no Settings: the TIME-02 target for p95 and the 5 s
// the sender waits for an answer.
const (
	targetMS  = 1000
	timeoutMS = 5000
)

// thresholds are the lines a chart draws, in milliseconds.
type thresholds struct{ target, timeout float64 }

// chartThresholds takes the thresholds from the run's settings.
func chartThresholds(s *Settings) thresholds {
	t := thresholds{target: targetMS, timeout: timeoutMS}
	if s != nil && s.P95TargetMS > 0 {
		t.target = float64(s.P95TargetMS)
	}
	if s != nil && s.AckTimeoutMS > 0 {
		t.timeout = float64(s.AckTimeoutMS)
	}
	return t
}

// timelineChecks are charted over time (x is when each delivery was sent)
// rather than one slot per delivery: a sustained load, where when answers
// went over matters.
var timelineChecks = map[string]bool{"TIME-04": true}

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
	// FirstLabel and LastLabel label the x axis: "#1" and "#N", or the
	// offsets in seconds on a timeline.
	FirstLabel, LastLabel string
	Timeline              bool
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
func newLatencyChart(c CheckResult, th thresholds) (latencyChart, bool) {
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
	for hi < max(sorted[len(sorted)-1], th.timeout) {
		hi *= 10
	}
	ch := latencyChart{
		ID: line(c.ID), Title: line(c.Title),
		W: chartW, H: chartH,
		X0: chartLeft, Y0: chartTop, X1: chartW - chartRight, Y1: chartH - chartBottom,
		N:   len(lat),
		P50: formatLatency(stats.Percentile(sorted, 50)),
		P95: formatLatency(stats.Percentile(sorted, 95)),
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
		{Y: y(th.target), Label: tickLabel(th.target) + " target", Class: "target"},
		{Y: y(th.timeout), Label: tickLabel(th.timeout) + " timeout", Class: "timeout"},
	}

	slot := (ch.X1 - ch.X0) / float64(len(lat))
	w := min(max(slot*0.72, 1), 28)
	// x places bar i: in its slot, or on a timeline by when it was sent.
	x := func(i int) float64 { return ch.X0 + float64(i)*slot + slot/2 }
	ch.FirstLabel, ch.LastLabel = "#1", fmt.Sprintf("#%d", len(lat))
	if first, span := timeline(ev); timelineChecks[c.ID] && span > 0 {
		ch.Timeline = true
		x = func(i int) float64 {
			f := float64(ev[i].At.Sub(first)) / float64(span)
			return ch.X0 + slot/2 + f*(ch.X1-ch.X0-slot)
		}
		ch.FirstLabel, ch.LastLabel = "0 s", fmt.Sprintf("%.1f s", span.Seconds())
	}
	for i, e := range ev {
		top := y(lat[i])
		// A bar is at least a sliver tall, so a sub-floor latency still shows.
		h := max(ch.Y1-top, 1.5)
		ch.Bars = append(ch.Bars, chartBar{
			X: r1(x(i) - w/2), Y: r1(ch.Y1 - h), W: r1(w), H: r1(h),
			Class: barClass(e, th),
			Tip:   fmt.Sprintf("#%d %s: %s in %s", i+1, line(e.Label), statusOrError(e), formatLatency(lat[i])),
		})
	}
	ch.FirstX, ch.LastX = r1(x(0)), r1(x(len(lat)-1))
	return ch, true
}

// timeline returns when the first delivery was sent and the time until the
// last one was.
func timeline(ev []Evidence) (first time.Time, span time.Duration) {
	first, last := ev[0].At, ev[0].At
	for _, e := range ev {
		if e.At.Before(first) {
			first = e.At
		}
		if e.At.After(last) {
			last = e.At
		}
	}
	return first, last.Sub(first)
}

// barClass colours a delivery by whether it met the thresholds.
func barClass(e Evidence, th thresholds) string {
	switch {
	case e.Status < 200 || e.Status > 299 || e.ConnectMS+e.LatencyMS >= th.timeout:
		return "bad"
	case e.ConnectMS+e.LatencyMS >= th.target:
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

func tickLabel(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}
