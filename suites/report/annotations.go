package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// annotationLimit bounds the message of one annotation, in runes: GitHub
// shows annotations in a small box and truncates long ones anyway.
const annotationLimit = 1000

// WriteGitHubAnnotations writes one GitHub Actions workflow command per
// check that did not pass: ::error for fail and error, ::warning for warn.
// Printed on a step's standard output, each becomes an annotation on the
// run, titled with the check's ID and title.
//
// A command is one line, and text from the report (which a receiver partly
// controls) is escaped as the Actions toolkit escapes it, so no newline or
// "::" in a reason can start a command of its own.
func WriteGitHubAnnotations(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	bw := bufio.NewWriter(w)
	for _, c := range r.Checks {
		var command string
		switch c.Outcome {
		case Fail, Error:
			command = "error"
		case Warn:
			command = "warning"
		default:
			continue
		}
		title := truncate(line(c.ID+" "+c.Title), 200)
		fmt.Fprintf(bw, "::%s title=%s::%s\n", command, escapeProperty(title), escapeData(annotationMessage(c)))
	}
	return bw.Flush()
}

// annotationMessage is the body of a check's annotation: its outcome and
// reason, then what to do about it.
func annotationMessage(c CheckResult) string {
	lines := []string{fmt.Sprintf("%s %s: %s", c.ID, outcomeLabel(c.Outcome), c.Reason)}
	if c.Outcome == Error {
		lines = append(lines, "The harness could not run this check; the receiver is not at fault.")
	} else if c.Fix != nil && c.Fix.How != "" {
		lines = append(lines, "How to fix: "+c.Fix.How)
	} else {
		lines = append(lines, "Expected: "+c.Title+".")
	}
	return truncate(clean(strings.Join(lines, "\n"), true), annotationLimit)
}

// escapeData escapes the message of a workflow command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
