package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestWriteMarkdown(t *testing.T) {
	r := sampleReport()
	md := checkMarkdown(t, r)
	first, _, _ := strings.Cut(md, "\n")
	if first != "### prismhook conformance: NOT CONFORMANT to the recommended profile" {
		t.Errorf("verdict line %q", first)
	}
	for _, want := range []string{
		"| Pass | Fail | Warn | Skip | Error | core | recommended | production |",
		"| 16 | 2 | 1 | 3 | 1 | **not conformant** | **not conformant** | **not conformant** |",
		"| SIG-04 | MUST | **`FAIL`** | A signature made with a wrong secret gets 4xx | a delivery signed with a wrong secret got 200 OK, want 4xx |",
		"| TLS-01 | SHOULD | `WARN` | The endpoint is HTTPS (plain HTTP warns, and fails in the production profile) | the endpoint uses plain HTTP |",
		"| SIG-01 | MUST | `PASS` | A correctly signed video.completed event (the documentation's example payload) gets 2xx |  |",
		"<summary><code>FAIL</code> SIG-04 — A signature made with a wrong secret gets 4xx</summary>",
		"Target http://127.0.0.1:8080/webhooks/prism · prismhook v0.4.0 · started 2026-03-14 09:26:53 UTC · 23 checks in 4.21s",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	// Details only for what needs attention: fail, warn, error.
	for id, want := range map[string]bool{"SIG-04": true, "SIG-05": true, "TLS-01": true, "RETRY-01": true, "SIG-01": false, "TLS-02": false} {
		if got := strings.Contains(md, "</code> "+id+" — "); got != want {
			t.Errorf("details for %s: %v, want %v", id, got, want)
		}
	}
	// Brief evidence: no request headers in a step summary.
	if strings.Contains(md, "X-Prism-Signature:") {
		t.Error("Markdown carries request headers")
	}
}

func TestWriteMarkdownConformant(t *testing.T) {
	r := &Report{Profile: ProfileCore, Summary: Summary{Pass: 1, Conformant: Verdicts(map[string]bool{ProfileCore: true})},
		Checks: []CheckResult{{ID: "SIG-01", Level: "MUST", Title: "t", Outcome: Pass}}}
	md := checkMarkdown(t, r)
	if !strings.HasPrefix(md, "### prismhook conformance: CONFORMANT to the core profile\n") {
		t.Errorf("verdict: %.100s", md)
	}
	if strings.Contains(md, "#### Details") {
		t.Error("a details heading without details")
	}
}

func TestMDCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a|b", `a\|b`},
		{`a\|b`, `a\\\|b`},
		{"`code`", "\\`code\\`"},
		{"<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"},
		{"one\ntwo\r\nthree", "one<br>two<br>three"},
		{"*em* _em_ ~~s~~ [l](x)", `\*em\* \_em\_ \~\~s\~\~ \[l\](x)`},
		{"\x1b[31m", `\\x1b\[31m`},
	}
	for _, tt := range tests {
		if got := mdCell(tt.in); got != tt.want {
			t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteFenced(t *testing.T) {
	tests := []struct{ text, fence string }{
		{"no backticks\n", "```"},
		{"a ``` run\n", "````"},
		{"``````` seven", "````````"},
	}
	for _, tt := range tests {
		var b strings.Builder
		writeFenced(&b, tt.text)
		out := b.String()
		if !strings.HasPrefix(out, tt.fence+"text\n") || !strings.HasSuffix(out, "\n"+tt.fence+"\n") {
			t.Errorf("fence for %q: %q, want %s", tt.text, out, tt.fence)
		}
	}
}

// mdTable is what matters of a Markdown report's structure.
type mdTable struct {
	rows    [][]string // cells of each row of the per-check table
	details int        // <details> blocks outside code
	closes  int        // </details> outside code
	tags    []string   // HTML tag names outside code blocks
}

var mdTagRE = regexp.MustCompile(`<(/?[a-zA-Z][a-zA-Z0-9-]*)`)

// analyzeMarkdown walks a Markdown document as GitHub does for what
// matters here: fenced code blocks (a closing fence is a run of at least as
// many backticks, alone on its line), the per-check table (rows split at
// pipes not escaped by a backslash), and HTML outside code.
func analyzeMarkdown(md string) mdTable {
	var out mdTable
	fence, inTable := 0, false
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimLeft(l, " ")
		if fence > 0 {
			run := strings.TrimRight(trimmed, " \t")
			if len(l)-len(trimmed) <= 3 && len(run) >= fence && strings.Trim(run, "`") == "" {
				fence = 0
			}
			continue
		}
		if n := longestPrefix(trimmed, '`'); n >= 3 && len(l)-len(trimmed) <= 3 {
			fence = n
			continue
		}
		out.tags = append(out.tags, tagNames(l)...)
		switch {
		case l == "| ID | Level | Outcome | Title | Reason |":
			inTable = true
			i++ // the delimiter row
		case inTable && strings.HasPrefix(l, "|"):
			out.rows = append(out.rows, splitRow(l))
		default:
			inTable = false
		}
		if l == "<details>" {
			out.details++
		}
		if l == "</details>" {
			out.closes++
		}
	}
	return out
}

func tagNames(l string) []string {
	var names []string
	for _, m := range mdTagRE.FindAllStringSubmatch(l, -1) {
		names = append(names, strings.ToLower(m[1]))
	}
	return names
}

func longestPrefix(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// splitRow splits a table row the way GitHub does: a backslash escapes the
// next character, any other "|" separates cells.
func splitRow(row string) []string {
	row = strings.TrimPrefix(strings.TrimSpace(row), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			cur.WriteString(row[i : i+2])
			i++
		case row[i] == '|':
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		cells = append(cells, cur.String())
	}
	return cells
}

// checkMarkdown asserts that the Markdown of r has one table row of five
// cells per check, one closed <details> per failed, warned or errored
// check, and no HTML outside code but its own.
func checkMarkdown(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	a := analyzeMarkdown(md)
	if len(a.rows) != len(r.Checks) {
		t.Fatalf("per-check table has %d rows, want %d\n%s", len(a.rows), len(r.Checks), md)
	}
	for i, row := range a.rows {
		if len(row) != 5 {
			t.Errorf("row %d has %d cells, want 5: %q", i, len(row), row)
		}
	}
	want := r.Summary.Fail + r.Summary.Warn + r.Summary.Error
	if a.details != want || a.closes != want {
		t.Errorf("%d <details> and %d </details> outside code, want %d", a.details, a.closes, want)
	}
	for _, tag := range a.tags {
		switch tag {
		case "details", "/details", "summary", "/summary", "code", "/code", "br":
		default:
			t.Errorf("tag <%s> outside code blocks", tag)
		}
	}
	if strings.ContainsAny(md, "\x00\x1b") {
		t.Error("Markdown contains NUL or ESC")
	}
	return md
}
