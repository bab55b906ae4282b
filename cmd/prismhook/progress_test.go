package main

import (
	"bytes"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// syncBuffer is a bytes.Buffer safe for the watch goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ = Describe("progress", func() {
	It("says what a quiet run waits for, in plain lines when piped", func() {
		var out syncBuffer
		c := suites.Config{Only: []string{"SIG-01", "RETRY-01"}}
		p := startProgress(&out, report.NewTerminal(&out, false), c)
		p.mu.Lock()
		p.after = 50 * time.Millisecond
		p.mu.Unlock()
		p.row(report.CheckResult{ID: "SIG-01", Outcome: report.Pass, Title: "t"})
		Eventually(out.String, 5*time.Second, 50*time.Millisecond).Should(
			ContainSubstring("waiting for RETRY-01 — RETRY-01 gives the receiver up to 30s to fetch video_url again after two 503s\n"))
		p.close()
		Expect(out.String()).NotTo(ContainSubstring("\x1b["))
		Expect(out.String()).To(MatchRegexp(`PASS\s+SIG-01`))
	})

	It("names the sustained load of TIME-04 while it runs", func() {
		var out syncBuffer
		c := suites.Config{Only: []string{"TIME-04", "RETRY-02"}, LoadRate: 20}
		p := startProgress(&out, report.NewTerminal(&out, false), c)
		p.mu.Lock()
		p.after = 50 * time.Millisecond
		p.mu.Unlock()
		Eventually(out.String, 5*time.Second, 50*time.Millisecond).Should(
			ContainSubstring("waiting for TIME-04, RETRY-02 — TIME-04 sends 20 events per second for 5s\n"))
		p.close()
	})
})
