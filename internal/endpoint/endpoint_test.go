package endpoint

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseHTTP(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		wantErr string // "" means accepted
	}{
		{"http://127.0.0.1:8080/hook", ""},
		{"https://example.com/hook?x=1", ""},
		{"http://example.com", ""},
		{"http://user:pass@example.com/hook", ""},
		{"http://[::1]:9000/", ""},
		{"http://h:1/", ""},
		{"http://h:65535/", ""},
		{"", ErrNotHTTP.Error()},
		{"/hook", ErrNotHTTP.Error()},
		{"example.com/hook", ErrNotHTTP.Error()},
		{"ftp://example.com/hook", ErrNotHTTP.Error()},
		{"http://exa mple.com/%zz", ErrNotHTTP.Error()},
		{"http:///hook", ErrNoHost.Error()},
		{"http://:8080/hook", ErrNoHost.Error()},
		{"http://h:0/", `port "0" is not from 1 to 65535`},
		{"http://h:65536/", `port "65536" is not from 1 to 65535`},
		{"http://h:99999999999999999999/", `port "99999999999999999999" is not from 1 to 65535`},
		{"http://h:/", ErrEmptyPort.Error()},
		{"http://127.0.0.1:8080/h\xff\xfe", ErrNotUTF8.Error()},
		{"http://127.0.0.1:8080/h\uFFFD", ErrNotUTF8.Error()},
	} {
		u, err := ParseHTTP(tc.raw)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ParseHTTP(%q) = %v, want it accepted", tc.raw, err)
		case tc.wantErr == "" && (u == nil || u.Host == ""):
			t.Errorf("ParseHTTP(%q) returned %v", tc.raw, u)
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
			t.Errorf("ParseHTTP(%q) error = %v, want %q", tc.raw, err, tc.wantErr)
		}
	}
}

func TestLoadCA(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCA(filepath.Join(dir, "missing.pem")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want not-exist", err)
	}
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCA(junk); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("junk file: err = %v, want no PEM certificate", err)
	}
	good := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(good, selfSigned(t), 0o600); err != nil {
		t.Fatal(err)
	}
	pool, err := LoadCA(good)
	if err != nil || pool == nil {
		t.Fatalf("good file: %v", err)
	}
}

func selfSigned(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
