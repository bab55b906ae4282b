package delivery

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/prismhook/prismhook/internal/wire"
)

// answersKept is how many of a delivery's latest attempts keep the
// answer's headers and body, besides the first attempt; older ones keep
// their status, latency and error only.
const answersKept = 2

// trimAnswers drops the answer's headers and body from the attempts that
// are neither the first nor among the last answersKept, so that a delivery
// retried or redelivered many times stays small.
func trimAnswers(as []Attempt) {
	for i := 1; i < len(as)-answersKept; i++ {
		as[i].ResponseHeaders, as[i].ResponseBody = nil, ""
	}
}

// secretHeaders carry credentials; their values are never recorded.
var secretHeaders = map[string]bool{
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
	"set-cookie":          true,
}

// redactHeader returns a copy of h with credential headers hidden and the
// secret, wherever it appears, replaced by "***".
func redactHeader(h http.Header, secret string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case secretHeaders[strings.ToLower(k)]:
				if scheme, _, ok := strings.Cut(v, " "); ok && strings.EqualFold(k, "authorization") {
					c[i] = scheme + " ***"
				} else {
					c[i] = "***"
				}
			default:
				c[i] = redactText(v, secret)
			}
		}
		out[k] = c
	}
	return out
}

// redactText replaces the secret in s by "***".
func redactText(s, secret string) string {
	if secret == "" || !strings.Contains(s, secret) {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

// recordExchange fills a's outcome and its bounded, redacted record of what
// was sent and received. Whatever equals the previous attempt's (prev, may
// be nil) shares its memory: a delivery retried with the same bytes and
// answered the same way costs little more than its first attempt.
//
// A body sent as the delivery's Body is (no fault changed it) is not kept
// twice: RequestBody stays empty and WithRequestBodies fills it in.
func recordExchange(a *Attempt, x Exchange, secret string, prev *Attempt, body []byte) {
	a.InFlight = false
	a.Status = x.Status
	a.LatencyMS = float64(x.Latency) / float64(1e6)
	a.Error = attemptError(x)
	a.ErrorKind = x.ErrKind
	a.RequestHeaders = redactHeader(x.RequestHeader, secret)
	a.RequestBody = redactText(x.BodyExcerpt, secret)
	if x.BodySize == len(body) && x.BodyExcerpt == wire.BodyExcerpt(body) {
		a.RequestBody = ""
	}
	a.RequestBodySize = x.BodySize
	a.ResponseHeaders = redactHeader(x.ResponseHeader, secret)
	a.ResponseBody = redactText(x.ResponseExcerpt, secret)
	if prev == nil {
		return
	}
	a.RequestHeaders = share(prev.RequestHeaders, a.RequestHeaders)
	if prev.RequestBody == a.RequestBody {
		a.RequestBody = prev.RequestBody
	}
	a.ResponseHeaders = share(prev.ResponseHeaders, a.ResponseHeaders)
	if prev.ResponseBody == a.ResponseBody {
		a.ResponseBody = prev.ResponseBody
	}
}

// share returns h, or prev when they are equal; otherwise h with the
// values equal to prev's sharing prev's memory (an answer that differs
// only by its Date header costs only that header).
func share(prev, h http.Header) http.Header {
	if prev == nil || h == nil {
		return h
	}
	if headersEqual(prev, h) {
		return prev
	}
	for k, vs := range h {
		if pv, ok := prev[k]; ok && slices.Equal(pv, vs) {
			h[k] = pv
		}
	}
	return h
}

func headersEqual(a, b http.Header) bool {
	return maps.EqualFunc(a, b, slices.Equal)
}

// WithRequestBodies returns d with the RequestBody of each attempt that sent
// the delivery's own body filled in (the log keeps that body once).
func (d Delivery) WithRequestBodies() Delivery {
	var body string
	d.Attempts = slices.Clone(d.Attempts) // never write through to the caller's
	for i := range d.Attempts {
		a := &d.Attempts[i]
		if a.RequestBody == "" && a.RequestBodySize > 0 && a.RequestBodySize == len(d.Body) {
			if body == "" {
				body = redactText(wire.BodyExcerpt(d.Body), d.Secret)
			}
			a.RequestBody = body
		}
	}
	return d
}
