package mockserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

// offline is the sender's transport while fuzzing: fuzzed webhooks and
// emits name any URL, and none of them may be reached.
type offline struct{}

func (offline) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, errors.New("fuzzing: no network")
}

// stackTrace matches what a Go stack trace or panic message leaves in text.
var stackTrace = regexp.MustCompile(`goroutine \d+ \[|\.go:\d+|panic: |runtime error`)

// FuzzAPI sends arbitrary requests — method, path, Authorization,
// Content-Type and body — through the whole handler, and checks the
// answers: never a 5xx, every other non-2xx one the JSON error envelope,
// no stack trace anywhere. The seeds (the documentation's examples and
// known bad inputs) run as an ordinary test.
func FuzzAPI(f *testing.F) {
	s, err := mockserver.New(mockserver.Options{
		GenerationDelay: time.Millisecond,
		Delivery: delivery.Options{
			Workers:   1,
			QueueSize: 100,
			Schedule:  []time.Duration{},
			Retention: 100,
			Sender:    wire.SenderOptions{Timeout: time.Millisecond, Transport: offline{}},
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close(context.Background()) })
	h := s.Handler()

	const (
		auth = "Bearer YOUR_API_KEY"
		js   = "application/json"
		wh   = "wh_4f9c2a7e1b3d5f8091a2b3c4"
		gen  = "gen_abc123xyz"
	)
	for _, seed := range []struct{ method, path, auth, contentType, body string }{
		// The documentation's examples.
		{"POST", "/v1/webhooks", auth, js, "{\n\"url\": \"https://your-server.com/webhooks/prism\",\n\"events\": [\"video.completed\", \"video.failed\"]\n}"},
		{"GET", "/v1/webhooks", auth, "", ""},
		{"GET", "/v1/webhooks/" + wh, auth, "", ""},
		{"DELETE", "/v1/webhooks/" + wh, auth, "", ""},
		{"GET", "/v1/webhooks/" + wh + "/deliveries", auth, "", ""},
		{"POST", "/v1/videos", auth, js, `{"prompt": "A serene mountain lake at sunset", "provider": "runway", "duration": 6}`},
		{"GET", "/v1/videos/" + gen, auth, "", ""},
		{"POST", "/_mock/outcome", "", js, `{"outcome": "failed"}`},
		{"POST", "/_mock/emit", "", js, `{"webhook_id": "` + wh + `", "event": "video.completed", "fault": "wrong-secret"}`},
		{"POST", "/_mock/emit", "", js, `{"url": "http://127.0.0.1:1/hook", "secret": "whsec_x", "fault": "burst", "count": 3}`},
		{"POST", "/_mock/emit", "", js, `{"url": "https://your-server.com/webhooks/prism", "secret": "s", "generation_id": "` + gen + `"}`},
		{"GET", "/_mock/deliveries", "", "", ""},
		{"POST", "/_mock/reset", "", "", ""},
		{"PUT", "/_mock/artifacts/" + gen, "", js, `{"delay_ms": 0, "fail_first": 2}`},
		{"GET", "/_mock/artifacts/" + gen, "", "", ""},
		{"GET", "/healthz", "", "", ""},
		{"GET", "/metrics", "", "", ""},
		{"GET", "/videos/" + gen + ".mp4", "", "", ""},
		{"HEAD", "/thumbnails/" + gen + ".jpg", "", "", ""},
		// Known bad inputs.
		{"POST", "/v1/webhooks", "", js, `{"url": "https://x.test/h", "events": ["video.completed"]}`},
		{"POST", "/v1/webhooks", "Basic dXNlcjpwYXNz", js, `{}`},
		{"POST", "/v1/webhooks", "Bearer ", js, `{}`},
		{"POST", "/v1/webhooks", auth, js, `{"url": "http://[::1", "events": ["video.completed"]}`},
		{"POST", "/v1/webhooks", auth, js, `{"url": "https://x.test/h", "events": []}`},
		{"POST", "/v1/webhooks", auth, js, `{"url": "/relative", "events": ["video.upscaled"]}`},
		{"POST", "/v1/webhooks", auth, js, `{"url": "https://x.test/h", "events": ["video.completed"]} trailing`},
		{"POST", "/v1/webhooks", auth, js, `{"url": "https://x.test/h", "url": 1, "events": null}`},
		{"POST", "/v1/webhooks", auth, "text/plain", `url=https://x.test`},
		{"POST", "/v1/webhooks", auth, "application/json; charset=utf-16", "\xff\xfe{\x00}\x00"},
		{"POST", "/v1/webhooks", auth, js, `{"url": "https://x.test/\u0000", "events": ["video.completed"]}`},
		{"POST", "/v1/webhooks", auth, js, strings.Repeat("[", 10000)},
		{"POST", "/v1/videos", auth, js, `{"prompt": "", "duration": 1e400}`},
		{"POST", "/v1/videos", auth, js, `{"prompt": "x", "duration": -1, "provider": 7}`},
		{"POST", "/v1/videos", auth, js, "{\"prompt\": \"\xc3\x28 [fail]\"}"},
		{"POST", "/v1/videos", auth, js, ""},
		{"POST", "/_mock/emit", "", js, `{"webhook_id": "` + wh + `", "url": "https://x.test", "secret": "s"}`},
		{"POST", "/_mock/emit", "", js, `{"url": "https://x.test", "secret": "s", "fault": "nope", "count": 0}`},
		{"POST", "/_mock/emit", "", js, `{"webhook_id": "wh_../../etc"}`},
		{"PUT", "/_mock/artifacts/gen_%2e%2e", "", js, `{"delay_ms": 99999999999}`},
		{"GET", "/v1/webhooks/%zz", auth, "", ""},
		{"GET", "/v1/webhooks/" + wh + "/", auth, "", ""},
		{"GET", "/v1", auth, "", ""},
		{"GET", "//v1/webhooks", auth, "", ""},
		{"GET", "/v1/../_mock/deliveries", "", "", ""},
		{"GET", "/videos/gen_x.mp4/..%2f..%2fetc", "", "", ""},
		{"GET", "http://other.test/v1/webhooks", auth, "", ""},
		{"OPTIONS", "*", "", "", ""},
		{"PATCH", "/v1/webhooks", auth, js, `{}`},
		{"TRACE", "/healthz", "", "", ""},
		{"get", "/healthz", "", "", ""},
		{"POST", "/healthz", "", js, `{}`},
		{"DELETE", "/_mock/reset", "", "", ""},
		{"POST", "/nowhere?q=%00", "", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.auth, seed.contentType, []byte(seed.body))
	}

	var runs atomic.Int64
	f.Fuzz(func(t *testing.T, method, path, authorization, contentType string, body []byte) {
		// Every video is delivered to every webhook of its key: left to
		// pile up, fuzzed webhooks make each input slower than the last.
		if runs.Add(1)%500 == 0 {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/_mock/reset", nil))
		}
		req, ok := wireRequest(method, path, authorization, contentType, body)
		if !ok {
			t.Skip("not a request net/http would hand to a handler")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)

		res := w.Result()
		got := w.Body.Bytes()
		// The one 5xx on purpose: artifact storage told by the control API
		// to fail (its envelope is checked below).
		storageDown := res.StatusCode == http.StatusServiceUnavailable && bytes.Contains(got, []byte(`"type":"service_unavailable"`))
		if res.StatusCode >= 500 && !storageDown {
			t.Fatalf("%s %q answered %d: %s", method, path, res.StatusCode, got)
		}
		if m := stackTrace.Find(got); m != nil && !echoes(string(m), method, path, authorization, contentType, body) {
			t.Fatalf("%s %q answered with stack trace text %q: %s", method, path, m, got)
		}
		if res.StatusCode < 300 {
			return
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %q answered %d with Content-Type %q: %s", method, path, res.StatusCode, ct, got)
		}
		var envelope struct {
			Error *struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		dec := json.NewDecoder(bytes.NewReader(got))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&envelope); err != nil || envelope.Error == nil || envelope.Error.Type == "" || envelope.Error.Message == "" {
			t.Fatalf("%s %q answered %d without the error envelope (%v): %s", method, path, res.StatusCode, err, got)
		}
	})
}

// wireRequest builds the request a server reads from these parts on the
// wire, and false for bytes that would not parse as one (net/http answers
// those itself, before any handler).
func wireRequest(method, path, authorization, contentType string, body []byte) (*http.Request, bool) {
	var raw bytes.Buffer
	fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: mock.test\r\n", method, path)
	if authorization != "" {
		fmt.Fprintf(&raw, "Authorization: %s\r\n", authorization)
	}
	if contentType != "" {
		fmt.Fprintf(&raw, "Content-Type: %s\r\n", contentType)
	}
	fmt.Fprintf(&raw, "Content-Length: %d\r\n\r\n", len(body))
	raw.Write(body)
	req, err := http.ReadRequest(bufio.NewReader(&raw))
	if err != nil {
		return nil, false
	}
	req.RemoteAddr = "127.0.0.1:50000"
	return req, true
}

// echoes reports whether text comes from the request itself, as sent or
// unescaped: a message that quotes a fuzzed path or field name may quote
// whatever the fuzzer put there.
func echoes(text, method, path, authorization, contentType string, body []byte) bool {
	forms := []string{method, path, authorization, contentType, string(body)}
	if p, err := url.PathUnescape(path); err == nil {
		forms = append(forms, p)
	}
	if q, err := url.QueryUnescape(path); err == nil {
		forms = append(forms, q)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if s, ok := tok.(string); ok {
			forms = append(forms, s)
		}
	}
	for _, f := range forms {
		if strings.Contains(f, text) {
			return true
		}
	}
	return false
}
