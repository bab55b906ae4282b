package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	exitOK     = 0 // success
	exitFailed = 1 // the receiver failed, or a signature did not verify
	exitUsage  = 2 // bad flags or arguments, or a setup problem
)

// exitError carries an exit code with the error that explains it. Errors
// without one come from cobra itself (unknown flags, commands, arguments)
// and exit with exitUsage.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// failed reports that the receiver (or a signature) failed: exit 1.
func failed(format string, a ...any) error {
	return &exitError{exitFailed, fmt.Errorf(format, a...)}
}

// usage reports a usage or setup problem: exit 2.
func usage(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

// silent exits with code without printing anything more: the command has
// already said what happened.
func silent(code int) error { return &exitError{code: code} }

// exitCode returns the process exit code for err.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitUsage
}

// run executes one command line and returns its exit code; main and the
// end-to-end tests share it. Errors are printed as one line on stderr.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdout, stderr)
	cmd.SetIn(stdin)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	var e *exitError
	if err != nil && !(errors.As(err, &e) && e.err == nil) {
		fmt.Fprintln(stderr, "prismhook: "+errorLine(err.Error()))
	}
	return exitCode(err)
}

// oneLine folds a multi-line message into one line, so that every error is a single, greppable line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// newRootCmd builds the whole command tree, writing to stdout and stderr
// only, so that tests can run it in-process.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "prismhook",
		Short: "Test Prism webhook receivers",
		Long: `prismhook tests receivers of Prism's video-generation webhooks.

  prismhook demo                              see a full conformance run
  prismhook check URL --secret SECRET         check your receiver
  prismhook serve                             run the mock Prism API
  prismhook send video.completed --url URL --secret SECRET

Exit codes: 0 success, 1 the receiver or signature failed, 2 usage or setup error.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newServeCmd(),
		withURLArg(newCheckCmd()),
		newSendCmd(),
		newSignCmd(),
		newVerifyCmd(),
		newDemoCmd(),
		newReceiverCmd(),
		newHealthcheckCmd(),
		newVersionCmd(),
		newRedeliverCmd(),
		newEmitCmd(),
		newOutcomeCmd(),
	)
	for _, c := range root.Commands() {
		addFlagAliases(c)
	}
	return root
}

// envFallback gives each named flag the value of its environment variable
// when the flag was not set on the command line: flags win over the
// environment, which wins over defaults.
func envFallback(cmd *cobra.Command, flagToEnv map[string]string) error {
	for name, env := range flagToEnv {
		v, ok := os.LookupEnv(env)
		if !ok || cmd.Flags().Changed(name) {
			continue
		}
		if err := cmd.Flags().Set(name, v); err != nil {
			return usage("%s: %v", env, err)
		}
	}
	return nil
}

// completeWith registers the values a flag takes for shell completion.
func completeWith(cmd *cobra.Command, flag string, values ...string) {
	// The only error is for a flag that does not exist: a programming error
	// that the completion tests catch.
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// readInput reads the file named by the only argument, or stdin when there
// is none or it is "-".
func readInput(cmd *cobra.Command, args []string) ([]byte, error) {
	if len(args) == 0 || args[0] == "-" {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return nil, usage("reading stdin: %v", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return nil, usage("%v", err)
	}
	return b, nil
}
