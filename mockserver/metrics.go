package mockserver

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics counts and times the requests the Server answers. The route
// label is an operation id or one of a few fixed names, never a raw path,
// so its cardinality is bounded.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// series caches each (route, status) pair's counter and histogram:
	// WithLabelValues hashes the label values and formats the status on
	// every call. Routes and statuses are few, so the cache stays small.
	series sync.Map // seriesKey → *series
}

type seriesKey struct {
	route  string
	status int
}

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "prismhook_http_requests_total",
			Help: "HTTP requests answered by the mock, by route (operation id) and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "prismhook_http_request_duration_seconds",
			Help: "Time to answer HTTP requests, by route (operation id).",
			// The mock answers in microseconds; slow artifacts take seconds.
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5, 10},
		}, []string{"route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("mockserver: metrics: %w", err)
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(route string, status int, d time.Duration) {
	k := seriesKey{route, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &series{
			requests: m.requests.WithLabelValues(route, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(route),
		})
	}
	sr := v.(*series)
	sr.requests.Inc()
	sr.duration.Observe(d.Seconds())
}
