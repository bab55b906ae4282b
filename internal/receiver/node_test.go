package receiver_test

import (
	"errors"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("The Node receiver", Ordered, func() {
	var r *receiver.Running

	BeforeAll(func() {
		var err error
		r, err = receiver.StartNode(secret)
		if errors.Is(err, receiver.ErrNoNode) {
			Skip("node is not on PATH: the Node receiver cannot run here")
		}
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(r.Close()).To(Succeed()) })
	})

	It("answers 200 to a correctly signed delivery", func() {
		body, err := fixtures.CompactEvent(webhook.EventCompleted)
		Expect(err).NotTo(HaveOccurred())
		Expect(post(r.URL, delivery{body: body}).status).To(Equal(http.StatusOK))
	})

	It("answers 401 to a signature made with another secret", func() {
		body, err := fixtures.CompactEvent(webhook.EventCompleted)
		Expect(err).NotTo(HaveOccurred())
		Expect(post(r.URL, delivery{body: body, signature: sig(webhook.Sign("whsec_other", body))}).status).To(Equal(http.StatusUnauthorized))
	})

	It("answers 500 to a short signature: the documentation's timingSafeEqual throws", func() {
		body, err := fixtures.CompactEvent(webhook.EventCompleted)
		Expect(err).NotTo(HaveOccurred())
		Expect(post(r.URL, delivery{body: body, signature: sig(webhook.Sign(secret, body)[:32])}).status).To(Equal(http.StatusInternalServerError))
	})
})
