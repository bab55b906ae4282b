package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// One idea has one flag name across commands; the names used before are
// kept as hidden aliases so that scripts written against them keep working.
var flagAliases = map[string]map[string]string{
	// The 5 s rule is --ack-timeout in check, send and serve.
	"send":  {"timeout": "ack-timeout", "data": "body"},
	"serve": {"delivery-timeout": "ack-timeout"},
}

// addFlagAliases makes each old name of cmd's flags an alias of the new
// one. pflag normalises every name it parses or looks up, so an alias sets
// the very same flag, and --help shows only the new name.
func addFlagAliases(cmd *cobra.Command) {
	aliases := flagAliases[cmd.Name()]
	if len(aliases) == 0 {
		return
	}
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if to, ok := aliases[name]; ok {
			name = to
		}
		return pflag.NormalizedName(name)
	})
}

// withURLArg lets cmd take the receiver's URL as its only argument, as well
// as with --url: `prismhook check http://…` does what it looks like.
func withURLArg(cmd *cobra.Command) *cobra.Command {
	runE := cmd.RunE
	cmd.Args = cobra.MaximumNArgs(1)
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 && !c.Flags().Changed("url") && os.Getenv("PRISMHOOK_URL") == "" {
			return usage("no receiver URL: give it as the argument (%s URL --secret SECRET), with --url, or in PRISMHOOK_URL", c.CommandPath())
		}
		if len(args) == 1 {
			fl := c.Flags()
			if fl.Changed("url") {
				if u, _ := fl.GetString("url"); u != args[0] {
					return usage("the URL is given twice: %q and --url %q", args[0], u)
				}
			}
			if err := fl.Set("url", args[0]); err != nil {
				return usage("%v", err)
			}
		}
		return runE(c, nil)
	}
	return cmd
}

// suggestion matches cobra's "Did you mean this?" block, which follows an
// unknown command on lines of its own.
var suggestion = regexp.MustCompile(`(?s)\s*Did you mean this\?\s*(.*)$`)

// errorLine turns an error message into the one line printed on stderr.
// Cobra's suggestions become a question at the end of the line instead of
// being run together with it.
func errorLine(msg string) string {
	m := suggestion.FindStringSubmatchIndex(msg)
	if m == nil {
		return oneLine(msg)
	}
	names := strings.Fields(msg[m[2]:m[3]])
	line := oneLine(msg[:m[0]])
	if len(names) == 0 {
		return line
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return line + "; did you mean " + strings.Join(quoted, " or ") + "?"
}
