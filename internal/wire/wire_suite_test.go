package wire_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestWire(t *testing.T) {
	RegisterFailHandler(Fail)
	// Generous: the suite must pass on a busy 2-core machine under -race.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "Wire Suite")
}

// received is one request as a test receiver saw it.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is an httptest server that records every request and answers
// with answer (200 when nil).
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
	seen chan received // every request, as it arrives
}

func newReceiver(answer http.HandlerFunc) *receiver {
	rc := &receiver{seen: make(chan received, 1024)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // a short body shows in the test's assertions
		got := received{Header: r.Header.Clone(), Body: body}
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, got)
		rc.mu.Unlock()
		select {
		case rc.seen <- got:
		default: // nobody is watching that many
		}
		if answer == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		answer(w, r)
	}))
	DeferCleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}
