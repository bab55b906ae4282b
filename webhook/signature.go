// Package webhook is what a Go receiver of Prism webhooks needs: signature
// verification done right (raw bytes, constant time, length and hex checks),
// the event types, and an http.Handler middleware that does both — plus the
// two building blocks of processing events in the background that
// prismhook's reference receiver is made of: Once, so that each event is
// processed once even when redeliveries arrive concurrently, and Fetcher,
// which downloads video_url with retries and backoff.
//
// The mock Prism in this module signs with the same Sign function, so a
// receiver built on this package and the sender can never disagree.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Header names Prism sends with every delivery. Go's net/http matches header
// names case-insensitively, so lookups with these constants also find the
// lowercase forms some proxies put on the wire.
const (
	SignatureHeader = "X-Prism-Signature"
	EventHeader     = "X-Prism-Event"
	DeliveryHeader  = "X-Prism-Delivery"
)

// SignatureLength is the length of a valid signature: hex of a SHA-256 digest.
const SignatureLength = 2 * sha256.Size

// Verification errors. Each is distinct so a receiver can log why a delivery
// was refused; all of them mean "answer 4xx".
var (
	ErrMissingSignature  = errors.New("webhook: missing signature")
	ErrSignatureLength   = errors.New("webhook: signature has the wrong length")
	ErrSignatureNotHex   = errors.New("webhook: signature is not hexadecimal")
	ErrSignatureMismatch = errors.New("webhook: signature does not match the body")
)

// Sign returns the X-Prism-Signature value for body: the lowercase hex of
// HMAC-SHA256 keyed with the secret's bytes (the whole "whsec_…" string, as
// the documentation's JavaScript uses it).
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify checks signature against body in constant time. It checks the
// length and the encoding first, so a short, long or non-hex value is an
// error rather than a crash (the documentation's JavaScript throws on a
// length mismatch, which most receivers turn into a 500). Uppercase hex is
// accepted.
func Verify(secret string, body []byte, signature string) error {
	if signature == "" {
		return ErrMissingSignature
	}
	if len(signature) != SignatureLength {
		return ErrSignatureLength
	}
	got := make([]byte, sha256.Size)
	if _, err := hex.Decode(got, []byte(signature)); err != nil {
		return ErrSignatureNotHex
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrSignatureMismatch
	}
	return nil
}
