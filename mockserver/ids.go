package mockserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// newID returns prefix and 24 hex digits of randomness ("wh_…", "gen_…").
func newID(prefix string) string {
	var b [12]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read panics rather than return an error)
	return prefix + hex.EncodeToString(b[:])
}

// newSecret returns a webhook signing secret: "whsec_" and 32 random bytes,
// base64url without padding.
func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// timestamp is the API's and the events' time format: RFC 3339, UTC, whole
// seconds, like the documentation's examples.
func timestamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
