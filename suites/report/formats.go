package report

import "io"

// Format is one rendering of a Report that a run can produce.
//
// Adding a report format takes three things: its writer
// (func(io.Writer, *Report) error, rejecting a nil report with
// errNilReport), its golden file testdata/sample<Ext> (created with
// go test ./suites/report/ -run TestGolden -update), and one entry in
// Formats. The commands' flags, the report files they write and the tests
// that every writer must pass all loop over Formats.
type Format struct {
	// Name is the format's name in messages ("JSON report: out.json").
	Name string
	// Flag is the command-line flag that asks for it. A file format has a
	// flag of its own that takes the FILE; the stdout formats share one
	// flag, --annotations, whose value is their Value.
	Flag string
	// Value selects a stdout format as the value of its Flag
	// (--annotations github); "" for a file format.
	Value string
	// Ext ends the name of the format's golden file, testdata/sample<Ext>.
	Ext string
	// Stdout is true for a format printed on the run's output after the
	// summary instead of written to a file.
	Stdout bool
	// Help describes the flag, or for a stdout format its value.
	Help  string
	Write func(io.Writer, *Report) error
}

// Formats are the report formats, in the order the commands offer them.
var Formats = []Format{
	{Name: "JSON", Flag: "json", Ext: ".json", Help: "write the JSON report to `FILE`", Write: WriteJSON},
	{Name: "JUnit", Flag: "junit", Ext: ".junit.xml", Help: "write a JUnit XML report to `FILE`", Write: WriteJUnit},
	{Name: "HTML", Flag: "html", Ext: ".html", Help: "write an HTML report to `FILE`", Write: WriteHTML},
	{Name: "Markdown", Flag: "markdown", Ext: ".md", Help: "write a Markdown report to `FILE` (e.g. $GITHUB_STEP_SUMMARY)", Write: WriteMarkdown},
	{Name: "GitHub annotations", Flag: "annotations", Value: "github", Ext: ".github.txt", Stdout: true,
		Help: "workflow commands", Write: WriteGitHubAnnotations},
}
