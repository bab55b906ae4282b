package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

// sink is a verifying receiver that records what it was sent.
type sink struct {
	mu         sync.Mutex
	deliveries []string // X-Prism-Delivery of each verified request
	events     []string // the "event" of each
	bodies     [][]byte
}

func newSink(secret string) (*sink, *httptest.Server) {
	s := &sink{}
	h := webhook.Middleware(secret)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := webhook.DeliveryFrom(r.Context())
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d.ID)
		s.events = append(s.events, d.Event.Event)
		s.bodies = append(s.bodies, d.Body)
		s.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	srv := httptest.NewServer(h)
	DeferCleanup(srv.Close)
	return s, srv
}

func (s *sink) seen() (ids, events []string, bodies [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.deliveries...), append([]string(nil), s.events...), append([][]byte(nil), s.bodies...)
}

var _ = Describe("send", func() {
	const secret = "whsec_send_test"
	var (
		rcv *sink
		url string
	)
	BeforeEach(func() {
		var srv *httptest.Server
		rcv, srv = newSink(secret)
		url = srv.URL + "/hook"
	})

	It("delivers the example event and prints status, latency and answer", func() {
		r := cli("send", "video.completed", "--url", url, "--secret", secret)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(MatchRegexp(`^200 OK  \d+\.\d\dms  dlv_\S+  "ok"\n$`))
		ids, events, bodies := rcv.seen()
		Expect(ids).To(HaveLen(1))
		Expect(r.stdout).To(ContainSubstring(ids[0]))
		Expect(events).To(Equal([]string{"video.completed"}))
		Expect(string(bodies[0])).To(HavePrefix(`{"event":"video.completed","timestamp":`))
	})

	It("sends a --data file, compacted", func() {
		file := filepath.Join(GinkgoT().TempDir(), "event.json")
		Expect(os.WriteFile(file, []byte("{\n  \"event\": \"video.failed\",\n  \"data\": {\"id\": \"gen_x\"}\n}\n"), 0o600)).To(Succeed())
		r := cli("send", "video.failed", "--url", url, "--secret", secret, "--data", file)
		Expect(r.code).To(Equal(0), r.stderr)
		_, _, bodies := rcv.seen()
		Expect(string(bodies[0])).To(Equal(`{"event":"video.failed","data":{"id":"gen_x"}}`))
	})

	It("exits 1 when the receiver refuses a fault", func() {
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--fault", "wrong-secret")
		expectOneLineError(r, 1, "401 Unauthorized")
		Expect(r.stdout).To(HavePrefix("401 Unauthorized"))
		ids, _, _ := rcv.seen()
		Expect(ids).To(BeEmpty())
	})

	It("sends a duplicate twice with the same delivery id", func() {
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--fault", "duplicate")
		Expect(r.code).To(Equal(0), r.stderr)
		ids, _, bodies := rcv.seen()
		Expect(ids).To(HaveLen(2))
		Expect(ids[0]).To(Equal(ids[1]))
		Expect(bodies[0]).To(Equal(bodies[1]))
		Expect(strings.Count(r.stdout, "\n")).To(Equal(2))
	})

	It("sends a burst of --concurrency deliveries", func() {
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--fault", "burst", "--concurrency", "7")
		Expect(r.code).To(Equal(0), r.stderr)
		ids, _, _ := rcv.seen()
		Expect(ids).To(HaveLen(7))
	})

	It("generates load with --count and reports throughput and percentiles", func() {
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--count", "40", "--concurrency", "4")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(MatchRegexp(`40 deliveries in \S+ over 4 connections: \d+ deliveries/s`))
		Expect(r.stdout).To(ContainSubstring("ok 40, failed 0"))
		Expect(r.stdout).To(MatchRegexp(`latency p50 \S+ms  p90 \S+ms  p99 \S+ms  max \S+ms`))
		ids, _, _ := rcv.seen()
		Expect(ids).To(HaveLen(40))
	})

	It("counts failures of a load run and exits 1", func() {
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--count", "5", "--fault", "missing-signature")
		expectOneLineError(r, 1, "5 of 5 deliveries failed")
		Expect(r.stdout).To(ContainSubstring("5 × 401 Unauthorized"))
	})

	It("exits 1 with one line when nothing answers", func() {
		r := cli("send", "video.completed", "--url", closedURL(), "--secret", secret)
		expectOneLineError(r, 1, "no answer (connection)")
	})

	DescribeTable("refuses bad usage with exit 2 and one line",
		func(substr string, args ...string) {
			expectOneLineError(cli(append([]string{"send"}, args...)...), 2, substr)
		},
		Entry("unknown event", "valid events are video.completed, video.failed", "video.started", "--url", "http://x", "--secret", "s"),
		Entry("no event", "send needs one EVENT argument", "--url", "http://x", "--secret", "s"),
		Entry("unknown fault", "valid faults are missing-signature, wrong-secret", "video.completed", "--url", "http://x", "--secret", "s", "--fault", "gremlins"),
		Entry("no URL", "--url is required", "video.completed", "--secret", "s"),
		Entry("relative URL", "must be an absolute http or https URL", "video.completed", "--url", "/hook", "--secret", "s"),
		Entry("no secret", "--secret is required", "video.completed", "--url", "http://x"),
		Entry("count with burst", "--count cannot be combined", "video.completed", "--url", "http://x", "--secret", "s", "--count", "3", "--fault", "burst"),
		Entry("unknown flag", "unknown flag: --bogus", "video.completed", "--bogus"),
	)

	It("lists every fault in its help", func() {
		r := cli("send", "--help")
		Expect(r.code).To(Equal(0))
		for _, f := range wire.Faults {
			Expect(r.stdout).To(ContainSubstring(string(f.Name)))
		}
	})
})
