package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestPrismhook(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "prismhook CLI")
}

// result is one in-process run of the CLI.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs a command line in-process, the way main does.
func cli(args ...string) result {
	return cliIn(context.Background(), strings.NewReader(""), args...)
}

func cliIn(ctx context.Context, stdin io.Reader, args ...string) result {
	var out, errOut bytes.Buffer
	code := run(ctx, args, stdin, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// expectOneLineError asserts that a run failed with code and explained
// itself in exactly one "prismhook: …" line on stderr.
func expectOneLineError(r result, code int, substr string) {
	GinkgoHelper()
	Expect(r.code).To(Equal(code), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	Expect(strings.Count(r.stderr, "\n")).To(Equal(1), "stderr: %q", r.stderr)
	Expect(r.stderr).To(HavePrefix("prismhook: "))
	Expect(r.stderr).To(ContainSubstring(substr))
	Expect(r.stderr).NotTo(ContainSubstring("goroutine"))
}

// freeAddr returns a loopback address with a port that was free a moment
// ago, for commands that take --addr rather than a listener.
func freeAddr() string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

// closedURL is an http URL at which nothing listens.
func closedURL() string {
	GinkgoHelper()
	return "http://" + freeAddr() + "/webhooks/prism"
}
