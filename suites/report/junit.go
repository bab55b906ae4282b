package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JUnitSuiteName is the name of the single <testsuite> in JUnit output.
const JUnitSuiteName = "prismhook conformance"

// The JUnit layout understood by CI systems (Jenkins, GitLab, GitHub
// test-report actions): attributes as in the common XSD, times in seconds.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut *junitText    `xml:"system-out"`
}

// junitProblem is a <failure>, <error> or <skipped> element.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// junitText is multi-line text. It is written as CDATA, which keeps line
// breaks readable in the file (character data would turn each into
// "&#xA;"); encoding/xml splits any "]]>" inside, and clean has removed
// every character XML forbids, which CDATA could not escape.
type junitText struct {
	Text string `xml:",cdata"`
}

// WriteJUnit writes r as JUnit XML: one <testsuite> named JUnitSuiteName
// and one <testcase> per check, with classname "prismhook.<LEVEL>" (the
// level upper-cased, spaces as underscores: "prismhook.MUST_WHEN_HTTPS")
// and name "<ID> <Title>". A fail is a <failure>, an error an <error>; skip and warn
// are <skipped> (a warn's message starts with "warn: "), so that a warning
// never breaks a CI build that only reads JUnit. Every text is cleaned of
// characters XML 1.0 forbids, so the output always parses.
func WriteJUnit(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	suite := junitSuite{
		Name:       JUnitSuiteName,
		Tests:      len(r.Checks),
		Time:       seconds(r.DurationMS),
		Properties: junitProperties(r),
		Cases:      make([]junitCase, 0, len(r.Checks)),
	}
	if !r.StartedAt.IsZero() {
		// The JUnit XSD's timestamp has no zone: write UTC.
		suite.Timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	for _, c := range r.Checks {
		tc, kind := junitTestcase(r, c)
		switch kind {
		case Fail:
			suite.Failures++
		case Error:
			suite.Errors++
		case Skip:
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{
		Name:     JUnitSuiteName,
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Skipped:  suite.Skipped,
		Time:     suite.Time,
		Suites:   []junitSuite{suite},
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: encode JUnit: %w", err)
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write JUnit: %w", err)
	}
	return nil
}

// junitTestcase builds the testcase of one check and says which JUnit
// count it adds to: Fail, Error, Skip (skips and warnings) or Pass.
func junitTestcase(r *Report, c CheckResult) (junitCase, Outcome) {
	tc := junitCase{
		Classname: "prismhook." + strings.ReplaceAll(strings.ToUpper(line(c.Level)), " ", "_"),
		Name:      line(strings.TrimSpace(c.ID + " " + c.Title)),
		Time:      seconds(c.DurationMS),
	}
	var b strings.Builder
	evidenceText(&b, c.Evidence, r.StartedAt, full)
	evidence := b.String()
	if evidence != "" {
		tc.SystemOut = &junitText{evidence}
	}

	reason := line(c.Reason)
	switch c.Outcome {
	case Pass:
		return tc, Pass
	case Fail:
		tc.Failure = &junitProblem{Message: reason, Type: "fail", Text: problemText(c, evidence)}
		return tc, Fail
	case Warn:
		tc.Skipped = &junitProblem{Message: "warn: " + reason}
		if c.Fix != nil {
			tc.Skipped.Text = problemText(c, "")
		}
		return tc, Skip
	case Skip:
		tc.Skipped = &junitProblem{Message: reason}
		return tc, Skip
	default:
		// Error, and any outcome this version does not know: the harness
		// could not say whether the receiver conforms.
		msg := reason
		if c.Outcome != Error {
			msg = "unknown outcome " + strconv.Quote(string(c.Outcome)) + ": " + reason
		}
		tc.Error = &junitProblem{Message: msg, Type: "error", Text: problemText(c, evidence)}
		return tc, Error
	}
}

// problemText is the body of a <failure> or <error>: why, which line of
// the documentation, and the exchanges behind it.
func problemText(c CheckResult, evidence string) string {
	var b strings.Builder
	b.WriteString(clean(c.Reason, true) + "\n")
	if c.Doc != "" {
		b.WriteString("\nPrism documentation: " + line(c.Doc) + "\n")
	}
	if c.Fix != nil {
		b.WriteString("\nWhy it matters: " + line(c.Fix.Why) + "\n")
		b.WriteString("How to fix: " + line(c.Fix.How) + "\n")
		if c.Fix.Reference != "" {
			b.WriteString("Reference: " + line(c.Fix.Reference) + "\n")
		}
	}
	if evidence != "" {
		b.WriteString("\n" + evidence)
	}
	return b.String()
}

// junitProperties records the run's metadata as suite properties.
func junitProperties(r *Report) []junitProperty {
	props := []junitProperty{
		{"tool", line(r.Tool)},
		{"version", line(r.Version)},
		{"target", line(r.Target)},
		{"profile", line(r.Profile)},
		{"conformant", verdictValue(r.Conformant(), r.VerdictKnown())},
		{"interrupted", strconv.FormatBool(r.Interrupted)},
	}
	for _, p := range r.profileResults() {
		props = append(props, junitProperty{"conformant." + line(p.Name), verdictValue(p.Conformant, p.Known)})
	}
	for i, d := range r.Summary.Diagnosis {
		props = append(props, junitProperty{fmt.Sprintf("diagnosis.%d", i+1), line(d)})
	}
	return props
}

// verdictValue is a conformance property: "true", "false" or "unknown".
func verdictValue(ok, known bool) string {
	if !known {
		return "unknown"
	}
	return strconv.FormatBool(ok)
}

// seconds renders milliseconds as JUnit's decimal seconds.
func seconds(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64) }
