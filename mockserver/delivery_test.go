package mockserver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/webhook"
)

// quickDelivery retries after 10 ms, three times.
var quickDelivery = delivery.Options{
	Schedule:  []time.Duration{time.Second, time.Second, time.Second},
	TimeScale: 0.01,
	NoJitter:  true,
	Sender:    wire.SenderOptions{Timeout: 5 * time.Second},
}

// expectSignedEvent checks one delivery as a receiver would: the headers
// the product promises, the signature over the raw bytes, the body against
// the document's event schema. It returns the parsed event.
func expectSignedEvent(d delivered, secret, eventType string) *webhook.Event {
	GinkgoHelper()
	Expect(d.Header.Get("Content-Type")).To(Equal("application/json"))
	Expect(d.Header.Get("User-Agent")).To(HavePrefix("Prism-Webhooks/"))
	Expect(d.Header.Get(webhook.EventHeader)).To(Equal(eventType))
	Expect(d.Header.Get(webhook.DeliveryHeader)).To(MatchRegexp(`^dlv_[A-Za-z0-9_-]+$`))
	Expect(webhook.Verify(secret, d.Body, d.Header.Get(webhook.SignatureHeader))).To(Succeed())

	var compact bytes.Buffer
	Expect(json.Compact(&compact, d.Body)).To(Succeed())
	Expect(d.Body).To(Equal(compact.Bytes()), "the body is compact JSON")
	expectSchema(prismDoc, "VideoEvent", d.Body)

	ev, err := webhook.Parse(d.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(ev.Event).To(Equal(eventType))
	for _, t := range []time.Time{ev.Timestamp, ev.Data.CreatedAt} {
		Expect(t.Location()).To(Equal(time.UTC))
		Expect(t.Nanosecond()).To(BeZero())
	}
	return ev
}

var _ = Describe("generations and their events", func() {
	var (
		m  *mock
		rc *receiver
	)
	BeforeEach(func() {
		m = startMock(mockserver.Options{GenerationDelay: 100 * time.Millisecond, Delivery: quickDelivery})
		rc = startReceiver()
	})

	It("delivers a signed video.completed whose video downloads, and logs the attempt", func() {
		hook := m.createWebhook(rc.URL+"/webhooks/prism", "video.completed", "video.failed")
		secret := hook["secret"].(string)
		other := m.createWebhook(rc.URL+"/only-failures", "video.failed")

		r := m.api("POST", "/v1/videos", `{"prompt": "A serene mountain lake at sunset & more", "provider": "runway", "duration": 6}`)
		Expect(r.Status).To(Equal(http.StatusAccepted))
		gen := r.JSON()
		Expect(gen).To(HaveKeyWithValue("status", "queued"))
		Expect(gen).NotTo(HaveKey("video_url"))
		genID := gen["id"].(string)

		var d delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		ev := expectSignedEvent(d, secret, webhook.EventCompleted)
		Expect(string(d.Body)).To(ContainSubstring(`sunset & more`), "no HTML escaping")
		Expect(ev.Data.ID).To(Equal(genID))
		Expect(ev.Data.Status).To(Equal("completed"))
		Expect(ev.Data.Prompt).To(Equal("A serene mountain lake at sunset & more"))
		Expect(ev.Data.Provider).To(Equal("runway"))
		Expect(ev.Data.Duration).To(Equal(6))
		Expect(ev.Data.Error).To(BeNil())
		Expect(ev.Data.VideoURL).To(Equal(m.URL + "/videos/" + genID + ".mp4"))
		Expect(ev.Data.ThumbnailURL).To(Equal(m.URL + "/thumbnails/" + genID + ".jpg"))

		for url, want := range map[string]struct {
			contentType string
			body        []byte
		}{
			ev.Data.VideoURL:     {"video/mp4", fixtures.VideoMP4},
			ev.Data.ThumbnailURL: {"image/jpeg", fixtures.ThumbnailJPEG},
		} {
			res, err := client.Get(url)
			Expect(err).NotTo(HaveOccurred())
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			Expect(err).NotTo(HaveOccurred())
			Expect(res.StatusCode).To(Equal(http.StatusOK))
			Expect(res.Header.Get("Content-Type")).To(Equal(want.contentType))
			Expect(body).To(Equal(want.body))
		}

		Eventually(func() map[string]any { return m.api("GET", "/v1/videos/"+genID, "").JSON() }).
			Should(And(HaveKeyWithValue("status", "completed"), HaveKeyWithValue("video_url", ev.Data.VideoURL)))

		Eventually(func() []map[string]any { return m.deliveries(hook["id"].(string)) }).Should(ConsistOf(And(
			HaveKeyWithValue("id", d.Header.Get(webhook.DeliveryHeader)),
			HaveKeyWithValue("event", "video.completed"),
			HaveKeyWithValue("generation_id", genID),
			HaveKeyWithValue("status", "delivered"),
			HaveKeyWithValue("attempts", ConsistOf(And(HaveKeyWithValue("n", 1.0), HaveKeyWithValue("status", 200.0)))),
		)))
		Expect(m.deliveries(other["id"].(string))).To(BeEmpty(), "not subscribed to video.completed")
		Expect(rc.got).NotTo(Receive(), "one delivery only")
	})

	It("sends one event to every subscribed webhook with one event id", func() {
		a := m.createWebhook(rc.URL+"/a", "video.completed")
		b := m.createWebhook(rc.URL+"/b", "video.completed")
		Expect(m.api("POST", "/v1/videos", `{"prompt": "two hooks"}`).Status).To(Equal(http.StatusAccepted))

		var first, second delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&first))
		Eventually(rc.got, 10*time.Second).Should(Receive(&second))
		Expect(first.Body).To(Equal(second.Body))
		Expect(first.Header.Get(webhook.DeliveryHeader)).NotTo(Equal(second.Header.Get(webhook.DeliveryHeader)))
		Expect(first.Header.Get(webhook.SignatureHeader)).NotTo(Equal(second.Header.Get(webhook.SignatureHeader)), "each webhook has its secret")

		var da, db []map[string]any
		Eventually(func() []map[string]any { da = m.deliveries(a["id"].(string)); return da }).Should(HaveLen(1))
		Eventually(func() []map[string]any { db = m.deliveries(b["id"].(string)); return db }).Should(HaveLen(1))
		Expect(da[0]["event_id"]).To(HavePrefix("evt_"))
		Expect(da[0]["event_id"]).To(Equal(db[0]["event_id"]))
	})

	It("retries a receiver that fails twice and logs the three attempts", func() {
		rc.answerWith(func(n int) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusNoContent
		})
		hook := m.createWebhook(rc.URL, "video.completed")
		Expect(m.api("POST", "/v1/videos", `{"prompt": "retry me"}`).Status).To(Equal(http.StatusAccepted))

		var ids []string
		for range 3 {
			var d delivered
			Eventually(rc.got, 10*time.Second).Should(Receive(&d))
			expectSignedEvent(d, hook["secret"].(string), webhook.EventCompleted)
			ids = append(ids, d.Header.Get(webhook.DeliveryHeader))
		}
		Expect(ids[1]).To(Equal(ids[0]), "a retry keeps the delivery id")
		Expect(ids[2]).To(Equal(ids[0]))

		Eventually(func() []map[string]any { return m.deliveries(hook["id"].(string)) }).Should(ConsistOf(And(
			HaveKeyWithValue("status", "delivered"),
			HaveKeyWithValue("attempts", HaveExactElements(
				And(HaveKeyWithValue("n", 1.0), HaveKeyWithValue("status", 500.0)),
				And(HaveKeyWithValue("n", 2.0), HaveKeyWithValue("status", 500.0)),
				And(HaveKeyWithValue("n", 3.0), HaveKeyWithValue("status", 204.0)),
			)),
		)))
	})

	It("fails the generation whose outcome was forced, with video.failed", func() {
		hook := m.createWebhook(rc.URL, "video.failed")
		Expect(m.control("POST", "/_mock/outcome", `{"outcome": "failed"}`).JSON()).To(HaveKeyWithValue("outcome", "failed"))
		genID := m.api("POST", "/v1/videos", `{"prompt": "doomed"}`).JSON()["id"].(string)

		var d delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		ev := expectSignedEvent(d, hook["secret"].(string), webhook.EventFailed)
		Expect(ev.Data.ID).To(Equal(genID))
		Expect(ev.Data.Status).To(Equal("failed"))
		Expect(ev.Data.Error).NotTo(BeNil())
		Expect(ev.Data.Error.Code).NotTo(BeEmpty())
		Expect(ev.Data.Error.Message).NotTo(BeEmpty())
		Expect(ev.Data.VideoURL).To(BeEmpty())

		Eventually(func() map[string]any { return m.api("GET", "/v1/videos/"+genID, "").JSON() }).Should(And(
			HaveKeyWithValue("status", "failed"),
			HaveKeyWithValue("error", HaveKeyWithValue("code", ev.Data.Error.Code)),
			Not(HaveKey("video_url")),
		))

		// The forced outcome was for one generation only.
		m.createWebhook(rc.URL+"/completed", "video.completed")
		m.api("POST", "/v1/videos", `{"prompt": "fine"}`)
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		Expect(d.Header.Get(webhook.EventHeader)).To(Equal(webhook.EventCompleted))
	})

	It("fails a generation whose prompt says [fail]", func() {
		hook := m.createWebhook(rc.URL, "video.completed", "video.failed")
		m.api("POST", "/v1/videos", `{"prompt": "a lake [fail]"}`)
		var d delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		expectSignedEvent(d, hook["secret"].(string), webhook.EventFailed)
	})

	It("moves a generation through queued and processing", func() {
		slow := startMock(mockserver.Options{GenerationDelay: time.Second})
		gen := slow.api("POST", "/v1/videos", `{"prompt": "slow"}`).JSON()
		Expect(gen).To(HaveKeyWithValue("status", "queued"))
		Expect(gen).To(HaveKeyWithValue("provider", "runway"), "the default provider")
		Expect(gen).To(HaveKeyWithValue("duration", 6.0), "the default duration")
		path := "/v1/videos/" + gen["id"].(string)
		Eventually(func() any { return slow.api("GET", path, "").JSON()["status"] }, 10*time.Second).Should(Equal("processing"))
		Eventually(func() any { return slow.api("GET", path, "").JSON()["status"] }, 10*time.Second).Should(Equal("completed"))
		Expect(slow.as("another-key", "GET", path, "").Status).To(Equal(http.StatusNotFound))
	})
})
