package wire_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/internal/wire/wiretest"
)

// hostile is a receiver on a bare socket that reads one request's head and
// then does whatever answer does with the connection. It returns the URL
// and a channel of the request heads it read.
func hostile(answer func(net.Conn)) (string, <-chan []string) {
	rr, err := wiretest.NewRawReceiver(answer)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(rr.Close)
	return rr.URL, rr.Heads
}

var _ = Describe("Sender against hostile receivers", func() {
	const timeout = 1 * time.Second
	var sender *wire.Sender
	BeforeEach(func() { sender = wire.NewSender(wire.SenderOptions{Timeout: timeout}) })
	send := func(url string) wire.Exchange {
		m := message(wire.FaultNone)
		m.URL = url
		return sender.Send(context.Background(), m)
	}

	It("fails a 101 Switching Protocols at once and closes the connection", func() {
		url, _ := hostile(func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		})
		start := time.Now()
		x := send(url)
		Expect(time.Since(start)).To(BeNumerically("<", timeout), "not held until the timeout")
		Expect(x.OK()).To(BeFalse())
		Expect(x.Status).To(Equal(http.StatusSwitchingProtocols))
		Expect(x.Err).To(MatchError(ContainSubstring("not a final answer")))
	})

	It("bounds a dripping body by the timeout and measures latency to its end", func() {
		url, _ := hostile(func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
			for range 100 {
				if _, err := io.WriteString(c, "x"); err != nil {
					return
				}
				time.Sleep(300 * time.Millisecond)
			}
		})
		start := time.Now()
		x := send(url)
		took := time.Since(start)
		Expect(took).To(BeNumerically("<", 3*timeout), "the whole exchange is bounded")
		Expect(x.Status).To(Equal(http.StatusOK))
		Expect(x.OK()).To(BeFalse(), "an answer that does not end in time is a timeout")
		Expect(x.ErrKind).To(Equal(wire.ErrKindTimeout))
		Expect(x.Latency).To(BeNumerically(">=", timeout/2), "latency runs to the end of what was read")
	})

	It("bounds the answer's headers and keeps a small copy of them", func() {
		url, _ := hostile(func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")
			for i := range 2000 { // 2000 × 1 KB: 2 MB of headers
				fmt.Fprintf(c, "X-Pad-%d: %s\r\n", i, strings.Repeat("p", 1000))
			}
			io.WriteString(c, "\r\n")
		})
		x := send(url)
		Expect(x.OK()).To(BeFalse())
		Expect(x.Err).To(HaveOccurred())

		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			for i := range 50 {
				w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("p", 1000))
			}
		})
		x = send(rc.URL)
		Expect(x.OK()).To(BeTrue())
		total := 0
		for k, vs := range x.ResponseHeader {
			for _, v := range vs {
				total += len(k) + len(v)
			}
		}
		Expect(total).To(BeNumerically("<=", 16<<10), "bytes kept of 50 KB of headers")
		Expect(total).To(BeNumerically(">", 0))
	})

	It("reports a redirect's Location without following it", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Location", "https://elsewhere.example/hook")
			w.WriteHeader(http.StatusPermanentRedirect)
		})
		x := send(rc.URL)
		Expect(x.Status).To(Equal(http.StatusPermanentRedirect))
		Expect(x.Location).To(Equal("https://elsewhere.example/hook"))
		Expect(x.Connect).To(BeNumerically(">", 0))
	})

	It("hides a password in a redirect's Location, in the Exchange and its headers", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Location", "https://ops:l0cation-pw@elsewhere.example/hook")
			w.WriteHeader(http.StatusTemporaryRedirect)
		})
		x := send(rc.URL)
		Expect(x.Status).To(Equal(http.StatusTemporaryRedirect))
		Expect(x.Location).To(Equal("https://ops:***@elsewhere.example/hook"))
		Expect(x.ResponseHeader.Get("Location")).To(Equal("https://ops:***@elsewhere.example/hook"))
		Expect(fmt.Sprintf("%+v", x)).NotTo(ContainSubstring("l0cation-pw"))
	})

	It("bounds the answer's headers by values too", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			for range 200 {
				w.Header().Add("X-Many", "v")
			}
		})
		x := send(rc.URL)
		n := 0
		for _, vs := range x.ResponseHeader {
			n += len(vs)
		}
		Expect(n).To(BeNumerically("<=", 32))
		Expect(x.ResponseHeader.Get("X-Many")).To(Equal("v"))
	})

	It("sends URL credentials as Basic auth and never shows the password", func() {
		url, heads := hostile(func(c net.Conn) { io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n") })
		url = strings.Replace(url, "http://", "http://ci:s3cret-pw@", 1)
		x := send(url)
		Expect(x.OK()).To(BeTrue(), "%v", x.Err)
		var head []string
		Eventually(heads).Should(Receive(&head))
		want := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("ci:s3cret-pw"))
		Expect(head).To(ContainElement(want))
		Expect(x.URL).To(ContainSubstring("ci:***@"))
		Expect(fmt.Sprintf("%+v", x)).NotTo(ContainSubstring("s3cret-pw"))

		x = send(strings.Replace(refusedURL(), "http://", "http://ci:s3cret-pw@", 1))
		Expect(x.Err).To(HaveOccurred())
		Expect(x.Err.Error()).NotTo(ContainSubstring("s3cret-pw"))
	})
})

var _ = Describe("RedactURL", func() {
	DescribeTable("hides passwords only",
		func(in, want string) { Expect(wire.RedactURL(in)).To(Equal(want)) },
		Entry(nil, "http://ci:pw@h.example/x?q=1", "http://ci:***@h.example/x?q=1"),
		Entry(nil, "https://user@h.example/", "https://user@h.example/"),
		Entry(nil, "http://h.example:8080/p", "http://h.example:8080/p"),
		Entry(nil, "http://a:p%40ss@h/p", "http://a:***@h/p"),
		Entry(nil, "http://a:pw@h/%zz", "http://a:***@h/%zz"),
		Entry(nil, "", ""),
	)
})
