package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// filledDataFile writes a data file with 50 webhooks and 250 deliveries
// and returns its bytes.
func filledDataFile(path string) []byte {
	GinkgoHelper()
	s, err := store.Open(path)
	Expect(err).NotTo(HaveOccurred())
	for i := range 50 {
		Expect(s.CreateWebhook(hook(fmt.Sprintf("wh_%d", i), "o1", webhook.EventCompleted))).To(Succeed())
	}
	for i := range 250 {
		Expect(s.SaveDelivery(delivery.Delivery{
			ID: fmt.Sprintf("dlv_%d", i), WebhookID: "wh_1", EventType: webhook.EventCompleted,
			URL: "https://example.test/hook", Status: delivery.StatusDelivered, CreatedAt: time.Now(),
			Body: make([]byte, 300), Secret: "whsec_x",
		})).To(Succeed())
	}
	Expect(s.Close()).To(Succeed())
	b, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = Describe("Bolt with a damaged data file", func() {
	var path string
	BeforeEach(func() { path = filepath.Join(GinkgoT().TempDir(), "data.db") })

	It("refuses an empty existing file rather than starting afresh in it", func() {
		Expect(os.WriteFile(path, nil, 0o600)).To(Succeed())
		_, err := store.Open(path)
		Expect(err).To(MatchError(And(ContainSubstring(path), ContainSubstring("empty"))))
		fi, err := os.Stat(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Size()).To(BeZero(), "left as it was")
	})

	DescribeTable("refuses a truncated file without a panic, leaving it as it was",
		func(keep func(n int) int) {
			full := filledDataFile(path)
			cut := full[:keep(len(full))]
			Expect(os.WriteFile(path, cut, 0o600)).To(Succeed())
			var err error
			Expect(func() { _, err = store.Open(path) }).NotTo(Panic())
			Expect(err).To(MatchError(ContainSubstring(path)))
			Expect(err.Error()).To(Or(ContainSubstring("truncated"), ContainSubstring("damaged"), ContainSubstring("not a prismhook data file")))
			Expect(os.ReadFile(path)).To(Equal(cut))
		},
		Entry("to half", func(n int) int { return n / 2 }),
		Entry("to a quarter", func(n int) int { return n / 4 }),
		Entry("to three pages", func(int) int { return 3 * 4096 }),
		Entry("to two pages and a bit", func(int) int { return 2*4096 + 100 }),
	)

	It("refuses a file whose pages were overwritten", func() {
		full := filledDataFile(path)
		for i := 4 * 4096; i < len(full) && i < 8*4096; i++ {
			full[i] = 0xAB
		}
		Expect(os.WriteFile(path, full, 0o600)).To(Succeed())
		var err error
		Expect(func() { _, err = store.Open(path) }).NotTo(Panic())
		Expect(err).To(MatchError(ContainSubstring(path)))
	})

	It("still opens a healthy file", func() {
		filledDataFile(path)
		s, err := store.Open(path)
		Expect(err).NotTo(HaveOccurred())
		ds, err := s.LoadDeliveries()
		Expect(err).NotTo(HaveOccurred())
		Expect(ds).To(HaveLen(250))
		Expect(s.Close()).To(Succeed())
	})
})
