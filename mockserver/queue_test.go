package mockserver_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

// syncBuffer is a log sink that the server writes while the spec reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ = Describe("a full delivery queue", func() {
	It("holds events back until there is room, loses none, and leaves the API responsive", func() {
		// One worker, one queued delivery: the second event fills the
		// queue, the next ones wait for room.
		release := make(chan struct{})
		var once sync.Once
		unblock := func() { once.Do(func() { close(release) }) }
		DeferCleanup(unblock)
		arrived := make(chan []byte, 16)
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			arrived <- body
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		DeferCleanup(slow.Close)
		prompt := startReceiver()

		logs := &syncBuffer{}
		m := startMock(mockserver.Options{
			GenerationDelay: 20 * time.Millisecond,
			Delivery: delivery.Options{
				Workers:   1,
				QueueSize: 1,
				Schedule:  []time.Duration{}, // one attempt each: delivered, or failed for good
				Sender:    wire.SenderOptions{Timeout: 30 * time.Second},
			},
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		hookID := m.createWebhook(slow.URL, "video.completed")["id"].(string)

		const n = 4
		var gens []string
		for range n {
			r := m.api("POST", "/v1/videos", `{"prompt": "queued up"}`)
			Expect(r.Status).To(Equal(http.StatusAccepted))
			gens = append(gens, r.JSON()["id"].(string))
		}
		Eventually(arrived).Should(Receive(), "the worker is busy with the first event")
		// Every generation reached its outcome, but only two events fit:
		// one in flight, one queued.
		Eventually(func(g Gomega) {
			for _, id := range gens {
				g.Expect(m.api("GET", "/v1/videos/"+id, "").JSON()).To(HaveKeyWithValue("status", "completed"))
			}
		}).Should(Succeed())
		Eventually(logs.String).Should(ContainSubstring("delivery queue full"))
		Expect(m.deliveries(hookID)).To(HaveLen(2))

		// The API answers meanwhile, the control API's sends included:
		// they do not go through the queue.
		Expect(m.control("GET", "/healthz", "").Status).To(Equal(http.StatusOK))
		r := m.api("POST", "/v1/videos", `{"prompt": "one more"}`)
		Expect(r.Status).To(Equal(http.StatusAccepted))
		gens = append(gens, r.JSON()["id"].(string))
		promptHook := m.createWebhook(prompt.URL, "video.failed")
		xs := m.emit(`{"webhook_id": "` + promptHook["id"].(string) + `"}`)
		Expect(xs).To(HaveLen(1))
		Expect(xs[0].OK).To(BeTrue())

		unblock()
		Eventually(func() []map[string]any { return m.deliveries(hookID) }, 20*time.Second).Should(And(
			HaveLen(len(gens)),
			HaveEach(HaveKeyWithValue("status", "delivered")),
		))
		seen := map[string]bool{}
		for _, d := range m.deliveries(hookID) {
			seen[d["generation_id"].(string)] = true
		}
		for _, id := range gens {
			Expect(seen).To(HaveKey(id))
		}
	})
})
