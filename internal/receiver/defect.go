package receiver

import (
	"fmt"
	"slices"
	"strings"
)

// Defect names one deliberate flaw of the reference receiver. The zero value
// is the correct receiver; every other value is that receiver with exactly
// one thing wrong, so that a conformance check run against it must fail.
type Defect string

// Defects of the reference receiver. Each is one small, marked branch in the
// code; everything else behaves like the correct receiver.
const (
	// DefectNone is the correct receiver.
	DefectNone Defect = ""

	// DefectRejectCompleted answers 400 to video.completed: its strict parser
	// was written from the video.failed example and insists on data.error.
	DefectRejectCompleted Defect = "reject-completed"
	// DefectRejectFailed answers 400 to video.failed: it requires video_url.
	DefectRejectFailed Defect = "reject-failed"
	// DefectAcceptUnsigned skips verification when X-Prism-Signature is absent.
	DefectAcceptUnsigned Defect = "accept-unsigned"
	// DefectFormatOnlySignature checks that the signature is 64 hex
	// characters but never compares it with the digest.
	DefectFormatOnlySignature Defect = "format-only-signature"
	// DefectCrashOnMalformedSignature answers 500 when the signature has the
	// wrong length or is not hex, as the documentation's JavaScript does when
	// crypto.timingSafeEqual throws.
	DefectCrashOnMalformedSignature Defect = "crash-on-malformed-signature"
	// DefectVerifyReencoded verifies over json.Compact(body) instead of the
	// raw bytes.
	DefectVerifyReencoded Defect = "verify-reencoded"
	// DefectCaseSensitiveHeader is served by a minimal HTTP/1.1 server over a
	// raw socket that only finds the header spelled exactly X-Prism-Signature
	// (net/http would canonicalise any spelling).
	DefectCaseSensitiveHeader Defect = "case-sensitive-header"
	// DefectSlowAck holds every acknowledgement back for Options.SlowAck,
	// longer than Prism's 5 seconds.
	DefectSlowAck Defect = "slow-ack"
	// DefectSluggishAck holds every acknowledgement back for 1.2 seconds.
	DefectSluggishAck Defect = "sluggish-ack"
	// DefectSerialProcessing does 150 ms of work in the handler under one
	// global lock, so concurrent deliveries queue up behind each other.
	DefectSerialProcessing Defect = "serial-processing"
	// DefectSyncProcessing fetches video_url before answering.
	DefectSyncProcessing Defect = "sync-processing"
	// DefectRejectRedelivery answers 409 to an event it has already seen.
	DefectRejectRedelivery Defect = "reject-redelivery"
	// DefectNoDedup processes every delivery, redeliveries included.
	DefectNoDedup Defect = "no-dedup"
	// DefectNoFetchRetry fetches video_url once and gives up on failure.
	DefectNoFetchRetry Defect = "no-fetch-retry"
	// DefectRejectUnknownEvent answers 400 to event types it does not know.
	DefectRejectUnknownEvent Defect = "reject-unknown-event"
	// Defect500OnBadJSON answers 500 to a correctly signed body that is not
	// JSON.
	Defect500OnBadJSON Defect = "500-on-bad-json"
	// DefectDiesOnBadInput answers 503 to everything once it has seen a body
	// that is not JSON.
	DefectDiesOnBadInput Defect = "dies-on-bad-input"
	// DefectStallOnLargeBody sleeps 10 seconds before reading a body whose
	// Content-Length exceeds the limit.
	DefectStallOnLargeBody Defect = "stall-on-large-body"
	// DefectStrictContentType answers 415 unless Content-Type is exactly
	// application/json.
	DefectStrictContentType Defect = "strict-content-type"
	// DefectStrictFields rejects unknown JSON fields with 400.
	DefectStrictFields Defect = "strict-fields"
	// DefectVerifyLatin1 verifies over the body decoded as ISO-8859-1 and
	// re-encoded as UTF-8, as a framework that hands out text in the wrong
	// charset leads one to: any non-ASCII byte changes.
	DefectVerifyLatin1 Defect = "verify-latin1-decoded"
	// DefectSmallBodyLimit refuses bodies over 4 KiB with 413: a limit set
	// for the documentation's tiny example.
	DefectSmallBodyLimit Defect = "small-body-limit"
	// DefectRacyDedupe deduplicates in two steps, look up then (after a
	// 250 ms call to a dedupe store) record, so duplicates that arrive
	// within that window all pass.
	DefectRacyDedupe Defect = "racy-dedupe"
	// DefectRetryStorm retries a failed fetch every 10 ms, with no backoff
	// and no regard for Retry-After.
	DefectRetryStorm Defect = "retry-storm"
	// DefectLimitedThroughput does 25 ms of work in the handler under one
	// global lock: a burst of 50 is answered within 1.25 s, but a steady
	// 100 events per second outruns it.
	DefectLimitedThroughput Defect = "limited-throughput"
	// DefectPlainHTTP is the correct receiver served over plain HTTP even
	// when Options.TLS is set. It stands for TLS-01, which only fails it when
	// the harness runs with profile production.
	DefectPlainHTTP Defect = "plain-http"
	// DefectTLSUntrustedCert serves HTTPS with a certificate from a
	// throwaway CA that nobody is given.
	DefectTLSUntrustedCert Defect = "tls-untrusted-cert"
	// DefectTLSOldVersion serves HTTPS with a certificate from Options.CA but
	// negotiates at most TLS 1.1.
	DefectTLSOldVersion Defect = "tls-old-version"

	// The defects below are not tied to one check: they are the usual first
	// mistakes, which the harness must diagnose rather than merely fail.

	// DefectNotFound answers 404 to every request: the receiver mounted at
	// another path than the URL the harness was given.
	DefectNotFound Defect = "not-found"
	// DefectCrashOnBadInput aborts the connection without an answer when
	// the body is not JSON, as a handler that panics on a parse error does.
	DefectCrashOnBadInput Defect = "crash-on-bad-input"
	// DefectTinyBacklog serves with a listen backlog of 1, takes
	// tinyBacklogAccept to accept each connection and closes it after one
	// request, like a single-process Python http.server (whose default
	// backlog is 5): a burst of new connections waits in the kernel (SYNs
	// dropped, then sent again after 1 s, 3 s, …) before it is accepted.
	DefectTinyBacklog Defect = "tiny-backlog"
)

// allDefects lists every defect in catalogue order, for ParseDefect.
var allDefects = []Defect{
	DefectRejectCompleted, DefectRejectFailed, DefectAcceptUnsigned,
	DefectFormatOnlySignature, DefectCrashOnMalformedSignature,
	DefectVerifyReencoded, DefectCaseSensitiveHeader, DefectSlowAck,
	DefectSluggishAck, DefectSerialProcessing, DefectSyncProcessing,
	DefectRejectRedelivery, DefectNoDedup, DefectNoFetchRetry,
	DefectRejectUnknownEvent, Defect500OnBadJSON, DefectDiesOnBadInput,
	DefectStallOnLargeBody, DefectStrictContentType, DefectStrictFields,
	DefectPlainHTTP, DefectTLSUntrustedCert, DefectTLSOldVersion,
	DefectVerifyLatin1, DefectSmallBodyLimit, DefectRacyDedupe,
	DefectRetryStorm, DefectLimitedThroughput,
	DefectNotFound, DefectCrashOnBadInput, DefectTinyBacklog,
}

// Defects maps every check ID of the catalogue to the defect that check must
// catch. TLS-01 maps to DefectPlainHTTP, which fails only under profile
// production. DefectTLSOldVersion is a second defect for TLS-02.
var Defects = map[string]Defect{
	"SIG-01":   DefectRejectCompleted,
	"SIG-02":   DefectRejectFailed,
	"SIG-03":   DefectAcceptUnsigned,
	"SIG-04":   DefectFormatOnlySignature,
	"SIG-05":   DefectFormatOnlySignature,
	"SIG-06":   DefectCrashOnMalformedSignature,
	"SIG-07":   DefectVerifyReencoded,
	"SIG-08":   DefectCaseSensitiveHeader,
	"TIME-01":  DefectSlowAck,
	"TIME-02":  DefectSluggishAck,
	"TIME-03":  DefectSerialProcessing,
	"ASYNC-01": DefectSyncProcessing,
	"IDEM-01":  DefectRejectRedelivery,
	"IDEM-02":  DefectNoDedup,
	"RETRY-01": DefectNoFetchRetry,
	"ROB-01":   DefectRejectUnknownEvent,
	"ROB-02":   Defect500OnBadJSON,
	"ROB-03":   DefectDiesOnBadInput,
	"ROB-04":   DefectStallOnLargeBody,
	"ROB-05":   DefectStrictContentType,
	"ROB-06":   DefectStrictFields,
	"TLS-01":   DefectPlainHTTP,
	"TLS-02":   DefectTLSUntrustedCert,
	"SIG-09":   DefectVerifyLatin1,
	"ROB-07":   DefectSmallBodyLimit,
	"IDEM-03":  DefectRacyDedupe,
	"RETRY-02": DefectRetryStorm,
	"TIME-04":  DefectLimitedThroughput,
}

// ParseDefect returns the defect with that name; "" and "none" are the
// correct receiver.
func ParseDefect(name string) (Defect, error) {
	if name == "" || name == "none" {
		return DefectNone, nil
	}
	if d := Defect(name); slices.Contains(allDefects, d) {
		return d, nil
	}
	names := make([]string, len(allDefects))
	for i, d := range allDefects {
		names[i] = string(d)
	}
	return "", fmt.Errorf("unknown receiver defect %q (known: %s)", name, strings.Join(names, ", "))
}

// serverLevel reports whether the defect lives in the server rather than in
// the handler: such a receiver can only be had from Start.
func (d Defect) serverLevel() bool {
	switch d {
	case DefectCaseSensitiveHeader, DefectTLSUntrustedCert, DefectTLSOldVersion, DefectTinyBacklog:
		return true
	}
	return false
}

// bendsIntake reports whether the defect lives inside verification or
// parsing, where webhook.Middleware cannot be used as it is.
func (d Defect) bendsIntake() bool {
	switch d {
	case DefectAcceptUnsigned, DefectFormatOnlySignature,
		DefectCrashOnMalformedSignature, DefectVerifyReencoded, Defect500OnBadJSON,
		DefectVerifyLatin1:
		return true
	}
	return false
}
