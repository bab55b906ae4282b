package mockserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// requestInfo travels in the request's context from the outermost
// middleware down to the handler, which fills in what only it knows.
type requestInfo struct {
	id    string
	route string // operation id or another bounded name, for metrics and logs
	owner string // the API key's owner, once authenticated
}

type requestInfoKey struct{}

// Route names for requests outside the OpenAPI documents.
const (
	routeUnmatched = "unmatched"
	routeArtifacts = "artifacts"
	routeMetrics   = "metrics"
)

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{} // outside observe; nothing reads it back
}

// withInfo returns r with a requestInfo in its context, adding one if
// observe did not, so that what validation records is seen by the handler.
func withInfo(r *http.Request) (*http.Request, *requestInfo) {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return r, info
	}
	info := &requestInfo{}
	return r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)), info
}

func requestID(ctx context.Context) string { return infoFrom(ctx).id }

// recorder keeps the status a handler answered with.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id (X-Request-Id, kept from the client when
// it is a sane one), then counts, times and logs it once it is answered.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// One allocation for both: each request needs them until it ends.
		st := &struct {
			rec  recorder
			info requestInfo
		}{rec: recorder{ResponseWriter: w}, info: requestInfo{id: cleanRequestID(r.Header.Get("X-Request-Id")), route: routeUnmatched}}
		rec, info := &st.rec, &st.info
		if info.id == "" {
			info.id = newRequestID()
		}
		w.Header().Set("X-Request-Id", info.id)
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))

		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.observe(info.route, status, elapsed)
		if s.logger.Enabled(r.Context(), slog.LevelInfo) {
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", info.id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", info.route),
				slog.Int("status", status),
				slog.Duration("duration", elapsed))
		}
	})
}

// cleanRequestID keeps a client's request id only if it is short and made
// of safe characters, so that it cannot forge log lines or headers.
func cleanRequestID(id string) string {
	if len(id) == 0 || len(id) > 64 {
		return ""
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return ""
		}
	}
	return id
}

// Request ids need to be unique, not unpredictable: a random prefix per
// process and a counter are enough, and cheaper than randomness each time.
var (
	requestIDPrefix = func() string {
		var b [4]byte
		rand.Read(b[:]) // never fails
		return "req_" + hex.EncodeToString(b[:])
	}()
	requestCounter atomic.Uint64
)

func newRequestID() string {
	var b [len("req_") + 8 + 16]byte
	n := copy(b[:], requestIDPrefix)
	c := requestCounter.Add(1)
	// At least 8 hex digits, as %08x would write, without fmt's cost.
	digits := 8
	for c>>(4*digits) != 0 {
		digits++
	}
	for i := n + digits - 1; i >= n; i-- {
		b[i] = hexDigits[c&0xf]
		c >>= 4
	}
	return string(b[:n+digits])
}

const hexDigits = "0123456789abcdef"

// recoverPanics turns a panic into a logged internal error and, if nothing
// was written yet, a JSON 500: never a stack trace on the wire.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // net/http's way to abort a response; it handles it
			}
			s.logger.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("request_id", requestID(r.Context())),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				return // the answer has begun; the client sees it cut short
			}
			writeError(w, r, s.logger, errorf(http.StatusInternalServerError,
				"internal error; the server log has the details (request id %s)", requestID(r.Context())))
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody bounds request bodies: a declared length over the limit is
// refused at once, an undeclared one fails when the handler reads past it.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.opts.MaxBodyBytes {
			writeError(w, r, s.logger, tooLarge(s.opts.MaxBodyBytes))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(limit int64) *apiError {
	return errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
}

// tooLargeError returns the 413 for an error from reading past
// limitBody's bound.
func tooLargeError(err error) (*apiError, bool) {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return nil, false
	}
	return tooLarge(mbe.Limit), true
}
