package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("sign and verify", func() {
	const (
		secret    = "It's a Secret to Everybody"
		body      = "Hello, World!"
		signature = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	)
	var file string

	BeforeEach(func() {
		file = filepath.Join(GinkgoT().TempDir(), "body")
		Expect(os.WriteFile(file, []byte(body), 0o600)).To(Succeed())
	})

	It("signs the public vector from a file and from stdin", func() {
		r := cli("sign", "--secret", secret, file)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(Equal(signature + "\n"))

		for _, args := range [][]string{{"sign", "--secret", secret}, {"sign", "--secret", secret, "-"}} {
			r = cliIn(context.Background(), strings.NewReader(body), args...)
			Expect(r.code).To(Equal(0), r.stderr)
			Expect(r.stdout).To(Equal(signature + "\n"))
		}
	})

	It("signs every fixture vector byte for byte", func() {
		for _, v := range fixtures.Vectors() {
			r := cliIn(context.Background(), strings.NewReader(v.Body), "sign", "--secret", v.Secret)
			Expect(r.stdout).To(Equal(v.Signature+"\n"), v.Name)
		}
	})

	It("takes the secret from PRISMHOOK_SECRET", func() {
		GinkgoT().Setenv("PRISMHOOK_SECRET", secret)
		r := cli("sign", file)
		Expect(r.stdout).To(Equal(signature + "\n"))
	})

	It("refuses to sign without a secret or without a readable file", func() {
		expectOneLineError(cli("sign", file), 2, "--secret is required")
		expectOneLineError(cli("sign", "--secret", "s", filepath.Join(GinkgoT().TempDir(), "missing")), 2, "no such file")
		expectOneLineError(cli("sign", "--secret", "s", "a", "b"), 2, "accepts at most 1 arg")
	})

	It("verifies a good signature", func() {
		r := cli("verify", "--secret", secret, "--signature", signature, file)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(Equal("valid\n"))
		Expect(r.stderr).To(BeEmpty())
	})

	DescribeTable("refuses a bad signature with exit 1 and the reason",
		func(sig, content, reason string) {
			Expect(os.WriteFile(file, []byte(content), 0o600)).To(Succeed())
			r := cli("verify", "--secret", secret, "--signature", sig, file)
			expectOneLineError(r, 1, "prismhook: invalid: ")
			Expect(r.stderr).To(ContainSubstring(reason))
			Expect(r.stdout).To(BeEmpty())
		},
		Entry("missing", "", body, "missing signature"),
		Entry("wrong length", signature[:63], body, "wrong length (63 characters, want 64)"),
		Entry("too long", signature+"00", body, "wrong length (66 characters, want 64)"),
		Entry("not hex", "zz"+signature[2:], body, "not hexadecimal"),
		Entry("mismatch: other body", signature, body+" ", "does not match the body"),
		Entry("mismatch: other secret", webhook.Sign("whsec_other", []byte(body)), body, "does not match the body"),
	)
})
