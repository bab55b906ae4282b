package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// These specs run the real binary, to see real exit codes and output
// through main's signal handling.
var _ = Describe("the prismhook binary", Ordered, func() {
	const testVersion = "v0.0.0-binary-test"
	var bin string

	BeforeAll(func() {
		bin = filepath.Join(GinkgoT().TempDir(), "prismhook")
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+testVersion, "-o", bin, ".")
		out, err := build.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
	})

	// exe runs the binary to completion and returns its exit code.
	exe := func(ctx context.Context, args ...string) (code int, stdout, stderr string) {
		var out, errOut bytes.Buffer
		c := exec.CommandContext(ctx, bin, args...)
		c.Stdout, c.Stderr = &out, &errOut
		err := c.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), out.String(), errOut.String()
		}
		Expect(err).NotTo(HaveOccurred())
		return 0, out.String(), errOut.String()
	}

	It("prints help and its version", func(ctx SpecContext) {
		code, out, _ := exe(ctx, "--help")
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring("Usage:"))
		for _, cmd := range []string{"serve", "check", "send", "sign", "verify", "demo", "receiver", "healthcheck", "completion"} {
			Expect(out).To(MatchRegexp(`(?m)^  ` + cmd + ` `))
		}
		code, out, _ = exe(ctx, "--version")
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring(testVersion))
	})

	It("answers an invalid command with one line and exit 2", func(ctx SpecContext) {
		code, out, errOut := exe(ctx, "serv")
		Expect(code).To(Equal(2))
		Expect(out).To(BeEmpty())
		Expect(errOut).To(HavePrefix(`prismhook: unknown command "serv"`))
		Expect(errOut).To(ContainSubstring("serve"), "suggests the command meant")
		Expect(strings.Count(errOut, "\n")).To(Equal(1))
	})

	It("writes a completion script", func(ctx SpecContext) {
		code, out, _ := exe(ctx, "completion", "bash")
		Expect(code).To(Equal(0))
		Expect(out).To(ContainSubstring("__start_prismhook"))
	})

	It("runs the demo to a conforming exit 0", func(ctx SpecContext) {
		code, out, errOut := exe(ctx, "demo")
		Expect(code).To(Equal(0), "stdout: %s\nstderr: %s", out, errOut)
		Expect(out).To(ContainSubstring("CONFORMANT"))
		Expect(errOut).NotTo(ContainSubstring("panic"))
	}, SpecTimeout(time.Minute))

	It("serves until SIGTERM, then shuts down cleanly", func(ctx SpecContext) {
		addr := freeAddr()
		var errOut bytes.Buffer
		c := exec.Command(bin, "serve", "--addr", addr)
		c.Stderr = &errOut
		Expect(c.Start()).To(Succeed())
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		DeferCleanup(func() { _ = c.Process.Kill() })

		Eventually(func() int {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil {
				return 0
			}
			resp.Body.Close()
			return resp.StatusCode
		}).WithContext(ctx).Should(Equal(http.StatusOK))
		code, _, _ := exe(ctx, "healthcheck", "--url", "http://"+addr+"/healthz")
		Expect(code).To(Equal(0))

		Expect(c.Process.Signal(syscall.SIGTERM)).To(Succeed())
		Eventually(done).WithTimeout(15 * time.Second).Should(Receive(BeNil()))
		Expect(errOut.String()).To(ContainSubstring("http://" + addr))
		Expect(errOut.String()).NotTo(ContainSubstring("goroutine"))
	}, SpecTimeout(time.Minute))
})
