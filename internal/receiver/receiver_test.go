package receiver_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("The correct receiver", func() {
	var stub *artifactStub

	BeforeEach(func() {
		stub = newArtifactStub()
	})

	It("acknowledges a valid delivery at once and processes it once", func() {
		r := startReceiver(receiver.Options{})
		id := newGenID()
		a := post(r.URL, delivery{body: event(stub, webhook.EventCompleted, id)})
		Expect(a.status).To(Equal(http.StatusAccepted))
		Expect(a.resp.Header.Get("Content-Type")).To(Equal("application/json"))
		Eventually(r.Processed).Should(Equal(1))
		Expect(stub.count(id)).To(Equal(1))
	})

	It("accepts the documentation's example payload byte for byte", func() {
		r := startReceiver(receiver.Options{})
		id := newGenID()
		Expect(post(r.URL, delivery{body: docExample(stub, id)}).status).To(Equal(http.StatusAccepted))
		Eventually(stub.counter(id)).Should(Equal(1))
	})

	It("accepts and processes a video.failed event, which has nothing to fetch", func() {
		r := startReceiver(receiver.Options{})
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventFailed, newGenID())}).status).To(Equal(http.StatusAccepted))
		Eventually(r.Processed).Should(Equal(1))
	})

	It("acknowledges every delivery of an event but processes it once", func() {
		r := startReceiver(receiver.Options{Workers: 1}) // one worker: events are processed in order
		a, b := newGenID(), newGenID()
		body := event(stub, webhook.EventCompleted, a)
		for range 3 {
			Expect(is2xx(post(r.URL, delivery{body: body}).status)).To(BeTrue())
		}
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, b)}).status).To(Equal(http.StatusAccepted))
		// Had a redelivery been queued, it would have been processed before b.
		Eventually(stub.counter(b)).Should(Equal(1))
		Eventually(r.Processed).Should(Equal(2))
		Expect(stub.count(a)).To(Equal(1))
	})

	It("retries a video_url that answers 503, cutting a long Retry-After short", func() {
		r := startReceiver(receiver.Options{})
		id := newGenID()
		stub.failFirstN(id, 2, "30")
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, id)}).status).To(Equal(http.StatusAccepted))
		// Two waits of at most a second each, far below the 30 s asked for.
		Eventually(r.Processed, 10*time.Second).Should(Equal(1))
		Expect(stub.count(id)).To(Equal(3))
	})

	It("does not retry a video_url that answers 404", func() {
		r := startReceiver(receiver.Options{Workers: 1})
		missing, ok := newGenID(), newGenID()
		stub.answer(missing, http.StatusNotFound)
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, missing)}).status).To(Equal(http.StatusAccepted))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, ok)}).status).To(Equal(http.StatusAccepted))
		// One worker: any retry for missing would come before ok is processed.
		Eventually(r.Processed).Should(Equal(1))
		Expect(stub.count(ok)).To(Equal(1))
		Expect(stub.count(missing)).To(Equal(1))
	})

	DescribeTable("refuses a bad signature with 401, never 500",
		func(mutate func(body []byte) delivery) {
			r := startReceiver(receiver.Options{})
			d := mutate(event(stub, webhook.EventCompleted, newGenID()))
			a := post(r.URL, d)
			Expect(a.status).To(Equal(http.StatusUnauthorized), a.body)
			Expect(r.Processed()).To(BeZero())
		},
		Entry("missing", func(b []byte) delivery { return delivery{body: b, unsigned: true} }),
		Entry("empty", func(b []byte) delivery { return delivery{body: b, signature: sig("")} }),
		Entry("truncated", func(b []byte) delivery { return delivery{body: b, signature: sig(webhook.Sign(secret, b)[:40])} }),
		Entry("over-long", func(b []byte) delivery { return delivery{body: b, signature: sig(webhook.Sign(secret, b) + "00")} }),
		Entry("not hex", func(b []byte) delivery { return delivery{body: b, signature: sig("zz" + webhook.Sign(secret, b)[2:])} }),
		Entry("wrong secret", func(b []byte) delivery { return delivery{body: b, signature: sig(webhook.Sign("whsec_other", b))} }),
		Entry("body changed", func(b []byte) delivery {
			return delivery{body: append(bytes.Clone(b), ' '), signature: sig(webhook.Sign(secret, b))}
		}),
	)

	It("answers a 20 MiB body with 413 quickly and stays up", func() {
		r := startReceiver(receiver.Options{})
		big := bytes.Repeat([]byte(" "), 20<<20)
		a, err := send(newClient(nil, 10*time.Second), r.URL, delivery{body: big})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.status).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(a.elapsed).To(BeNumerically("<", 5*time.Second)) // Prism's ack timeout
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())}).status).To(Equal(http.StatusAccepted))
	})

	It("acknowledges an unknown event type and ignores it", func() {
		r := startReceiver(receiver.Options{Workers: 1})
		unknown, known := newGenID(), newGenID()
		Expect(post(r.URL, delivery{body: event(stub, "video.upscaled", unknown)}).status).To(Equal(http.StatusAccepted))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, known)}).status).To(Equal(http.StatusAccepted))
		// One worker: had the unknown event been queued, it would have been processed first.
		Eventually(r.Processed).Should(Equal(1))
		Expect(stub.count(known)).To(Equal(1))
		Expect(stub.count(unknown)).To(BeZero())
	})

	It("refuses a correctly signed body that is not JSON with 400", func() {
		r := startReceiver(receiver.Options{})
		Expect(post(r.URL, delivery{body: []byte("not json")}).status).To(Equal(http.StatusBadRequest))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())}).status).To(Equal(http.StatusAccepted))
	})

	It("accepts a charset in Content-Type and unknown fields", func() {
		r := startReceiver(receiver.Options{})
		Expect(post(r.URL, delivery{
			body:   event(stub, webhook.EventCompleted, newGenID()),
			header: map[string]string{"Content-Type": "application/json; charset=utf-8"},
		}).status).To(Equal(http.StatusAccepted))
		extra := bytes.Replace(event(stub, webhook.EventCompleted, newGenID()), []byte(`"data":{`), []byte(`"region":"eu","data":{"seed":42,`), 1)
		Expect(post(r.URL, delivery{body: extra}).status).To(Equal(http.StatusAccepted))
	})

	It("answers 503 when its queue is full rather than block, and takes the event later", func() {
		r := startReceiver(receiver.Options{Workers: 1, QueueSize: 1})
		busy, queued, refused := newGenID(), newGenID(), newGenID()
		release := stub.gate(busy)
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, busy)}).status).To(Equal(http.StatusAccepted))
		Eventually(stub.arrived).Should(Receive(Equal(busy))) // the only worker is now stuck on it
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, queued)}).status).To(Equal(http.StatusAccepted))
		body := event(stub, webhook.EventCompleted, refused)
		Expect(post(r.URL, delivery{body: body}).status).To(Equal(http.StatusServiceUnavailable))

		release()
		// The refused event was not remembered as seen: delivered again, it is processed.
		Eventually(func() int { return post(r.URL, delivery{body: body}).status }).Should(Equal(http.StatusAccepted))
		Eventually(r.Processed).Should(Equal(3))
		Expect(stub.count(refused)).To(Equal(1))
	})

	It("serves HTTPS with a certificate from its CA", func() {
		ca, err := receiver.NewTestCA()
		Expect(err).NotTo(HaveOccurred())
		r := startReceiver(receiver.Options{TLS: true, CA: ca})
		Expect(r.URL).To(HavePrefix("https://127.0.0.1:"))

		path := filepath.Join(GinkgoT().TempDir(), "ca.pem")
		Expect(ca.WritePEM(path)).To(Succeed())
		pemBytes, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(pemBytes).To(Equal(ca.PEM()))
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(pemBytes)).To(BeTrue())

		a, err := send(newClient(&tls.Config{RootCAs: pool}, 10*time.Second), r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.status).To(Equal(http.StatusAccepted))
		Expect(a.resp.TLS.Version).To(BeNumerically(">=", tls.VersionTLS12))
		Eventually(r.Processed).Should(Equal(1))
	})

	DescribeTable("stops its server and workers on Close",
		func(defect receiver.Defect, useTLS bool) {
			o := receiver.Options{Secret: secret, Defect: defect, Workers: 4}
			transport := http.DefaultTransport.(*http.Transport).Clone()
			if useTLS {
				ca, err := receiver.NewTestCA()
				Expect(err).NotTo(HaveOccurred())
				o.TLS, o.CA = true, ca
				transport.TLSClientConfig = &tls.Config{RootCAs: ca.Pool()}
			}
			c := &http.Client{Transport: transport, Timeout: 10 * time.Second}
			plainTransport.CloseIdleConnections()
			before := runtime.NumGoroutine()

			r, err := receiver.Start(o)
			Expect(err).NotTo(HaveOccurred())
			a, err := send(c, r.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.status).To(Equal(http.StatusAccepted))
			Eventually(r.Processed).Should(Equal(1))
			Expect(r.Close()).To(Succeed())
			Expect(r.Close()).To(Succeed()) // idempotent
			transport.CloseIdleConnections()
			Eventually(runtime.NumGoroutine).Should(BeNumerically("<=", before))
		},
		Entry("plain HTTP", receiver.DefectNone, false),
		Entry("HTTPS", receiver.DefectNone, true),
		Entry("the raw server of case-sensitive-header", receiver.DefectCaseSensitiveHeader, false),
		Entry("the raw server over TLS", receiver.DefectCaseSensitiveHeader, true),
	)
})

var _ = Describe("NewHandler", func() {
	It("serves the correct receiver on a server of the caller's", func() {
		stub := newArtifactStub()
		h, err := receiver.NewHandler(receiver.Options{Secret: secret})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(h.Close)
		srv := httptest.NewServer(h)
		DeferCleanup(srv.Close)
		Expect(post(srv.URL, delivery{body: event(stub, webhook.EventCompleted, newGenID())}).status).To(Equal(http.StatusAccepted))
		Eventually(h.Processed).Should(Equal(1))
	})

	It("refuses what it cannot serve, with a clear error", func() {
		_, err := receiver.NewHandler(receiver.Options{Secret: secret, Defect: receiver.DefectCaseSensitiveHeader})
		Expect(err).To(MatchError(ContainSubstring("use Start")))
		_, err = receiver.NewHandler(receiver.Options{})
		Expect(err).To(MatchError(ContainSubstring("secret is required")))
		_, err = receiver.Start(receiver.Options{Secret: secret, Defect: "no-such-defect"})
		Expect(err).To(MatchError(ContainSubstring(`unknown receiver defect "no-such-defect"`)))
		_, err = receiver.Start(receiver.Options{Secret: secret, TLS: true})
		Expect(err).To(MatchError(ContainSubstring("TLS needs a CA")))
	})
})
