package suites

import (
	"context"
	"errors"
	"math"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("A check's execution", func() {
	h := &harness{cfg: Config{}.withDefaults()}

	It("passes when no assertion fails, with the reason the check gave", func() {
		o, reason, ev := execute(context.Background(), h, func(r *checkRun) {
			r.Expect(1).To(Equal(1), "one is one")
			r.explain("all good")
		})
		Expect(o).To(Equal(report.Pass))
		Expect(reason).To(Equal("all good"))
		Expect(ev).To(BeEmpty())
		Expect(ev).NotTo(BeNil(), "evidence is [] in JSON, never null")
	})

	It("fails on the first failed assertion, stops the check, and still runs its deferred calls", func() {
		reached := false
		o, reason, ev := execute(context.Background(), h, func(r *checkRun) {
			defer r.record(report.Evidence{Label: "recorded by defer"})
			r.Expect(1).To(Equal(2), "one is not %s", "two")
			reached = true
		})
		Expect(o).To(Equal(report.Fail))
		Expect(reason).To(Equal("one is not two"))
		Expect(reached).To(BeFalse())
		Expect(ev).To(ConsistOf(HaveField("Label", "recorded by defer")))
	})

	It("skips with the reason given", func() {
		reached := false
		o, reason, _ := execute(context.Background(), h, func(r *checkRun) {
			r.skip("nothing to see at %s", "here")
			reached = true
		})
		Expect(reached).To(BeFalse())
		Expect(o).To(Equal(report.Skip))
		Expect(reason).To(Equal("nothing to see at here"))
	})

	It("turns a panic into a harness error, not a failure of the receiver", func() {
		o, reason, _ := execute(context.Background(), h, func(*checkRun) {
			panic("a bug in the check")
		})
		Expect(o).To(Equal(report.Error))
		Expect(reason).To(Equal("harness error: a bug in the check"))
	})

	It("reports a harness problem as an error", func() {
		o, reason, _ := execute(context.Background(), h, func(r *checkRun) {
			r.harnessError(errors.New("fixture missing"))
		})
		Expect(o).To(Equal(report.Error))
		Expect(reason).To(Equal("harness error: fixture missing"))
	})

	It("blames an interrupted run, not the receiver", func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		o, reason, _ := execute(ctx, h, func(r *checkRun) {
			r.Expect(r.ctx.Err()).NotTo(HaveOccurred(), "the delivery got no answer")
		})
		Expect(o).To(Equal(report.Error))
		Expect(reason).To(Equal("run interrupted: context canceled"))
	})

	It("runs concurrently, each check with its own fail handler", func() {
		done := make(chan report.Outcome, 20)
		for i := range 20 {
			go func() {
				o, _, _ := execute(context.Background(), h, func(r *checkRun) {
					r.Expect(i%2).To(Equal(0), "odd")
				})
				done <- o
			}()
		}
		var outcomes []report.Outcome
		for range 20 {
			outcomes = append(outcomes, <-done)
		}
		Expect(outcomes).To(HaveEach(BeElementOf(report.Pass, report.Fail)))
		Expect(outcomes).To(ContainElement(report.Pass))
		Expect(outcomes).To(ContainElement(report.Fail))
	})
})

var _ = DescribeTable("The outcome reported for a rule not met",
	func(id, profile string, want report.Outcome) {
		c, ok := Lookup(id)
		Expect(ok).To(BeTrue())
		Expect(verdict(c, report.Fail, profile)).To(Equal(want))
		Expect(verdict(c, report.Skip, profile)).To(Equal(report.Skip))
	},
	Entry("MUST in core", "SIG-01", report.ProfileCore, report.Fail),
	Entry("SHOULD in core", "SIG-08", report.ProfileCore, report.Warn),
	Entry("SHOULD in recommended", "SIG-08", report.ProfileRecommended, report.Fail),
	Entry("SHOULD in production", "ROB-04", report.ProfileProduction, report.Fail),
	Entry("TLS-01 in core", "TLS-01", report.ProfileCore, report.Warn),
	Entry("TLS-01 in recommended", "TLS-01", report.ProfileRecommended, report.Warn),
	Entry("TLS-01 in production", "TLS-01", report.ProfileProduction, report.Fail),
	Entry("TLS-02 in core", "TLS-02", report.ProfileCore, report.Fail),
)

var _ = DescribeTable("Conformance per profile",
	func(id string, raw report.Outcome, core, recommended, production bool) {
		results := []result{
			{CheckResult: report.CheckResult{ID: "SIG-01"}, raw: report.Pass, ran: true},
			{CheckResult: report.CheckResult{ID: id}, raw: raw, ran: true},
		}
		Expect(conformance(results)).To(Equal(map[string]bool{
			report.ProfileCore: core, report.ProfileRecommended: recommended, report.ProfileProduction: production,
		}))
	},
	Entry("all met", "SIG-02", report.Pass, true, true, true),
	Entry("a MUST failed", "SIG-02", report.Fail, false, false, false),
	Entry("a MUST errored", "TIME-03", report.Error, false, false, false),
	Entry("a SHOULD failed", "IDEM-02", report.Fail, true, false, false),
	Entry("plain HTTP", "TLS-01", report.Fail, true, true, false),
	Entry("TLS-02 failed", "TLS-02", report.Fail, false, false, false),
	Entry("a probe skipped", "RETRY-01", report.Skip, true, true, true),
)

var _ = Describe("ExitCode", func() {
	rep := func(outcomes ...report.Outcome) *report.Report {
		r := &report.Report{}
		for _, o := range outcomes {
			r.Checks = append(r.Checks, report.CheckResult{Outcome: o})
		}
		return r
	}
	It("is 0 when nothing failed or errored", func() {
		Expect(ExitCode(rep(report.Pass, report.Warn, report.Skip))).To(Equal(0))
	})
	It("is 1 when a check failed, errors or not", func() {
		Expect(ExitCode(rep(report.Pass, report.Error, report.Fail))).To(Equal(1))
	})
	It("is 2 when a check errored and none failed", func() {
		Expect(ExitCode(rep(report.Pass, report.Error, report.Warn))).To(Equal(2))
	})
})

var _ = Describe("percentile", func() {
	It("is the nearest rank", func() {
		vs := make([]float64, 20)
		for i := range vs {
			vs[i] = float64(20 - i) // 20 … 1, unsorted
		}
		Expect(percentile(vs, 95)).To(Equal(19.0))
		Expect(percentile(vs, 100)).To(Equal(20.0))
		Expect(percentile([]float64{3}, 95)).To(Equal(3.0))
		Expect(percentile(nil, 95)).To(BeZero())
		Expect(percentile([]float64{1, math.Inf(1)}, 95)).To(Equal(math.Inf(1)))
	})
})

var _ = Describe("The event factory", func() {
	h := &harness{publicURL: "http://127.0.0.1:4011"}

	It("sends the documentation's example with only the id and the URLs replaced (SIG-01)", func() {
		genID, body, err := h.event(webhook.EventCompleted, true)
		Expect(err).NotTo(HaveOccurred())
		doc, err := fixtures.CompactEvent(webhook.EventCompleted)
		Expect(err).NotTo(HaveOccurred())
		want := strings.NewReplacer(
			"https://storage.prism.video", h.publicURL,
			"gen_abc123xyz", genID,
		).Replace(string(doc))
		Expect(string(body)).To(Equal(want))
	})

	It("gives every event a fresh generation id the artifact server accepts", func() {
		seen := map[string]bool{}
		for range 100 {
			genID, body, err := h.event(webhook.EventFailed, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(genID).To(MatchRegexp(`^gen_[A-Za-z0-9_-]{1,64}$`))
			Expect(seen).NotTo(HaveKey(genID))
			seen[genID] = true
			ev, err := webhook.Parse(body)
			Expect(err).NotTo(HaveOccurred())
			Expect(ev.Data.ID).To(Equal(genID))
			Expect(ev.Data.Error).NotTo(BeNil())
		}
	})
})
