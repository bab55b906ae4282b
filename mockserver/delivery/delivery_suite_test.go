package delivery_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/webhook"
)

func TestDelivery(t *testing.T) {
	RegisterFailHandler(Fail)
	// Generous: the suite must pass on a busy 2-core machine under -race.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "Delivery Suite")
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

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2mS1aCs8Zc8"

func completedEvent() []byte {
	b, err := fixtures.CompactEvent(webhook.EventCompleted)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// stall answers only when the client gives up (or after d).
func stall(d time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(d):
		}
	}
}

// refusedURL returns a loopback URL on which nothing listens.
func refusedURL() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return "http://" + addr + "/hook"
}
