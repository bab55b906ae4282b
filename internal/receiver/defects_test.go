package receiver_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/webhook"
)

// catalogueIDs are the check IDs of the conformance catalogue.
var catalogueIDs = suites.IDs()

var _ = Describe("Defects", func() {
	It("names a known defect for every check of the catalogue, and nothing else", func() {
		Expect(receiver.Defects).To(HaveLen(len(catalogueIDs)))
		for _, id := range catalogueIDs {
			d, ok := receiver.Defects[id]
			Expect(ok).To(BeTrue(), "no defect for %s", id)
			Expect(d).NotTo(Equal(receiver.DefectNone), id)
			parsed, err := receiver.ParseDefect(string(d))
			Expect(err).NotTo(HaveOccurred())
			Expect(parsed).To(Equal(d))
		}
	})

	It("can all be started and closed", func() {
		ca, err := receiver.NewTestCA()
		Expect(err).NotTo(HaveOccurred())
		for _, d := range append(mapValues(receiver.Defects), receiver.DefectTLSOldVersion) {
			r, err := receiver.Start(receiver.Options{Secret: secret, Defect: d, CA: ca})
			Expect(err).NotTo(HaveOccurred(), string(d))
			Expect(r.Close()).To(Succeed(), string(d))
		}
	})
})

var _ = Describe("A receiver with one defect", func() {
	var stub *artifactStub

	BeforeEach(func() {
		stub = newArtifactStub()
	})

	completed := func() []byte { return event(stub, webhook.EventCompleted, newGenID()) }

	It("reject-completed: refuses the documentation's example with 400", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectRejectCompleted})
		Expect(post(r.URL, delivery{body: docExample(stub, newGenID())}).status).To(Equal(http.StatusBadRequest))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventFailed, newGenID())}).status).To(Equal(http.StatusAccepted))
	})

	It("reject-failed: refuses video.failed with 400", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectRejectFailed})
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventFailed, newGenID())}).status).To(Equal(http.StatusBadRequest))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("accept-unsigned: accepts and processes a delivery without signature header", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectAcceptUnsigned})
		Expect(post(r.URL, delivery{body: completed(), unsigned: true}).status).To(Equal(http.StatusAccepted))
		Eventually(r.Processed).Should(Equal(1))
		Expect(post(r.URL, delivery{body: completed(), signature: sig("")}).status).To(Equal(http.StatusUnauthorized))
	})

	It("format-only-signature: accepts a wrong secret and a changed body", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectFormatOnlySignature})
		b := completed()
		Expect(post(r.URL, delivery{body: b, signature: sig(webhook.Sign("whsec_other", b))}).status).To(Equal(http.StatusAccepted))
		changed := completed()
		Expect(post(r.URL, delivery{body: append(changed, ' '), signature: sig(webhook.Sign(secret, changed))}).status).To(Equal(http.StatusAccepted))
		Expect(post(r.URL, delivery{body: completed(), signature: sig("abc")}).status).To(Equal(http.StatusUnauthorized))
	})

	It("crash-on-malformed-signature: answers 500 to a signature of the wrong length or encoding", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectCrashOnMalformedSignature})
		b := completed()
		good := webhook.Sign(secret, b)
		for _, s := range []string{"", good[:40], good + "00", "zz" + good[2:]} {
			Expect(post(r.URL, delivery{body: b, signature: sig(s)}).status).To(Equal(http.StatusInternalServerError), s)
		}
		Expect(post(r.URL, delivery{body: b, signature: sig(webhook.Sign("whsec_other", b))}).status).To(Equal(http.StatusUnauthorized))
		Expect(post(r.URL, delivery{body: b}).status).To(Equal(http.StatusAccepted))
	})

	It("verify-reencoded: refuses correctly signed pretty-printed JSON", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectVerifyReencoded})
		var pretty bytes.Buffer
		Expect(json.Indent(&pretty, completed(), "", "  ")).To(Succeed())
		Expect(post(r.URL, delivery{body: pretty.Bytes()}).status).To(Equal(http.StatusUnauthorized))
		Expect(post(r.URL, delivery{body: append(completed(), '\n')}).status).To(Equal(http.StatusUnauthorized))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	Describe("case-sensitive-header", func() {
		var r *receiver.Running

		BeforeEach(func() {
			r = startReceiver(receiver.Options{Defect: receiver.DefectCaseSensitiveHeader})
		})

		It("refuses the signature header in lowercase with 401", func() {
			b := completed()
			a := post(r.URL, delivery{body: b, unsigned: true, header: map[string]string{"x-prism-signature": webhook.Sign(secret, b)}})
			Expect(a.status).To(Equal(http.StatusUnauthorized))
			Expect(r.Processed()).To(BeZero())
		})

		It("is otherwise the correct receiver, over keep-alive connections", func() {
			c := newClient(nil, 10*time.Second)
			first, again := newGenID(), newGenID()
			for _, id := range []string{first, again} {
				a, err := send(c, r.URL, delivery{body: event(stub, webhook.EventCompleted, id)})
				Expect(err).NotTo(HaveOccurred())
				Expect(a.status).To(Equal(http.StatusAccepted))
				Expect(a.resp.Header.Get("Content-Type")).To(Equal("application/json"))
			}
			Eventually(r.Processed).Should(Equal(2))
			b := completed()
			Expect(post(r.URL, delivery{body: b, signature: sig(webhook.Sign(secret, b)[:10])}).status).To(Equal(http.StatusUnauthorized))
			Expect(post(r.URL, delivery{body: []byte("not json")}).status).To(Equal(http.StatusBadRequest))
			Expect(post(r.URL, delivery{body: event(stub, "video.upscaled", newGenID())}).status).To(Equal(http.StatusAccepted))
			a, err := send(newClient(nil, 10*time.Second), r.URL, delivery{body: bytes.Repeat([]byte(" "), 20<<20)})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.status).To(Equal(http.StatusRequestEntityTooLarge))
		})

		It("keeps header names exactly as they arrive on the socket", func() {
			b := completed()
			conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(r.URL, receiver.Path), "http://"))
			Expect(err).NotTo(HaveOccurred())
			defer conn.Close()
			br := bufio.NewReader(conn)
			for _, name := range []string{"X-PRISM-SIGNATURE", "X-Prism-Signature"} {
				fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s: %s\r\nContent-Length: %d\r\n\r\n%s",
					receiver.Path, name, webhook.Sign(secret, b), len(b), b)
				resp, err := http.ReadResponse(br, nil)
				Expect(err).NotTo(HaveOccurred())
				resp.Body.Close()
				if name == webhook.SignatureHeader {
					Expect(resp.StatusCode).To(Equal(http.StatusAccepted), name)
				} else {
					Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized), name)
				}
			}
		})
	})

	It("slow-ack: answers only after Options.SlowAck", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectSlowAck, SlowAck: 1500 * time.Millisecond})
		a := post(r.URL, delivery{body: completed()})
		Expect(a.status).To(Equal(http.StatusAccepted))
		Expect(a.elapsed).To(BeNumerically(">=", 1500*time.Millisecond))
	})

	It("sluggish-ack: takes more than a second over every answer", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectSluggishAck})
		a := post(r.URL, delivery{body: completed()})
		Expect(a.status).To(Equal(http.StatusAccepted))
		Expect(a.elapsed).To(BeNumerically(">=", 1200*time.Millisecond))
	})

	It("serial-processing: concurrent deliveries wait for each other", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectSerialProcessing})
		const n = 6
		var wg sync.WaitGroup
		statuses := make([]int, n)
		start := time.Now()
		for i := range n {
			wg.Go(func() {
				defer GinkgoRecover()
				statuses[i] = post(r.URL, delivery{body: completed()}).status
			})
		}
		wg.Wait()
		Expect(time.Since(start)).To(BeNumerically(">=", n*150*time.Millisecond))
		Expect(statuses).To(HaveEach(http.StatusAccepted))
	})

	It("sync-processing: has fetched video_url before answering", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectSyncProcessing})
		id := newGenID()
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, id)}).status).To(Equal(http.StatusOK))
		Expect(stub.count(id)).To(Equal(1))
		Expect(r.Processed()).To(Equal(1))
	})

	It("reject-redelivery: answers 409 to an event it has seen", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectRejectRedelivery})
		b := completed()
		Expect(post(r.URL, delivery{body: b}).status).To(Equal(http.StatusAccepted))
		Expect(post(r.URL, delivery{body: b}).status).To(Equal(http.StatusConflict))
	})

	It("no-dedup: processes every delivery of an event", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectNoDedup})
		id := newGenID()
		b := event(stub, webhook.EventCompleted, id)
		for range 3 {
			Expect(post(r.URL, delivery{body: b}).status).To(Equal(http.StatusAccepted))
		}
		Eventually(stub.counter(id)).Should(Equal(3))
		Eventually(r.Processed).Should(Equal(3))
	})

	It("no-fetch-retry: gives up on video_url after one 503", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectNoFetchRetry, Workers: 1})
		failing, ok := newGenID(), newGenID()
		stub.failFirstN(failing, 2, "")
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, failing)}).status).To(Equal(http.StatusAccepted))
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, ok)}).status).To(Equal(http.StatusAccepted))
		// One worker: any retry of the failing fetch would come before ok is processed.
		Eventually(r.Processed).Should(Equal(1))
		Expect(stub.count(ok)).To(Equal(1))
		Expect(stub.count(failing)).To(Equal(1))
	})

	It("reject-unknown-event: refuses an unknown event type with 400", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectRejectUnknownEvent})
		Expect(post(r.URL, delivery{body: event(stub, "video.upscaled", newGenID())}).status).To(Equal(http.StatusBadRequest))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("500-on-bad-json: answers 500 to a signed body that is not JSON", func() {
		r := startReceiver(receiver.Options{Defect: receiver.Defect500OnBadJSON})
		Expect(post(r.URL, delivery{body: []byte("not json")}).status).To(Equal(http.StatusInternalServerError))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("dies-on-bad-input: answers 503 to everything after a body that is not JSON", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectDiesOnBadInput})
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
		Expect(post(r.URL, delivery{body: []byte("not json")}).status).To(Equal(http.StatusBadRequest))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusServiceUnavailable))
	})

	It("stall-on-large-body: leaves a large body unanswered", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectStallOnLargeBody})
		_, err := send(newClient(nil, time.Second), r.URL, delivery{body: bytes.Repeat([]byte(" "), 2<<20)})
		var ne net.Error
		Expect(errors.As(err, &ne) && ne.Timeout()).To(BeTrue(), "want a client timeout, got %v", err)
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("strict-content-type: refuses a charset parameter with 415", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectStrictContentType})
		Expect(post(r.URL, delivery{body: completed(), header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}).status).
			To(Equal(http.StatusUnsupportedMediaType))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("strict-fields: refuses unknown fields with 400", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectStrictFields})
		extra := bytes.Replace(completed(), []byte(`"data":{`), []byte(`"data":{"seed":42,`), 1)
		Expect(post(r.URL, delivery{body: extra}).status).To(Equal(http.StatusBadRequest))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
		doc, err := fixtures.Event(webhook.EventFailed) // every documented field is known
		Expect(err).NotTo(HaveOccurred())
		Expect(post(r.URL, delivery{body: doc}).status).To(Equal(http.StatusAccepted))
	})

	It("verify-latin1-decoded: refuses raw non-ASCII UTF-8, accepts ASCII", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectVerifyLatin1})
		b := bytes.Replace(completed(), []byte(`"prompt":"`), []byte(`"prompt":"café 🌅 東京 `), 1)
		Expect(post(r.URL, delivery{body: b}).status).To(Equal(http.StatusUnauthorized))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("small-body-limit: refuses a 32 KiB event with 413", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectSmallBodyLimit})
		long := strings.Repeat("東京", 32<<10/6)
		b := bytes.Replace(completed(), []byte(`"prompt":"`), []byte(`"prompt":"`+long), 1)
		Expect(post(r.URL, delivery{body: b}).status).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
	})

	It("racy-dedupe: processes simultaneous copies of an event more than once, sequential ones once", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectRacyDedupe})
		id := newGenID()
		b := event(stub, webhook.EventCompleted, id)
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				defer GinkgoRecover()
				Expect(post(r.URL, delivery{body: b}).status).To(BeNumerically("<", 300))
			})
		}
		wg.Wait()
		Eventually(stub.counter(id)).Should(BeNumerically(">", 1))
		seq := newGenID()
		sb := event(stub, webhook.EventCompleted, seq)
		for range 3 {
			Expect(post(r.URL, delivery{body: sb}).status).To(BeNumerically("<", 300))
		}
		Eventually(stub.counter(seq)).Should(Equal(1))
		Consistently(stub.counter(seq), 300*time.Millisecond).Should(Equal(1))
	})

	It("retry-storm: fetches a failing video_url again every few milliseconds", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectRetryStorm})
		id := newGenID()
		stub.failFirstN(id, 30, "1")
		Expect(post(r.URL, delivery{body: event(stub, webhook.EventCompleted, id)}).status).To(Equal(http.StatusAccepted))
		// 30 failures then a success, at about 10 ms apart: well under the
		// Retry-After of 1 s that a correct receiver honours.
		Eventually(r.Processed, 5*time.Second).Should(Equal(1))
		Expect(stub.count(id)).To(Equal(31))
	})

	It("limited-throughput: answers concurrent deliveries one after another", func() {
		r := startReceiver(receiver.Options{Defect: receiver.DefectLimitedThroughput})
		const n = 8
		var wg sync.WaitGroup
		start := time.Now()
		for range n {
			wg.Go(func() {
				defer GinkgoRecover()
				Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
			})
		}
		wg.Wait()
		Expect(time.Since(start)).To(BeNumerically(">=", n*25*time.Millisecond))
	})

	Describe("the TLS defects", func() {
		var ca *receiver.TestCA

		BeforeEach(func() {
			var err error
			ca, err = receiver.NewTestCA()
			Expect(err).NotTo(HaveOccurred())
		})

		It("plain-http: serves plain HTTP even when TLS is asked for", func() {
			r := startReceiver(receiver.Options{Defect: receiver.DefectPlainHTTP, TLS: true, CA: ca})
			Expect(r.URL).To(HavePrefix("http://127.0.0.1:"))
			Expect(post(r.URL, delivery{body: completed()}).status).To(Equal(http.StatusAccepted))
		})

		It("tls-untrusted-cert: presents a certificate the given CA did not sign", func() {
			r := startReceiver(receiver.Options{Defect: receiver.DefectTLSUntrustedCert, TLS: true, CA: ca})
			Expect(r.URL).To(HavePrefix("https://"))
			_, err := send(newClient(&tls.Config{RootCAs: ca.Pool()}, 10*time.Second), r.URL, delivery{body: completed()})
			var unknownAuthority x509.UnknownAuthorityError
			Expect(errors.As(err, &unknownAuthority)).To(BeTrue(), "want an unknown authority, got %v", err)

			a, err := send(newClient(&tls.Config{InsecureSkipVerify: true}, 10*time.Second), r.URL, delivery{body: completed()})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.status).To(Equal(http.StatusAccepted))
		})

		It("tls-old-version: negotiates TLS 1.1 with a client that allows it", func() {
			r := startReceiver(receiver.Options{Defect: receiver.DefectTLSOldVersion, CA: ca})
			old := newClient(&tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS10}, 10*time.Second)
			a, err := send(old, r.URL, delivery{body: completed()})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.status).To(Equal(http.StatusAccepted))
			Expect(a.resp.TLS.Version).To(Equal(uint16(tls.VersionTLS11)))

			_, err = send(newClient(&tls.Config{RootCAs: ca.Pool()}, 10*time.Second), r.URL, delivery{body: completed()})
			Expect(err).To(MatchError(ContainSubstring("protocol version")))
		})
	})
})

func mapValues(m map[string]receiver.Defect) []receiver.Defect {
	var out []receiver.Defect
	for _, d := range m {
		out = append(out, d)
	}
	return out
}
