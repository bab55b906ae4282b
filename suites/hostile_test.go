package suites_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// hostileConfig keeps every window short: these receivers never conform,
// and the point is that the run ends, not how long it waits.
func hostileConfig(url string) suites.Config {
	return suites.Config{
		URL:          url,
		Secret:       secret,
		AckTimeout:   time.Second,
		SlowArtifact: 500 * time.Millisecond,
		RetryWindow:  time.Second,
		ProbeWait:    time.Second,
		Sequential:   3,
		Concurrency:  10,
	}
}

// rawListener accepts connections on a loopback port and hands each to
// handle; it is closed with the spec, and so are connections handle keeps.
func rawListener(handle func(net.Conn)) string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	var mu sync.Mutex
	var conns []net.Conn
	DeferCleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go handle(c)
		}
	}()
	return "http://" + ln.Addr().String() + "/hook"
}

// httpReceiver serves h on a loopback port for the spec.
func httpReceiver(h http.HandlerFunc) string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	DeferCleanup(srv.Close)
	return "http://" + ln.Addr().String() + "/hook"
}

var _ = Describe("Hostile receivers", Ordered, func() {
	type hostile struct {
		rep     *report.Report
		err     error
		elapsed time.Duration
	}
	runs := map[string]hostile{}

	BeforeAll(func() {
		urls := map[string]string{
			// Accepts connections and never reads or writes a byte.
			"hangs": rawListener(func(net.Conn) {}),
			// Resets every connection at once.
			"resets": rawListener(func(c net.Conn) {
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				c.Close()
			}),
			// Answers every request with 200 and a 50 MiB body.
			"50 MiB answer": httpReceiver(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				chunk := make([]byte, 64<<10)
				for range (50 << 20) / len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}),
			// Redirects every request elsewhere.
			"redirects": httpReceiver(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			}),
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, url := range urls {
			wg.Go(func() {
				start := time.Now()
				rep, err := suites.Run(context.Background(), hostileConfig(url))
				mu.Lock()
				defer mu.Unlock()
				runs[name] = hostile{rep, err, time.Since(start)}
			})
		}
		wg.Wait()
	})

	// common asserts what holds for every hostile receiver: the run ends in
	// bounded time with a report, the receiver is blamed (fail, never the
	// harness's error), and no evidence holds more than an excerpt.
	common := func(name string) *report.Report {
		GinkgoHelper()
		h := runs[name]
		Expect(h.err).NotTo(HaveOccurred())
		// Timing is the behaviour under test here; the bound is generous
		// (a 1 s ack timeout makes a run take a few seconds).
		Expect(h.elapsed).To(BeNumerically("<", 45*time.Second))
		Expect(h.rep.Summary.Error).To(BeZero())
		Expect(h.rep.Summary.Fail).To(BeNumerically(">", 0))
		Expect(suites.ExitCode(h.rep)).To(Equal(1))
		for _, c := range h.rep.Checks {
			for _, ev := range c.Evidence {
				Expect(len(ev.Response)).To(BeNumerically("<=", 1<<10), c.ID)
				Expect(len(ev.BodyExcerpt)).To(BeNumerically("<=", 1<<10), c.ID)
			}
		}
		return h.rep
	}

	It("fails a receiver that hangs on every request, on timeouts", func() {
		rep := common("hangs")
		Expect(result(rep, "SIG-01").Reason).To(ContainSubstring("timeout"))
		for _, c := range rep.Checks {
			Expect(c.Outcome).NotTo(Equal(report.Pass), "%s: %s", c.ID, c.Reason)
		}
		// The sequential run gives up after two timeouts in a row.
		Expect(result(rep, "TIME-01").Evidence).To(HaveLen(2))
	})

	It("fails a receiver that resets every connection", func() {
		rep := common("resets")
		Expect(result(rep, "SIG-01").Reason).To(ContainSubstring("no answer"))
		Expect(rep.Summary.Pass).To(BeZero())
	})

	It("fails a receiver that answers with 50 MiB, keeping only an excerpt", func() {
		rep := common("50 MiB answer")
		Expect(result(rep, "SIG-01").Outcome).To(Equal(report.Pass))
		Expect(result(rep, "SIG-03").Reason).To(ContainSubstring("status 200"))
	})

	It("fails a receiver that redirects, without following the redirect", func() {
		rep := common("redirects")
		Expect(result(rep, "SIG-01").Reason).To(ContainSubstring("status 302"))
		Expect(result(rep, "SIG-03").Reason).To(ContainSubstring("status 302"))
	})
})

var _ = Describe("An unreachable receiver", func() {
	It("is a setup error that names the URL", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		url := "http://" + ln.Addr().String() + "/hook"
		Expect(ln.Close()).To(Succeed())

		rep, err := suites.Run(context.Background(), suites.Config{URL: url, Secret: secret})
		Expect(rep).To(BeNil())
		var setup *suites.SetupError
		Expect(errors.As(err, &setup)).To(BeTrue(), "error %v", err)
		Expect(err.Error()).To(HavePrefix("receiver unreachable at " + url + ": "))
		Expect(err.Error()).To(ContainSubstring("refused"))
		Expect(err.Error()).NotTo(ContainSubstring("\n"))
	})

	It("is a setup error for a host that does not resolve", func() {
		_, err := suites.Run(context.Background(), suites.Config{URL: "http://prismhook-no-such-host.invalid/hook", Secret: secret})
		var setup *suites.SetupError
		Expect(errors.As(err, &setup)).To(BeTrue(), "error %v", err)
		Expect(err.Error()).To(HavePrefix("receiver unreachable at http://prismhook-no-such-host.invalid/hook: "))
	})
})

var _ = Describe("A harness problem", func() {
	It("is an error for the checks it affects, never a failure of the receiver", func() {
		rcv, err := receiver.Start(receiver.Options{Secret: secret})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rcv.Close)
		// The artifact server's address is taken.
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(taken.Close)

		c := suites.Config{URL: rcv.URL, Secret: secret, ArtifactAddr: taken.Addr().String(),
			Only: []string{"SIG-01", "ASYNC-01", "IDEM-02", "RETRY-01"}}
		rep, err := suites.Run(context.Background(), c)
		Expect(err).NotTo(HaveOccurred())
		Expect(result(rep, "SIG-01").Outcome).To(Equal(report.Pass))
		for _, id := range []string{"ASYNC-01", "IDEM-02", "RETRY-01"} {
			res := result(rep, id)
			Expect(res.Outcome).To(Equal(report.Error), id)
			Expect(res.Reason).To(HavePrefix("harness error: artifact server could not start: "))
		}
		// A partial run: no profile verdict.
		Expect(rep.Summary.Conformant).To(HaveKeyWithValue(report.ProfileCore, BeNil()))
		Expect(rep.Summary.Conformant).To(HaveKeyWithValue(report.ProfileRecommended, BeNil()))
		Expect(suites.ExitCode(rep)).To(Equal(2))
	})

	It("ends a run whose context ends, the interrupted checks as errors", func() {
		url := rawListener(func(net.Conn) {}) // never answers
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		rep, err := suites.Run(ctx, suites.Config{URL: url, Secret: secret}) // 5 s ack timeout
		Expect(err).NotTo(HaveOccurred())
		Expect(time.Since(start)).To(BeNumerically("<", 4*time.Second))
		res := result(rep, "SIG-01")
		Expect(res.Outcome).To(Equal(report.Error))
		Expect(res.Reason).To(Equal("run interrupted: context deadline exceeded"))
		Expect(rep.Summary.Fail).To(BeZero())
		Expect(rep.Interrupted).To(BeTrue())
		for _, p := range report.Profiles {
			Expect(rep.Summary.Conformant).To(HaveKeyWithValue(p, BeNil()), p)
		}
	})
})
