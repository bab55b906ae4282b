package suites_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

const secret = "whsec_c2VsZnRlc3Qtb2YtdGhlLWNvbmZvcm1hbmNlLWhhcm5lc3M"

// fastConfig shortens the windows a defect would otherwise make a check wait
// out. The ack timeout stays at Prism's 5 seconds: TIME-01 is judged on it.
func fastConfig(url string) suites.Config {
	return suites.Config{
		URL:         url,
		Secret:      secret,
		Sequential:  5,
		RetryWindow: 5 * time.Second,
		ProbeWait:   3 * time.Second,
	}
}

// defectCase is one run against a reference receiver with one defect.
type defectCase struct {
	name string
	only []string // nil: the whole catalogue
	// sequential overrides the length of the TIME-01/02 run.
	sequential int
	defect     receiver.Defect
	tls        bool   // serve HTTPS (the harness gets the test CA)
	profile    string // default recommended
	want       report.Outcome
}

// defectCases has one case per catalogue check, with the defect that check
// must catch, plus a few that exercise profiles and TLS.
func defectCases() []defectCase {
	var cases []defectCase
	for _, c := range suites.Catalog {
		dc := defectCase{name: c.ID, only: []string{c.ID}, defect: receiver.Defects[c.ID], want: report.Fail}
		switch c.ID {
		case "TLS-01":
			dc.tls, dc.profile = true, report.ProfileProduction // plain HTTP despite TLS
		case "TLS-02":
			dc.tls = true // a certificate from a CA the harness is not given
		case "TIME-01":
			dc.sequential = 1 // one 5 s timeout decides it
		}
		cases = append(cases, dc)
	}
	return append(cases,
		defectCase{name: "TLS-02 with TLS 1.1 at most", only: []string{"TLS-02"}, defect: receiver.DefectTLSOldVersion, tls: true, want: report.Fail},
		defectCase{name: "TLS-01 outside production", only: []string{"TLS-01"}, defect: receiver.DefectPlainHTTP, tls: true, want: report.Warn},
		defectCase{name: "TIME-02 in profile core", only: []string{"TIME-02"}, defect: receiver.DefectSluggishAck, profile: report.ProfileCore, want: report.Warn},
	)
}

// caseRun is what running a defectCase produced.
type caseRun struct {
	rep *report.Report
	err error
}

// runDefectCase starts the case's receiver and runs the harness against it.
func runDefectCase(dc defectCase, ca *receiver.TestCA, caFile string) caseRun {
	rcv, err := receiver.Start(receiver.Options{Secret: secret, Defect: dc.defect, TLS: dc.tls, CA: ca})
	if err != nil {
		return caseRun{err: err}
	}
	defer rcv.Close()
	c := fastConfig(rcv.URL)
	c.Only, c.Profile = dc.only, dc.profile
	if dc.sequential > 0 {
		c.Sequential = dc.sequential
	}
	if dc.tls {
		c.CAFile = caFile
	}
	rep, err := suites.Run(context.Background(), c)
	return caseRun{rep: rep, err: err}
}

func result(rep *report.Report, id string) report.CheckResult {
	GinkgoHelper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	Fail("no result for " + id)
	return report.CheckResult{}
}

// newTestCA makes a CA for TLS receivers and writes it where CAFile can
// point.
func newTestCA() (*receiver.TestCA, string) {
	GinkgoHelper()
	ca, err := receiver.NewTestCA()
	Expect(err).NotTo(HaveOccurred())
	caFile := filepath.Join(GinkgoT().TempDir(), "ca.pem")
	Expect(ca.WritePEM(caFile)).To(Succeed())
	return ca, caFile
}

// alsoFails names the checks a new check's defect breaks besides its own
// when the whole catalogue runs: a receiver that verifies over
// mis-decoded text also refuses ROB-07's long multi-byte prompt.
var alsoFails = map[string][]string{"SIG-09": {"ROB-07"}}

// runWhole runs the whole catalogue against the receiver with id's defect.
// Only TIME-04's own defect gets the sustained load (it is what takes
// time); every other run skips it.
func runWhole(id string) caseRun {
	rcv, err := receiver.Start(receiver.Options{Secret: secret, Defect: receiver.Defects[id]})
	if err != nil {
		return caseRun{err: err}
	}
	defer rcv.Close()
	c := fastConfig(rcv.URL)
	if id != "TIME-04" {
		c.Skip = []string{"TIME-04"}
	}
	rep, err := suites.Run(context.Background(), c)
	return caseRun{rep: rep, err: err}
}

var _ = Describe("Each check against the receiver with its defect", Ordered, func() {
	runs := map[string]caseRun{}
	whole := map[string]caseRun{} // the whole catalogue, for the new checks

	// The cases run at once, each with its own receiver and artifact
	// server: the slowest (TIME-01, which waits out two 5 s timeouts) sets
	// the pace.
	BeforeAll(func() {
		ca, caFile := newTestCA()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, dc := range defectCases() {
			wg.Go(func() {
				defer GinkgoRecover()
				run := runDefectCase(dc, ca, caFile)
				mu.Lock()
				defer mu.Unlock()
				runs[dc.name] = run
			})
		}
		for _, id := range newChecks {
			wg.Go(func() {
				defer GinkgoRecover()
				run := runWhole(id)
				mu.Lock()
				defer mu.Unlock()
				whole[id] = run
			})
		}
		wg.Wait()
	})

	DescribeTable("the whole catalogue against a new check's defect fails that check and no other",
		func(id string) {
			run := whole[id]
			Expect(run.err).NotTo(HaveOccurred())
			var failed []string
			for _, c := range run.rep.Checks {
				if c.Outcome == report.Fail || c.Outcome == report.Error {
					failed = append(failed, c.ID)
					Expect(c.Fix).NotTo(BeNil(), c.ID)
				}
			}
			Expect(failed).To(ConsistOf(append([]string{id}, alsoFails[id]...)), "whole run against %s", receiver.Defects[id])
			if slices.Contains(alsoFails[id], "ROB-07") {
				Expect(result(run.rep, "ROB-07").Reason).To(ContainSubstring("see " + id))
			}
		},
		func() []TableEntry {
			var es []TableEntry
			for _, id := range newChecks {
				es = append(es, Entry(nil, id))
			}
			return es
		}(),
	)

	entries := []TableEntry{}
	for _, dc := range defectCases() {
		entries = append(entries, Entry(fmt.Sprintf("%s vs %q", dc.name, dc.defect), dc))
	}
	DescribeTable("outcome", func(dc defectCase) {
		run := runs[dc.name]
		Expect(run.err).NotTo(HaveOccurred())
		id := dc.only[0]
		res := result(run.rep, id)
		AddReportEntry("self-test", fmt.Sprintf("%s | %s | %s | %s", dc.name, dc.defect, res.Outcome, res.Reason))
		Expect(res.Outcome).To(Equal(dc.want), "reason: %s", res.Reason)
		Expect(res.Reason).NotTo(BeEmpty())
		Expect(res.Evidence).NotTo(BeNil())

		// Only the check asked for ran; the rest say why they did not.
		for _, other := range run.rep.Checks {
			if other.ID != id {
				Expect(other.Outcome).To(Equal(report.Skip), other.ID)
				Expect(other.Reason).To(HavePrefix("not selected (--only %s)", id))
			}
		}

		// The exit code follows the outcome and the level; a run of one
		// check has no profile verdict.
		switch {
		case dc.want == report.Warn:
			Expect(suites.ExitCode(run.rep)).To(Equal(0))
			Expect(run.rep.Summary.Warn).To(Equal(1))
		default:
			Expect(suites.ExitCode(run.rep)).To(Equal(1))
		}
		for _, p := range report.Profiles {
			Expect(run.rep.Summary.Conformant).To(HaveKeyWithValue(p, BeNil()), p)
			cov := run.rep.Summary.Coverage[p]
			Expect(cov.Ran).To(BeNumerically("<=", 1), p)
			Expect(cov.Checks).To(BeNumerically(">", 1), p)
		}
		Expect(run.rep.VerdictKnown()).To(BeFalse())
		if id == "SIG-06" {
			Expect(res.Evidence).To(ContainElement(HaveField("Status", BeNumerically(">=", 500))))
		}
	}, entries)
})

var _ = Describe("A full run against the correct receiver", Ordered, func() {
	var (
		httpRun, httpsRun, untrustedRun caseRun
		plainURL                        string
		progress                        []string // IDs, in the order Progress saw them
		overlapped                      atomic.Bool
	)

	BeforeAll(func() {
		ca, caFile := newTestCA()
		plain, err := receiver.Start(receiver.Options{Secret: secret})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(plain.Close)
		plainURL = plain.URL
		secure, err := receiver.Start(receiver.Options{Secret: secret, TLS: true, CA: ca})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(secure.Close)

		var wg sync.WaitGroup
		wg.Go(func() {
			var inProgress atomic.Int32
			rep, err := suites.Run(context.Background(), suites.Config{
				URL: plain.URL, Secret: secret, Version: "test",
				Progress: func(c report.CheckResult) {
					if inProgress.Add(1) > 1 {
						overlapped.Store(true)
					}
					defer inProgress.Add(-1)
					progress = append(progress, c.ID)
				},
			})
			httpRun = caseRun{rep, err}
		})
		wg.Go(func() {
			rep, err := suites.Run(context.Background(), suites.Config{URL: secure.URL, Secret: secret, CAFile: caFile})
			httpsRun = caseRun{rep, err}
		})
		wg.Go(func() {
			untrustedRun = runDefectCase(defectCase{defect: receiver.DefectTLSUntrustedCert, tls: true}, ca, caFile)
		})
		wg.Wait()
	})

	It("passes every check over HTTP, with TLS-01 a warning and TLS-02 not applicable", func() {
		Expect(httpRun.err).NotTo(HaveOccurred())
		rep := httpRun.rep
		AddReportEntry("wall time, HTTP", time.Duration(rep.DurationMS)*time.Millisecond)
		for _, c := range rep.Checks {
			switch c.ID {
			case "TLS-01":
				Expect(c.Outcome).To(Equal(report.Warn), c.ID)
			case "TLS-02":
				Expect(c.Outcome).To(Equal(report.Skip), c.ID)
				Expect(c.Reason).To(ContainSubstring("not applicable"))
			default:
				Expect(c.Outcome).To(Equal(report.Pass), "%s: %s", c.ID, c.Reason)
			}
		}
		Expect(rep.Summary).To(haveCounts(len(suites.Catalog)-2, 0, 1, 1, 0))
		Expect(rep.Notes).To(BeEmpty(), "the correct receiver's processing was observed")
		Expect(rep.Settings).To(Equal(&report.Settings{AckTimeoutMS: 5000, P95TargetMS: 1000, LoadRate: 100, LoadDurationMS: 5000}))
		Expect(result(rep, "TLS-01").Fix).NotTo(BeNil(), "a warning carries its fix")
		Expect(result(rep, "SIG-01").Fix).To(BeNil(), "a pass does not")
		Expect(rep.Summary.Conformant).To(Equal(report.Verdicts(map[string]bool{
			report.ProfileCore: true, report.ProfileRecommended: true, report.ProfileProduction: false,
		})))
		Expect(rep.Summary.Diagnosis).To(BeEmpty())
		Expect(rep.Interrupted).To(BeFalse())
		Expect(suites.ExitCode(rep)).To(Equal(0))
	})

	It("reports progress one check at a time, in catalogue order", func() {
		Expect(overlapped.Load()).To(BeFalse())
		Expect(progress).To(Equal(suites.IDs()), "every check, the new ones included, in catalogue order")
		Expect(suites.RunOrder()).To(Equal([]string{"TIME-03", "ROB-04", "ROB-03"}))
	})

	It("fills the report's header and keeps the catalogue's order", func() {
		rep := httpRun.rep
		Expect(rep.Schema).To(Equal(report.Schema))
		Expect(rep.Tool).To(Equal("prismhook"))
		Expect(rep.Version).To(Equal("test"))
		Expect(rep.Target).To(Equal(plainURL))
		Expect(rep.Profile).To(Equal(report.ProfileRecommended))
		Expect(rep.StartedAt).To(BeTemporally("~", time.Now(), time.Minute))
		Expect(rep.DurationMS).To(BeNumerically(">", 0))
		ids := make([]string, len(rep.Checks))
		for i, c := range rep.Checks {
			ids[i] = c.ID
			cat, _ := suites.Lookup(c.ID)
			Expect(c.Level).To(Equal(string(cat.Level)))
			Expect(c.Title).To(Equal(cat.Title))
		}
		Expect(ids).To(Equal(suites.IDs()))
	})

	It("passes every check over HTTPS with the test CA", func() {
		Expect(httpsRun.err).NotTo(HaveOccurred())
		rep := httpsRun.rep
		AddReportEntry("wall time, HTTPS", time.Duration(rep.DurationMS)*time.Millisecond)
		for _, c := range rep.Checks {
			Expect(c.Outcome).To(Equal(report.Pass), "%s: %s", c.ID, c.Reason)
		}
		tls2 := result(rep, "TLS-02")
		Expect(tls2.Reason).To(MatchRegexp(`TLS 1\.[23]`))
		Expect(tls2.Evidence).To(ConsistOf(HaveField("Kind", report.KindTLSHandshake)))
		Expect(rep.Summary.Conformant).To(HaveKeyWithValue(report.ProfileProduction, HaveValue(BeTrue())))
	})

	It("skips every delivery check when the certificate does not verify, and fails TLS-02", func() {
		Expect(untrustedRun.err).NotTo(HaveOccurred())
		for _, c := range untrustedRun.rep.Checks {
			switch c.ID {
			case "TLS-01":
				Expect(c.Outcome).To(Equal(report.Pass))
			case "TLS-02":
				Expect(c.Outcome).To(Equal(report.Fail))
				Expect(c.Reason).To(ContainSubstring("certificate"))
			default:
				Expect(c.Outcome).To(Equal(report.Skip), c.ID)
				Expect(c.Reason).To(Equal("TLS handshake failed (see TLS-02)"))
			}
		}
		Expect(suites.ExitCode(untrustedRun.rep)).To(Equal(1))
	})
})

// MatchFields matches a report.Summary's counts.
func haveCounts(pass, fail, warn, skip, errored int) OmegaMatcher {
	return And(
		HaveField("Pass", pass), HaveField("Fail", fail), HaveField("Warn", warn),
		HaveField("Skip", skip), HaveField("Error", errored),
	)
}

// newChecks are the checks of the second catalogue.
var newChecks = []string{"SIG-09", "ROB-07", "IDEM-03", "RETRY-02", "TIME-04"}

var _ = Describe("The naive Node receiver from the documentation", func() {
	It("passes the new checks, the probes skipped with a note since it processes nothing; with --expect-fetch they fail", func() {
		rcv, err := receiver.StartNode(secret)
		if errors.Is(err, receiver.ErrNoNode) {
			Skip("node is not on PATH: the Node receiver case needs it")
		}
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rcv.Close)

		c := fastConfig(rcv.URL)
		c.Only = newChecks
		c.ProbeWait = time.Second
		rep, err := suites.Run(context.Background(), c)
		Expect(err).NotTo(HaveOccurred())
		for _, id := range newChecks {
			res := result(rep, id)
			AddReportEntry("node", fmt.Sprintf("%s | %s | %s", id, res.Outcome, res.Reason))
			if chk, _ := suites.Lookup(id); chk.Probe {
				Expect(res.Outcome).To(Equal(report.Skip), "%s: %s", id, res.Reason)
				continue
			}
			Expect(res.Outcome).To(Equal(report.Pass), "%s: %s", id, res.Reason)
		}
		Expect(rep.Notes).To(ConsistOf(ContainSubstring("Processing was never observed")))
		Expect(suites.ExitCode(rep)).To(Equal(0))

		c.Only, c.ExpectFetch = []string{"IDEM-03", "RETRY-02"}, true
		rep, err = suites.Run(context.Background(), c)
		Expect(err).NotTo(HaveOccurred())
		for _, id := range c.Only {
			res := result(rep, id)
			Expect(res.Outcome).To(Equal(report.Fail), id)
			Expect(res.Reason).To(ContainSubstring("cancelled when the response is sent"))
			Expect(res.Reason).To(ContainSubstring("queue drops the work"))
			Expect(res.Fix).NotTo(BeNil())
		}
		Expect(rep.Notes).To(BeEmpty())
	})

	It("fails SIG-06 with a 5xx, as timingSafeEqual throws on a short signature", func() {
		rcv, err := receiver.StartNode(secret)
		if errors.Is(err, receiver.ErrNoNode) {
			Skip("node is not on PATH: the Node receiver case needs it")
		}
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rcv.Close)

		c := fastConfig(rcv.URL)
		c.Only = []string{"SIG-06"}
		rep, err := suites.Run(context.Background(), c)
		Expect(err).NotTo(HaveOccurred())
		res := result(rep, "SIG-06")
		Expect(res.Outcome).To(Equal(report.Fail))
		Expect(res.Reason).To(ContainSubstring("status 500"))
		Expect(res.Evidence).To(ContainElement(HaveField("Status", BeNumerically(">=", 500))))
	})
})

var _ = Describe("A receiver that redirects", func() {
	It("is not followed: the reason names the status and Location and says to register the final URL", func() {
		final := "https://example.invalid/webhooks/prism-v2"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, final, http.StatusPermanentRedirect)
		}))
		DeferCleanup(srv.Close)
		c := fastConfig(srv.URL + "/hook")
		c.Only = []string{"SIG-01"}
		rep, err := suites.Run(context.Background(), c)
		Expect(err).NotTo(HaveOccurred())
		res := result(rep, "SIG-01")
		Expect(res.Outcome).To(Equal(report.Fail))
		Expect(res.Reason).To(ContainSubstring("status 308 redirecting to " + final))
		Expect(res.Reason).To(ContainSubstring("register the final URL"))
		Expect(res.Evidence).To(ContainElement(HaveField("Location", final)))
	})
})
