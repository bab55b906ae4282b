package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("emit, redeliver and outcome", func() {
	It("drive a running serve: a test event, its redelivery, the next outcome", func() {
		rc, got := startCollector()
		addr := freeAddr()
		server := "http://" + addr
		done := background("serve", "--addr", addr, "--log-level", "warn")
		waitHealthy(server+"/healthz", done)
		req, _ := http.NewRequest(http.MethodPost, server+"/v1/webhooks", strings.NewReader(`{"url": "`+rc.URL+`", "events": ["video.completed", "video.failed"]}`))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		var wh struct{ ID string }
		Expect(json.NewDecoder(resp.Body).Decode(&wh)).To(Succeed())
		resp.Body.Close()

		r := cli("emit", "--server", server, "--webhook", wh.ID, "--event", "video.failed")
		Expect(r.code).To(Equal(0), r.stderr)
		id := regexp.MustCompile(`dlv_[0-9a-f]+`).FindString(r.stdout)
		Expect(id).NotTo(BeEmpty(), r.stdout)
		Expect(r.stdout).To(ContainSubstring("200 OK"))
		var first, again gotDelivery
		Expect(got).To(Receive(&first))
		Expect(first.header.Get(webhook.EventHeader)).To(Equal("video.failed"))

		r = cli("redeliver", id, "--server", server)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(got).To(Receive(&again))
		Expect(again.body).To(Equal(first.body))
		Expect(again.header.Get(webhook.SignatureHeader)).To(Equal(first.header.Get(webhook.SignatureHeader)))

		r = cli("emit", "--server", server, "--webhook", wh.ID, "--event", "unknown")
		Expect(r.code).To(Equal(0), r.stderr)
		Eventually(got).Should(Receive())

		r = cli("outcome", "failed", "--server", server)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(ContainSubstring("failed"))
		req, _ = http.NewRequest(http.MethodPost, server+"/v1/videos", strings.NewReader(`{"prompt": "a lake", "provider": "runway", "duration": 6}`))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Content-Type", "application/json")
		resp, err = http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		var ev gotDelivery
		Eventually(got, 10*time.Second).Should(Receive(&ev))
		Expect(ev.header.Get(webhook.EventHeader)).To(Equal("video.failed"), "the forced outcome")

		expectOneLineError(cli("redeliver", "dlv_unknown", "--server", server), 2, "no delivery dlv_unknown")
		expectOneLineError(cli("outcome", "maybe", "--server", server), 2, "want completed or failed")
		expectOneLineError(cli("emit", "--server", server), 2, "--webhook is required")
	})

	It("say in one line that no serve answers", func() {
		expectOneLineError(cli("redeliver", "dlv_x", "--server", "http://"+freeAddr()), 2, "cannot reach prismhook serve")
	})
})
