package suites_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/prismhook/prismhook/suites"
)

// The README's check table is drawn from the catalogue; this keeps them from
// drifting. Regenerate with: PRISMHOOK_UPDATE_README=1 go test ./suites -run TestREADME
func TestREADMECatalog(t *testing.T) {
	checkREADMESection(t, "catalog", suites.CatalogMarkdown())
}

// The README's table of PRISMHOOK_* variables is drawn from suites.EnvVars.
func TestREADMEEnvVars(t *testing.T) {
	checkREADMESection(t, "envvars", suites.EnvVarsMarkdown())
}

// The README's "what each failure usually means" list is drawn from the
// catalogue.
func TestREADMEFailures(t *testing.T) {
	checkREADMESection(t, "failures", suites.FailuresMarkdown())
}

// The report schema document's level table is drawn from the catalogue.
func TestREADMESchemaLevels(t *testing.T) {
	checkSection(t, "../docs/report-schema.md", "levels", suites.LevelsMarkdown())
}

func checkREADMESection(t *testing.T, name, want string) {
	t.Helper()
	checkSection(t, "../README.md", name, want)
}

func checkSection(t *testing.T, file, name, want string) {
	t.Helper()
	start, end := "<!-- "+name+":start -->\n", "<!-- "+name+":end -->"
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %s markers", file, name)
	}
	if got := readme[i+len(start) : j]; got != want {
		if os.Getenv("PRISMHOOK_UPDATE_README") == "1" {
			readme = readme[:i+len(start)] + want + readme[j:]
			if err := os.WriteFile(file, []byte(readme), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s: %s section is out of date; run PRISMHOOK_UPDATE_README=1 go test ./suites -run TestREADME\n--- want\n%s", file, name, want)
	}
}

func TestCatalogIDsAreUniqueAndComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range suites.Catalog {
		if seen[c.ID] {
			t.Errorf("duplicate ID %s", c.ID)
		}
		seen[c.ID] = true
		if !slices.Contains(suites.Levels, c.Level) || c.Title == "" || c.Doc == "" {
			t.Errorf("%s: a known level, a title and a doc line are required", c.ID)
		}
	}
}
