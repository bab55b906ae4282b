package suites_test

import (
	"context"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// mistakeCase is a full run against a receiver with one of the usual first
// mistakes.
type mistakeCase struct {
	defect         receiver.Defect
	receiverSecret string // the secret the receiver verifies with; default secret
	only           []string
}

func runMistake(mc mistakeCase) caseRun {
	s := mc.receiverSecret
	if s == "" {
		s = secret
	}
	rcv, err := receiver.Start(receiver.Options{Secret: s, Defect: mc.defect})
	if err != nil {
		return caseRun{err: err}
	}
	defer rcv.Close()
	c := fastConfig(rcv.URL)
	c.Only = mc.only
	rep, err := suites.Run(context.Background(), c)
	return caseRun{rep: rep, err: err}
}

// rejectionIDs and latencyIDs are the checks whose pass means nothing
// against a receiver that refuses everything.
func rejectionIDs() []string {
	var ids []string
	for _, c := range suites.Catalog {
		if c.Rejection {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

var latencyIDs = []string{"TIME-02", "TIME-04"}

var _ = Describe("Verdicts against the usual first mistakes", Ordered, func() {
	cases := map[string]mistakeCase{
		"404 for everything":     {defect: receiver.DefectNotFound},
		"another secret":         {receiverSecret: "whsec_not-the-one-given-to-the-harness"},
		"re-serialized JSON":     {defect: receiver.DefectVerifyReencoded},
		"crash on bad input":     {defect: receiver.DefectCrashOnBadInput},
		"404, one check":         {defect: receiver.DefectNotFound, only: []string{"SIG-03"}},
		"tiny listen backlog":    {defect: receiver.DefectTinyBacklog, only: []string{"TIME-03"}},
		"another secret, SIG-01": {receiverSecret: "whsec_not-the-one-given-to-the-harness", only: []string{"SIG-01"}},
	}
	runs := map[string]caseRun{}

	BeforeAll(func() {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, mc := range cases {
			wg.Go(func() {
				defer GinkgoRecover()
				run := runMistake(mc)
				mu.Lock()
				defer mu.Unlock()
				runs[name] = run
			})
		}
		wg.Wait()
		for name, run := range runs {
			Expect(run.err).NotTo(HaveOccurred(), name)
			for _, c := range run.rep.Checks {
				AddReportEntry(name, c.ID+" "+string(c.Outcome)+": "+c.Reason)
			}
			AddReportEntry(name, strings.Join(run.rep.Summary.Diagnosis, " | "))
		}
	})

	It("gives no pass on a rejection or latency check to a receiver that answers 404 to everything", func() {
		rep := runs["404 for everything"].rep
		for _, id := range append(rejectionIDs(), latencyIDs...) {
			res := result(rep, id)
			Expect(res.Outcome).To(Equal(report.Skip), "%s: %s", id, res.Reason)
			Expect(res.Reason).To(HavePrefix("not meaningful: "), id)
		}
		Expect(result(rep, "SIG-03").Reason).To(ContainSubstring("correctly signed events are refused too — 404 for SIG-01"))
		Expect(result(rep, "SIG-01").Reason).To(ContainSubstring("wrong path or method"))
		Expect(rep.Summary.Diagnosis).To(ContainElement(ContainSubstring("wrong path or method")))
		Expect(rep.Conformant()).To(BeFalse())
		Expect(suites.ExitCode(rep)).To(Equal(1))
	})

	It("says why the probe checks saw no processing: the event was refused", func() {
		rep := runs["404 for everything"].rep
		for _, id := range []string{"ASYNC-01", "IDEM-02", "RETRY-01"} {
			res := result(rep, id)
			Expect(res.Outcome).To(Equal(report.Skip), id)
			Expect(res.Reason).To(Equal("the event was not acknowledged (404), so processing could not be observed"), id)
		}
	})

	It("compares a rejection check run alone with a control delivery of its own", func() {
		rep := runs["404, one check"].rep
		res := result(rep, "SIG-03")
		Expect(res.Outcome).To(Equal(report.Skip), res.Reason)
		Expect(res.Reason).To(ContainSubstring("404 for a correctly signed control delivery"))
		Expect(res.Evidence).To(ContainElement(HaveField("Label", HavePrefix("control: "))))
	})

	It("diagnoses a secret that is not the receiver's", func() {
		rep := runs["another secret"].rep
		sig01 := result(rep, "SIG-01")
		Expect(sig01.Outcome).To(Equal(report.Fail))
		Expect(sig01.Reason).To(ContainSubstring("status 401"))
		Expect(sig01.Reason).To(ContainSubstring("most likely not the one given to --secret"))
		Expect(sig01.Reason).To(ContainSubstring("prismhook sign"))
		Expect(rep.Summary.Diagnosis).To(ContainElement(ContainSubstring("secret")))
		for _, id := range rejectionIDs() {
			Expect(result(rep, id).Outcome).To(Equal(report.Skip), id)
			Expect(result(rep, id).Reason).To(ContainSubstring("401 for SIG-01"), id)
		}
		Expect(result(rep, "ASYNC-01").Reason).To(HavePrefix("the event was not acknowledged (401)"))

		alone := runs["another secret, SIG-01"].rep
		Expect(result(alone, "SIG-01").Reason).To(ContainSubstring("--secret"))
		Expect(alone.Summary.Diagnosis).To(ContainElement(ContainSubstring("secret")))
	})

	It("diagnoses verification over re-serialized JSON, and keeps the rejection checks' passes", func() {
		rep := runs["re-serialized JSON"].rep
		Expect(result(rep, "SIG-01").Outcome).To(Equal(report.Pass))
		sig07 := result(rep, "SIG-07")
		Expect(sig07.Outcome).To(Equal(report.Fail))
		Expect(sig07.Reason).To(ContainSubstring("re-serialized JSON, not the raw body"))
		Expect(rep.Summary.Diagnosis).To(ConsistOf(ContainSubstring("re-serialized JSON, not the raw body")))
		for _, id := range rejectionIDs() {
			Expect(result(rep, id).Outcome).To(Equal(report.Pass), id)
		}
		Expect(result(rep, "TIME-02").Outcome).To(Equal(report.Pass))
	})

	It("diagnoses a handler that crashes on bad input", func() {
		rep := runs["crash on bad input"].rep
		rob02 := result(rep, "ROB-02")
		Expect(rob02.Outcome).To(Equal(report.Fail))
		Expect(rob02.Reason).To(ContainSubstring("the handler crashed on this input (see the receiver's log)"))
		Expect(rep.Summary.Diagnosis).To(ContainElement(And(
			ContainSubstring("the handler crashed on this input (see the receiver's log)"),
			ContainSubstring("not JSON"),
		)))
		Expect(result(rep, "SIG-03").Outcome).To(Equal(report.Pass))
	})

	It("splits connect time from latency and names a listen backlog that is too small", func() {
		rep := runs["tiny listen backlog"].rep
		res := result(rep, "TIME-03")
		Expect(res.Reason).To(ContainSubstring("to be accepted: raise the listen backlog or the worker count"))
		Expect(rep.Summary.Diagnosis).To(ContainElement(MatchRegexp(`connections waited \d+\.\d s to be accepted`)))
		waited := 0
		for _, ev := range res.Evidence {
			if ev.ConnectMS >= 750 {
				waited++
			}
			// The ack timeout covers connect and answer both.
			Expect(ev.ConnectMS+ev.LatencyMS).To(BeNumerically("<", 5000+500), ev.Label)
		}
		Expect(waited).To(BeNumerically(">", 0))
	})
})
