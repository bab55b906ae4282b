package receiver_test

import (
	"net"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/webhook"
)

// The usual first mistakes, which the harness diagnoses.
var _ = Describe("A receiver with a first mistake", func() {
	var stub *artifactStub

	BeforeEach(func() {
		stub = newArtifactStub()
	})

	It("not-found: answers 404 to everything, valid events included", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectNotFound})
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())}).status).To(Equal(http.StatusNotFound))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID()), unsigned: true}).status).To(Equal(http.StatusNotFound))
	})

	It("crash-on-bad-input: drops the connection on a body that is not JSON, and answers valid events", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectCrashOnBadInput})
		_, err := send(plainClient, r.URL, delivery{body: []byte("{not json")})
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("EOF"))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())}).status).To(Equal(http.StatusAccepted))
	})

	It("tiny-backlog: keeps a burst of new connections waiting to be accepted", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectTinyBacklog})
		addr := r.URL[len("http://") : len(r.URL)-len(receiver.Path)]
		var mu sync.Mutex
		var slowest time.Duration
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				start := time.Now()
				c, err := net.DialTimeout("tcp", addr, 10*time.Second)
				if err == nil {
					c.Close()
				}
				mu.Lock()
				defer mu.Unlock()
				slowest = max(slowest, time.Since(start))
			})
		}
		wg.Wait()
		// A dropped SYN is sent again after a second at the earliest.
		Expect(slowest).To(BeNumerically(">=", 900*time.Millisecond))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())}).status).To(Equal(http.StatusAccepted))
	})
})
