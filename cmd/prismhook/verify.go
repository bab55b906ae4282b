package main

import (
	"errors"
	"fmt"

	"github.com/prismhook/prismhook/webhook"
	"github.com/spf13/cobra"
)

func newVerifyCmd() *cobra.Command {
	var secret, signature string
	cmd := &cobra.Command{
		Use:   "verify --secret SECRET --signature HEX [FILE|-]",
		Short: "Check an X-Prism-Signature against a body",
		Long: `Verify checks a signature against the raw bytes of FILE (or stdin, with -), the way
a receiver should: over the exact bytes, in constant time, after checking
the length and the encoding. It prints "valid" and exits 0, or says why the
signature is refused (missing, wrong length, not hex, mismatch) and exits 1.`,
		Example: `  printf 'Hello, World!' | prismhook verify --secret "It's a Secret to Everybody" \
    --signature 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 -`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireSecret(cmd, &secret); err != nil {
				return err
			}
			if len(args) == 0 {
				// Reading stdin unasked would wait on a terminal, or verify
				// an empty body, without a word.
				return usage("verify needs the body: a FILE, or - to read it from stdin")
			}
			body, err := readInput(cmd, args)
			if err != nil {
				return err
			}
			if err := webhook.Verify(secret, body, signature); err != nil {
				return failed("invalid: %s", refusal(err, signature))
			}
			fmt.Fprintln(cmd.OutOrStdout(), "valid")
			return nil
		},
	}
	cmd.Flags().StringVar(&secret, "secret", "", "webhook secret (env "+secretEnv+")")
	cmd.Flags().StringVar(&signature, "signature", "", "the X-Prism-Signature value to check")
	return cmd
}

// refusal words a webhook.Verify error for a person at a terminal.
func refusal(err error, signature string) string {
	switch {
	case errors.Is(err, webhook.ErrMissingSignature):
		return "missing signature (--signature is empty)"
	case errors.Is(err, webhook.ErrSignatureLength):
		return fmt.Sprintf("signature has the wrong length (%d characters, want %d)", len(signature), webhook.SignatureLength)
	case errors.Is(err, webhook.ErrSignatureNotHex):
		return "signature is not hexadecimal"
	case errors.Is(err, webhook.ErrSignatureMismatch):
		return "signature does not match the body (wrong secret, or the body was changed)"
	}
	return err.Error()
}
