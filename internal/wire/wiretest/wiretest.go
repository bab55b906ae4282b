// Package wiretest holds the test receivers that the tests of internal/wire
// and of the mock's engine (mockserver/delivery) share.
package wiretest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Request is one request as a test receiver saw it.
type Request struct {
	Header http.Header
	Body   []byte
}

// Receiver is an httptest server that records every request and answers
// with answer (200 when nil). Close it when done.
type Receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []Request
	// Seen gets every request as it arrives (up to 1024 unread).
	Seen chan Request
}

// NewReceiver starts a Receiver.
func NewReceiver(answer http.HandlerFunc) *Receiver {
	rc := &Receiver{Seen: make(chan Request, 1024)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // a short body shows in the test's assertions
		got := Request{Header: r.Header.Clone(), Body: body}
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, got)
		rc.mu.Unlock()
		select {
		case rc.Seen <- got:
		default: // nobody is watching that many
		}
		if answer == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		answer(w, r)
	}))
	return rc
}

// Requests returns the requests received so far.
func (rc *Receiver) Requests() []Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Request(nil), rc.reqs...)
}

// Stall answers only when the client gives up (or after d).
func Stall(d time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(d):
		}
	}
}

// RefusedURL returns a loopback URL on which nothing listens.
func RefusedURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", err
	}
	return "http://" + addr + "/hook", nil
}
