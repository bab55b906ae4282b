package mockserver_test

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
)

var _ = Describe("check runs", func() {
	DescribeTable("give the runner's verdict for the profile, as the spec words it",
		func(res mockserver.CheckResult, want string) {
			runner := func(_ context.Context, req mockserver.CheckRequest) (mockserver.CheckResult, error) {
				req.Progress(1, 1)
				return res, nil
			}
			m := startMock(mockserver.Options{CheckRunner: runner})
			id := m.createWebhook("http://127.0.0.1:9/hook", "video.completed")["id"].(string)
			r := m.control(http.MethodPost, "/_mock/checks", `{"webhook_id":"`+id+`"}`)
			Expect(r.Status).To(Equal(http.StatusAccepted), "%s", r.Body)
			path := "/_mock/checks/" + r.JSON()["id"].(string)
			Eventually(func() any { return m.control(http.MethodGet, path, "").JSON()["status"] }).
				WithTimeout(10 * time.Second).Should(Equal("done"))
			Expect(m.control(http.MethodGet, path, "").JSON()["verdict"]).To(Equal(want))
		},
		Entry("conformant", mockserver.CheckResult{Conformant: true, Summary: "1 pass"}, "conformant"),
		Entry("not conformant", mockserver.CheckResult{Summary: "1 fail"}, "not conformant"),
		Entry("a partial or interrupted run", mockserver.CheckResult{Unknown: true, Summary: "1 pass"}, "no verdict"),
	)
})
