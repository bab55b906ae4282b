package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var (
		settings settingFlags
		reports  reportFiles
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the full check against the bundled example receiver",
		Long: `Demo starts prismhook's example receiver (a correct one, written with the
webhook package) on the loopback interface and runs the full conformance
check against it, to show what a check looks like and what a conforming
receiver does. It needs nothing else and exits with the check's exit code.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			secret := newSecret()
			rcv, err := receiver.Start(receiver.Options{Secret: secret})
			if err != nil {
				return usage("starting the example receiver: %v", err)
			}
			defer rcv.Close()
			out := cmd.OutOrStdout()
			cfg := suites.Config{URL: rcv.URL, Secret: secret, Version: version}
			if err := settings.apply(cmd.Flags(), &cfg); err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return usage("%v", err)
			}
			err = runCheck(cmd.Context(), out, cfg, reports)
			if code := exitCode(err); code == exitOK || code == exitFailed {
				fmt.Fprint(out, nextStep)
			}
			return err
		},
	}
	// The demo's receiver is its own: of the settings, only the profile
	// is the user's to choose, and the environment is not read.
	settings.add(cmd.Flags(), false, "profile")
	reports.addFlags(cmd)
	completeWith(cmd, "profile", report.Profiles...)
	return cmd
}

// nextStep closes a demo: the command to run next, with the receiver's URL
// and secret to fill in, and how to get the command when the demo ran from
// `go run`.
const nextStep = `
Now check your own receiver: the URL it listens on, the secret it verifies with:
  prismhook check http://127.0.0.1:3000/webhooks/prism --secret "$PRISM_WEBHOOK_SECRET"
Or see a check fail: prismhook receiver --help lists receivers with one deliberate flaw.
(No prismhook command yet? In a clone: go install ./cmd/prismhook; elsewhere: go install github.com/prismhook/prismhook/cmd/prismhook@latest)
`

// newSecret returns a secret shaped like Prism's: "whsec_" and 32 random
// bytes, base64url.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}
