// Package suites is the conformance harness: the catalogue of checks, their
// implementations, the runner that executes them concurrently against a
// receiver under test, and the Ginkgo specs that expose them to `go test`.
package suites

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prismhook/prismhook/suites/report"
)

// Level says how strongly Prism's documentation asks for a behaviour.
type Level string

// Levels. MUST checks form the core profile; MUST and SHOULD form the
// recommended one; production adds the checks whose rule applies only
// there (Check.FailsOnlyIn).
const (
	Must        Level = "MUST"
	Should      Level = "SHOULD"
	MustWhenTLS Level = "MUST when HTTPS"
)

// Levels lists the levels in the order documents show them.
var Levels = []Level{Must, Should, MustWhenTLS}

// Phase says when a check runs.
type Phase int

// Phases of a run. Concurrent checks all run at once, first; then the Alone
// checks run one after another, in catalogue order, with the receiver to
// themselves; the AloneLast ones close the run (liveness after all bad
// input).
const (
	Concurrent Phase = iota
	Alone
	AloneLast
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

// Pointers to the reference code that does it right.
const (
	refVerify  = "webhook/signature.go (Verify) and examples/receivers/node/receiver.js (verifySignature) and examples/receivers/python/receiver.py (verify)"
	refAccept  = "examples/receivers/go/main.go (handle) and examples/receivers/node/receiver.js (app.post) and examples/receivers/python/receiver.py (webhook)"
	refProcess = "examples/receivers/go/main.go (work, process) and examples/receivers/node/receiver.js (processEvent) and examples/receivers/python/receiver.py (process)"
	refFetch   = "webhook/fetch.go (Fetcher.Get) and examples/receivers/node/receiver.js (download) and examples/receivers/python/receiver.py (download)"
	refDedupe  = "webhook/once.go (Once.First) and examples/receivers/node/receiver.js (seen) and examples/receivers/python/receiver.py (webhook)"
	refParse   = "webhook/event.go (Parse, Event.Known) and examples/receivers/node/receiver.js (app.post)"
	refServer  = "examples/receivers/go/main.go (main) and examples/receivers/python/receiver.py (app.run)"
	refTLS     = "internal/receiver/tls.go (ServerConfig)"
)

// Check is one entry of the catalogue: everything about a check in one
// value. Run order, the README's tables, the report's level table and the
// parity tests are all drawn from Catalog.
type Check struct {
	ID    string
	Level Level
	Title string
	Doc   string // the documentation line it enforces
	// Probe checks observe the receiver's processing through the artifact
	// server: they skip (or fail, with Config.ExpectFetch) when the
	// receiver never fetches video_url.
	Probe bool
	// Phase: Alone and AloneLast checks need the receiver to themselves
	// (bursts, huge bodies, liveness after bad input).
	Phase Phase
	// HandshakeOnly checks judge the target and the preflight's TLS
	// handshake and send no delivery: they run even when the sender cannot
	// talk to the receiver.
	HandshakeOnly bool
	// Rejection checks send a delivery the receiver must refuse: they pass
	// when it is refused with 4xx. That proves something only if correctly
	// signed events are treated differently: when every correctly signed
	// event of the run is refused too, they are skipped as not meaningful.
	Rejection bool
	// FailsOnlyIn names the least demanding profile in which the rule
	// applies; below it a broken rule only warns. Empty: the level decides
	// (MUST in every profile, SHOULD from recommended on).
	FailsOnlyIn string
	// Fix says why the rule matters and how to meet it; reports show it
	// under every fail and warn.
	Fix report.Fix
	// Usually is the short "what this failure usually means" line.
	Usually string

	run checkFunc
}

// Catalog is the full list of checks, in report order. IDs are stable.
var Catalog = []Check{
	{
		ID: "SIG-01", Level: Must, Doc: docSigHeader, run: checkDocExample,
		Title:   "A correctly signed video.completed event (the documentation's example payload) gets 2xx",
		Usually: "the signature is computed over something other than the raw body, with the wrong secret, or the parser rejects a documented field",
		Fix: report.Fix{
			Why:       "This is the event Prism sends for every finished video. If it is not acknowledged with a 2xx, Prism retries it and finally gives up, and your application never learns that the video is ready.",
			How:       "Compute HMAC-SHA256 of the raw request body with the webhook secret (the whsec_… value returned when the webhook was created, used as it is), hex-encode it in lowercase and compare it with X-Prism-Signature in constant time. HMAC is a keyed hash every language ships: crypto.createHmac('sha256', secret) in Node, hmac.new(secret, body, hashlib.sha256) in Python, hash_hmac('sha256', $body, $secret) in PHP, hmac.New(sha256.New, secret) in Go. Then parse the JSON and answer 200 or 202, accepting every field of the documented payload.",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-02", Level: Must, Doc: docSigHeader, run: checkFailedEvent,
		Title:   "A correctly signed video.failed event gets 2xx",
		Usually: "the parser requires video_url or other fields that only video.completed carries",
		Fix: report.Fix{
			Why:       "Failed generations are reported with video.failed; refusing them makes Prism retry an event you can never accept, and your users are never told that their video failed.",
			How:       "Treat data.video_url and data.thumbnail_url as optional: a video.failed event carries data.error (code, message) instead. Validate per event type, and acknowledge with 2xx once the signature verifies.",
			Reference: refAccept,
		},
	},
	{
		ID: "SIG-03", Level: Must, Doc: docVerify, Rejection: true, run: checkMissingSignature,
		Title:   "A delivery without X-Prism-Signature gets 4xx",
		Usually: "verification is skipped when the header is absent",
		Fix: report.Fix{
			Why:       "The signature is the only proof that a request comes from Prism. A receiver that accepts a request without one lets anybody who knows the URL fake a finished video.",
			How:       "Refuse the request with 401 when X-Prism-Signature is missing or empty, before looking at the body. Never make verification conditional on the header being present.",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-04", Level: Must, Doc: docVerify, Rejection: true, run: checkWrongSecret,
		Title:   "A signature made with a wrong secret gets 4xx",
		Usually: "the signature's format is checked but it is never compared with the digest computed from the secret",
		Fix: report.Fix{
			Why:       "A signature (an HMAC: a keyed checksum only the holder of the secret can compute) proves the sender knows your webhook secret. If any well-formed value passes, the check proves nothing.",
			How:       "Compute the expected digest yourself, HMAC-SHA256(secret, raw body) as lowercase hex, and compare it with the header using a constant-time comparison (crypto.timingSafeEqual, hmac.compare_digest, hmac.Equal). Refuse with 401 when they differ.",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-05", Level: Must, Doc: docVerify, Rejection: true, run: checkBodyChanged,
		Title:   "A body changed after signing gets 4xx",
		Usually: "the digest is computed over something other than the body received, or not compared at all",
		Fix: report.Fix{
			Why:       "The signature covers the body so that nobody can alter an event on its way to you; accepting a changed body defeats that.",
			How:       "Compute the HMAC over exactly the bytes of the request body you received, and refuse with 401 when it does not match. Do not reuse a digest computed earlier or over another request.",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-06", Level: Must, Doc: docVerify, Rejection: true, run: checkMalformedSignatures,
		Title:   "Malformed signatures (empty, non-hex, truncated, over-long) get 4xx, never 2xx or 5xx",
		Usually: "the constant-time comparison throws on inputs of different length (as the documentation's JavaScript does), ending in a 500",
		Fix: report.Fix{
			Why:       "Anybody can send a garbage signature. Answering 5xx makes Prism-like senders retry and fills your error logs; answering 2xx accepts a forgery.",
			How:       "Before the constant-time comparison, check that the header is exactly 64 hexadecimal characters; if not, answer 401. In Node, crypto.timingSafeEqual throws when the buffers differ in length: check the lengths first or catch the error and answer 401.",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-07", Level: Must, Doc: docSigHeader, run: checkNonCanonicalJSON,
		Title:   "Valid JSON in non-canonical form, correctly signed, gets 2xx (verification over raw bytes)",
		Usually: "the signature is computed over JSON that was parsed and serialised again instead of the raw body",
		Fix: report.Fix{
			Why:       "Prism signs the exact bytes it sends. Parsing the JSON and serialising it again changes whitespace, key order and escapes, so the digest no longer matches and valid events are refused.",
			How:       "Read the raw body bytes before any JSON parsing and compute the HMAC over them; parse the JSON only after verification. In Express use express.raw({type: 'application/json'}) on the webhook route (not express.json()), in Flask request.get_data(), in Django request.body, in Rails request.raw_post, in PHP file_get_contents('php://input'), in Go io.ReadAll(r.Body).",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-08", Level: Should, Doc: docSigHeader, run: checkLowercaseHeader,
		Title:   "The signature header in lowercase on the wire gets 2xx",
		Usually: "the header is looked up with a case-sensitive match",
		Fix: report.Fix{
			Why:       "HTTP header names are case-insensitive, and proxies and HTTP/2 lowercase them. A receiver that only finds X-Prism-Signature spelled exactly so will refuse valid events behind such a proxy.",
			How:       "Read the header through your framework's header API (req.get('x-prism-signature'), request.headers.get(...), r.Header.Get(...)), which ignores case; never search raw header text with a case-sensitive match.",
			Reference: refVerify,
		},
	},
	{
		ID: "SIG-09", Level: Must, Doc: docSigHeader, run: checkNonASCII,
		Title:   "A correctly signed event with raw non-ASCII UTF-8 (emoji, CJK, right-to-left, combining marks) in prompt gets 2xx",
		Usually: "the body is decoded as text with the wrong charset (e.g. Latin-1) and re-encoded before the signature is computed",
		Fix: report.Fix{
			Why:       "Prompts are written by people in every language. If the body is turned into text with the wrong character set and back into bytes, those bytes differ from what Prism signed, and every event with an emoji or a non-Latin prompt is refused.",
			How:       "Compute the HMAC over the body as bytes, never over a string decoded from it. If your framework hands you a string, get the raw buffer instead (Express express.raw(), Flask request.get_data(), Django request.body); if you must decode, decode as UTF-8 and re-encode as UTF-8.",
			Reference: refVerify,
		},
	},
	{
		ID: "TIME-01", Level: Must, Doc: docQuick, run: checkSequentialAck,
		Title:   "Every valid event of a sequential run is acknowledged with 2xx within 5 s",
		Usually: "the receiver does its work (downloads, database writes, calls to other services) before answering",
		Fix: report.Fix{
			Why:       "Prism waits 5 seconds for an answer; after that it counts the delivery as failed and sends it again, even if you processed it.",
			How:       "Verify the signature, store or enqueue the event, answer 2xx at once, and do the slow work afterwards in a background worker or job queue.",
			Reference: refAccept,
		},
	},
	{
		ID: "TIME-02", Level: Should, Doc: docQuick, run: checkSequentialP95,
		Title:   "p95 acknowledgement latency of the sequential run is at most 1 s",
		Usually: "part of the processing still happens before the answer",
		Fix: report.Fix{
			Why:       "An answer that usually takes over a second is one slow dependency away from Prism's 5 s limit, and then from retries of events you already handled.",
			How:       "Keep the request path to verification, a duplicate check and an enqueue; move everything else to the background. Look for synchronous calls to storage or other services in the handler.",
			Reference: refAccept,
		},
	},
	{
		ID: "TIME-03", Level: Must, Doc: docQuick, Phase: Alone, run: checkBurst,
		Title:   "A burst of concurrent valid deliveries all get 2xx within 5 s each",
		Usually: "requests are handled one at a time, or each holds a shared lock or a small connection pool while it works",
		Fix: report.Fix{
			Why:       "Prism sends events as generations finish, often many at once. If requests queue up behind each other, the last ones miss the 5 s limit and are retried, which makes the next burst bigger.",
			How:       "Serve requests concurrently (several workers or an async server), keep locks out of the request path, and hand work to a queue instead of doing it while holding a shared resource.",
			Reference: refAccept,
		},
	},
	{
		ID: "TIME-04", Level: Should, Doc: docQuick, run: checkSustainedLoad,
		Title:   "Sustained load: valid events at a steady rate (default 100 per second for 5 s) are each acknowledged with 2xx within the ack timeout",
		Usually: "the receiver keeps up with a short burst but its throughput is below the arrival rate, so a backlog builds up until answers time out",
		Fix: report.Fix{
			Why:       "A receiver that handles a burst can still fall behind when events keep coming: every event waits for the ones before it, latency grows second by second, and once it passes 5 s Prism retries, adding load.",
			How:       "Measure the time your handler spends per request and make the request path cheap: no per-event synchronous database transaction or network call, no global lock, enough workers or an async server. Enqueue and answer; process from the queue at your own pace.",
			Reference: refAccept,
		},
	},
	{
		ID: "ASYNC-01", Level: Should, Doc: docAsync, Probe: true, run: checkAsyncProcessing,
		Title:   "With artifact storage slowed, acknowledgement does not wait for processing",
		Usually: "video_url is downloaded inside the request handler",
		Fix: report.Fix{
			Why:       "Downloading the video can take longer than Prism waits. Processing inside the request turns every slow download into a failed delivery and a retry.",
			How:       "Answer 2xx as soon as the signature is verified and the event is recorded; download video_url from a background worker or job queue that is not tied to the request.",
			Reference: refProcess,
		},
	},
	{
		ID: "IDEM-01", Level: Must, Doc: docRetry, run: checkRedeliveryAck,
		Title:   "A redelivery of an acknowledged event (same bytes, same signature) gets 2xx again",
		Usually: "a duplicate is answered with an error such as 409 instead of a success",
		Fix: report.Fix{
			Why:       "Prism redelivers whenever it did not see your 2xx in time, even if you processed the event. Refusing the duplicate makes Prism retry it until it gives up and marks your endpoint as failing.",
			How:       "When an event you already have arrives again, answer 2xx (200 or 202) and do nothing else. A duplicate is not an error.",
			Reference: refDedupe,
		},
	},
	{
		ID: "IDEM-02", Level: Should, Doc: docRetry, Probe: true, run: checkProcessedOnce,
		Title:   "An event delivered 3 times is processed once (video_url fetched once)",
		Usually: "no deduplication: every delivery is processed",
		Fix: report.Fix{
			Why:       "Retries mean the same event can arrive several times. Without deduplication a user is charged, notified or sent a video more than once.",
			How:       "Deduplicate on the event, not the delivery: use the pair (event, data.id) as a key, record it when you accept the event, and skip processing when it is already there. Keep keys long enough to cover Prism's retry schedule.",
			Reference: refDedupe,
		},
	},
	{
		ID: "IDEM-03", Level: Should, Doc: docRetry, Probe: true, run: checkConcurrentDuplicates,
		Title:   "The same delivery sent 5 times at once is processed once (video_url fetched once)",
		Usually: "deduplication checks for the key and records it in two steps, so simultaneous duplicates all pass the check",
		Fix: report.Fix{
			Why:       "When Prism times out an attempt at 5 s it retries while the first attempt may still be running, so duplicates arrive at the same moment. A check-then-insert deduplication lets all of them through.",
			How:       "Make 'seen before?' and 'remember it' one atomic step: INSERT … ON CONFLICT DO NOTHING (or a unique index) and process only when the insert happened, Redis SET key NX, or a map guarded by one lock around both the lookup and the insert.",
			Reference: refDedupe,
		},
	},
	{
		ID: "RETRY-01", Level: Should, Doc: docRetry, Probe: true, run: checkFetchRetry,
		Title:   "When video_url answers 503 twice, the receiver fetches again until it succeeds",
		Usually: "processing gives up after the first failed download",
		Fix: report.Fix{
			Why:       "Storage and networks fail briefly all the time. Prism will not redeliver an event you acknowledged, so if your processing gives up after one error the video is lost.",
			How:       "Retry failed downloads (5xx, 429, timeouts, connection errors) with exponential backoff and a limit, and keep the job until it succeeds or the limit is reached; record what finally failed.",
			Reference: refFetch,
		},
	},
	{
		ID: "RETRY-02", Level: Should, Doc: docRetry, Probe: true, run: checkRetryBackoff,
		Title:   "While video_url answers 503 for 3 s, the receiver fetches it at most 10 times, with growing gaps",
		Usually: "failed downloads are retried in a tight loop without backoff",
		Fix: report.Fix{
			Why:       "Retrying an overloaded storage service every few milliseconds keeps it overloaded and multiplies traffic for every event in flight: a retry storm.",
			How:       "Wait between attempts and double the wait each time (for example 100 ms, 200 ms, 400 ms …), add random jitter, cap the number of attempts, and honour a Retry-After header when the server sends one.",
			Reference: refFetch,
		},
	},
	{
		ID: "ROB-01", Level: Should, Doc: docEvents, run: checkUnknownEvent,
		Title:   "A correctly signed event of an unknown type gets 2xx (acknowledge and ignore)",
		Usually: "unknown event types are treated as errors",
		Fix: report.Fix{
			Why:       "Prism can add event types at any time. Refusing them makes Prism retry events you will never accept and may disable your webhook.",
			How:       "After verifying the signature, answer 2xx to any event type you do not handle and ignore it (log it if you like).",
			Reference: refParse,
		},
	},
	{
		ID: "ROB-02", Level: Should, Doc: docPayload, Rejection: true, run: checkMalformedJSON,
		Title:   "A correctly signed body that is not JSON gets 4xx, not 5xx",
		Usually: "the JSON parse error escapes as an unhandled exception",
		Fix: report.Fix{
			Why:       "A 5xx says the receiver is broken and invites retries; a body that is not JSON is the sender's problem and should be refused as such.",
			How:       "Catch the JSON parse error and answer 400. Only answer 5xx for failures on your side.",
			Reference: refParse,
		},
	},
	{
		ID: "ROB-03", Level: Must, Doc: docQuick, Phase: AloneLast, run: checkStaysUp,
		Title:   "After every bad-input check, a valid event still gets 2xx",
		Usually: "bad input crashes the process or leaves it in a broken state",
		Fix: report.Fix{
			Why:       "A receiver that bad input can take down loses every real event that follows until someone restarts it.",
			How:       "Handle every error per request (catch exceptions, answer 4xx) so that one bad request never ends the process or poisons shared state; run under a supervisor that restarts it if it does die.",
			Reference: refAccept,
		},
	},
	{
		ID: "ROB-04", Level: Should, Doc: docQuick, Phase: Alone, run: checkOversized,
		Title:   "A 20 MiB body gets an answer or a closed connection within 5 s, and the receiver stays up",
		Usually: "there is no body limit, or an oversized body is read slowly instead of being refused",
		Fix: report.Fix{
			Why:       "Prism's events are small. An endpoint that reads any amount of data can be tied up, or run out of memory, by one large request.",
			How:       "Set a body size limit well above Prism's events (1 MiB is ample) and refuse larger bodies with 413 as soon as the limit is reached, without reading the rest.",
			Reference: refServer,
		},
	},
	{
		ID: "ROB-05", Level: Should, Doc: docPayload, run: checkCharset,
		Title:   "Content-Type: application/json; charset=utf-8 gets 2xx",
		Usually: "the Content-Type header is compared as an exact string",
		Fix: report.Fix{
			Why:       "A charset parameter does not change the media type; proxies and senders add it. An exact string comparison refuses valid events.",
			How:       "Parse the media type and ignore its parameters (or do not check Content-Type at all, since you verify the body anyway).",
			Reference: refVerify,
		},
	},
	{
		ID: "ROB-06", Level: Should, Doc: docPayload, run: checkExtraFields,
		Title:   "Unknown extra fields in data and at the top level get 2xx",
		Usually: "the JSON decoder rejects fields it does not know",
		Fix: report.Fix{
			Why:       "Prism adds fields to its payloads over time. A strict parser breaks the day it does.",
			How:       "Decode leniently: ignore fields you do not know (do not use strict modes such as additionalProperties: false or DisallowUnknownFields for incoming events).",
			Reference: refParse,
		},
	},
	{
		ID: "ROB-07", Level: Should, Doc: docPayload, run: checkLongPrompt,
		Title:   "A legitimate event with a 32 KiB multi-byte UTF-8 prompt gets 2xx",
		Usually: "the body size limit was set for the documentation's tiny example",
		Fix: report.Fix{
			Why:       "Prompts can be long and written in scripts that take several bytes per character. A body limit sized for the short example refuses real events.",
			How:       "Allow bodies of at least 256 KiB on the webhook route, 1 MiB being a good limit (express.raw({limit: '1mb'}), Flask MAX_CONTENT_LENGTH, nginx client_max_body_size, PHP post_max_size). Count bytes, not characters: one character of a prompt can take four bytes.",
			Reference: refServer,
		},
	},
	{
		ID: "TLS-01", Level: Should, Doc: docHTTPS, HandshakeOnly: true, FailsOnlyIn: report.ProfileProduction, run: checkHTTPS,
		Title:   "The endpoint is HTTPS (plain HTTP warns, and fails in the production profile)",
		Usually: "the endpoint is plain HTTP",
		Fix: report.Fix{
			Why:       "Over plain HTTP anyone on the path can read your events, including video URLs.",
			How:       "Serve the webhook endpoint over HTTPS (a reverse proxy or load balancer with a certificate from a public CA) and register the https:// URL with Prism.",
			Reference: refTLS,
		},
	},
	{
		ID: "TLS-02", Level: MustWhenTLS, Doc: docHTTPS, HandshakeOnly: true, run: checkTLSVersion,
		Title:   "TLS 1.2 or later is negotiated and the certificate verifies",
		Usually: "the certificate is self-signed, expired or for another name, or only old TLS versions are enabled",
		Fix: report.Fix{
			Why:       "Prism refuses to deliver to an endpoint whose certificate does not verify or that only speaks outdated TLS.",
			How:       "Use a certificate from a public CA that covers the host name (with its full chain), and enable TLS 1.2 and 1.3. For a private CA in tests, give its certificate with --ca.",
			Reference: refTLS,
		},
	},
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

// RunOrder returns the IDs of the checks that run alone, in the order they
// run: the Alone checks in catalogue order, then the AloneLast ones.
func RunOrder() []string {
	var alone, last []string
	for _, c := range Catalog {
		switch c.Phase {
		case Alone:
			alone = append(alone, c.ID)
		case AloneLast:
			last = append(last, c.ID)
		}
	}
	return append(alone, last...)
}

// appliesIn reports whether a broken rule of c counts against profile p:
// MUST rules (TLS-02 among them) everywhere, SHOULD rules from recommended
// on, and a check with FailsOnlyIn from that profile on.
func (c Check) appliesIn(p string) bool {
	rank := func(name string) int { return slices.Index(report.Profiles, name) }
	if c.FailsOnlyIn != "" {
		return rank(p) >= rank(c.FailsOnlyIn)
	}
	if c.Level == Should {
		return rank(p) >= rank(report.ProfileRecommended)
	}
	return true
}
