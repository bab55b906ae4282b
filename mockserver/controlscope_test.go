package mockserver_test

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
)

// The inspector's operations (redeliver, test events, check runs) and its
// views, with two API keys: each key reaches its own objects only.
var _ = Describe("the inspector's operations with two API keys", func() {
	var (
		m      *mock
		rc     *receiver
		hookA  string
		runner chan struct{} // closed to let check runs finish
	)
	BeforeEach(func() {
		runner = make(chan struct{})
		run := func(ctx context.Context, req mockserver.CheckRequest) (mockserver.CheckResult, error) {
			select {
			case <-runner:
			case <-ctx.Done():
			}
			return mockserver.CheckResult{Conformant: true, Summary: "1 pass"}, nil
		}
		m = startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery,
			APIKeys: []string{"keyA", "keyB"}, CheckRunner: run})
		DeferCleanup(func() { close(runner) })
		rc = startReceiver()
		hookA = m.as("keyA", "POST", "/v1/webhooks", `{"url":"`+rc.URL+`/a","events":["video.completed"]}`).JSON()["id"].(string)
	})

	// testEvent sends a test event to the receiver as key and returns its
	// delivery id.
	testEvent := func(key, body string) string {
		GinkgoHelper()
		xs := m.emitAs(key, body)
		Expect(xs).To(HaveLen(1))
		return xs[0].DeliveryID
	}
	ids := func(key string) []string {
		GinkgoHelper()
		r := m.as(key, "GET", "/_mock/deliveries", "")
		Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
		var out []string
		for _, d := range r.JSON()["data"].([]any) {
			out = append(out, d.(map[string]any)["id"].(string))
		}
		return out
	}

	It("redelivers the caller's deliveries only", func() {
		dA := testEvent("keyA", `{"webhook_id": "`+hookA+`"}`)
		dB := testEvent("keyB", `{"url": "`+rc.URL+`/b", "secret": "whsec_b"}`)

		Expect(m.as("keyB", "POST", "/_mock/deliveries/"+dA+"/redeliver", "").Status).To(Equal(http.StatusNotFound))
		Expect(m.as("keyA", "POST", "/_mock/deliveries/"+dB+"/redeliver", "").Status).To(Equal(http.StatusNotFound))
		Expect(m.control("POST", "/_mock/deliveries/"+dA+"/redeliver", "").Status).To(Equal(http.StatusUnauthorized))

		r := m.as("keyA", "POST", "/_mock/deliveries/"+dA+"/redeliver", "")
		Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
		Expect(r.JSON()["attempts"]).To(HaveLen(2))
		r = m.as("keyB", "POST", "/_mock/deliveries/"+dB+"/redeliver", "")
		Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
	})

	It("lists each key's test events and webhook deliveries to it alone, in the control API and the inspector", func() {
		dA := testEvent("keyA", `{"webhook_id": "`+hookA+`"}`)
		dB := testEvent("keyB", `{"url": "`+rc.URL+`/b", "secret": "whsec_b"}`)
		Expect(ids("keyA")).To(ConsistOf(dA))
		Expect(ids("keyB")).To(ConsistOf(dB))

		_, _, listA := m.page("/_inspector/lists", "keyA")
		_, _, listB := m.page("/_inspector/lists", "keyB")
		Expect(listA).To(ContainSubstring(dA))
		Expect(listA).NotTo(ContainSubstring(dB))
		Expect(listB).To(ContainSubstring(dB))
		Expect(listB).NotTo(ContainSubstring(dA))
		code, _, _ := m.page("/_inspector/deliveries/"+dA, "keyB")
		Expect(code).To(Equal(http.StatusNotFound))
		code, _, _ = m.page("/_inspector/deliveries/"+dA, "keyA")
		Expect(code).To(Equal(http.StatusOK))
		code, _, _ = m.page("/_inspector/lists", "")
		Expect(code).To(Equal(http.StatusUnauthorized))
	})

	It("runs and shows check runs on the caller's webhooks only", func() {
		Expect(m.as("keyB", "POST", "/_mock/checks", `{"webhook_id": "`+hookA+`"}`).Status).To(Equal(http.StatusNotFound))
		Expect(m.control("POST", "/_mock/checks", `{"webhook_id": "`+hookA+`"}`).Status).To(Equal(http.StatusUnauthorized))

		r := m.as("keyA", "POST", "/_mock/checks", `{"webhook_id": "`+hookA+`"}`)
		Expect(r.Status).To(Equal(http.StatusAccepted), "%s", r.Body)
		run := r.JSON()["id"].(string)
		Expect(m.as("keyA", "GET", "/_mock/checks/"+run, "").Status).To(Equal(http.StatusOK))
		Expect(m.as("keyB", "GET", "/_mock/checks/"+run, "").Status).To(Equal(http.StatusNotFound))
		_, _, listB := m.page("/_inspector/lists", "keyB")
		Expect(listB).NotTo(ContainSubstring(run))
		code, _, _ := m.page("/_inspector/checks/"+run, "keyB")
		Expect(code).To(Equal(http.StatusNotFound))
	})

})

var _ = Describe("a reset with two API keys", func() {
	It("resets the caller's part: its retries cancelled, its deliveries out of its view, the other key untouched", func() {
		slow := quickDelivery
		slow.TimeScale = 0.3 // retries 300 ms apart
		m := startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: slow, APIKeys: []string{"keyA", "keyB"}})
		rcA, rcB := startReceiver(), startReceiver()
		for _, rc := range []*receiver{rcA, rcB} {
			rc.answerWith(func(int) int { return http.StatusInternalServerError })
		}
		ids := func(key string) []string {
			GinkgoHelper()
			var out []string
			for _, d := range m.as(key, "GET", "/_mock/deliveries", "").JSON()["data"].([]any) {
				out = append(out, d.(map[string]any)["id"].(string))
			}
			return out
		}
		m.as("keyA", "POST", "/v1/webhooks", `{"url":"`+rcA.URL+`/a","events":["video.completed"]}`)
		m.as("keyB", "POST", "/v1/webhooks", `{"url":"`+rcB.URL+`/b","events":["video.completed"]}`)
		Expect(m.as("keyA", "POST", "/v1/videos", `{"prompt": "p"}`).Status).To(Equal(http.StatusAccepted))
		Expect(m.as("keyB", "POST", "/v1/videos", `{"prompt": "p"}`).Status).To(Equal(http.StatusAccepted))
		Eventually(rcA.got, 10*time.Second).Should(Receive())
		Eventually(rcB.got, 10*time.Second).Should(Receive())
		before := ids("keyA")
		Expect(before).To(HaveLen(1))

		Expect(m.as("keyA", "POST", "/_mock/reset", "").Status).To(Equal(http.StatusNoContent))
		Expect(ids("keyA")).To(BeEmpty())
		Expect(m.as("keyA", "POST", "/_mock/deliveries/"+before[0]+"/redeliver", "").Status).To(Equal(http.StatusNotFound))
		_, _, listA := m.page("/_inspector/lists", "keyA")
		Expect(listA).NotTo(ContainSubstring(before[0]))

		// B's delivery keeps its retries; A's was cancelled with its webhook.
		Eventually(rcB.got, 10*time.Second).Should(Receive())
		Expect(ids("keyB")).To(HaveLen(1))
		for len(rcA.got) > 0 { // an attempt in flight during the reset
			<-rcA.got
		}
		Consistently(rcA.got, time.Second).ShouldNot(Receive(), "no retry after the reset")
	})
})

var _ = Describe("--no-control-api and the inspector", func() {
	It("answers 404 to every operation and leaves the page, read-only", func() {
		run := func(context.Context, mockserver.CheckRequest) (mockserver.CheckResult, error) {
			return mockserver.CheckResult{}, nil
		}
		m := startMock(mockserver.Options{NoControlAPI: true, CheckRunner: run, Delivery: quickDelivery, GenerationDelay: 50 * time.Millisecond})
		rc := startReceiver()
		hook := m.createWebhook(rc.URL, "video.completed")["id"].(string)
		Expect(m.api("POST", "/v1/videos", `{"prompt": "p"}`).Status).To(Equal(http.StatusAccepted))
		Eventually(func() []map[string]any { return m.deliveries(hook) }, 10*time.Second).Should(HaveLen(1))
		dlv := m.deliveries(hook)[0]["id"].(string)

		for _, op := range [][2]string{
			{"POST", "/_mock/deliveries/" + dlv + "/redeliver"}, {"POST", "/_mock/checks"},
			{"GET", "/_mock/checks/chk_000000000000000000000000"}, {"POST", "/_mock/emit"}, {"POST", "/_mock/outcome"},
		} {
			body := ""
			if op[0] == "POST" {
				body = `{"webhook_id": "` + hook + `"}`
			}
			Expect(m.control(op[0], op[1], body).Status).To(Equal(http.StatusNotFound), "%s %s", op[0], op[1])
		}

		code, _, page := m.page("/", "")
		Expect(code).To(Equal(http.StatusOK))
		Expect(page).To(ContainSubstring("--no-control-api"))
		Expect(page).NotTo(ContainSubstring(`id="outcome-form"`))
		Expect(page).NotTo(ContainSubstring("test-form"))
		Expect(page).NotTo(ContainSubstring("check-btn"))
		code, _, detail := m.page("/_inspector/deliveries/"+dlv, "")
		Expect(code).To(Equal(http.StatusOK))
		Expect(detail).To(ContainSubstring(dlv))
		Expect(detail).NotTo(ContainSubstring("redeliver-btn"))

		// With the control API on, the same page has its actions.
		on := startMock(mockserver.Options{CheckRunner: run})
		on.createWebhook(rc.URL, "video.completed")
		_, _, page = on.page("/", "")
		Expect(page).To(ContainSubstring(`id="outcome-form"`))
		Expect(page).To(ContainSubstring("test-form"))
		Expect(page).To(ContainSubstring("check-btn"))
	})
})
