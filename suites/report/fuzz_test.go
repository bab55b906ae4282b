package report

import (
	"bytes"
	"reflect"
	"testing"
)

// fuzzChecks are the catalogue entries of the fuzzed report: SIG-01 to
// SIG-05 take each outcome once, TIME-03 has a latency chart.
var fuzzChecks = []int{0, 1, 2, 3, 4, 10}

// FuzzRender builds a report whose every receiver-influenced text comes
// from six fuzzed strings and checks every rendering: the page's structure
// is that of a page without the data (nothing became markup), the JUnit
// parses as XML with one testcase per check and the right counts, the
// Markdown keeps one five-cell row per check and its details closed, the
// terminal output carries no escape sequence but its own colours, and the
// JSON reads back. The seed corpus runs as a normal test.
//
// The report is kept small, so that each run is fast enough for the fuzzer
// to explore (and minimise) within a short -fuzztime.
func FuzzRender(f *testing.F) {
	n := len(hostileStrings)
	for i, h := range hostileStrings {
		f.Add(h, hostileStrings[(i+1)%n], hostileStrings[(i+5)%n], hostileStrings[(i+7)%n], "", "plain")
	}
	f.Add("", "", "", "", "", "")
	f.Add("a", "\n", "\r", "|", "`", "\\")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		in := []string{a, b, c, d, e, g}
		s := func(i int) string { return in[i%len(in)] }
		r := reportFrom(fuzzChecks, s)

		checkHTMLSafe(t, fuzzChecks, s)
		checkJUnit(t, r)
		checkMarkdown(t, r)
		checkTerminal(t, r, true)

		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("JSON does not read back: %v", err)
		}
		if !reflect.DeepEqual(back, normalizedJSON(r)) {
			t.Fatal("JSON round trip changed the report")
		}
	})
}
