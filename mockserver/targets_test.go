package mockserver_test

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/webhook"
)

// Registration refusals are checked without any delivery: no spec here
// sends traffic anywhere but to its own loopback receiver.
var _ = Describe("DenyPrivateTargets", func() {
	var m *mock
	BeforeEach(func() {
		m = startMock(mockserver.Options{DenyPrivateTargets: true, GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery})
	})

	DescribeTable("refuses webhook URLs on private hosts",
		func(url string) {
			r := m.api("POST", "/v1/webhooks", `{"url": "`+url+`", "events": ["video.completed"]}`)
			Expect(r.Status).To(Equal(http.StatusBadRequest), "%s", r.Body)
			Expect(r.ErrorType()).To(Equal("invalid_request"))
			Expect(r.ErrorMessage()).To(And(HavePrefix(`request body "/url": host `), ContainSubstring("does not deliver to")))
		},
		Entry("IPv4 loopback", "http://127.0.0.1:8080/webhooks/prism"),
		Entry("localhost", "http://localhost:8080/webhooks/prism"),
		Entry("localhost, upper case and fully qualified", "https://LOCALHOST./hook"),
		Entry("a subdomain of localhost", "http://app.localhost/hook"),
		Entry("RFC 1918 10/8", "http://10.0.0.5/hook"),
		Entry("RFC 1918 172.16/12", "http://172.16.3.4/hook"),
		Entry("RFC 1918 192.168/16", "https://192.168.0.10:8443/hook"),
		Entry("cloud metadata", "http://169.254.169.254/latest/meta-data/"),
		Entry("unspecified", "http://0.0.0.0:8080/hook"),
		Entry("multicast", "http://224.0.0.1/hook"),
		Entry("IPv6 loopback", "http://[::1]:9000/hook"),
		Entry("IPv6 unique local", "http://[fd00::1]/hook"),
		Entry("IPv6 link-local with a zone", "http://[fe80::1%25eth0]/hook"),
		Entry("IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/hook"),
	)

	It("accepts public hosts", func() {
		for _, url := range []string{"https://your-server.com/webhooks/prism", "http://93.184.216.34/hook", "https://localhost.example.com/hook"} {
			m.createWebhook(url, "video.completed") // registered only: no generation, no delivery
		}
	})

	It("refuses a private URL given to /_mock/emit", func() {
		r := m.control("POST", "/_mock/emit", `{"url": "http://127.0.0.1:1/hook", "secret": "whsec_x"}`)
		Expect(r.Status).To(Equal(http.StatusBadRequest))
		Expect(r.ErrorMessage()).To(ContainSubstring(`host "127.0.0.1"`))
	})

	It("makes the mock's sender refuse private addresses when it connects", func() {
		rc := startReceiver()
		x := m.Engine().Sender().Send(context.Background(), wire.Message{
			URL: rc.URL + "/hook", Secret: "whsec_x", EventType: webhook.EventCompleted, Body: []byte(`{"event":"video.completed"}`),
		})
		Expect(x.OK()).To(BeFalse())
		Expect(x.ErrKind).To(Equal(wire.ErrKindConnection))
		Expect(x.Err).To(MatchError("target address 127.0.0.1 is private (--deny-private-targets)"))
		Consistently(rc.got, 200*time.Millisecond).ShouldNot(Receive(), "the receiver is never reached")
	})
})

var _ = Describe("private targets by default", func() {
	It("are accepted and delivered to, as local testing needs", func() {
		m := startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery})
		rc := startReceiver()
		hook := m.createWebhook(rc.URL, "video.completed")
		Expect(m.api("POST", "/v1/videos", `{"prompt": "loopback"}`).Status).To(Equal(http.StatusAccepted))
		var d delivered
		Eventually(rc.got).Should(Receive(&d))
		expectSignedEvent(d, hook["secret"].(string), webhook.EventCompleted)
	})
})
