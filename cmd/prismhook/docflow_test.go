package main

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
)

// The flow Prism's documentation describes, end to end against `serve`: the
// doc's two curl requests, a receiver that verifies with the doc's own
// JavaScript verifyWebhook, a generation whose video.completed it accepts,
// the video_url it names, and the delivery log.
var _ = Describe("the documentation's flow against serve", func() {
	It("delivers a video.completed that the doc's verifyWebhook accepts", func() {
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--generation-delay", "100ms", "--log-level", "warn")
		waitHealthy("http://"+addr+"/healthz", done)
		api := "http://" + addr + "/v1"

		_, portText, err := net.SplitHostPort(freeAddr())
		Expect(err).NotTo(HaveOccurred())
		port, err := strconv.Atoi(portText)
		Expect(err).NotTo(HaveOccurred())

		// The doc's "Create Webhook" curl, verbatim but for host and URL.
		var wh struct{ ID, Secret string }
		status := call(http.MethodPost, api+"/webhooks", `{
"url": "http://127.0.0.1:`+portText+`/webhooks/prism",
"events": ["video.completed", "video.failed"]
}`, &wh)
		Expect(status).To(Equal(http.StatusCreated))

		// The doc's "List Webhooks" curl.
		var list struct{ Data []struct{ ID, Secret string } }
		Expect(call(http.MethodGet, api+"/webhooks", "", &list)).To(Equal(http.StatusOK))
		Expect(list.Data).To(ContainElement(HaveField("ID", wh.ID)))
		Expect(list.Data[0].Secret).To(BeEmpty(), "the secret is shown once, at creation")

		node, err := receiver.StartNodeOn(wh.Secret, port)
		if errors.Is(err, receiver.ErrNoNode) {
			Skip("node is not on PATH: the receiver using the documentation's verifyWebhook cannot run")
		}
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(node.Close)

		var gen struct{ ID string }
		Expect(call(http.MethodPost, api+"/videos", `{"prompt":"A serene mountain lake at sunset","provider":"runway","duration":6}`, &gen)).
			To(Equal(http.StatusAccepted))

		type attempt struct{ Status int }
		type dlv struct {
			Event, Status string
			GenerationID  string `json:"generation_id"`
			Attempts      []attempt
		}
		Eventually(func(g Gomega) {
			var log struct{ Data []dlv }
			g.Expect(call(http.MethodGet, api+"/webhooks/"+wh.ID+"/deliveries", "", &log)).To(Equal(http.StatusOK))
			g.Expect(log.Data).To(ContainElement(SatisfyAll(
				HaveField("Event", "video.completed"),
				HaveField("GenerationID", gen.ID),
				HaveField("Status", "delivered"),
				HaveField("Attempts", ContainElement(HaveField("Status", http.StatusOK))),
			)), "the Node receiver answered 200: verifyWebhook accepted the signature")
		}).WithTimeout(20 * time.Second).Should(Succeed())

		var video struct {
			Status   string
			VideoURL string `json:"video_url"`
		}
		Expect(call(http.MethodGet, api+"/videos/"+gen.ID, "", &video)).To(Equal(http.StatusOK))
		Expect(video.Status).To(Equal("completed"))
		resp, err := http.Get(video.VideoURL)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Header.Get("Content-Type")).To(Equal("video/mp4"))
	})
})

// call sends an API request with the doc's bearer header and decodes the
// JSON answer into out (when not nil); it returns the status.
func call(method, url, body string, out any) int {
	GinkgoHelper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer YOUR_API_KEY")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	if out != nil {
		Expect(json.NewDecoder(resp.Body).Decode(out)).To(Succeed())
	}
	return resp.StatusCode
}
