package delivery

// Fault is a deliberate defect the sender puts into one delivery, so that a
// receiver's handling of it can be observed from outside. The zero value
// sends a correct delivery.
type Fault string

// The faults the sender can put into a delivery. Names are stable: they
// appear in flags (`prismhook send --fault`), the control API and reports.
const (
	FaultNone Fault = ""

	// Signature faults.
	FaultMissingSignature   Fault = "missing-signature"   // no X-Prism-Signature header
	FaultWrongSecret        Fault = "wrong-secret"        // signed with another secret
	FaultBodyChanged        Fault = "body-changed"        // body altered after signing
	FaultEmptySignature     Fault = "empty-signature"     // header present, value ""
	FaultNonHexSignature    Fault = "non-hex-signature"   // right length, not hex
	FaultTruncatedSignature Fault = "truncated-signature" // digest cut short
	FaultLongSignature      Fault = "long-signature"      // digest with extra characters

	// Body faults; all but malformed-json stay valid JSON and are signed
	// correctly over the bytes actually sent.
	FaultWhitespace      Fault = "whitespace"       // pretty-printed JSON
	FaultKeyOrder        Fault = "key-order"        // object keys in another order
	FaultUnicodeEscapes  Fault = "unicode-escapes"  // non-ASCII and some ASCII as \u escapes
	FaultTrailingNewline Fault = "trailing-newline" // compact JSON plus "\n"
	FaultUnknownEvent    Fault = "unknown-event"    // event type Prism does not document
	FaultExtraFields     Fault = "extra-fields"     // unknown fields at top level and in data
	FaultMalformedJSON   Fault = "malformed-json"   // not JSON at all, correctly signed
	FaultOversized       Fault = "oversized"        // valid JSON padded to OversizedBytes

	// Transport faults.
	FaultLowercaseHeader Fault = "lowercase-header" // x-prism-signature on the wire
	FaultCharset         Fault = "charset"          // Content-Type: application/json; charset=utf-8
	FaultDuplicate       Fault = "duplicate"        // the same bytes and signature sent again
	FaultBurst           Fault = "burst"            // many deliveries at once
)

// OversizedBytes is the size of a FaultOversized body: 20 MiB.
const OversizedBytes = 20 << 20

// FaultInfo describes a fault for help texts and the control API.
type FaultInfo struct {
	Name        Fault
	Description string
	// Repeats is true for faults that are made of several sends (duplicate,
	// burst) rather than one altered request.
	Repeats bool
}

// Faults lists every fault, in a stable order.
var Faults = []FaultInfo{
	{FaultMissingSignature, "no X-Prism-Signature header", false},
	{FaultWrongSecret, "signed with a different secret", false},
	{FaultBodyChanged, "body changed after signing", false},
	{FaultEmptySignature, "X-Prism-Signature present but empty", false},
	{FaultNonHexSignature, "signature of the right length that is not hex", false},
	{FaultTruncatedSignature, "signature digest cut short", false},
	{FaultLongSignature, "signature digest with extra characters", false},
	{FaultWhitespace, "valid JSON with whitespace (pretty-printed)", false},
	{FaultKeyOrder, "valid JSON with keys in another order", false},
	{FaultUnicodeEscapes, "valid JSON with \\u escapes", false},
	{FaultTrailingNewline, "valid compact JSON followed by a newline", false},
	{FaultUnknownEvent, "an event type Prism does not document", false},
	{FaultExtraFields, "unknown extra fields at the top level and in data", false},
	{FaultMalformedJSON, "a correctly signed body that is not JSON", false},
	{FaultOversized, "valid JSON padded to 20 MiB", false},
	{FaultLowercaseHeader, "signature header name in lowercase on the wire", false},
	{FaultCharset, "Content-Type: application/json; charset=utf-8", false},
	{FaultDuplicate, "the same delivery (bytes and signature) sent again", true},
	{FaultBurst, "many concurrent deliveries", true},
}

// ParseFault returns the fault with that name, or false.
func ParseFault(name string) (Fault, bool) {
	if name == "" || name == "none" {
		return FaultNone, true
	}
	for _, f := range Faults {
		if string(f.Name) == name {
			return f.Name, true
		}
	}
	return "", false
}
