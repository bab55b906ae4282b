package wire_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
)

var _ = Describe("Exchange.Connect", func() {
	It("is the wait for a connection, apart from the latency, and zero when none was had", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(100 * time.Millisecond)
		}))
		DeferCleanup(srv.Close)
		s := wire.NewSender(wire.SenderOptions{})
		DeferCleanup(s.CloseIdleConnections)
		x := s.Send(context.Background(), wire.Message{URL: srv.URL, Secret: "whsec_x", EventType: "video.completed", Body: []byte(`{}`)})
		Expect(x.Err).NotTo(HaveOccurred())
		Expect(x.Connect).To(BeNumerically(">", 0))
		Expect(x.Latency).To(BeNumerically(">=", 100*time.Millisecond))

		refused := s.Send(context.Background(), wire.Message{URL: refusedURL(), Secret: "whsec_x", EventType: "video.completed", Body: []byte(`{}`)})
		Expect(refused.Err).To(HaveOccurred())
		Expect(refused.Connect).To(BeZero())
	})
})
