package mockserver_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
)

var _ = Describe("credentials in a webhook URL", func() {
	It("are sent as Basic auth and shown as user:*** in answers and logs", func() {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		m := startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery, Logger: logger})
		rc := startReceiver()
		withPW := strings.Replace(rc.URL, "http://", "http://ci:pw-s3cret@", 1) + "/hook"
		hook := m.createWebhook(withPW, "video.completed")
		Expect(hook["url"]).To(ContainSubstring("ci:***@"))
		m.api("POST", "/v1/videos", `{"prompt": "p"}`)

		var d delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		Expect(d.Header.Get("Authorization")).To(Equal("Basic " + base64.StdEncoding.EncodeToString([]byte("ci:pw-s3cret"))))

		for _, path := range []string{"/_mock/deliveries", "/v1/webhooks", "/v1/webhooks/" + hook["id"].(string) + "/deliveries"} {
			var r response
			if strings.HasPrefix(path, "/v1/") {
				r = m.api("GET", path, "")
			} else {
				r = m.control("GET", path, "")
			}
			Expect(r.Status).To(Equal(http.StatusOK), path)
			Expect(string(r.Body)).NotTo(ContainSubstring("pw-s3cret"), path)
			Expect(string(r.Body)).To(ContainSubstring("ci:***@"), path)
		}
		x := m.emit(`{"url": "` + withPW + `", "secret": "whsec_x"}`)
		Expect(x).To(HaveLen(1))
		Expect(x[0].URL).To(ContainSubstring("ci:***@"))
		Expect(logs.String()).NotTo(ContainSubstring("pw-s3cret"))
	})
})
