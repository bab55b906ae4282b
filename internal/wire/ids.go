package wire

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
)

// NewDeliveryID returns a fresh X-Prism-Delivery value: "dlv_" and 24 hex
// digits of randomness.
func NewDeliveryID() string { return NewID("dlv_") }

// NewEventID returns a fresh event id: "evt_" and 24 hex digits of randomness.
func NewEventID() string { return NewID("evt_") }

// NewID returns prefix and 24 hex digits of randomness ("dlv_…", "wh_…").
func NewID(prefix string) string {
	var b [12]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read panics rather than return an error)
	return prefix + hex.EncodeToString(b[:])
}

// NewSecret returns a webhook signing secret shaped like Prism's ("whsec_"
// and 32 random bytes, base64url without padding): the mock's webhooks get
// one, and the wrong-secret fault signs with a fresh one.
func NewSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:])
}
