package main

import (
	"fmt"

	"github.com/prismhook/prismhook/webhook"
	"github.com/spf13/cobra"
)

// secretEnv is the environment variable every --secret flag falls back to,
// so that secrets need not appear in process listings.
const secretEnv = "PRISMHOOK_SECRET"

func newSignCmd() *cobra.Command {
	var secret string
	cmd := &cobra.Command{
		Use:   "sign --secret SECRET [FILE|-]",
		Short: "Print the X-Prism-Signature of a body",
		Long: `Sign prints the X-Prism-Signature value for the raw bytes of FILE (or
stdin): the lowercase hex of HMAC-SHA256 keyed with the secret. The bytes
are signed exactly as read; nothing is reformatted.`,
		Example: `  printf 'Hello, World!' | prismhook sign --secret "It's a Secret to Everybody"`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireSecret(cmd, &secret); err != nil {
				return err
			}
			body, err := readInput(cmd, args)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), webhook.Sign(secret, body))
			return nil
		},
	}
	cmd.Flags().StringVar(&secret, "secret", "", "webhook secret (env "+secretEnv+")")
	return cmd
}

// requireSecret applies the PRISMHOOK_SECRET fallback and refuses an empty
// secret: signing with "" is never what the user meant.
func requireSecret(cmd *cobra.Command, secret *string) error {
	if err := envFallback(cmd, map[string]string{"secret": secretEnv}); err != nil {
		return err
	}
	if *secret == "" {
		return usage("--secret is required (or set %s)", secretEnv)
	}
	return nil
}
