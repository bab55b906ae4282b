package suites

import (
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

var _ = DescribeTable("RETRY-02's judgement of the gaps between fetches",
	func(want bool, gapsMS ...int) {
		gaps := make([]time.Duration, len(gapsMS))
		for i, g := range gapsMS {
			gaps[i] = time.Duration(g) * time.Millisecond
		}
		Expect(backsOff(gaps)).To(Equal(want))
	},
	Entry("one or two fetches say nothing", true, 20),
	Entry("exponential backoff", true, 100, 200, 400, 800, 1600),
	Entry("exponential backoff with full jitter", true, 60, 30, 350, 200, 900),
	Entry("Retry-After honoured, with jitter", true, 800, 1200, 900),
	Entry("a fixed interval", false, 300, 300, 300, 300, 300, 300, 300),
	Entry("a fixed interval with noise", false, 280, 320, 300, 310, 290, 305),
)

var _ = Describe("The latency rule", func() {
	It("counts a 2xx with its connect time and latency, a timeout as never in time, and anything else not at all", func() {
		v, ok := ackLatencyMS(report.Evidence{Status: 202, LatencyMS: 12.5, ConnectMS: 1.5})
		Expect(v).To(Equal(14.0))
		Expect(ok).To(BeTrue())
		v, ok = ackLatencyMS(report.Evidence{Error: "timeout: no answer after 5s", LatencyMS: 5000.3})
		Expect(math.IsInf(v, 1)).To(BeTrue())
		Expect(ok).To(BeTrue())
		Expect(showMS(v)).To(Equal("no ack"))
		_, ok = ackLatencyMS(report.Evidence{Status: 503, LatencyMS: 1})
		Expect(ok).To(BeFalse(), "a refusal is not an acknowledgement")
		_, ok = ackLatencyMS(report.Evidence{Status: 302, LatencyMS: 1})
		Expect(ok).To(BeFalse(), "a redirect is not an acknowledgement")
	})
})

var _ = Describe("The new checks' events", func() {
	h := &harness{publicURL: "http://127.0.0.1:4011"}

	It("carry raw, unescaped non-ASCII UTF-8 in prompt (SIG-09)", func() {
		_, body, err := h.eventWithPrompt(webhook.EventCompleted, false, nonASCIIPrompt)
		Expect(err).NotTo(HaveOccurred())
		Expect(utf8.Valid(body)).To(BeTrue())
		for _, s := range []string{"🌅", "東京", "مدينة", "עיר", "e\u0301", "👩\u200d🚀"} {
			Expect(string(body)).To(ContainSubstring(s))
		}
		Expect(string(body)).NotTo(ContainSubstring(`\u`))
	})

	It("carry a 32 KiB multi-byte prompt, cut at a character boundary (ROB-07)", func() {
		p := longPrompt()
		Expect(len(p)).To(BeNumerically("<=", longPromptBytes))
		Expect(len(p)).To(BeNumerically(">", longPromptBytes-4))
		Expect(utf8.ValidString(p)).To(BeTrue())
		Expect(utf8.RuneCountInString(p)).To(BeNumerically("<", len(p)), "multi-byte")
		_, body, err := h.eventWithPrompt(webhook.EventCompleted, false, p)
		Expect(err).NotTo(HaveOccurred())
		var ev webhook.Event
		Expect(json.Unmarshal(body, &ev)).To(Succeed())
		Expect(ev.Data.Prompt).To(Equal(p))
		Expect(strings.Contains(string(body), `\u`)).To(BeFalse())
	})
})
