package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/prismhook/prismhook/suites/report"
)

// annotationFormat is the value of `check --annotations`: the CI system
// whose annotation syntax to print the failed and warned checks in, after
// the summary ("" for none). The choices are the stdout formats of
// report.Formats.
type annotationFormat string

// stdoutFormat returns the stdout format of report.Formats called v.
func stdoutFormat(v string) (report.Format, bool) {
	for _, f := range report.Formats {
		if f.Stdout && f.Value == v {
			return f, true
		}
	}
	return report.Format{}, false
}

// stdoutFormatHelp lists the stdout formats for --help: "github (workflow
// commands)".
func stdoutFormatHelp() string {
	var names []string
	for _, f := range report.Formats {
		if f.Stdout {
			names = append(names, f.Value+" ("+f.Help+")")
		}
	}
	return strings.Join(names, ", ")
}

func (a *annotationFormat) String() string { return string(*a) }
func (a *annotationFormat) Type() string   { return "FORMAT" }

// Set accepts the known formats only, so that a typo is a usage error
// before the run rather than silence after it.
func (a *annotationFormat) Set(v string) error {
	if _, ok := stdoutFormat(v); !ok && v != "" {
		var known []string
		for _, f := range report.Formats {
			if f.Stdout {
				known = append(known, f.Value)
			}
		}
		return fmt.Errorf("unknown annotation format %q (known: %s)", v, strings.Join(known, ", "))
	}
	*a = annotationFormat(v)
	return nil
}

// write prints rep's annotations on out, if a format was chosen.
func (a annotationFormat) write(out io.Writer, rep *report.Report) error {
	f, ok := stdoutFormat(string(a))
	if !ok {
		return nil
	}
	if err := f.Write(out, rep); err != nil {
		return usage("annotations: %v", err)
	}
	return nil
}
