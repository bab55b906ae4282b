package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// WriteJSON writes r as indented JSON in the documented layout
// (docs/report-schema.md), fields in the order of the struct. A report
// without a schema gets Schema; lists and maps that are nil are written as
// empty ones, so that readers always find an array or an object. r itself
// is not modified.
func WriteJSON(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	out := *r
	if out.Schema == "" {
		out.Schema = Schema
	}
	if out.Summary.Conformant == nil {
		out.Summary.Conformant = map[string]*bool{}
	}
	out.Checks = make([]CheckResult, len(r.Checks))
	for i, c := range r.Checks {
		if c.Evidence == nil {
			c.Evidence = []Evidence{}
		}
		out.Checks[i] = c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("report: write JSON: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by WriteJSON. It rejects a document of
// another schema (a report format this version does not understand) and
// outcomes outside the documented set (the previous schema, v1, is read as
// it is: a subset of v2); fields it does not know are ignored,
// since later releases of the same schema may add some.
func ReadJSON(rd io.Reader) (*Report, error) {
	dec := json.NewDecoder(rd)
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("report: read JSON: %w", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return nil, errors.New("report: read JSON: unexpected data after the report")
	}
	switch r.Schema {
	case Schema, SchemaV1:
	case "":
		return nil, fmt.Errorf("report: read JSON: no schema (want %q)", Schema)
	default:
		return nil, fmt.Errorf("report: read JSON: unsupported schema %q (want %q)", truncate(r.Schema, 80), Schema)
	}
	for i, c := range r.Checks {
		switch c.Outcome {
		case Pass, Fail, Warn, Skip, Error:
		default:
			return nil, fmt.Errorf("report: read JSON: check %d (%s): unknown outcome %q", i+1, line(truncate(c.ID, 40)), truncate(string(c.Outcome), 40))
		}
	}
	return &r, nil
}
