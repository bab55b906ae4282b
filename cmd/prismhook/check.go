package main

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/spf13/cobra"
)

// checkFlags are the flags of `check`: one per setting of suites.Settings,
// each of which that is set overrides the PRISMHOOK_* environment
// variable of the same setting, and the report files.
type checkFlags struct {
	settings settingFlags
	reports  reportFiles
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
	f.settings.add(cmd.Flags(), true)
	f.reports.addFlags(cmd)
	completeWith(cmd, "profile", report.Profiles...)
	return cmd
}

// config layers the flags that were set over the environment.
func (f *checkFlags) config(cmd *cobra.Command) (suites.Config, error) {
	c, err := suites.ConfigFromEnv()
	if err != nil {
		return c, usage("%s", oneLine(err.Error()))
	}
	if err := f.settings.apply(cmd.Flags(), &c); err != nil {
		return c, err
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
	term.Start(wire.RedactURL(c.URL), c.WithDefaults().Profile, selectedChecks(c))
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
