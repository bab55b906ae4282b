package webhook_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/webhook"
)

// FuzzVerify: Verify never panics, accepts exactly the signatures Sign makes
// (in either case), and refuses everything else.
func FuzzVerify(f *testing.F) {
	for _, v := range fixtures.Vectors() {
		f.Add(v.Secret, []byte(v.Body), v.Signature)
		f.Add(v.Secret, []byte(v.Body), v.Signature[:10])
	}
	f.Add("s", []byte("{}"), "zz")
	f.Fuzz(func(t *testing.T, secret string, body []byte, sig string) {
		err := webhook.Verify(secret, body, sig)
		good := webhook.Sign(secret, body)
		if (err == nil) != bytes.EqualFold([]byte(sig), []byte(good)) {
			t.Fatalf("Verify(%q) = %v, but the signature is %q", sig, err, good)
		}
	})
}

// FuzzParse: Parse never panics and either returns an event with a name or
// ErrNotJSON.
func FuzzParse(f *testing.F) {
	for _, name := range []string{webhook.EventCompleted, webhook.EventFailed} {
		b, err := fixtures.Event(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"event":1}`))
	f.Add([]byte(`{"event":"x","timestamp":"not a time"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := webhook.Parse(body)
		if err == nil && ev.Event == "" {
			t.Fatal("Parse accepted an event without a name")
		}
	})
}

// FuzzMiddleware: whatever arrives, the middleware answers 4xx without
// calling the handler unless the signature is valid, and never panics.
func FuzzMiddleware(f *testing.F) {
	const secret = "whsec_fuzz"
	body, _ := fixtures.CompactEvent(webhook.EventCompleted)
	f.Add(body, webhook.Sign(secret, body), "POST")
	f.Add(body, "", "POST")
	f.Add([]byte("not json"), webhook.Sign(secret, []byte("not json")), "POST")
	f.Add(body, webhook.Sign(secret, body), "GET")
	f.Fuzz(func(t *testing.T, body []byte, sig, method string) {
		if !validMethod(method) {
			return
		}
		called := false
		h := webhook.Middleware(secret, webhook.WithMaxBodyBytes(1<<16))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called = true
			w.WriteHeader(http.StatusNoContent)
		}))
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		verified := method == http.MethodPost && len(body) <= 1<<16 && webhook.Verify(secret, body, sig) == nil
		if called && !verified {
			t.Fatalf("handler reached without a valid signature (status %d)", rec.Code)
		}
		if !called && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("refusal answered %d, want 4xx", rec.Code)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || bytes.ContainsRune([]byte("()<>@,;:\\\"/[]?={}"), c) {
			return false
		}
	}
	return true
}
