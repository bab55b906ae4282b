package spec_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/spec"
)

func mustPrism(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := spec.PrismAPI("")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func mustMock(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := spec.MockAPI("")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func operationIDs(doc *openapi3.T) []string {
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestEmbeddedDocumentsLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  *openapi3.T
		want []string
	}{
		{"openapi.yaml", mustPrism(t), []string{
			"createVideo", "createWebhook", "deleteWebhook", "getVideo",
			"getWebhook", "listWebhookDeliveries", "listWebhooks",
		}},
		{"mock.yaml", mustMock(t), []string{
			"emitEvent", "getCheck", "getHealth", "listAllDeliveries", "listArtifactFetches",
			"redeliverDelivery", "resetMock", "setArtifactBehavior", "setNextOutcome", "startCheck",
		}},
	} {
		if got := operationIDs(tc.doc); !slices.Equal(got, tc.want) {
			t.Errorf("%s: operations %v, want %v", tc.name, got, tc.want)
		}
	}
}

// jsonValue turns a value decoded from YAML into what encoding/json would
// produce, which is what request and response validation sees.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// mediaExamples calls fn for every example of every media type of every
// operation, callbacks included.
func mediaExamples(doc *openapi3.T, fn func(where string, schema *openapi3.Schema, value any)) {
	var visitOp func(where string, op *openapi3.Operation)
	visitContent := func(where string, content openapi3.Content) {
		for mime, mt := range content {
			if mt.Schema == nil {
				continue
			}
			if mt.Example != nil {
				fn(where+" "+mime+" example", mt.Schema.Value, mt.Example)
			}
			for name, ex := range mt.Examples {
				fn(where+" "+mime+" examples/"+name, mt.Schema.Value, ex.Value.Value)
			}
		}
	}
	visitOp = func(where string, op *openapi3.Operation) {
		if op.RequestBody != nil {
			visitContent(where+" request", op.RequestBody.Value.Content)
		}
		for status, resp := range op.Responses.Map() {
			visitContent(where+" "+status, resp.Value.Content)
		}
		for name, cb := range op.Callbacks {
			for expr, item := range cb.Value.Map() {
				for method, cop := range item.Operations() {
					visitOp(where+" callback "+name+" "+method+" "+expr, cop)
				}
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			visitOp(method+" "+path, op)
		}
	}
}

func TestExamplesMatchTheirSchemas(t *testing.T) {
	for name, doc := range map[string]*openapi3.T{"openapi.yaml": mustPrism(t), "mock.yaml": mustMock(t)} {
		n := 0
		mediaExamples(doc, func(where string, schema *openapi3.Schema, value any) {
			n++
			if err := schema.VisitJSON(jsonValue(t, value)); err != nil {
				t.Errorf("%s: %s: %v", name, where, err)
			}
		})
		if n == 0 {
			t.Errorf("%s: no examples found", name)
		}
	}
}

func TestEventExamplesAreTheFixtures(t *testing.T) {
	doc := mustPrism(t)
	cb := doc.Paths.Value("/v1/webhooks").Post.Callbacks["videoEvent"]
	if cb == nil {
		t.Fatal("createWebhook has no videoEvent callback")
	}
	op := cb.Value.Value("{$request.body#/url}").Post
	mt := op.RequestBody.Value.Content.Get("application/json")
	for example, event := range map[string]string{"completed": "video.completed", "failed": "video.failed"} {
		ex := mt.Examples[example]
		if ex == nil {
			t.Fatalf("callback has no %q example", example)
		}
		raw, err := fixtures.Event(event)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if got := jsonValue(t, ex.Value.Value); !reflect.DeepEqual(got, want) {
			t.Errorf("%s example differs from fixtures/events/%s.json:\n got %v\nwant %v", example, event, got, want)
		}
	}
}

func TestEventSchemas(t *testing.T) {
	doc := mustPrism(t)
	schema := doc.Components.Schemas["VideoEvent"].Value
	valid := func(event string) map[string]any {
		raw, err := fixtures.Event(event)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, event := range []string{"video.completed", "video.failed"} {
		if err := schema.VisitJSON(valid(event)); err != nil {
			t.Errorf("%s fixture: %v", event, err)
		}
	}
	for _, tc := range []struct {
		name   string
		event  string
		mutate func(ev, data map[string]any)
	}{
		{"unknown event type", "video.completed", func(ev, _ map[string]any) { ev["event"] = "video.deleted" }},
		{"completed without video_url", "video.completed", func(_, d map[string]any) { delete(d, "video_url") }},
		{"completed with an error", "video.completed", func(_, d map[string]any) {
			d["error"] = map[string]any{"code": "x", "message": "y"}
		}},
		{"completed with failed status", "video.completed", func(_, d map[string]any) { d["status"] = "failed" }},
		{"failed without error", "video.failed", func(_, d map[string]any) { delete(d, "error") }},
		{"failed with a video_url", "video.failed", func(_, d map[string]any) { d["video_url"] = "https://x.test/v.mp4" }},
		{"timestamp not RFC 3339", "video.completed", func(ev, _ map[string]any) { ev["timestamp"] = "13/01/2026" }},
		{"duration as string", "video.completed", func(_, d map[string]any) { d["duration"] = "6" }},
		{"bad generation id", "video.failed", func(_, d map[string]any) { d["id"] = "abc" }},
	} {
		ev := valid(tc.event)
		tc.mutate(ev, ev["data"].(map[string]any))
		if err := schema.VisitJSON(ev); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// The control API takes the schemas it shares with the Prism API from
// openapi.yaml by reference, so there is one definition of each; the
// reference resolves to the Prism document's schema.
func TestSharedSchemasComeFromThePrismDocument(t *testing.T) {
	prism, mock := mustPrism(t), mustMock(t)
	for _, name := range []string{
		"Error", "EventType", "WebhookID", "GenerationID", "DeliveryID", "EventID",
		"Timestamp", "EndpointURL", "Attempt", "Delivery", "DeliveryList",
	} {
		a, b := prism.Components.Schemas[name], mock.Components.Schemas[name]
		if a == nil || b == nil || b.Value == nil {
			t.Errorf("%s: missing from a document", name)
			continue
		}
		if want := "openapi.yaml#/components/schemas/" + name; b.Ref != want {
			t.Errorf("%s: mock.yaml has $ref %q, want %q", name, b.Ref, want)
		}
		ja, _ := json.Marshal(a.Value)
		jb, _ := json.Marshal(b.Value)
		if strings.ReplaceAll(string(jb), "openapi.yaml#", "#") != string(ja) {
			t.Errorf("%s differs:\nopenapi.yaml %s\nmock.yaml    %s", name, ja, jb)
		}
	}
}

func TestOverrideFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", string(spec.PrismYAML))
	if _, err := spec.PrismAPI(good); err != nil {
		t.Errorf("override with the embedded text: %v", err)
	}
	if _, err := spec.MockAPI(write("mock.yaml", string(spec.MockYAML))); err != nil {
		t.Errorf("mock override with the embedded text: %v", err)
	}

	minimal := "info: {title: t, version: '1'}\npaths: {}\n"
	for _, tc := range []struct {
		name, content, wantInErr string
	}{
		{"empty.yaml", "", "empty document"},
		{"notyaml.yaml", "{{{", "notyaml.yaml"},
		{"v31.yaml", "openapi: 3.1.0\n" + minimal, `want "3.0.3"`},
		{"external.yaml", "openapi: 3.0.3\n" + minimal +
			"components:\n  schemas:\n    X:\n      $ref: 'other.yaml#/X'\n", "external.yaml"},
		{"invalid.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  nope: {}\n", "invalid document"},
	} {
		p := write(tc.name, tc.content)
		_, err := spec.PrismAPI(p)
		if err == nil {
			t.Errorf("%s: loaded", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.wantInErr)
		}
	}
	if _, err := spec.MockAPI(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := spec.Load(spec.MockYAML); err != nil {
		t.Errorf("Load(MockYAML): %v", err)
	}
}
