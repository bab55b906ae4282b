package main

import (
	"fmt"
	"io"

	"github.com/prismhook/prismhook/suites/report"
)

// annotationFormat is the value of `check --annotations`: the CI system
// whose annotation syntax to print the failed and warned checks in, after
// the summary ("" for none).
type annotationFormat string

var annotationWriters = map[string]func(io.Writer, *report.Report) error{
	"github": report.WriteGitHubAnnotations,
}

func (a *annotationFormat) String() string { return string(*a) }
func (a *annotationFormat) Type() string   { return "FORMAT" }

// Set accepts the known formats only, so that a typo is a usage error
// before the run rather than silence after it.
func (a *annotationFormat) Set(v string) error {
	if _, ok := annotationWriters[v]; !ok && v != "" {
		return fmt.Errorf("unknown annotation format %q (known: github)", v)
	}
	*a = annotationFormat(v)
	return nil
}

// write prints rep's annotations on out, if a format was chosen.
func (a annotationFormat) write(out io.Writer, rep *report.Report) error {
	if a == "" {
		return nil
	}
	if err := annotationWriters[string(a)](out, rep); err != nil {
		return usage("annotations: %v", err)
	}
	return nil
}
