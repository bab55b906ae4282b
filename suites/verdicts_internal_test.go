package suites

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/suites/report"
)

// passedExcept is a run in which every check passed, except that the
// checks in unrun did not run.
func passedExcept(unrun ...string) []result {
	results := make([]result, len(Catalog))
	for i, c := range Catalog {
		results[i] = result{CheckResult: report.CheckResult{ID: c.ID, Outcome: report.Pass}, raw: report.Pass, ran: true}
		for _, id := range unrun {
			if id == c.ID {
				results[i].ran, results[i].raw, results[i].Outcome = false, report.Skip, report.Skip
			}
		}
	}
	return results
}

var _ = DescribeTable("A profile's verdict",
	func(unrun []string, interrupted bool, want map[string]any) {
		rep := &report.Report{}
		judgeRun(rep, passedExcept(unrun...), interrupted)
		for p, w := range want {
			if w == nil {
				Expect(rep.Summary.Conformant[p]).To(BeNil(), p)
			} else {
				Expect(rep.Summary.Conformant[p]).To(HaveValue(Equal(w)), p)
			}
		}
		Expect(rep.Interrupted).To(Equal(interrupted))
	},
	Entry("a full run", nil, false, map[string]any{report.ProfileCore: true, report.ProfileRecommended: true, report.ProfileProduction: true}),
	Entry("a SHOULD check skipped: core keeps its verdict", []string{"ROB-04"}, false,
		map[string]any{report.ProfileCore: true, report.ProfileRecommended: nil, report.ProfileProduction: nil}),
	Entry("TLS-01 skipped: only production is unknown", []string{"TLS-01"}, false,
		map[string]any{report.ProfileCore: true, report.ProfileRecommended: true, report.ProfileProduction: nil}),
	Entry("a MUST check skipped", []string{"SIG-01"}, false,
		map[string]any{report.ProfileCore: nil, report.ProfileRecommended: nil, report.ProfileProduction: nil}),
	Entry("an interrupted run", nil, true,
		map[string]any{report.ProfileCore: nil, report.ProfileRecommended: nil, report.ProfileProduction: nil}),
)

var _ = Describe("A profile's coverage", func() {
	It("counts the checks of each profile that ran", func() {
		rep := &report.Report{}
		judgeRun(rep, passedExcept("SIG-01", "ROB-04"), false)
		// core: the 12 MUST checks and TLS-02; recommended adds the 15
		// SHOULD checks but TLS-01, which fails only in production.
		Expect(rep.Summary.Coverage[report.ProfileCore]).To(Equal(report.Coverage{Ran: 12, Checks: 13}))
		Expect(rep.Summary.Coverage[report.ProfileRecommended]).To(Equal(report.Coverage{Ran: 25, Checks: 27}))
		Expect(rep.Summary.Coverage[report.ProfileProduction]).To(Equal(report.Coverage{Ran: 26, Checks: 28}))
	})
})

var _ = Describe("Latency checks", func() {
	It("time acknowledgements and timeouts, never refusals", func() {
		evs := []report.Evidence{
			{Kind: report.KindDelivery, Status: 202, LatencyMS: 3, ConnectMS: 1},
			{Kind: report.KindDelivery, Status: 404, LatencyMS: 1},
			{Kind: report.KindDelivery, Error: "timeout: no answer after 5s", LatencyMS: 5000},
			{Kind: report.KindDelivery, Error: "connection: EOF", LatencyMS: 2},
		}
		ls, notAcks := ackLatencies(evs)
		Expect(ls).To(HaveLen(2))
		Expect(ls[0]).To(Equal(4.0))
		Expect(ls[1]).To(BeNumerically(">", 1e300))
		Expect(notAcks).To(HaveLen(2))
	})
})
