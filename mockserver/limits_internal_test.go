package mockserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the header read timeout", func() {
	It("disconnects a client that sends its headers byte by byte, slower than the timeout", func() {
		s, err := New(Options{})
		Expect(err).NotTo(HaveOccurred())
		s.readHeaderTimeout = 300 * time.Millisecond
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- s.Serve(ctx, ln) }()
		DeferCleanup(func() {
			cancel()
			Eventually(served).Should(Receive(BeNil()))
			Expect(s.Close(context.Background())).To(Succeed())
		})

		// A client that sends its headers at once is served.
		res, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		Expect(err).NotTo(HaveOccurred())
		res.Body.Close()
		Expect(res.StatusCode).To(Equal(http.StatusOK))

		conn, err := net.Dial("tcp", ln.Addr().String())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(conn.Close)
		// One byte every 50 ms: the whole header would take 10 s.
		header := "GET /healthz HTTP/1.1\r\nHost: mock.test\r\nX-Slow: " + strings.Repeat("a", 200) + "\r\n\r\n"
		writeErr := make(chan error, 1)
		go func() {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for i := range len(header) {
				if _, err := conn.Write([]byte{header[i]}); err != nil {
					writeErr <- err
					return
				}
				<-tick.C
			}
			writeErr <- nil
		}()

		// The server hangs up, at most with a 400, long before the header
		// could have been complete.
		Expect(conn.SetReadDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
		got, err := io.ReadAll(conn)
		if err != nil {
			Expect(errors.Is(err, syscall.ECONNRESET)).To(BeTrue(), "closed, not timed out: %v", err)
		}
		if len(got) > 0 {
			Expect(string(got)).To(HavePrefix("HTTP/1.1 400 "))
		}
		Eventually(writeErr).Should(Receive(HaveOccurred()), "the rest of the header finds the connection closed")
	})
})
