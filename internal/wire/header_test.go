package wire

import (
	"net/http"
	"strings"
	"testing"
)

func TestBoundedHeader(t *testing.T) {
	h := http.Header{}
	for i := range 100 {
		h.Set("X-H"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), strings.Repeat("v", 1000))
	}
	b := boundedHeader(h)
	total := 0
	for k, vs := range b {
		for _, v := range vs {
			if len(v) > maxHeaderValueBytes {
				t.Errorf("%s: value of %d bytes", k, len(v))
			}
			total += len(k) + len(v)
		}
	}
	if len(b) > maxResponseHeaderNames || total > maxKeptHeaderBytes {
		t.Errorf("kept %d names, %d bytes", len(b), total)
	}
	if boundedHeader(nil) != nil {
		t.Error("nil header: want nil")
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@example.com/hook?x=1": "https://user:***@example.com/hook?x=1",
		"https://user@example.com/hook":        "https://user@example.com/hook",
		"http://127.0.0.1:3000/webhooks/prism": "http://127.0.0.1:3000/webhooks/prism",
		"http://u:p@[::1/x":                    "http://u:***@[::1/x",
		"1u:p@h/x":                             "***@h/x",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
