package suites

import (
	"bytes"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
)

var _ = Describe("delivery evidence", func() {
	It("reports a redirect with its Location, in every format", func() {
		ev := exchangeEvidence("doc example", wire.Exchange{
			URL: "http://127.0.0.1:1/h", Started: time.Now(), Status: http.StatusFound,
			Location: "https://elsewhere.example/hook",
		})
		Expect(ev.Location).To(Equal("https://elsewhere.example/hook"))
		rep := &report.Report{Schema: report.Schema, Tool: "prismhook", Checks: []report.CheckResult{{
			ID: "SIG-01", Level: "MUST", Title: "t", Outcome: report.Fail, Reason: "r", Evidence: []report.Evidence{ev},
		}}}
		for name, write := range map[string]func(*bytes.Buffer) error{
			"json":     func(b *bytes.Buffer) error { return report.WriteJSON(b, rep) },
			"markdown": func(b *bytes.Buffer) error { return report.WriteMarkdown(b, rep) },
			"html":     func(b *bytes.Buffer) error { return report.WriteHTML(b, rep) },
			"junit":    func(b *bytes.Buffer) error { return report.WriteJUnit(b, rep) },
		} {
			var b bytes.Buffer
			Expect(write(&b)).To(Succeed(), name)
			Expect(b.String()).To(ContainSubstring("https://elsewhere.example/hook"), name)
		}
	})
})
