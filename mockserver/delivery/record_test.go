package delivery

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/prismhook/prismhook/internal/wire"
)

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
	x.Err, x.ErrKind = errors.New("boom"), wire.ErrKindConnection
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
	if second.ResponseHeaders.Get("Date") != "2" || second.ErrorKind != wire.ErrKindConnection {
		t.Errorf("second attempt %+v", second)
	}
}
