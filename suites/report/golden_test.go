package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden compares the rendering of the sample report in each of
// Formats with its file in testdata/; the files also serve as examples of
// each format. After an
// intended change: go test ./suites/report/ -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, f := range Formats {
		file := "sample" + f.Ext
		t.Run(file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.Write(&buf, sampleReport()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run with -update\n got: %.600s", path, buf.String())
			}
		})
	}
}

// TestGoldenJSONReads guards the compatibility promise: a report written
// in the v1 layout stays readable.
func TestGoldenJSONReads(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Checks) != 23 || r.Summary.Fail != 2 || r.Checks[3].Evidence[0].Fault != "wrong-secret" {
		t.Errorf("golden report read back wrong: %d checks, %d fail", len(r.Checks), r.Summary.Fail)
	}
}
