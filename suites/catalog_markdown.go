package suites

import (
	"fmt"
	"strings"
)

// CatalogMarkdown renders the catalogue as the Markdown table the README
// carries between its catalog markers; a test keeps the two identical.
func CatalogMarkdown() string {
	var b strings.Builder
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
