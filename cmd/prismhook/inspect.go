package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// checkRunner runs the conformance check for serve's inspector and
// POST /_mock/checks: the same run as `prismhook check` with the same
// environment (PRISMHOOK_*), against a webhook's URL with its secret, and
// the same HTML report.
func checkRunner(ctx context.Context, req mockserver.CheckRequest) (mockserver.CheckResult, error) {
	c, err := suites.ConfigFromEnv()
	if err != nil {
		return mockserver.CheckResult{}, err
	}
	c.URL, c.Secret, c.Version = req.URL, req.Secret, version
	if req.Profile != "" {
		c.Profile = req.Profile
	}
	if err := c.Validate(); err != nil {
		return mockserver.CheckResult{}, err
	}
	total := selectedChecks(c)
	var (
		mu   sync.Mutex
		done int
	)
	if req.Progress != nil {
		req.Progress(0, total)
	}
	c.Progress = func(report.CheckResult) {
		mu.Lock()
		done++
		n := done
		mu.Unlock()
		if req.Progress != nil {
			req.Progress(n, total)
		}
	}
	rep, err := suites.Run(ctx, c)
	if err != nil {
		return mockserver.CheckResult{}, fmt.Errorf("%s", oneLine(err.Error()))
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, rep); err != nil {
		return mockserver.CheckResult{}, err
	}
	s := rep.Summary
	return mockserver.CheckResult{
		Conformant: rep.Conformant(),
		Unknown:    !rep.VerdictKnown(),
		Summary:    fmt.Sprintf("%d pass, %d fail, %d warn, %d skip, %d error", s.Pass, s.Fail, s.Warn, s.Skip, s.Error),
		HTML:       html.Bytes(),
	}, nil
}

// printForward shows the forward webhook's id and secret where a developer
// will look: the receiver needs the secret to verify signatures.
func printForward(out io.Writer, to, id, secret, base string) {
	fmt.Fprintf(out, "\n  Forwarding every event to %s\n", wire.RedactURL(to))
	fmt.Fprintf(out, "    webhook  %s\n", id)
	fmt.Fprintf(out, "    secret   %s\n", secret)
	fmt.Fprintf(out, "  Inspector: %s/\n\n", base)
}
