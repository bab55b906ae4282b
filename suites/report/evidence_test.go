package report

import (
	"strings"
	"testing"
	"time"
)

func TestHeadline(t *testing.T) {
	at := sampleStart.Add(1500 * time.Millisecond)
	tests := []struct {
		name string
		e    Evidence
		want string
	}{
		{"delivery", Evidence{Kind: KindDelivery, Label: "wrong secret", Fault: "wrong-secret", Method: "POST", URL: "http://rut/hook", Status: 401, LatencyMS: 3.21, At: at},
			`delivery "wrong secret" [fault wrong-secret] POST http://rut/hook → 401 Unauthorized in 3.2 ms at +1.500s`},
		{"delivery without answer", Evidence{Kind: KindDelivery, Method: "POST", URL: "http://rut/hook", Error: "timeout: context deadline exceeded", LatencyMS: 5000},
			`delivery POST http://rut/hook → failed in 5.000 s`},
		{"artifact fetch", Evidence{Kind: KindArtifactFetch, Label: "video", Method: "GET", Path: "/videos/gen_1.mp4", ServedStatus: 503, At: at},
			`artifact-fetch "video" GET /videos/gen_1.mp4 → served 503 Service Unavailable at +1.500s`},
		{"TLS handshake", Evidence{Kind: KindTLSHandshake, Label: "TLS handshake", URL: "https://rut/hook", LatencyMS: 12},
			`tls-handshake "TLS handshake" https://rut/hook in 12.0 ms`},
		{"hostile", Evidence{Kind: KindDelivery, Label: "a\nb\x1b[2J", URL: "\u202ehttp://x"},
			`delivery "a\nb\x1b[2J" \u202ehttp://x → no status`},
	}
	for _, tt := range tests {
		if got := headline(tt.e, sampleStart); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestEvidenceTextDetail(t *testing.T) {
	e := Evidence{
		Kind: KindDelivery, DeliveryID: "dlv_1", Method: "POST", URL: "http://rut/hook",
		RequestHeader: map[string]string{"X-Prism-Signature": "abc", "Content-Type": "application/json"},
		BodyBytes:     12, BodyExcerpt: "{\"a\":1}\r\n{\"b\":2}",
		Status: 500, Error: "", Response: strings.Repeat("x", 400),
	}
	var long, short strings.Builder
	evidenceText(&long, []Evidence{e}, sampleStart, full)
	evidenceText(&short, []Evidence{e}, sampleStart, brief)
	wantFull := "#1 delivery POST http://rut/hook → 500 Internal Server Error\n" +
		"    delivery id: dlv_1\n" +
		"    request headers:\n" +
		"      Content-Type: application/json\n" +
		"      X-Prism-Signature: abc\n" +
		"    body (12 bytes):\n" +
		"      {\"a\":1}\n" +
		"      {\"b\":2}\n" +
		"    response:\n" +
		"      " + strings.Repeat("x", 400) + "\n"
	if long.String() != wantFull {
		t.Errorf("full:\n%s\nwant:\n%s", long.String(), wantFull)
	}
	if b := short.String(); strings.Contains(b, "request headers") || strings.Contains(b, "body (") || !strings.Contains(b, strings.Repeat("x", briefExcerpt-1)+"…\n") {
		t.Errorf("brief:\n%s", b)
	}
}
