package main

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
)

var _ = Describe("check --annotations", func() {
	const secret = "whsec_annotations_test"

	It("prints one GitHub annotation per failed check, after the summary", func() {
		url := startReceiver(secret, receiver.DefectAcceptUnsigned)
		r := cli("check", "--url", url, "--secret", secret, "--only", "SIG-01,SIG-03", "--annotations", "github")
		Expect(r.code).To(Equal(1), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		var annotations []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(l, "::") {
				annotations = append(annotations, l)
			}
		}
		Expect(annotations).To(HaveLen(1))
		Expect(annotations[0]).To(HavePrefix("::error title=SIG-03 A delivery without X-Prism-Signature gets 4xx::SIG-03 FAIL: "))
	})

	It("prints nothing for a passing run", func() {
		url := startReceiver(secret, receiver.DefectNone)
		r := cli("check", "--url", url, "--secret", secret, "--only", "SIG-01", "--annotations", "github")
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).NotTo(ContainSubstring("::"))
	})

	It("refuses an unknown format before running", func() {
		r := cli("check", "--url", "http://127.0.0.1:1/hook", "--secret", secret, "--annotations", "gitlab")
		Expect(r.code).To(Equal(2))
		Expect(r.stderr).To(ContainSubstring(`unknown annotation format "gitlab"`))
	})
})
