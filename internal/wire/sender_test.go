package wire_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/internal/wire/wiretest"
	"github.com/prismhook/prismhook/webhook"
)

// refusedURL returns a loopback URL on which nothing listens.
func refusedURL() string {
	u, err := wiretest.RefusedURL()
	Expect(err).NotTo(HaveOccurred())
	return u
}

// rawRequest is a request read from a socket, header lines as written.
type rawRequest struct {
	lines []string
	body  []byte
}

// rawReceiver is an HTTP/1.1 server on a bare socket, so the test sees
// header names exactly as the client wrote them (net/http canonicalises).
func rawReceiver() (string, <-chan rawRequest) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(ln.Close)
	out := make(chan rawRequest, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveRaw(conn, out)
		}
	}()
	return "http://" + ln.Addr().String() + "/hook", out
}

func serveRaw(conn net.Conn, out chan<- rawRequest) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		var req rawRequest
		length := 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			req.lines = append(req.lines, line)
			if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(value))
			}
		}
		req.body = make([]byte, length)
		if _, err := io.ReadFull(br, req.body); err != nil {
			return
		}
		out <- req
		if _, err := io.WriteString(conn, "HTTP/1.1 204 No Content\r\n\r\n"); err != nil {
			return
		}
	}
}

// headerLine returns the value of the header line whose name is exactly
// name, as written on the wire.
func headerLine(req rawRequest, name string) (string, bool) {
	for _, l := range req.lines {
		if n, v, ok := strings.Cut(l, ":"); ok && n == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

var _ = Describe("Sender", func() {
	var sender *wire.Sender
	BeforeEach(func() { sender = wire.NewSender(wire.SenderOptions{}) })

	send := func(url string, f wire.Fault) wire.Exchange {
		m := message(f)
		m.URL = url
		return sender.Send(context.Background(), m)
	}

	It("fills the exchange with what was sent and what came back", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "queued")
		})
		m := message(wire.FaultNone)
		m.URL, m.DeliveryID = rc.URL+"/hook", "dlv_fill"
		x := sender.Send(context.Background(), m)
		Expect(x.Err).NotTo(HaveOccurred())
		Expect(x.OK()).To(BeTrue())
		Expect(x.Status).To(Equal(http.StatusAccepted))
		Expect(x.ResponseExcerpt).To(Equal("queued"))
		Expect(x.DeliveryID).To(Equal("dlv_fill"))
		Expect(x.URL).To(Equal(m.URL))
		Expect(x.BodySize).To(Equal(len(m.Body)))
		Expect(x.BodyExcerpt).To(Equal(string(m.Body)))
		Expect(x.Latency).To(BeNumerically(">", 0))
		Expect(x.Started).NotTo(BeZero())
		Expect(x.TLSVersion).To(BeZero())
		Expect(x.RequestHeader[webhook.SignatureHeader]).To(Equal([]string{webhook.Sign(secret, m.Body)}))

		got := <-rc.Seen
		Expect(got.Body).To(Equal(m.Body))
		Expect(got.Header.Get(webhook.DeliveryHeader)).To(Equal("dlv_fill"))
		Expect(got.Header.Get("Accept-Encoding")).To(BeEmpty(), "only the sender's own headers")
		for k, v := range x.RequestHeader {
			Expect(got.Header.Values(k)).To(Equal(v), k)
		}
	})

	// What each fault looks like to a receiver, from the request it got.
	DescribeTable("each fault's effect on the wire",
		func(f wire.Fault, verifies, validJSON bool) {
			// What is under test is the request, not the timeout: the
			// oversized body takes a while under the race detector.
			sender = wire.NewSender(wire.SenderOptions{Timeout: time.Minute})
			rc := newReceiver(nil)
			x := send(rc.URL, f)
			Expect(x.Err).NotTo(HaveOccurred())
			Expect(x.Status).To(Equal(http.StatusOK))
			got := <-rc.Seen
			Expect(got.Body).To(HaveLen(x.BodySize))
			Expect(string(got.Body)).To(HavePrefix(x.BodyExcerpt))
			Expect(x.BodyExcerpt).To(HaveLen(min(512, x.BodySize)))
			err := webhook.Verify(secret, got.Body, got.Header.Get(webhook.SignatureHeader))
			if verifies {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(HaveOccurred())
			}
			if f == wire.FaultOversized {
				// Its JSON is checked in Prepare's spec; parsing 20 MiB
				// again under the race detector would take seconds.
				Expect(got.Body).To(HaveLen(wire.OversizedBytes))
				validJSON = false
			} else {
				Expect(json.Valid(got.Body)).To(Equal(validJSON))
			}

			ct := "application/json"
			if f == wire.FaultCharset {
				ct = "application/json; charset=utf-8"
			}
			Expect(got.Header.Get("Content-Type")).To(Equal(ct))
			Expect(got.Header.Get("User-Agent")).To(Equal("Prism-Webhooks/" + wire.Version))
			Expect(got.Header.Get(webhook.DeliveryHeader)).To(Equal(x.DeliveryID))
			event := webhook.EventCompleted
			if f == wire.FaultUnknownEvent {
				event = wire.UnknownEventType
			}
			Expect(got.Header.Get(webhook.EventHeader)).To(Equal(event))
			_, present := got.Header[webhook.SignatureHeader]
			Expect(present).To(Equal(f != wire.FaultMissingSignature))
			if validJSON {
				ev, err := webhook.Parse(got.Body)
				Expect(err).NotTo(HaveOccurred())
				Expect(ev.Event).To(Equal(event))
			}
		},
		Entry(nil, wire.FaultNone, true, true),
		Entry(nil, wire.FaultMissingSignature, false, true),
		Entry(nil, wire.FaultWrongSecret, false, true),
		Entry(nil, wire.FaultBodyChanged, false, true),
		Entry(nil, wire.FaultEmptySignature, false, true),
		Entry(nil, wire.FaultNonHexSignature, false, true),
		Entry(nil, wire.FaultTruncatedSignature, false, true),
		Entry(nil, wire.FaultLongSignature, false, true),
		Entry(nil, wire.FaultWhitespace, true, true),
		Entry(nil, wire.FaultKeyOrder, true, true),
		Entry(nil, wire.FaultUnicodeEscapes, true, true),
		Entry(nil, wire.FaultTrailingNewline, true, true),
		Entry(nil, wire.FaultUnknownEvent, true, true),
		Entry(nil, wire.FaultExtraFields, true, true),
		Entry(nil, wire.FaultMalformedJSON, true, false),
		Entry(nil, wire.FaultOversized, true, true),
		Entry(nil, wire.FaultLowercaseHeader, true, true),
		Entry(nil, wire.FaultCharset, true, true),
		Entry(nil, wire.FaultDuplicate, true, true),
		Entry(nil, wire.FaultBurst, true, true),
	)

	It("writes the empty signature as a header without value", func() {
		url, reqs := rawReceiver()
		x := send(url, wire.FaultEmptySignature)
		Expect(x.Err).NotTo(HaveOccurred())
		req := <-reqs
		v, ok := headerLine(req, "X-Prism-Signature")
		Expect(ok).To(BeTrue(), "%q", req.lines)
		Expect(v).To(BeEmpty())
	})

	It("spells header names on the wire as prepared, lowercase for lowercase-header", func() {
		url, reqs := rawReceiver()
		Expect(send(url, wire.FaultNone).Err).NotTo(HaveOccurred())
		req := <-reqs
		for _, name := range []string{"Content-Type", "User-Agent", "X-Prism-Event", "X-Prism-Delivery", "X-Prism-Signature"} {
			_, ok := headerLine(req, name)
			Expect(ok).To(BeTrue(), "%s in %q", name, req.lines)
		}

		x := send(url, wire.FaultLowercaseHeader)
		Expect(x.Err).NotTo(HaveOccurred())
		req = <-reqs
		_, canonical := headerLine(req, "X-Prism-Signature")
		Expect(canonical).To(BeFalse(), "%q", req.lines)
		sig, ok := headerLine(req, "x-prism-signature")
		Expect(ok).To(BeTrue(), "%q", req.lines)
		Expect(webhook.Verify(secret, req.body, sig)).To(Succeed())
		Expect(x.RequestHeader).To(HaveKey("x-prism-signature"))
	})

	It("does not follow redirects: a 302 is the answer, and a failure", func() {
		var followed atomic.Int32
		target := newReceiver(func(http.ResponseWriter, *http.Request) { followed.Add(1) })
		rc := newReceiver(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, http.StatusFound)
		})
		x := send(rc.URL, wire.FaultNone)
		Expect(x.Err).NotTo(HaveOccurred())
		Expect(x.Status).To(Equal(http.StatusFound))
		Expect(x.OK()).To(BeFalse())
		Expect(followed.Load()).To(BeZero())
	})

	It("counts any status outside 2xx as not delivered", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
		x := send(rc.URL, wire.FaultNone)
		Expect(x.Err).NotTo(HaveOccurred())
		Expect(x.Status).To(Equal(http.StatusServiceUnavailable))
		Expect(x.OK()).To(BeFalse())
	})

	It("times out a receiver that does not answer in time", func() {
		sender = wire.NewSender(wire.SenderOptions{Timeout: 200 * time.Millisecond})
		rc := newReceiver(wiretest.Stall(time.Minute))
		x := send(rc.URL, wire.FaultNone)
		Expect(x.ErrKind).To(Equal(wire.ErrKindTimeout))
		Expect(x.Err).To(MatchError(ContainSubstring("timeout")))
		Expect(x.Status).To(BeZero())
		Expect(x.OK()).To(BeFalse())
		Expect(x.Latency).To(BeNumerically(">=", 150*time.Millisecond))
	})

	It("keeps Prism's 5 second rule by default", func() {
		rc := newReceiver(wiretest.Stall(6500 * time.Millisecond))
		start := time.Now()
		x := send(rc.URL, wire.FaultNone)
		took := time.Since(start)
		Expect(x.ErrKind).To(Equal(wire.ErrKindTimeout))
		Expect(took).To(BeNumerically(">=", 4500*time.Millisecond))
		Expect(took).To(BeNumerically("<", 6500*time.Millisecond))
	})

	It("classifies a refused connection", func() {
		x := send(refusedURL(), wire.FaultNone)
		Expect(x.ErrKind).To(Equal(wire.ErrKindConnection))
		Expect(x.Err).To(HaveOccurred())
		Expect(x.Status).To(BeZero())
	})

	It("classifies a connection closed without an answer", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		x := send(rc.URL, wire.FaultNone)
		Expect(x.ErrKind).To(Equal(wire.ErrKindConnection), "%v", x.Err)
	})

	It("reports bad URLs without sending", func() {
		for _, u := range []string{"", "::not a url", "ftp://127.0.0.1/x"} {
			x := send(u, wire.FaultNone)
			Expect(x.ErrKind).To(Equal(wire.ErrKindOther), u)
			Expect(x.Err).To(HaveOccurred())
		}
		x := send("http://127.0.0.1:1/", "no-such-fault")
		Expect(x.ErrKind).To(Equal(wire.ErrKindOther))
	})

	Context("over HTTPS", func() {
		var (
			srv   *httptest.Server
			proto atomic.Int32 // HTTP major version of the last request
		)
		BeforeEach(func() {
			srv = httptest.NewUnstartedServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				proto.Store(int32(r.ProtoMajor))
			}))
			srv.EnableHTTP2 = true                           // offered, and declined: HTTP/2 would lowercase every header name
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
			srv.StartTLS()
			DeferCleanup(srv.Close)
		})

		It("records the TLS version with a trusted certificate", func() {
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			sender = wire.NewSender(wire.SenderOptions{TLSConfig: &tls.Config{RootCAs: pool}})
			x := send(srv.URL, wire.FaultNone)
			Expect(x.Err).NotTo(HaveOccurred())
			Expect(x.Status).To(Equal(http.StatusOK))
			Expect(x.TLSVersion).To(BeEquivalentTo(tls.VersionTLS13))
			Expect(proto.Load()).To(BeEquivalentTo(1))
		})

		It("classifies an untrusted certificate as a TLS failure", func() {
			x := send(srv.URL, wire.FaultNone)
			Expect(x.ErrKind).To(Equal(wire.ErrKindTLS), "%v", x.Err)
		})

		It("classifies plain HTTP on an https URL as a TLS failure", func() {
			rc := newReceiver(nil)
			x := send(strings.Replace(rc.URL, "http://", "https://", 1), wire.FaultNone)
			Expect(x.ErrKind).To(Equal(wire.ErrKindTLS), "%v", x.Err)
		})
	})

	Context("reading answers", func() {
		var conns atomic.Int32
		answerOf := func(n int) *httptest.Server {
			conns.Store(0)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, strings.Repeat("a", n))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			DeferCleanup(srv.Close)
			return srv
		}

		It("keeps a bounded excerpt and reuses the connection after a moderate answer", func() {
			srv := answerOf(10 << 10)
			for range 3 {
				x := send(srv.URL, wire.FaultNone)
				Expect(x.OK()).To(BeTrue())
				Expect(x.ResponseExcerpt).To(Equal(strings.Repeat("a", 1024)))
			}
			Expect(conns.Load()).To(BeEquivalentTo(1))
		})

		It("honours MaxResponseBytes, cutting at a character boundary", func() {
			sender = wire.NewSender(wire.SenderOptions{MaxResponseBytes: 16})
			x := send(answerOf(100).URL, wire.FaultNone)
			Expect(x.ResponseExcerpt).To(Equal(strings.Repeat("a", 16)))

			rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, strings.Repeat("a", 15)+"éé")
			})
			x = send(rc.URL, wire.FaultNone)
			Expect(x.ResponseExcerpt).To(Equal(strings.Repeat("a", 15)))
		})

		It("drops the connection rather than read a huge answer", func() {
			srv := answerOf(4 << 20)
			for range 3 {
				x := send(srv.URL, wire.FaultNone)
				Expect(x.OK()).To(BeTrue())
				Expect(x.ResponseExcerpt).To(HaveLen(1024))
			}
			Expect(conns.Load()).To(BeEquivalentTo(3))
		})
	})
})
