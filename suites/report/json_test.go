package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		r, want *Report
	}{
		{sampleReport(), sampleReport()},
		// JSON carries only valid UTF-8: invalid bytes come back as U+FFFD.
		{hostileReport(), normalizedJSON(hostileReport())},
	}
	for _, tt := range tests {
		r := tt.r
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		got, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("ReadJSON of WriteJSON output: %v", err)
		}
		want := tt.want
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("round trip changed the report:\n got %s\nwant %s", g, w)
		}
	}
}

// normalizedJSON is r as encoding/json carries it: invalid UTF-8
// replaced, empty evidence lists present.
func normalizedJSON(r *Report) *Report {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	var n Report
	if err := json.Unmarshal(b, &n); err != nil {
		panic(err)
	}
	for i := range n.Checks {
		if n.Checks[i].Evidence == nil {
			n.Checks[i].Evidence = []Evidence{}
		}
	}
	return &n
}

func TestWriteJSONLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "{\n  \"schema\": \"prismhook.report/v2\",\n") {
		t.Errorf("output does not start with the indented schema field:\n%.200s", out)
	}
	// Top-level fields appear in the order of the struct.
	last := -1
	for _, key := range []string{"schema", "tool", "version", "target", "profile", "started_at", "duration_ms", "interrupted", "summary", "checks"} {
		i := strings.Index(out, "\n  \""+key+"\": ")
		if i < 0 {
			t.Fatalf("top-level field %q missing", key)
		}
		if i < last {
			t.Errorf("field %q out of order", key)
		}
		last = i
	}
	if !strings.Contains(out, `"conformant": {`) || !strings.Contains(out, `"recommended": false`) {
		t.Error("summary.conformant missing")
	}
}

func TestWriteJSONFillsDefaults(t *testing.T) {
	r := &Report{Tool: "prismhook", Checks: []CheckResult{{ID: "SIG-01", Outcome: Pass}}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Schema  string `json:"schema"`
		Summary struct {
			Conformant map[string]bool `json:"conformant"`
		} `json:"summary"`
		Checks []struct {
			Evidence []Evidence `json:"evidence"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Schema != Schema {
		t.Errorf("schema = %q, want %q", raw.Schema, Schema)
	}
	if raw.Summary.Conformant == nil || raw.Checks[0].Evidence == nil {
		t.Errorf("nil map or list written as null:\n%s", buf.String())
	}
	if r.Schema != "" || r.Checks[0].Evidence != nil {
		t.Error("WriteJSON modified its argument")
	}
	if _, err := ReadJSON(&buf); err != nil {
		t.Errorf("a report without schema, once written, does not read back: %v", err)
	}
}

func TestReadJSONRejects(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"other schema", `{"schema":"prismhook.report/v3","checks":[]}`, `unsupported schema "prismhook.report/v3"`},
		{"no schema", `{"tool":"prismhook","checks":[]}`, "no schema"},
		{"unknown outcome", `{"schema":"prismhook.report/v1","checks":[{"id":"SIG-01","outcome":"maybe"}]}`, `check 1 (SIG-01): unknown outcome "maybe"`},
		{"trailing data", `{"schema":"prismhook.report/v1"} {}`, "unexpected data after the report"},
		{"not JSON", `<html>`, "read JSON"},
		{"wrong type", `{"schema":"prismhook.report/v1","duration_ms":"slow"}`, "duration_ms"},
		{"empty", ``, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadJSON(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ReadJSON accepted %s: %+v", tt.doc, r)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestReadJSONIgnoresUnknownFields(t *testing.T) {
	doc := `{"schema":"prismhook.report/v1","tool":"prismhook","added_later":{"x":1},
		"checks":[{"id":"SIG-01","outcome":"pass","evidence":[{"kind":"delivery","new_field":true}]}]}`
	r, err := ReadJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("a v1 report with fields added later must still read: %v", err)
	}
	if r.Tool != "prismhook" || len(r.Checks) != 1 || r.Checks[0].Evidence[0].Kind != KindDelivery {
		t.Errorf("fields lost: %+v", r)
	}
}

func TestWritersRejectNilReport(t *testing.T) {
	for _, f := range Formats {
		if err := f.Write(io.Discard, nil); !errors.Is(err, errNilReport) {
			t.Errorf("%s: error %v for a nil report, want errNilReport", f.Name, err)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWritersReportWriteErrors(t *testing.T) {
	for _, f := range Formats {
		if err := f.Write(failingWriter{}, sampleReport()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: error %v, want the writer's error", f.Name, err)
		}
	}
}
