// Package snippets holds, as compiled and tested code, every Go snippet of
// the README: each ```go block there is a copy of a file here, preceded by
// a marker naming the file. Regenerate the README's copies with:
//
//	PRISMHOOK_UPDATE_README=1 go test ./examples/snippets/
package snippets_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A snippet block: the marker naming the file, the fence, the file's text.
var block = regexp.MustCompile("(?s)<!-- snippet: (\\S+) -->\n```go\n(.*?)```\n")

func TestREADMESnippetsAreTheCompiledFiles(t *testing.T) {
	const readmePath = "../../README.md"
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	update := os.Getenv("PRISMHOOK_UPDATE_README") == "1"

	matches := block.FindAllStringSubmatchIndex(readme, -1)
	if got, all := len(matches), strings.Count(readme, "```go\n"); got != all {
		t.Errorf("README.md has %d Go blocks, %d of them after a <!-- snippet: FILE --> marker: every Go snippet must be a file that compiles", all, got)
	}
	var out strings.Builder
	last := 0
	for _, m := range matches {
		name, text := readme[m[2]:m[3]], readme[m[4]:m[5]]
		if !strings.HasPrefix(name, "examples/snippets/") || filepath.Ext(name) != ".go" {
			t.Errorf("snippet %s: want a .go file under examples/snippets/", name)
			continue
		}
		file, err := os.ReadFile(filepath.Join("../..", name))
		if err != nil {
			t.Errorf("snippet %s: %v", name, err)
			continue
		}
		out.WriteString(readme[last:m[4]])
		out.Write(file)
		last = m[5]
		if text != string(file) && !update {
			t.Errorf("README.md's copy of %s differs from the file; run PRISMHOOK_UPDATE_README=1 go test ./examples/snippets/", name)
		}
	}
	out.WriteString(readme[last:])
	if update && out.String() != readme {
		if err := os.WriteFile(readmePath, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
