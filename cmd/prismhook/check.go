package main

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/spf13/cobra"
)

// checkFlags are the flags of `check`; each one that is set overrides the
// PRISMHOOK_* environment variable of the same setting.
type checkFlags struct {
	url, secret, profile, publicURL, ca string
	concurrency                         int
	only, skip                          string
	artifactAddr                        string
	ackTimeout, slowArtifact            time.Duration
	retryWindow, probeWait              time.Duration
	sequential                          int
	loadRate                            int
	loadDuration                        time.Duration
	expectFetch                         bool
	reports                             reportFiles
}

func newCheckCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check --url URL --secret SECRET [flags]",
		Short: "Run the conformance checks against a receiver",
		Long: `Check sends real, signed deliveries to the receiver at URL — valid ones,
bad signatures, slow artifact storage, bursts, redeliveries, bad input — and
reports which of Prism's documented practices it follows.

It runs an artifact server of its own for the video_url of each event: a
receiver that cannot reach 127.0.0.1 (in a container, on another host) needs
--public-url and --artifact-addr, e.g. --artifact-addr 0.0.0.0:4011
--public-url http://host.example:4011.

Every setting also reads the environment (PRISMHOOK_URL, PRISMHOOK_SECRET,
PRISMHOOK_PROFILE, ...); flags win.

Exit codes: 0 every check of the profile passed (warn and skip allowed),
1 a check failed, 2 usage or setup error (e.g. the receiver is unreachable).`,
		Example: `  prismhook check --url http://localhost:8080/webhooks/prism --secret "$PRISM_WEBHOOK_SECRET"
  prismhook check --url https://staging.example.com/hooks --secret "$S" --profile production --ca ca.pem \
    --junit conformance.xml --markdown conformance.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config(cmd)
			if err != nil {
				return err
			}
			return runCheck(cmd.Context(), cmd.OutOrStdout(), cfg, f.reports)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "URL of the receiver under test (env PRISMHOOK_URL)")
	fl.StringVar(&f.secret, "secret", "", "webhook secret the receiver verifies with (env PRISMHOOK_SECRET)")
	fl.StringVar(&f.profile, "profile", suites.DefaultProfile, "core, recommended or production (env PRISMHOOK_PROFILE)")
	fl.StringVar(&f.publicURL, "public-url", "", "base URL at which the receiver reaches the artifact server (env PRISMHOOK_PUBLIC_URL)")
	fl.IntVar(&f.concurrency, "concurrency", suites.DefaultConcurrency, "deliveries in the TIME-03 burst (env PRISMHOOK_CONCURRENCY)")
	fl.StringVar(&f.ca, "ca", "", "PEM CA bundle to verify an HTTPS receiver (env PRISMHOOK_CA)")
	fl.StringVar(&f.only, "only", "", "comma-separated check IDs to run (env PRISMHOOK_ONLY)")
	fl.StringVar(&f.skip, "skip", "", "comma-separated check IDs not to run (env PRISMHOOK_SKIP)")
	f.reports.addFlags(cmd)
	fl.StringVar(&f.artifactAddr, "artifact-addr", suites.DefaultArtifactAddr, "listen address of the artifact server (env PRISMHOOK_ARTIFACT_ADDR)")
	fl.DurationVar(&f.ackTimeout, "ack-timeout", suites.DefaultAckTimeout, "time a delivery waits for its answer (env PRISMHOOK_ACK_TIMEOUT)")
	fl.DurationVar(&f.slowArtifact, "slow-artifact", suites.DefaultSlowArtifact, "artifact delay in ASYNC-01 (env PRISMHOOK_SLOW_ARTIFACT)")
	fl.DurationVar(&f.retryWindow, "retry-window", suites.DefaultRetryWindow, "how long RETRY-01 waits for a refetch (env PRISMHOOK_RETRY_WINDOW)")
	fl.DurationVar(&f.probeWait, "probe-wait", suites.DefaultProbeWait, "how long probe checks wait for a first fetch (env PRISMHOOK_PROBE_WAIT)")
	fl.IntVar(&f.sequential, "sequential", suites.DefaultSequential, "events in the TIME-01/02 run (env PRISMHOOK_SEQUENTIAL)")
	fl.IntVar(&f.loadRate, "load-rate", suites.DefaultLoadRate, "events per second of the TIME-04 sustained load (env PRISMHOOK_LOAD_RATE)")
	fl.DurationVar(&f.loadDuration, "load-duration", suites.DefaultLoadDuration, "duration of the TIME-04 sustained load (env PRISMHOOK_LOAD_DURATION)")
	fl.BoolVar(&f.expectFetch, "expect-fetch", false, "the receiver's processing downloads video_url: probe checks fail instead of skip when it never does (env PRISMHOOK_EXPECT_FETCH)")
	completeWith(cmd, "profile", report.Profiles...)
	return cmd
}

// config layers the flags that were set over the environment.
func (f *checkFlags) config(cmd *cobra.Command) (suites.Config, error) {
	c, err := suites.ConfigFromEnv()
	if err != nil {
		return c, usage("%s", oneLine(err.Error()))
	}
	fl := cmd.Flags()
	set := func(name string, apply func()) {
		if fl.Changed(name) {
			apply()
		}
	}
	set("url", func() { c.URL = f.url })
	set("secret", func() { c.Secret = f.secret })
	set("profile", func() { c.Profile = f.profile })
	set("public-url", func() { c.PublicURL = f.publicURL })
	set("concurrency", func() { c.Concurrency = f.concurrency })
	set("ca", func() { c.CAFile = f.ca })
	set("artifact-addr", func() { c.ArtifactAddr = f.artifactAddr })
	set("ack-timeout", func() { c.AckTimeout = f.ackTimeout })
	set("slow-artifact", func() { c.SlowArtifact = f.slowArtifact })
	set("retry-window", func() { c.RetryWindow = f.retryWindow })
	set("probe-wait", func() { c.ProbeWait = f.probeWait })
	set("sequential", func() { c.Sequential = f.sequential })
	set("load-rate", func() { c.LoadRate = f.loadRate })
	set("load-duration", func() { c.LoadDuration = f.loadDuration })
	set("expect-fetch", func() { c.ExpectFetch = f.expectFetch })
	for _, ids := range []struct {
		flag string
		dst  *[]string
	}{{"only", &c.Only}, {"skip", &c.Skip}} {
		if !fl.Changed(ids.flag) {
			continue
		}
		v, _ := fl.GetString(ids.flag)
		list, err := suites.ParseIDs(v)
		if err != nil {
			return c, usage("--%s: %v", ids.flag, err)
		}
		*ids.dst = list
	}
	c.Version = version
	if err := c.Validate(); err != nil {
		return c, usage("%v", err)
	}
	return c, nil
}

// runCheck runs the checks of c with progress on out, writes the requested
// report files, and returns the error that carries the exit code.
func runCheck(ctx context.Context, out io.Writer, c suites.Config, files reportFiles) error {
	pending, err := files.prepare()
	if err != nil {
		return err
	}
	term := report.NewTerminal(out, useColor(out))
	profile := c.Profile
	if profile == "" {
		profile = suites.DefaultProfile
	}
	term.Start(delivery.RedactURL(c.URL), profile, selectedChecks(c))
	prog := startProgress(out, term, c)
	c.Progress = prog.row
	rep, err := suites.Run(ctx, c)
	prog.close()
	if err != nil {
		pending.discard()
		var setup *suites.SetupError
		if errors.As(err, &setup) {
			return usage("%s", oneLine(setup.Error()))
		}
		return usage("check did not run: %s", oneLine(err.Error()))
	}
	term.Summary(rep)
	if err := pending.write(rep, out); err != nil {
		return err
	}
	if err := files.annotations.write(out, rep); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return usage("check interrupted")
	}
	switch suites.ExitCode(rep) {
	case exitOK:
		return nil
	case exitFailed:
		// The summary above already says which checks failed.
		return silent(exitFailed)
	default:
		return usage("%d check(s) could not be run by the harness (outcome error); see the report", rep.Summary.Error)
	}
}

// selectedChecks counts the checks c will run.
func selectedChecks(c suites.Config) int {
	n := 0
	for _, chk := range suites.Catalog {
		if c.Selected(chk.ID) {
			n++
		}
	}
	return n
}

// useColor is true when out is a terminal and NO_COLOR is not set.
func useColor(out io.Writer) bool {
	f, ok := out.(*os.File)
	return ok && report.IsTerminal(f) && os.Getenv("NO_COLOR") == ""
}
