package webhook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/webhook"
)

func TestSignMatchesVectors(t *testing.T) {
	for _, v := range fixtures.Vectors() {
		if got := webhook.Sign(v.Secret, []byte(v.Body)); got != v.Signature {
			t.Errorf("%s: Sign = %s, want %s", v.Name, got, v.Signature)
		}
		if err := webhook.Verify(v.Secret, []byte(v.Body), v.Signature); err != nil {
			t.Errorf("%s: Verify: %v", v.Name, err)
		}
		if err := webhook.Verify(v.Secret, []byte(v.Body), strings.ToUpper(v.Signature)); err != nil {
			t.Errorf("%s: Verify uppercase: %v", v.Name, err)
		}
	}
}

func TestVerifyRefusals(t *testing.T) {
	const secret = "whsec_test"
	body := []byte(`{"event":"video.completed"}`)
	good := webhook.Sign(secret, body)
	for _, tc := range []struct {
		name, sig string
		body      []byte
		want      error
	}{
		{"missing", "", body, webhook.ErrMissingSignature},
		{"truncated", good[:63], body, webhook.ErrSignatureLength},
		{"over-long", good + "0", body, webhook.ErrSignatureLength},
		{"non-hex", "z" + good[1:], body, webhook.ErrSignatureNotHex},
		{"wrong secret", webhook.Sign("whsec_other", body), body, webhook.ErrSignatureMismatch},
		{"body changed", good, append([]byte(nil), append(body, ' ')...), webhook.ErrSignatureMismatch},
	} {
		if err := webhook.Verify(secret, tc.body, tc.sig); !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	body, err := fixtures.CompactEvent(webhook.EventCompleted)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := webhook.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Data.ID != "gen_abc123xyz" || ev.Data.Duration != 6 || !ev.Known() {
		t.Errorf("unexpected event %+v", ev)
	}
	for _, bad := range []string{"", "not json", "[]", `{"data":{}}`} {
		if _, err := webhook.Parse([]byte(bad)); !errors.Is(err, webhook.ErrNotJSON) {
			t.Errorf("Parse(%q) = %v, want ErrNotJSON", bad, err)
		}
	}
}
