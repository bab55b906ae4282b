package mockserver_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

var _ = Describe("the delivery log", func() {
	It("keeps no more finished deliveries than the retention, the latest ones", func() {
		o := mockserver.Options{GenerationDelay: 20 * time.Millisecond, Delivery: quickDelivery}
		o.Delivery.Retention = 2
		m := startMock(o)
		rc := startReceiver()
		hookID := m.createWebhook(rc.URL, "video.completed")["id"].(string)

		var gens []string
		for range 5 {
			r := m.api("POST", "/v1/videos", `{"prompt": "one of many"}`)
			Expect(r.Status).To(Equal(http.StatusAccepted))
			gens = append(gens, r.JSON()["id"].(string))
			// One at a time, so that "the latest" is well defined.
			Eventually(rc.got).Should(Receive())
			Eventually(func() []map[string]any { return m.deliveries(hookID) }).Should(
				ContainElement(And(HaveKeyWithValue("generation_id", gens[len(gens)-1]), HaveKeyWithValue("status", delivery.StatusDelivered))))
			Expect(len(m.deliveries(hookID))).To(BeNumerically("<=", 2))
		}
		Expect(m.deliveries(hookID)).To(ConsistOf(
			HaveKeyWithValue("generation_id", gens[3]),
			HaveKeyWithValue("generation_id", gens[4]),
		))
		Expect(m.control("GET", "/_mock/deliveries", "").JSON()["data"]).To(HaveLen(2))
	})
})
