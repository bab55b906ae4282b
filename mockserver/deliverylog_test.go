package mockserver_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/webhook"
)

// attemptOf returns attempt i (0-based) of a delivery in JSON form.
func attemptOf(d map[string]any, i int) map[string]any {
	GinkgoHelper()
	as := d["attempts"].([]any)
	Expect(len(as)).To(BeNumerically(">", i))
	return as[i].(map[string]any)
}

var _ = Describe("the delivery log", func() {
	It("keeps what was sent and what came back, bounded and redacted, and logs each attempt", func() {
		var logs syncBuffer
		m := startMock(mockserver.Options{
			GenerationDelay: 20 * time.Millisecond,
			Delivery:        quickDelivery,
			Logger:          slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		})
		var secret string
		var mu sync.Mutex
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			s := secret
			mu.Unlock()
			w.Header().Set("Set-Cookie", "session=abc")
			w.Header().Set("X-Echo", "secret="+s)
			w.Header().Set("X-Long", strings.Repeat("h", 5000))
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte("<b>ok</b> " + s + strings.Repeat("x", 10000)))
		}))
		DeferCleanup(rc.Close)
		hook := m.createWebhook(rc.URL, "video.completed")
		mu.Lock()
		secret = hook["secret"].(string)
		mu.Unlock()
		r := m.api("POST", "/v1/videos", `{"prompt": "a lake", "provider": "runway", "duration": 6}`)
		Expect(r.Status).To(Equal(http.StatusAccepted), "%s", r.Body)
		gen := r.JSON()["id"].(string)

		var d map[string]any
		Eventually(func() string {
			ds := m.deliveries(hook["id"].(string))
			if len(ds) == 0 {
				return ""
			}
			d = ds[0]
			return d["status"].(string)
		}, 10*time.Second, 20*time.Millisecond).Should(Equal(delivery.StatusDelivered))
		a := attemptOf(d, 0)
		Expect(a["status"]).To(BeEquivalentTo(http.StatusAccepted))
		reqH := a["request_headers"].(map[string]any)
		Expect(reqH[webhook.SignatureHeader]).To(HaveLen(1))
		Expect(reqH[webhook.EventHeader]).To(ConsistOf("video.completed"))
		Expect(a["request_body"]).To(ContainSubstring(gen))
		Expect(a["request_body_size"]).To(BeNumerically(">", 100))

		resH := a["response_headers"].(map[string]any)
		Expect(resH["Set-Cookie"]).To(ConsistOf("***"))
		Expect(resH["X-Echo"]).To(ConsistOf("secret=***"), "the secret is never shown")
		Expect(len(resH["X-Long"].([]any)[0].(string))).To(BeNumerically("<=", 256))
		body := a["response_body"].(string)
		Expect(body).To(HavePrefix("<b>ok</b> ***xxx"))
		Expect(body).NotTo(ContainSubstring(secret))
		Expect(len(body)).To(BeNumerically("<=", 1024))

		// /_mock/deliveries shows the same, checked against mock.yaml.
		all := m.control("GET", "/_mock/deliveries", "")
		Expect(all.Status).To(Equal(http.StatusOK))
		Expect(string(all.Body)).To(ContainSubstring(`"response_body":"<b>ok</b> ***`))

		Eventually(logs.String).Should(SatisfyAll(
			ContainSubstring(`msg="delivery attempt"`),
			ContainSubstring("delivery="+d["id"].(string)),
			ContainSubstring("event=video.completed"),
			ContainSubstring("generation="+gen),
			ContainSubstring("status=202"),
			ContainSubstring("latency_ms="),
		))
		Expect(logs.String()).NotTo(ContainSubstring(secret))
	})

	It("redelivers a delivery with the same bytes and signature, as a manual attempt", func() {
		m := startMock(mockserver.Options{GenerationDelay: 20 * time.Millisecond, Delivery: quickDelivery})
		rc := startReceiver()
		hook := m.createWebhook(rc.URL, "video.completed")
		xs := m.emit(`{"webhook_id": "` + hook["id"].(string) + `"}`)
		Expect(xs).To(HaveLen(1))
		var first, again delivered
		Expect(rc.got).To(Receive(&first))

		r := m.control("POST", "/_mock/deliveries/"+xs[0].DeliveryID+"/redeliver", "")
		Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
		Expect(rc.got).To(Receive(&again), "sent before the answer")
		Expect(again.Body).To(Equal(first.Body))
		Expect(again.Header.Get(webhook.SignatureHeader)).To(Equal(first.Header.Get(webhook.SignatureHeader)))
		Expect(again.Header.Get(webhook.DeliveryHeader)).To(Equal(xs[0].DeliveryID))

		d := r.JSON()
		Expect(d["attempts"]).To(HaveLen(2))
		Expect(attemptOf(d, 1)["manual"]).To(BeTrue())
		Expect(attemptOf(d, 1)["status"]).To(BeEquivalentTo(http.StatusOK))
		Expect(m.deliveries(hook["id"].(string))[0]["attempts"]).To(HaveLen(2))

		Expect(m.control("POST", "/_mock/deliveries/dlv_nope/redeliver", "").Status).To(Equal(http.StatusNotFound))
	})

	It("cancels the pending retries of a deleted webhook", func() {
		m := startMock(mockserver.Options{
			GenerationDelay: 20 * time.Millisecond,
			Delivery:        delivery.Options{Schedule: []time.Duration{time.Second, time.Second}, NoJitter: true},
		})
		rc := startReceiver()
		rc.answerWith(func(int) int { return http.StatusInternalServerError })
		hook := m.createWebhook(rc.URL, "video.completed")
		id := hook["id"].(string)
		Expect(m.api("POST", "/v1/videos", `{"prompt": "a lake", "provider": "runway", "duration": 6}`).Status).To(Equal(http.StatusAccepted))
		Eventually(rc.got, 10*time.Second).Should(Receive())
		Eventually(func() any { return m.deliveries(id)[0]["next_attempt_at"] }).ShouldNot(BeNil())

		Expect(m.api("DELETE", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNoContent))
		r := m.control("GET", "/_mock/deliveries", "")
		d := r.JSON()["data"].([]any)[0].(map[string]any)
		Expect(d["status"]).To(Equal(delivery.StatusCancelled))
		Expect(d).NotTo(HaveKey("next_attempt_at"))
		Consistently(rc.got, 1500*time.Millisecond).ShouldNot(Receive(), "no retry after the delete")
	})
})

var _ = Describe("the delivery log in a data file", func() {
	It("keeps what each attempt sent and got back, test deliveries and owners across a restart", func() {
		dataFile := filepath.Join(GinkgoT().TempDir(), "prismhook.db")
		rc := startReceiver()
		rc.answerWith(func(int) int { return http.StatusAccepted })
		o := persistentOptions(dataFile)
		o.APIKeys = []string{"k1", "k2"}
		first := startMock(o)
		first.Key = "k1"
		hook := first.createWebhook(rc.URL, "video.completed")
		xs := first.emitAs("k1", `{"webhook_id": "`+hook["id"].(string)+`"}`)
		Expect(xs).To(HaveLen(1))
		first.stop()

		second := startMock(o)
		second.Key = "k1"
		ds := second.deliveries(hook["id"].(string))
		Expect(ds).To(HaveLen(1))
		Expect(ds[0]["test"]).To(BeTrue())
		a := attemptOf(ds[0], 0)
		Expect(a["status"]).To(BeEquivalentTo(http.StatusAccepted))
		Expect(a["request_headers"]).To(HaveKey(webhook.SignatureHeader))
		Expect(a["request_body"]).To(ContainSubstring(`"event":"video.completed"`))
		Expect(a["response_headers"]).To(HaveKey("Date"))

		// The owner survived too: only k1 sees it in the inspector.
		_, _, k1 := second.page("/_inspector/lists", "k1")
		_, _, k2 := second.page("/_inspector/lists", "k2")
		Expect(k1).To(ContainSubstring(xs[0].DeliveryID))
		Expect(k2).NotTo(ContainSubstring(xs[0].DeliveryID))
	})
})
