package report

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// WriteMarkdown writes r as GitHub-flavoured Markdown, made for a CI step
// summary ($GITHUB_STEP_SUMMARY): a one-line verdict, a summary table, a
// table with one row per check, and a collapsed section for each failed,
// warned or errored check with its exchanges in a code block. Exchanges are
// written briefly (no request headers or bodies, response excerpts
// shortened) to stay well within the size GitHub accepts for a summary;
// the JSON and HTML reports have them in full.
//
// Text from the report, which a receiver partly controls, cannot change the
// document's structure: table cells escape Markdown and HTML and turn
// newlines into <br>, and each code block's fence is longer than any run of
// backticks inside it.
func WriteMarkdown(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	var b strings.Builder
	heading := r.verdictLine()
	if r.VerdictKnown() {
		heading = r.verdictWord() + " to the " + r.Profile + " profile"
	}
	fmt.Fprintf(&b, "### prismhook conformance: %s\n\n", mdCell(heading))
	meta := []string{"Target " + mdCell(r.Target), strings.TrimSpace(mdCell(r.Tool) + " " + mdCell(r.Version))}
	if !r.StartedAt.IsZero() {
		meta = append(meta, "started "+r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	meta = append(meta, fmt.Sprintf("%s in %s", plural(len(r.Checks), "check"), formatMS(r.DurationMS)))
	b.WriteString(strings.Join(meta, " · ") + "\n\n")
	for _, d := range r.Summary.Diagnosis {
		b.WriteString("**Diagnosis:** " + mdCell(d) + "\n\n")
	}

	writeMarkdownSummary(&b, r)
	for _, n := range r.Notes {
		b.WriteString("> **Note:** " + mdCell(n) + "\n\n")
	}

	b.WriteString("#### Checks\n\n")
	b.WriteString("| ID | Level | Outcome | Title | Reason |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n",
			mdCell(c.ID), mdCell(c.Level), mdBadge(c.Outcome), mdCell(c.Title), mdCell(c.Reason))
	}

	first := true
	for _, c := range r.Checks {
		if c.Outcome == Pass || c.Outcome == Skip {
			continue
		}
		if first {
			b.WriteString("\n#### Details\n")
			first = false
		}
		writeMarkdownDetails(&b, r, c)
	}

	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write Markdown: %w", err)
	}
	return nil
}

// writeMarkdownSummary writes the counts and per-profile conformance as one
// table row.
func writeMarkdownSummary(b *strings.Builder, r *Report) {
	profiles := r.profileResults()
	b.WriteString("| Pass | Fail | Warn | Skip | Error |")
	for _, p := range profiles {
		b.WriteString(" " + mdCell(p.Name) + " |")
	}
	b.WriteString("\n|---:|---:|---:|---:|---:|")
	for range profiles {
		b.WriteString(":---:|")
	}
	s := r.Summary
	fmt.Fprintf(b, "\n| %d | %d | %d | %d | %d |", s.Pass, s.Fail, s.Warn, s.Skip, s.Error)
	for _, p := range profiles {
		switch p.Class() {
		case "ok":
			b.WriteString(" conformant |")
		case "bad":
			b.WriteString(" **not conformant** |")
		default:
			b.WriteString(" " + mdCell(p.State()) + " |")
		}
	}
	b.WriteString("\n\n")
}

// writeMarkdownDetails writes the collapsed section of one check.
func writeMarkdownDetails(b *strings.Builder, r *Report, c CheckResult) {
	// <summary> is raw HTML to GitHub, so its text is HTML-escaped; it
	// stays on one line, which keeps the HTML block from ending early.
	fmt.Fprintf(b, "\n<details>\n<summary><code>%s</code> %s — %s</summary>\n\n",
		outcomeLabel(c.Outcome), html.EscapeString(line(c.ID)), html.EscapeString(line(c.Title)))
	if c.Reason != "" {
		b.WriteString("**Reason:** " + mdCell(c.Reason) + "\n\n")
	}
	if c.Doc != "" {
		b.WriteString("> " + mdCell(c.Doc) + "\n\n")
	}
	if c.Fix != nil && (c.Outcome == Fail || c.Outcome == Warn) {
		b.WriteString("**Why it matters:** " + mdCell(c.Fix.Why) + "\n\n")
		b.WriteString("**How to fix:** " + mdCell(c.Fix.How) + "\n\n")
		if c.Fix.Reference != "" {
			b.WriteString("**Reference:** " + mdCell(c.Fix.Reference) + "\n\n")
		}
	}
	if len(c.Evidence) > 0 {
		var ev strings.Builder
		evidenceText(&ev, c.Evidence, r.StartedAt, brief)
		writeFenced(b, ev.String())
		b.WriteString("\n")
	}
	b.WriteString("</details>\n")
}

// writeFenced writes text as a fenced code block whose fence is longer than
// any run of backticks in it, so that nothing inside can close it.
func writeFenced(b *strings.Builder, text string) {
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	b.WriteString(fence + "text\n" + text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(fence + "\n")
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

// mdBadge is the emoji-free badge of an outcome in a table cell; failures
// and errors are bold so they stand out in a long table.
func mdBadge(o Outcome) string {
	label := "`" + outcomeLabel(o) + "`"
	if o == Fail || o == Error {
		return "**" + label + "**"
	}
	return label
}

// mdCell escapes text for a GitHub Markdown table cell or an inline span.
// Backslash escapes neutralise Markdown syntax — including the backslash
// itself, since GitHub splits table rows at any "|" not preceded by an
// escaping backslash — and entities neutralise HTML. Newlines become <br>,
// so a value always stays within its row.
func mdCell(s string) string {
	s = clean(s, true)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n':
			b.WriteString("<br>")
		case '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
