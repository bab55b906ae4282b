// Package suites is the conformance harness: the catalogue of checks, their
// implementations, the runner that executes them concurrently against a
// receiver under test, and the Ginkgo specs that expose them to `go test`.
package suites

import (
	"fmt"
	"slices"
	"strings"
)

// Level says how strongly Prism's documentation asks for a behaviour.
type Level string

// Levels. MUST checks form the core profile; MUST and SHOULD form the
// recommended one; production adds that plain HTTP fails TLS-01.
const (
	Must        Level = "MUST"
	Should      Level = "SHOULD"
	MustWhenTLS Level = "MUST when HTTPS"
)

// Doc lines the checks enforce, quoted from Prism's webhook documentation.
const (
	docVerify    = "Always verify the webhook signature"
	docSigHeader = "Each webhook includes a signature in the X-Prism-Signature header. Verify this to ensure the request came from Prism"
	docQuick     = "Respond with a 200 status code quickly (within 5 seconds)"
	docAsync     = "Process webhook data asynchronously if needed"
	docRetry     = "Implement retry logic for failed processing"
	docHTTPS     = "Use HTTPS endpoints in production"
	docPayload   = "When an event occurs, Prism will send a POST request to your webhook URL"
	docEvents    = "Event Types: video.completed (Video generation finished successfully), video.failed (Video generation failed)"
)

// Check is one entry of the catalogue: declarative metadata only. The
// suites, the reports and the README's table are all drawn from Catalog.
type Check struct {
	ID    string
	Level Level
	Title string
	Doc   string // the documentation line it enforces
	// Probe checks observe the receiver's processing through the artifact
	// server: they are skipped when the receiver never fetches video_url.
	Probe bool
	// Exclusive checks need the receiver to themselves (bursts, liveness
	// after bad input, huge bodies); the runner orders them around the rest.
	Exclusive bool
	// Rejection checks pass when bad deliveries are refused with 4xx. That
	// proves something only if correctly signed events are treated
	// differently: when every correctly signed event of the run is refused
	// too, they are skipped as not meaningful.
	Rejection bool
}

// Catalog is the full list of checks, in report order. IDs are stable.
var Catalog = []Check{
	{ID: "SIG-01", Level: Must, Title: "A correctly signed video.completed event (the documentation's example payload) gets 2xx", Doc: docSigHeader},
	{ID: "SIG-02", Level: Must, Title: "A correctly signed video.failed event gets 2xx", Doc: docSigHeader},
	{ID: "SIG-03", Level: Must, Title: "A delivery without X-Prism-Signature gets 4xx", Doc: docVerify, Rejection: true},
	{ID: "SIG-04", Level: Must, Title: "A signature made with a wrong secret gets 4xx", Doc: docVerify, Rejection: true},
	{ID: "SIG-05", Level: Must, Title: "A body changed after signing gets 4xx", Doc: docVerify, Rejection: true},
	{ID: "SIG-06", Level: Must, Title: "Malformed signatures (empty, non-hex, truncated, over-long) get 4xx, never 2xx or 5xx", Doc: docVerify, Rejection: true},
	{ID: "SIG-07", Level: Must, Title: "Valid JSON in non-canonical form, correctly signed, gets 2xx (verification over raw bytes)", Doc: docSigHeader},
	{ID: "SIG-08", Level: Should, Title: "The signature header in lowercase on the wire gets 2xx", Doc: docSigHeader},
	{ID: "TIME-01", Level: Must, Title: "Every valid event of a sequential run is acknowledged with 2xx within 5 s", Doc: docQuick},
	{ID: "TIME-02", Level: Should, Title: "p95 acknowledgement latency of the sequential run is at most 1 s", Doc: docQuick},
	{ID: "TIME-03", Level: Must, Title: "A burst of concurrent valid deliveries all get 2xx within 5 s each", Doc: docQuick, Exclusive: true},
	{ID: "ASYNC-01", Level: Should, Title: "With artifact storage slowed, acknowledgement does not wait for processing", Doc: docAsync, Probe: true},
	{ID: "IDEM-01", Level: Must, Title: "A redelivery of an acknowledged event (same bytes, same signature) gets 2xx again", Doc: docRetry},
	{ID: "IDEM-02", Level: Should, Title: "An event delivered 3 times is processed once (video_url fetched once)", Doc: docRetry, Probe: true},
	{ID: "RETRY-01", Level: Should, Title: "When video_url answers 503 twice, the receiver fetches again until it succeeds", Doc: docRetry, Probe: true},
	{ID: "ROB-01", Level: Should, Title: "A correctly signed event of an unknown type gets 2xx (acknowledge and ignore)", Doc: docEvents},
	{ID: "ROB-02", Level: Should, Title: "A correctly signed body that is not JSON gets 4xx, not 5xx", Doc: docPayload, Rejection: true},
	{ID: "ROB-03", Level: Must, Title: "After every bad-input check, a valid event still gets 2xx", Doc: docQuick, Exclusive: true},
	{ID: "ROB-04", Level: Should, Title: "A 20 MiB body gets an answer or a closed connection within 5 s, and the receiver stays up", Doc: docQuick, Exclusive: true},
	{ID: "ROB-05", Level: Should, Title: "Content-Type: application/json; charset=utf-8 gets 2xx", Doc: docPayload},
	{ID: "ROB-06", Level: Should, Title: "Unknown extra fields in data and at the top level get 2xx", Doc: docPayload},
	{ID: "TLS-01", Level: Should, Title: "The endpoint is HTTPS (plain HTTP warns, and fails in the production profile)", Doc: docHTTPS},
	{ID: "TLS-02", Level: MustWhenTLS, Title: "TLS 1.2 or later is negotiated and the certificate verifies", Doc: docHTTPS},
}

// Lookup returns the catalogue entry with that ID.
func Lookup(id string) (Check, bool) {
	i := slices.IndexFunc(Catalog, func(c Check) bool { return c.ID == id })
	if i < 0 {
		return Check{}, false
	}
	return Catalog[i], true
}

// ParseIDs turns a comma-separated list of check IDs (case-insensitive) into
// catalogue IDs, rejecting unknown ones with an error that names them.
func ParseIDs(list string) ([]string, error) {
	var ids, unknown []string
	for _, f := range strings.Split(list, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if _, ok := Lookup(f); !ok {
			unknown = append(unknown, f)
			continue
		}
		ids = append(ids, f)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown check ID %s (known: %s)", strings.Join(unknown, ", "), strings.Join(IDs(), ", "))
	}
	return ids, nil
}

// IDs returns every catalogue ID in order.
func IDs() []string {
	ids := make([]string, len(Catalog))
	for i, c := range Catalog {
		ids[i] = c.ID
	}
	return ids
}
