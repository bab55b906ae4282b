package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
)

// DefaultMaxBodyBytes bounds a delivery body read by Middleware. Prism's
// events are a few hundred bytes; a megabyte leaves room for large prompts.
const DefaultMaxBodyBytes = 1 << 20

// Delivery is a verified delivery, handed on by Middleware.
type Delivery struct {
	ID    string // X-Prism-Delivery, unique per delivery (not per event)
	Event *Event
	Body  []byte // the raw bytes the signature covered
}

type deliveryKey struct{}

// DeliveryFrom returns the delivery Middleware verified for this request.
func DeliveryFrom(ctx context.Context) (*Delivery, bool) {
	d, ok := ctx.Value(deliveryKey{}).(*Delivery)
	return d, ok
}

// Option configures Middleware.
type Option func(*options)

type options struct {
	maxBody int64
	onError func(r *http.Request, status int, err error)
}

// WithMaxBodyBytes sets the largest body accepted; larger ones get 413.
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithErrorHook is called for every refused request, for logging.
func WithErrorHook(fn func(r *http.Request, status int, err error)) Option {
	return func(o *options) { o.onError = fn }
}

// Middleware verifies deliveries before they reach next: POST only, body
// bounded, signature checked over the raw bytes in constant time, body
// parsed as an event. Refusals are answered with a 4xx and never reach next;
// next finds the delivery with DeliveryFrom and the raw body in r.Body.
//
// next should answer quickly (Prism waits 5 seconds) and do slow work in the
// background.
func Middleware(secret string, opts ...Option) func(http.Handler) http.Handler {
	o := options{maxBody: DefaultMaxBodyBytes}
	for _, opt := range opts {
		opt(&o)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			refuse := func(status int, err error) {
				if o.onError != nil {
					o.onError(r, status, err)
				}
				http.Error(w, http.StatusText(status)+": "+err.Error(), status)
			}
			if r.Method != http.MethodPost {
				w.Header().Set("Allow", http.MethodPost)
				refuse(http.StatusMethodNotAllowed, errors.New("webhook: deliveries are POSTed"))
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.maxBody))
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					refuse(http.StatusRequestEntityTooLarge, err)
					return
				}
				refuse(http.StatusBadRequest, err)
				return
			}
			if err := Verify(secret, body, r.Header.Get(SignatureHeader)); err != nil {
				refuse(http.StatusUnauthorized, err)
				return
			}
			ev, err := Parse(body)
			if err != nil {
				refuse(http.StatusBadRequest, err)
				return
			}
			d := &Delivery{ID: r.Header.Get(DeliveryHeader), Event: ev, Body: body}
			r = r.WithContext(context.WithValue(r.Context(), deliveryKey{}, d))
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	}
}
