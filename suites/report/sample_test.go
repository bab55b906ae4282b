package report

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// The catalogue as the reports see it. It is repeated here, rather than
// imported from package suites, so that these tests depend on nothing but
// the report type.
var sampleCatalog = []struct{ id, level, title string }{
	{"SIG-01", "MUST", "A correctly signed video.completed event (the documentation's example payload) gets 2xx"},
	{"SIG-02", "MUST", "A correctly signed video.failed event gets 2xx"},
	{"SIG-03", "MUST", "A delivery without X-Prism-Signature gets 4xx"},
	{"SIG-04", "MUST", "A signature made with a wrong secret gets 4xx"},
	{"SIG-05", "MUST", "A body changed after signing gets 4xx"},
	{"SIG-06", "MUST", "Malformed signatures (empty, non-hex, truncated, over-long) get 4xx, never 2xx or 5xx"},
	{"SIG-07", "MUST", "Valid JSON in non-canonical form, correctly signed, gets 2xx (verification over raw bytes)"},
	{"SIG-08", "SHOULD", "The signature header in lowercase on the wire gets 2xx"},
	{"TIME-01", "MUST", "Every valid event of a sequential run is acknowledged with 2xx within 5 s"},
	{"TIME-02", "SHOULD", "p95 acknowledgement latency of the sequential run is at most 1 s"},
	{"TIME-03", "MUST", "A burst of concurrent valid deliveries all get 2xx within 5 s each"},
	{"ASYNC-01", "SHOULD", "With artifact storage slowed, acknowledgement does not wait for processing"},
	{"IDEM-01", "MUST", "A redelivery of an acknowledged event (same bytes, same signature) gets 2xx again"},
	{"IDEM-02", "SHOULD", "An event delivered 3 times is processed once (video_url fetched once)"},
	{"RETRY-01", "SHOULD", "When video_url answers 503 twice, the receiver fetches again until it succeeds"},
	{"ROB-01", "SHOULD", "A correctly signed event of an unknown type gets 2xx (acknowledge and ignore)"},
	{"ROB-02", "SHOULD", "A correctly signed body that is not JSON gets 4xx, not 5xx"},
	{"ROB-03", "MUST", "After every bad-input check, a valid event still gets 2xx"},
	{"ROB-04", "SHOULD", "A 20 MiB body gets an answer or a closed connection within 5 s, and the receiver stays up"},
	{"ROB-05", "SHOULD", "Content-Type: application/json; charset=utf-8 gets 2xx"},
	{"ROB-06", "SHOULD", "Unknown extra fields in data and at the top level get 2xx"},
	{"TLS-01", "SHOULD", "The endpoint is HTTPS (plain HTTP warns, and fails in the production profile)"},
	{"TLS-02", "MUST when HTTPS", "TLS 1.2 or later is negotiated and the certificate verifies"},
}

var sampleStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

const sampleTarget = "http://127.0.0.1:8080/webhooks/prism"

// sampleBuilder makes deterministic, realistic evidence.
type sampleBuilder struct {
	rng *rand.Rand
	at  time.Duration // since sampleStart
	seq int
}

func newSampleBuilder() *sampleBuilder {
	return &sampleBuilder{rng: rand.New(rand.NewPCG(1, 2))}
}

// delivery is one exchange with the receiver.
func (b *sampleBuilder) delivery(label, fault string, status int, latency float64, response string) Evidence {
	b.seq++
	b.at += 7 * time.Millisecond // sent close together, as a concurrent run does
	gen := fmt.Sprintf("gen_%08x", b.rng.Uint32())
	body := fmt.Sprintf(`{"event":"video.completed","timestamp":"2026-03-14T09:26:53Z","data":{"id":%q,"status":"completed","prompt":"A sunset over mountains","provider":"veo","duration":5,"video_url":"http://127.0.0.1:4011/videos/%s.mp4"}}`, gen, gen)
	id := fmt.Sprintf("dlv_%04d%06x", b.seq, b.rng.Uint32()&0xffffff)
	return Evidence{
		Kind: KindDelivery, Label: label, At: sampleStart.Add(b.at),
		DeliveryID: id, Fault: fault, Method: "POST", URL: sampleTarget,
		RequestHeader: map[string]string{
			"Content-Type":      "application/json",
			"User-Agent":        "Prism-Webhooks/1.0",
			"X-Prism-Event":     "video.completed",
			"X-Prism-Delivery":  id,
			"X-Prism-Signature": fmt.Sprintf("%016x%016x%016x%016x", b.rng.Uint64(), b.rng.Uint64(), b.rng.Uint64(), b.rng.Uint64()),
		},
		BodyBytes: len(body), BodyExcerpt: body,
		Status: status, LatencyMS: latency, Response: response,
	}
}

func (b *sampleBuilder) fetch(label, path string, served int) Evidence {
	b.at += 40 * time.Millisecond
	return Evidence{Kind: KindArtifactFetch, Label: label, At: sampleStart.Add(b.at), Method: "GET", Path: path, ServedStatus: served}
}

// latency draws an acknowledgement latency around ms.
func (b *sampleBuilder) latency(ms float64) float64 {
	return float64(int((ms*(0.5+b.rng.Float64()))*10)) / 10
}

// sampleReport is a run of the recommended profile against a plain-HTTP
// receiver that accepts any well-formed signature (SIG-04 and SIG-05 fail),
// never fetches artifacts (the probes skip), and where the harness could not
// reach its own artifact server for one check (an error).
func sampleReport() *Report {
	b := newSampleBuilder()
	ok := `{"received":true}`
	r := &Report{
		Schema: Schema, Tool: "prismhook", Version: "v0.4.0", Target: sampleTarget,
		Profile: ProfileRecommended, StartedAt: sampleStart, DurationMS: 4213,
		Summary:  Summary{Conformant: Verdicts(map[string]bool{ProfileCore: false, ProfileRecommended: false, ProfileProduction: false})},
		Settings: &Settings{AckTimeoutMS: 5000, P95TargetMS: 1000, LoadRate: 100, LoadDurationMS: 5000},
		Notes:    []string{"Processing was never observed: the receiver never fetched video_url, so 2 probe check(s) skipped; if its processing does download video_url, run with --expect-fetch to make this a failure."},
	}
	for _, e := range sampleCatalog {
		c := CheckResult{ID: e.id, Level: e.level, Title: e.title, Doc: "Always verify the webhook signature", Outcome: Pass, DurationMS: int64(20 + b.rng.IntN(200))}
		switch e.id {
		case "SIG-04":
			c.Outcome, c.Reason = Fail, "a delivery signed with a wrong secret got 200 OK, want 4xx"
			c.Fix = &Fix{
				Why:       "A signature proves the sender knows your webhook secret. If any well-formed value passes, the check proves nothing.",
				How:       "Compute HMAC-SHA256(secret, raw body) as lowercase hex and compare it with the header in constant time; refuse with 401 when they differ.",
				Reference: "webhook/middleware.go (Middleware) and webhook/signature.go (Verify)",
			}
			c.Evidence = []Evidence{b.delivery("wrong secret", "wrong-secret", 200, b.latency(4), ok)}
		case "SIG-05":
			c.Outcome, c.Reason = Fail, "a body changed after signing got 200 OK, want 4xx"
			c.Evidence = []Evidence{b.delivery("body changed after signing", "body-changed", 200, b.latency(4), ok)}
		case "SIG-06":
			for _, f := range []string{"empty-signature", "non-hex-signature", "truncated-signature", "long-signature"} {
				c.Evidence = append(c.Evidence, b.delivery(f, f, 401, b.latency(3), `{"error":"invalid signature"}`))
			}
		case "SIG-07":
			for _, f := range []string{"whitespace", "key-order", "unicode-escapes", "trailing-newline"} {
				c.Evidence = append(c.Evidence, b.delivery(f, f, 200, b.latency(4), ok))
			}
		case "TIME-01", "TIME-02":
			c.Doc = "Respond with a 200 status code quickly (within 5 seconds)"
			for i := range 10 {
				c.Evidence = append(c.Evidence, b.delivery(fmt.Sprintf("sequential %d/10", i+1), "", 200, b.latency(8), ok))
			}
		case "TIME-03":
			c.Doc = "Respond with a 200 status code quickly (within 5 seconds)"
			c.DurationMS = 1180
			for i := range 50 {
				c.Evidence = append(c.Evidence, b.delivery(fmt.Sprintf("burst %d/50", i+1), "burst", 200, b.latency(60+float64(i)*12), ok))
			}
		case "ASYNC-01", "IDEM-02":
			c.Outcome, c.Reason = Skip, "the receiver never fetched video_url within 10s (PRISMHOOK_PROBE_WAIT=10s): processing is not observable"
			c.Evidence = []Evidence{b.delivery("probe event", "", 200, b.latency(5), ok)}
		case "RETRY-01":
			c.Outcome, c.Reason = Error, "harness: artifact server not reachable at http://127.0.0.1:4011: dial tcp 127.0.0.1:4011: connect: connection refused"
			c.Evidence = []Evidence{}
		case "ROB-02":
			c.Evidence = []Evidence{b.delivery("malformed JSON", "malformed-json", 400, b.latency(2), `{"error":"invalid JSON"}`)}
		case "TLS-01":
			c.Doc = "Use HTTPS endpoints in production"
			c.Outcome, c.Reason = Warn, "the endpoint uses plain HTTP"
			c.Fix = &Fix{Why: "Over plain HTTP anyone on the path can read your events.", How: "Serve the endpoint over HTTPS and register the https:// URL.", Reference: "internal/receiver/tls.go (ServerConfig)"}
			c.Evidence = []Evidence{}
		case "TLS-02":
			c.Doc = "Use HTTPS endpoints in production"
			c.Outcome, c.Reason = Skip, "not applicable: the endpoint uses plain HTTP"
			c.Evidence = []Evidence{}
		default:
			c.Evidence = []Evidence{b.delivery("valid event", "", 200, b.latency(5), ok)}
		}
		if e.id == "IDEM-02" {
			c.Evidence = append(c.Evidence, b.fetch("thumbnail", "/thumbnails/gen_0001.jpg", 200))
		}
		r.Checks = append(r.Checks, c)
	}
	r.Count()
	return r
}

// bigReport is the benchmark's report: every check with perExchange
// deliveries carrying headers, bodies and responses.
func bigReport(perCheck int) *Report {
	b := newSampleBuilder()
	r := sampleReport()
	for i := range r.Checks {
		c := &r.Checks[i]
		c.Evidence = c.Evidence[:0]
		for j := range perCheck {
			if j%10 == 9 {
				c.Evidence = append(c.Evidence, b.fetch("video", "/videos/gen_0001.mp4", 503))
				continue
			}
			c.Evidence = append(c.Evidence, b.delivery(fmt.Sprintf("delivery %d", j+1), "", 200, b.latency(20), `{"received":true,"note":"`+fmt.Sprint(j)+`"}`))
		}
	}
	return r
}
