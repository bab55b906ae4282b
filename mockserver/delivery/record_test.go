package delivery

import (
	"errors"
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

func TestRecordExchangeRedactsAndShares(t *testing.T) {
	const secret = "whsec_abc"
	x := Exchange{
		RequestHeader:   http.Header{"Authorization": {"Basic dXNlcjpwdw=="}, "X-Prism-Signature": {"00ff"}},
		BodyExcerpt:     `{"a":1}`,
		BodySize:        7,
		Status:          500,
		ResponseHeader:  http.Header{"Set-Cookie": {"s=1"}, "X-Echo": {"key " + secret}, "Date": {"1"}},
		ResponseExcerpt: "oops " + secret,
	}
	var first, second Attempt
	recordExchange(&first, x, secret, nil, nil)
	if got := first.RequestHeaders.Get("Authorization"); got != "Basic ***" {
		t.Errorf("Authorization recorded as %q", got)
	}
	if got := first.ResponseHeaders.Get("Set-Cookie"); got != "***" {
		t.Errorf("Set-Cookie recorded as %q", got)
	}
	if strings.Contains(first.ResponseHeaders.Get("X-Echo")+first.ResponseBody, secret) {
		t.Error("the secret is recorded")
	}
	if first.Error != "status 500" || first.RequestHeaders.Get("X-Prism-Signature") != "00ff" {
		t.Errorf("attempt %+v", first)
	}

	x.ResponseHeader = http.Header{"Set-Cookie": {"s=1"}, "X-Echo": {"key " + secret}, "Date": {"2"}}
	x.Err, x.ErrKind = errors.New("boom"), ErrKindConnection
	recordExchange(&second, x, secret, &first, []byte(`{"a":1}`))
	if &second.RequestHeaders["X-Prism-Signature"][0] != &first.RequestHeaders["X-Prism-Signature"][0] {
		t.Error("equal request headers are not shared")
	}
	if &second.ResponseHeaders["X-Echo"][0] != &first.ResponseHeaders["X-Echo"][0] {
		t.Error("an equal response header is not shared")
	}
	if second.RequestBody != "" {
		t.Error("the delivery's own body is kept twice")
	}
	d := Delivery{Body: []byte(`{"a":1}`), Attempts: []Attempt{first, second}}.WithRequestBodies()
	if d.Attempts[1].RequestBody != `{"a":1}` {
		t.Errorf("filled in as %q", d.Attempts[1].RequestBody)
	}
	if second.ResponseHeaders.Get("Date") != "2" || second.ErrorKind != ErrKindConnection {
		t.Errorf("second attempt %+v", second)
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
