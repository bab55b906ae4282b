// Package endpoint holds the rules the mock, the harness and the CLI share
// for naming and trusting an HTTP endpoint: what counts as an acceptable
// http(s) URL, and how a PEM bundle of trusted CAs is read.
package endpoint

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The reasons ParseHTTP gives; callers prefix them with the setting or
// field they came from.
var (
	ErrNotUTF8   = errors.New("must be valid UTF-8")
	ErrNotHTTP   = errors.New("must be an absolute http or https URL")
	ErrNoHost    = errors.New("has no host")
	ErrEmptyPort = errors.New("has an empty port")
)

// ParseHTTP parses raw as an absolute http or https URL with a host.
// It refuses invalid UTF-8 and U+FFFD (what JSON decoding makes of invalid
// bytes, so a damaged URL is refused rather than stored), and a port, when
// given, outside 1–65535. User information ("user:pass@") is allowed. The
// error is one of the Err values above or names the bad port.
func ParseHTTP(raw string) (*url.URL, error) {
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, utf8.RuneError) {
		return nil, ErrNotUTF8
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, ErrNotHTTP
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, ErrNoHost
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %s is not from 1 to 65535", strconv.Quote(p))
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, ErrEmptyPort
	}
	return u, nil
}

// LoadCA reads the PEM certificates of file into a new pool, to be trusted
// in place of the system's roots. The error names the file.
func LoadCA(file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate found", file)
	}
	return pool, nil
}
