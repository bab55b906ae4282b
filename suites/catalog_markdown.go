package suites

import (
	"fmt"
	"strings"
)

// CatalogMarkdown renders the catalogue as the Markdown table the README
// carries between its catalog markers; a test keeps the two identical.
func CatalogMarkdown() string {
	var b strings.Builder
	counts := make([]string, 0, len(Levels))
	for _, l := range Levels {
		counts = append(counts, fmt.Sprintf("%d %s", len(idsOfLevel(l)), l))
	}
	fmt.Fprintf(&b, "%d checks: %s.\n\n", len(Catalog), strings.Join(counts, ", "))
	b.WriteString("| ID | Level | Check | Enforces |\n|---|---|---|---|\n")
	for _, c := range Catalog {
		title := c.Title
		if c.Probe {
			title += " *(probe)*"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.ID, c.Level, title, c.Doc)
	}
	return b.String()
}

// EnvVarsMarkdown renders EnvVars as the README's table of PRISMHOOK_*
// variables; a test keeps the two identical.
func EnvVarsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Variable | Meaning | Default |\n|---|---|---|\n")
	for _, v := range EnvVars {
		def := v.Default
		if def == "" {
			def = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, v.Description, def)
	}
	return b.String()
}

// FailuresMarkdown renders the README's "what each failure usually means"
// list from the catalogue; a test keeps the two identical.
func FailuresMarkdown() string {
	var b strings.Builder
	for _, c := range Catalog {
		fmt.Fprintf(&b, "- **%s** — %s. *Fix:* %s\n", c.ID, c.Usually, firstSentence(c.Fix.How))
	}
	return b.String()
}

// LevelsMarkdown renders the report schema document's table of check IDs
// per level; a test keeps the two identical.
func LevelsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Level | IDs |\n|---|---|\n")
	for _, l := range Levels {
		fmt.Fprintf(&b, "| %s | %s |\n", l, strings.Join(idsOfLevel(l), ", "))
	}
	return b.String()
}

// idsOfLevel lists the IDs of the checks of one level, in catalogue order.
func idsOfLevel(l Level) []string {
	var ids []string
	for _, c := range Catalog {
		if c.Level == l {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// firstSentence is s up to its first full stop followed by a space.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
