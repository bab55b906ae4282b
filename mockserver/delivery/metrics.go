package delivery

import (
	"errors"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prometheus/client_golang/prometheus"
)

// Attempt outcomes, the label values of prismhook_delivery_attempts_total.
const (
	outcomeSuccess   = "success"
	outcomeHTTPError = "http_error"
)

// metrics are the engine's Prometheus series. A nil *metrics records
// nothing, for an engine without a Registerer.
type metrics struct {
	delivered, failed prometheus.Counter
	attempts          map[string]prometheus.Counter // by outcome
	seconds           prometheus.Histogram
}

func newMetrics(r prometheus.Registerer) (*metrics, error) {
	if r == nil {
		return nil, nil
	}
	deliveries, err := register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "prismhook_deliveries_total",
		Help: "Deliveries finished, by outcome: delivered (a 2xx) or failed (every attempt of the schedule failed).",
	}, []string{"outcome"}))
	if err != nil {
		return nil, err
	}
	attempts, err := register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "prismhook_delivery_attempts_total",
		Help: "Delivery attempts, by outcome: success, http_error (an answer that is not 2xx), timeout, connection, tls, other.",
	}, []string{"outcome"}))
	if err != nil {
		return nil, err
	}
	seconds, err := register(r, prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "prismhook_delivery_attempt_seconds",
		Help:    "Time from sending an attempt to the receiver's answer (or to the failure).",
		Buckets: prometheus.DefBuckets,
	}))
	if err != nil {
		return nil, err
	}
	m := &metrics{
		delivered: deliveries.WithLabelValues(StatusDelivered),
		failed:    deliveries.WithLabelValues(StatusFailed),
		attempts:  map[string]prometheus.Counter{},
		seconds:   seconds,
	}
	// Every series exists from the start, at zero, so rates work at once.
	for _, o := range []string{outcomeSuccess, outcomeHTTPError, string(wire.ErrKindTimeout),
		string(wire.ErrKindConnection), string(wire.ErrKindTLS), string(wire.ErrKindOther)} {
		m.attempts[o] = attempts.WithLabelValues(o)
	}
	return m, nil
}

// register registers c, or returns the collector already registered in its
// place (several engines may share a registry, one after the other).
func register[C prometheus.Collector](r prometheus.Registerer, c C) (C, error) {
	err := r.Register(c)
	var exists prometheus.AlreadyRegisteredError
	if errors.As(err, &exists) {
		if prev, ok := exists.ExistingCollector.(C); ok {
			return prev, nil
		}
	}
	return c, err
}

// attempt records one finished attempt.
func (m *metrics) attempt(x Exchange) {
	if m == nil {
		return
	}
	outcome := outcomeSuccess
	switch {
	case x.Err != nil:
		outcome = string(x.ErrKind)
		if x.ErrKind == wire.ErrKindNone {
			outcome = string(wire.ErrKindOther)
		}
	case !x.OK():
		outcome = outcomeHTTPError
	}
	m.attempts[outcome].Inc()
	m.seconds.Observe(x.Latency.Seconds())
}

// finished records a delivery that reached a final status.
func (m *metrics) finished(status string) {
	if m == nil {
		return
	}
	if status == StatusDelivered {
		m.delivered.Inc()
	} else {
		m.failed.Inc()
	}
}
