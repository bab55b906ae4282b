package main

import (
	"fmt"
	"strings"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
)

// defectRow is one flaw `prismhook receiver --defect` can serve, with the
// checks that catch it, in catalogue order.
type defectRow struct {
	defect receiver.Defect
	checks []suites.Check
}

// defectRows is drawn from the reference receiver's defect table, so that
// the help and the README list exactly the defects there are.
func defectRows() []defectRow {
	var rows []defectRow
	index := map[receiver.Defect]int{}
	for _, c := range suites.Catalog {
		d, ok := receiver.Defects[c.ID]
		if !ok || !d.Standalone() {
			continue
		}
		i, seen := index[d]
		if !seen {
			i = len(rows)
			index[d] = i
			rows = append(rows, defectRow{defect: d})
		}
		rows[i].checks = append(rows[i].checks, c)
	}
	return rows
}

func (r defectRow) ids() string {
	ids := make([]string, len(r.checks))
	for i, c := range r.checks {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

// defectHelp lists the defects for `receiver --help`.
func defectHelp() string {
	var b strings.Builder
	for _, r := range defectRows() {
		fmt.Fprintf(&b, "  %-30s fails %s\n", r.defect, r.ids())
	}
	return b.String()
}

// defectsMarkdown is the README's table of defects ("See a failure").
func defectsMarkdown() string {
	var b strings.Builder
	b.WriteString("| `--defect` | fails | what that check asks |\n|---|---|---|\n")
	for _, r := range defectRows() {
		titles := make([]string, len(r.checks))
		for i, c := range r.checks {
			titles[i] = c.Title
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.defect, r.ids(), strings.Join(titles, "; "))
	}
	return b.String()
}
