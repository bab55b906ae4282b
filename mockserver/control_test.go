package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/webhook"
)

type exchange struct {
	DeliveryID     string              `json:"delivery_id"`
	Fault          string              `json:"fault"`
	URL            string              `json:"url"`
	Status         int                 `json:"status"`
	OK             bool                `json:"ok"`
	RequestHeaders map[string][]string `json:"request_headers"`
}

func (m *mock) emit(body string) []exchange {
	GinkgoHelper()
	return m.emitAs("", body)
}

// emitAs is emit with an API key (none when key is ""), as a mock with
// API keys needs.
func (m *mock) emitAs(key, body string) []exchange {
	GinkgoHelper()
	var r response
	if key == "" {
		r = m.control("POST", "/_mock/emit", body)
	} else {
		r = m.as(key, "POST", "/_mock/emit", body)
	}
	Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
	var out struct {
		Exchanges []exchange `json:"exchanges"`
	}
	Expect(json.Unmarshal(r.Body, &out)).To(Succeed())
	return out.Exchanges
}

var _ = Describe("the control API", func() {
	var (
		m  *mock
		rc *receiver
	)
	BeforeEach(func() {
		m = startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery})
		rc = startReceiver()
	})

	It("lists the same faults as the sender", func() {
		// The document's list is generated from the fault table, so that
		// adding a fault is one table entry:
		// PRISMHOOK_UPDATE_SPEC=1 go test ./mockserver -run TestMockserver
		const path = "../spec/mock.yaml"
		doc, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		want := faultEnum(string(doc))
		if os.Getenv("PRISMHOOK_UPDATE_SPEC") == "1" {
			Expect(os.WriteFile(path, []byte(want), 0o644)).To(Succeed())
			return
		}
		Expect(string(doc)).To(Equal(want), "spec/mock.yaml's Fault enum is not the fault table's: regenerate with PRISMHOOK_UPDATE_SPEC=1 go test ./mockserver -run TestMockserver")

		var names []any
		for _, f := range wire.Faults {
			names = append(names, string(f.Name))
		}
		Expect(mockDoc.Components.Schemas["Fault"].Value.Enum).To(ConsistOf(append(names, "none")...))
	})

	It("emits a correct event to a webhook now", func() {
		hook := m.createWebhook(rc.URL, "video.completed")
		xs := m.emit(`{"webhook_id": "` + hook["id"].(string) + `"}`)
		Expect(xs).To(HaveLen(1))
		Expect(xs[0].OK).To(BeTrue())
		Expect(xs[0].Status).To(Equal(http.StatusOK))

		var d delivered
		Expect(rc.got).To(Receive(&d), "sent before the answer")
		ev := expectSignedEvent(d, hook["secret"].(string), webhook.EventCompleted)
		Expect(d.Header.Get(webhook.DeliveryHeader)).To(Equal(xs[0].DeliveryID))

		// Its video is served by the mock.
		res, err := client.Get(ev.Data.VideoURL)
		Expect(err).NotTo(HaveOccurred())
		res.Body.Close()
		Expect(res.StatusCode).To(Equal(http.StatusOK))
		Expect(res.Header.Get("Content-Type")).To(Equal("video/mp4"))

		// It is in the delivery log, as a test delivery of one manual attempt.
		ds := m.deliveries(hook["id"].(string))
		Expect(ds).To(HaveLen(1))
		Expect(ds[0]["id"]).To(Equal(xs[0].DeliveryID))
		Expect(ds[0]["test"]).To(BeTrue())
		Expect(ds[0]["status"]).To(Equal(delivery.StatusDelivered))
		Expect(ds[0]["attempts"]).To(HaveLen(1))
		Expect(ds[0]["attempts"].([]any)[0].(map[string]any)["manual"]).To(BeTrue())
	})

	It("emits with a fault and reports what the receiver answered", func() {
		rc.answerWith(func(int) int { return http.StatusUnauthorized })
		hook := m.createWebhook(rc.URL, "video.completed")
		xs := m.emit(`{"webhook_id": "` + hook["id"].(string) + `", "event": "video.failed", "fault": "wrong-secret"}`)
		Expect(xs).To(ConsistOf(And(
			HaveField("Fault", "wrong-secret"),
			HaveField("Status", http.StatusUnauthorized),
			HaveField("OK", false),
		)))
		var d delivered
		Expect(rc.got).To(Receive(&d))
		Expect(d.Header.Get(webhook.EventHeader)).To(Equal(webhook.EventFailed))
		Expect(webhook.Verify(hook["secret"].(string), d.Body, d.Header.Get(webhook.SignatureHeader))).
			To(MatchError(webhook.ErrSignatureMismatch))
	})

	It("emits to any URL with any secret, and duplicates and bursts", func() {
		target := `"url": "` + rc.URL + `/any", "secret": "whsec_mine"`
		xs := m.emit(`{` + target + `, "fault": "duplicate", "count": 3}`)
		Expect(xs).To(HaveLen(3))
		Expect(xs[1].DeliveryID).To(Equal(xs[0].DeliveryID))
		Expect(xs[2].DeliveryID).To(Equal(xs[0].DeliveryID))
		var bodies []string
		for range 3 {
			var d delivered
			Expect(rc.got).To(Receive(&d))
			Expect(webhook.Verify("whsec_mine", d.Body, d.Header.Get(webhook.SignatureHeader))).To(Succeed())
			bodies = append(bodies, string(d.Body))
		}
		Expect(bodies[1]).To(Equal(bodies[0]))
		Expect(bodies[2]).To(Equal(bodies[0]))

		xs = m.emit(`{` + target + `, "fault": "burst", "count": 5}`)
		Expect(xs).To(HaveLen(5))
		ids := map[string]bool{}
		for _, x := range xs {
			Expect(x.OK).To(BeTrue())
			ids[x.DeliveryID] = true
		}
		Expect(ids).To(HaveLen(5))
	})

	It("reports the lowercase header as it was on the wire", func() {
		xs := m.emit(`{"url": "` + rc.URL + `", "secret": "whsec_mine", "fault": "lowercase-header"}`)
		Expect(xs).To(HaveLen(1))
		Expect(xs[0].RequestHeaders).To(HaveKey("x-prism-signature"))
	})

	DescribeTable("refuses a bad emit",
		func(body string, status int) {
			r := m.control("POST", "/_mock/emit", body)
			Expect(r.Status).To(Equal(status), "%s", r.Body)
			r.ErrorType()
		},
		Entry("no target", `{"event": "video.completed"}`, http.StatusBadRequest),
		Entry("url without secret", `{"url": "http://127.0.0.1:9/h"}`, http.StatusBadRequest),
		Entry("webhook and url", `{"webhook_id": "wh_1", "url": "http://127.0.0.1:9/h"}`, http.StatusBadRequest),
		Entry("unknown fault", `{"url": "http://127.0.0.1:9/h", "secret": "s", "fault": "gremlins"}`, http.StatusBadRequest),
		Entry("unknown event", `{"url": "http://127.0.0.1:9/h", "secret": "s", "event": "video.deleted"}`, http.StatusBadRequest),
		Entry("count too large", `{"url": "http://127.0.0.1:9/h", "secret": "s", "count": 1000}`, http.StatusBadRequest),
		Entry("unknown webhook", `{"webhook_id": "wh_000000000000000000000000"}`, http.StatusNotFound),
	)

	It("reports a receiver that cannot be reached", func() {
		rc.Close()
		xs := m.emit(`{"url": "` + rc.URL + `", "secret": "s"}`)
		Expect(xs).To(HaveLen(1))
		Expect(xs[0].OK).To(BeFalse())
		Expect(xs[0].Status).To(BeZero())
	})

	It("lists every delivery, and resets everything", func() {
		hook := m.createWebhook(rc.URL, "video.completed")
		genID := m.api("POST", "/v1/videos", `{"prompt": "p"}`).JSON()["id"].(string)
		Eventually(rc.got, 10*time.Second).Should(Receive())
		var all []any
		Eventually(func() []any {
			all = m.control("GET", "/_mock/deliveries", "").JSON()["data"].([]any)
			return all
		}).Should(ConsistOf(And(HaveKeyWithValue("webhook_id", hook["id"]), HaveKeyWithValue("status", "delivered"))))

		m.control("POST", "/_mock/outcome", `{"outcome": "failed"}`)
		r := m.control("POST", "/_mock/reset", "")
		Expect(r.Status).To(Equal(http.StatusNoContent))
		Expect(r.Body).To(BeEmpty())

		Expect(m.api("GET", "/v1/webhooks", "").JSON()["data"]).To(BeEmpty())
		Expect(m.api("GET", "/v1/videos/"+genID, "").Status).To(Equal(http.StatusNotFound))
		Expect(m.control("GET", "/_mock/deliveries", "").JSON()["data"]).To(BeEmpty())

		// The forced outcome is gone too.
		hook = m.createWebhook(rc.URL, "video.completed", "video.failed")
		m.api("POST", "/v1/videos", `{"prompt": "p"}`)
		var d delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		expectSignedEvent(d, hook["secret"].(string), webhook.EventCompleted)
	})

	It("makes a generation's video slow and failing, and lists its fetches", func() {
		const id = "gen_slowvideo"
		r := m.control("PUT", "/_mock/artifacts/"+id, `{"delay_ms": 10, "fail_first": 2}`)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.JSON()).To(Equal(map[string]any{"generation_id": id, "delay_ms": 10.0, "fail_first": 2.0}))

		for _, want := range []int{503, 503, 200} {
			res, err := client.Get(m.URL + "/videos/" + id + ".mp4")
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(want))
		}
		fetches := m.control("GET", "/_mock/artifacts/"+id, "").JSON()
		Expect(fetches["data"]).To(HaveExactElements(
			HaveKeyWithValue("status", 503.0), HaveKeyWithValue("status", 503.0), HaveKeyWithValue("status", 200.0)))

		Expect(m.control("PUT", "/_mock/artifacts/nope", `{"delay_ms": 1}`).Status).To(Equal(http.StatusBadRequest))
		Expect(m.control("PUT", "/_mock/artifacts/"+id, `{"delay_ms": -1}`).Status).To(Equal(http.StatusBadRequest))
	})

	It("answers /healthz", func() {
		r := m.control("GET", "/healthz", "")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.JSON()).To(HaveKeyWithValue("status", "ok"))
	})

	It("serves metrics of the API and of the deliveries", func() {
		m.createWebhook(rc.URL, "video.completed")
		m.api("GET", "/v1/webhooks/wh_000000000000000000000000", "")
		m.api("POST", "/v1/videos", `{"prompt": "p"}`)
		Eventually(rc.got, 10*time.Second).Should(Receive())

		metrics := func() string {
			res, err := client.Get(m.URL + "/metrics")
			Expect(err).NotTo(HaveOccurred())
			defer res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusOK))
			Expect(res.Header.Get("Content-Type")).To(HavePrefix("text/plain"))
			b, err := io.ReadAll(res.Body)
			Expect(err).NotTo(HaveOccurred())
			return string(b)
		}
		Eventually(metrics).Should(And(
			ContainSubstring(`prismhook_http_requests_total{code="201",route="createWebhook"} 1`),
			ContainSubstring(`prismhook_http_requests_total{code="404",route="getWebhook"} 1`),
			ContainSubstring(`prismhook_http_requests_total{code="202",route="createVideo"} 1`),
			ContainSubstring(`prismhook_http_request_duration_seconds_bucket{route="createWebhook",le="+Inf"} 1`),
			ContainSubstring(`prismhook_deliveries_total`),
			ContainSubstring(`prismhook_delivery_attempts_total`),
		))
		Expect(strings.Count(metrics(), "prismhook_http_requests_total{")).To(BeNumerically(">=", 4))
	})
})

// faultEnum returns the control API document with the Fault schema's enum
// replaced by the fault table's names, "none" first.
func faultEnum(doc string) string {
	const head = "    Fault:\n"
	start := strings.Index(doc, head)
	Expect(start).To(BeNumerically(">=", 0), "no Fault schema in spec/mock.yaml")
	enum := strings.Index(doc[start:], "      enum:\n")
	Expect(enum).To(BeNumerically(">=", 0), "the Fault schema has no enum")
	from := start + enum + len("      enum:\n")
	to := from
	for strings.HasPrefix(doc[to:], "        - ") {
		to += strings.IndexByte(doc[to:], '\n') + 1
	}
	var b strings.Builder
	b.WriteString("        - none\n")
	for _, f := range wire.Faults {
		b.WriteString("        - " + string(f.Name) + "\n")
	}
	return doc[:from] + b.String() + doc[to:]
}
