package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// startReceiver serves a reference receiver for one spec.
func startReceiver(secret string, d receiver.Defect) string {
	GinkgoHelper()
	r, err := receiver.Start(receiver.Options{Secret: secret, Defect: d})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(r.Close)
	return r.URL
}

var _ = Describe("check", func() {
	const secret = "whsec_check_test"

	It("passes the correct receiver and writes every report", func() {
		url := startReceiver(secret, receiver.DefectNone)
		dir := GinkgoT().TempDir()
		files := map[string]string{}
		for _, kind := range []string{"json", "junit", "html", "markdown"} {
			files[kind] = filepath.Join(dir, "report."+kind)
		}
		r := cli("check", "--url", url, "--secret", secret,
			"--json", files["json"], "--junit", files["junit"], "--html", files["html"], "--markdown", files["markdown"])
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stderr).To(BeEmpty())
		Expect(r.stdout).To(ContainSubstring("checks against " + url))
		Expect(r.stdout).NotTo(ContainSubstring("\x1b["), "no colour when stdout is not a terminal")

		f, err := os.Open(files["json"])
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		rep, err := report.ReadJSON(f)
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Target).To(Equal(url))
		Expect(rep.Version).To(Equal(version))
		Expect(rep.Checks).To(HaveLen(len(suites.Catalog)))
		Expect(rep.Summary.Fail).To(BeZero())

		junit, err := os.ReadFile(files["junit"])
		Expect(err).NotTo(HaveOccurred())
		var suitesXML struct {
			Suites []struct {
				Tests int `xml:"tests,attr"`
			} `xml:"testsuite"`
		}
		Expect(xml.Unmarshal(junit, &suitesXML)).To(Succeed())
		Expect(suitesXML.Suites).To(HaveLen(1))
		Expect(suitesXML.Suites[0].Tests).To(Equal(len(suites.Catalog)))

		html, err := os.ReadFile(files["html"])
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.ToLower(string(html))).To(HavePrefix("<!doctype html>"))
		md, err := os.ReadFile(files["markdown"])
		Expect(err).NotTo(HaveOccurred())
		for _, c := range suites.Catalog {
			Expect(string(html)).To(ContainSubstring(c.ID))
			Expect(string(md)).To(ContainSubstring(c.ID))
		}
		for kind, path := range files {
			Expect(r.stdout).To(ContainSubstring(path), kind)
		}
	})

	It("exits 1 when the receiver fails a check", func() {
		url := startReceiver(secret, receiver.DefectAcceptUnsigned)
		r := cli("check", "--url", url, "--secret", secret, "--only", "SIG-01,SIG-03")
		Expect(r.code).To(Equal(1), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).To(MatchRegexp(`FAIL\s+SIG-03`))
		Expect(r.stdout).To(MatchRegexp(`PASS\s+SIG-01`))
		Expect(r.stderr).To(BeEmpty())
	})

	It("gives a receiver that answers 404 to everything no pass on a rejection or latency check, and says why", func() {
		url := startReceiver(secret, receiver.DefectNotFound)
		file := filepath.Join(GinkgoT().TempDir(), "r.json")
		r := cli("check", "--url", url, "--secret", secret, "--probe-wait", "1s", "--retry-window", "2s", "--sequential", "3", "--json", file)
		Expect(r.code).To(Equal(1), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		f, err := os.Open(file)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		rep, err := report.ReadJSON(f)
		Expect(err).NotTo(HaveOccurred())
		for _, c := range rep.Checks {
			chk, _ := suites.Lookup(c.ID)
			if chk.Rejection || c.ID == "TIME-02" {
				Expect(c.Outcome).NotTo(Equal(report.Pass), c.ID)
			}
		}
		Expect(rep.Summary.Diagnosis).To(ContainElement(ContainSubstring("wrong path or method")))
		Expect(r.stdout).To(ContainSubstring("diagnosis: every delivery that was answered got 404: wrong path or method"))
		// Rows in catalogue order.
		Expect(strings.Index(r.stdout, "SIG-02")).To(BeNumerically("<", strings.Index(r.stdout, "TIME-03")))
		Expect(strings.Index(r.stdout, "TIME-03")).To(BeNumerically("<", strings.Index(r.stdout, "ASYNC-01")))
	})

	It("says in its diagnosis when the secret is not the receiver's", func() {
		url := startReceiver("whsec_the_receivers_own", receiver.DefectNone)
		r := cli("check", "--url", url, "--secret", secret, "--only", "SIG-01,SIG-03")
		Expect(r.code).To(Equal(1), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).To(ContainSubstring("diagnosis: every correctly signed delivery was refused (401): the secret the receiver verifies with is most likely not the one given to --secret"))
		Expect(r.stdout).To(MatchRegexp(`SKIP\s+SIG-03 .*not meaningful: correctly signed events are refused too — 401 for SIG-01`))
		Expect(r.stdout).To(ContainSubstring("NO VERDICT"))
	})

	It("takes its settings from PRISMHOOK_* and lets flags win", func() {
		url := startReceiver(secret, receiver.DefectNone)
		GinkgoT().Setenv("PRISMHOOK_URL", url)
		GinkgoT().Setenv("PRISMHOOK_SECRET", "whsec_wrong")
		GinkgoT().Setenv("PRISMHOOK_ONLY", "SIG-01")
		r := cli("check", "--secret", secret)
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).To(ContainSubstring("1 check against " + url))
		Expect(r.stdout).NotTo(ContainSubstring("CONFORMANT"))
		Expect(r.stdout).To(ContainSubstring("NO VERDICT for the recommended profile: 1 of its 27 checks ran; a verdict needs a full run"))
	})

	It("runs the sustained load at --load-rate for --load-duration", func() {
		url := startReceiver(secret, receiver.DefectNone)
		file := filepath.Join(GinkgoT().TempDir(), "r.json")
		r := cli("check", "--url", url, "--secret", secret, "--only", "TIME-04", "--load-rate", "20", "--load-duration", "1s", "--expect-fetch", "--json", file)
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		f, err := os.Open(file)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		rep, err := report.ReadJSON(f)
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.Settings).To(HaveField("LoadRate", 20))
		for _, c := range rep.Checks {
			if c.ID == "TIME-04" {
				Expect(c.Reason).To(HavePrefix("20 events at 20/s for 1s, all acknowledged; p50 "))
			}
		}
	})

	It("exits 2 with one line when the receiver is unreachable, and leaves no empty report", func() {
		file := filepath.Join(GinkgoT().TempDir(), "r.json")
		r := cli("check", "--url", closedURL(), "--secret", secret, "--json", file)
		expectOneLineError(r, 2, "unreachable")
		Expect(file).NotTo(BeAnExistingFile())
	})

	DescribeTable("refuses bad usage with exit 2 and one line",
		func(substr string, args ...string) {
			expectOneLineError(cli(append([]string{"check"}, args...)...), 2, substr)
		},
		Entry("unknown flag", "unknown flag: --bogus", "--bogus"),
		Entry("no URL", "no receiver URL", "--secret", secret),
		Entry("no secret", "no webhook secret", "--url", "http://127.0.0.1:1/"),
		Entry("unknown profile", `unknown profile "strict"`, "--url", "http://127.0.0.1:1/", "--secret", secret, "--profile", "strict"),
		Entry("unknown check ID", "unknown check ID SIG-99", "--url", "http://127.0.0.1:1/", "--secret", secret, "--only", "SIG-99"),
		Entry("unreadable CA", "CA file", "--url", "https://127.0.0.1:1/", "--secret", secret, "--ca", "/nonexistent/ca.pem"),
		Entry("bad duration", `invalid argument "soon"`, "--ack-timeout", "soon"),
		Entry("negative load rate", "load rate -1", "--url", "http://127.0.0.1:1/", "--secret", secret, "--load-rate", "-1"),
		Entry("load too short", "load duration 10ms", "--url", "http://127.0.0.1:1/", "--secret", secret, "--load-duration", "10ms"),
		Entry("unwritable report", "cannot write the JUnit report", "--url", "http://127.0.0.1:1/", "--secret", secret, "--junit", "/nonexistent/dir/r.xml"),
	)

	It("refuses malformed environment values with exit 2", func() {
		GinkgoT().Setenv("PRISMHOOK_CONCURRENCY", "many")
		expectOneLineError(cli("check", "--url", "http://127.0.0.1:1/", "--secret", secret), 2, "PRISMHOOK_CONCURRENCY")
	})
})

var _ = Describe("demo", func() {
	It("checks the example receiver and exits 0", func() {
		file := filepath.Join(GinkgoT().TempDir(), "demo.md")
		r := cli("demo", "--markdown", file)
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).To(ContainSubstring("prismhook check http://127.0.0.1:3000/webhooks/prism --secret"))
		Expect(file).To(BeAnExistingFile())
	})
})
