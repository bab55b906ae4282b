// Package spec holds the OpenAPI 3.0 documents of the mock Prism server:
// openapi.yaml, the Prism API (webhooks, their delivery log, video
// generations, and the events as callbacks), and mock.yaml, the mock's own
// control API. Both are embedded; a path overrides them, so a user can serve
// an edited document without rebuilding.
//
// The schemas both APIs use (errors, ids, deliveries and their attempts)
// are written once, in openapi.yaml; mock.yaml refers to them with
// $ref: 'openapi.yaml#/components/schemas/…'. That is the only reference
// to another file a document may hold, and it always resolves to the
// embedded Prism document, so no document reads files beside it.
//
// The documents are 3.0.3 rather than 3.1 on purpose: kin-openapi validates
// requests against a 3.0 document about ten times faster.
package spec

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
)

// Version is the OpenAPI version the documents must declare.
const Version = "3.0.3"

// PrismYAML and MockYAML are the embedded documents, for printing or
// serving them; they must not be modified.
var (
	//go:embed openapi.yaml
	PrismYAML []byte
	//go:embed mock.yaml
	MockYAML []byte
)

// Load parses and validates an OpenAPI document. References to other files
// are refused, except to openapi.yaml (the embedded Prism API document), so
// that the embedded documents and an override behave the same.
func Load(data []byte) (*openapi3.T, error) { return parse("document", data) }

// PrismAPI returns the Prism API document: the embedded one when path is
// empty, else the file at path.
func PrismAPI(path string) (*openapi3.T, error) { return load(path, "openapi.yaml", PrismYAML) }

// MockAPI returns the control API document: the embedded one when path is
// empty, else the file at path.
func MockAPI(path string) (*openapi3.T, error) { return load(path, "mock.yaml", MockYAML) }

func load(path, name string, embedded []byte) (*openapi3.T, error) {
	if path == "" {
		return parse("embedded "+name, embedded)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return parse(path, data)
}

func parse(name string, data []byte) (*openapi3.T, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("spec: %s: empty document", name)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = readShared
	// A fixed location, whatever the file's path, so that the reference
	// 'openapi.yaml#…' always means the embedded document.
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: "document.yaml"})
	if err != nil {
		return nil, fmt.Errorf("spec: %s: %w", name, err)
	}
	if doc.OpenAPI != Version {
		// 3.1 would load, and then validate every request ten times slower.
		return nil, fmt.Errorf("spec: %s: openapi version %q, want %q", name, doc.OpenAPI, Version)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("spec: %s: invalid document: %w", name, err)
	}
	return doc, nil
}

// sharedDoc is the one file a document may refer to (see the package
// comment).
const sharedDoc = "openapi.yaml"

// readShared serves references to openapi.yaml from the embedded Prism
// document and refuses every other file.
func readShared(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	if u.Scheme == "" && u.Host == "" && u.Path == sharedDoc {
		return PrismYAML, nil
	}
	return nil, fmt.Errorf("reference to %q: only %s may be referenced", u.String(), sharedDoc)
}
