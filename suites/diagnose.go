package suites

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
)

// Diagnoses: the likely cause behind a pattern of answers, said once in the
// summary and in the reason of the check that shows it first. Each is a
// sentence a person can act on.
const (
	diagWrongSecret = "the secret the receiver verifies with is most likely not the one given to --secret: " +
		"sign a body with `prismhook sign --secret SECRET body.json` and compare with the signature the receiver computes for the same bytes " +
		"(if they match, the receiver verifies something other than the raw body, such as re-serialized JSON)"
	diagReserialized = "verification over re-serialized JSON, not the raw body: the signature covers the exact bytes received; " +
		"verify before parsing, over the request body as read"
	diagWrongPath = "wrong path or method: check the URL's path, and that the endpoint accepts POST"
	diagCrash     = "the handler crashed on this input (see the receiver's log)"
	diagBacklog   = "connections waited %.1f s to be accepted: raise the listen backlog or the worker count"
)

// backlogWaitMS is the connection wait that means the receiver's listen
// queue was full: a dropped SYN is sent again only after a second, and a
// dial or TLS handshake to a healthy receiver takes far less.
const backlogWaitMS = 750

// noncanonical lists the faults that send a correctly signed event in
// another JSON form: same content, other bytes.
var noncanonical = []wire.Fault{
	wire.FaultWhitespace, wire.FaultKeyOrder, wire.FaultUnicodeEscapes, wire.FaultTrailingNewline,
}

// signatureFaults lists the faults that break the signature.
var signatureFaults = []wire.Fault{
	wire.FaultMissingSignature, wire.FaultWrongSecret, wire.FaultBodyChanged,
	wire.FaultEmptySignature, wire.FaultNonHexSignature, wire.FaultTruncatedSignature,
	wire.FaultLongSignature,
}

// refusalHint explains a correctly signed delivery that was not
// acknowledged, from its own answer: 401/403, 404/405, or a broken
// connection.
func refusalHint(evs []report.Evidence) string {
	for _, ev := range evs {
		if !plainValid(ev) || acked(ev) {
			continue
		}
		switch {
		case ev.Status == http.StatusUnauthorized || ev.Status == http.StatusForbidden:
			return diagWrongSecret
		case ev.Status == http.StatusNotFound || ev.Status == http.StatusMethodNotAllowed:
			return diagWrongPath
		case crashed(ev):
			return diagCrash
		}
	}
	return ""
}

// reserializedHint explains non-canonical JSON refused while plain events
// were acknowledged.
func reserializedHint(before []labelled, evs []report.Evidence) string {
	if !slices.ContainsFunc(before, func(l labelled) bool { return acked(l.ev) }) {
		return ""
	}
	for _, ev := range evs {
		if slices.Contains(noncanonical, wire.Fault(ev.Fault)) && refused(ev) {
			return diagReserialized
		}
	}
	return ""
}

// crashed reports whether the receiver closed the connection instead of
// answering: a reset or an EOF where the answer should have been.
func crashed(ev report.Evidence) bool {
	if ev.Status != 0 || ev.Error == "" {
		return false
	}
	return strings.Contains(ev.Error, "connection reset") || strings.Contains(ev.Error, "EOF")
}

// crashedOnInput is crashed, except for ROB-04's 20 MiB body, which a
// receiver may rightly cut off by closing the connection.
func crashedOnInput(ev report.Evidence) bool {
	return crashed(ev) && wire.Fault(ev.Fault) != wire.FaultOversized
}

// diagnose looks at every delivery of the run for the patterns behind the
// commonest receiver bugs.
func diagnose(results []result) []string {
	var all, valid, badSig, reformed, crashes []report.Evidence
	maxConnect := 0.0
	for _, r := range results {
		if !r.ran {
			continue
		}
		for _, ev := range r.Evidence {
			if ev.Kind != report.KindDelivery {
				continue
			}
			all = append(all, ev)
			maxConnect = max(maxConnect, ev.ConnectMS)
			f := wire.Fault(ev.Fault)
			switch {
			case plainValid(ev):
				valid = append(valid, ev)
			case slices.Contains(signatureFaults, f):
				badSig = append(badSig, ev)
			case slices.Contains(noncanonical, f):
				reformed = append(reformed, ev)
			}
			if crashedOnInput(ev) {
				crashes = append(crashes, ev)
			}
		}
	}
	var out []string
	switch {
	case len(all) > 0 && every(all, func(ev report.Evidence) bool {
		return ev.Status == 0 || ev.Status == http.StatusNotFound || ev.Status == http.StatusMethodNotAllowed
	}) && slices.ContainsFunc(all, func(ev report.Evidence) bool { return ev.Status != 0 }):
		out = append(out, fmt.Sprintf("every delivery that was answered got %s: %s", statusList(answeredOnly(all)), diagWrongPath))
	case len(valid) > 0 && every(valid, func(ev report.Evidence) bool {
		return ev.Status == http.StatusUnauthorized || ev.Status == http.StatusForbidden
	}) && !slices.ContainsFunc(badSig, acked):
		out = append(out, fmt.Sprintf("every correctly signed delivery was refused (%s): %s", statusList(valid), diagWrongSecret))
	case slices.ContainsFunc(valid, acked) && slices.ContainsFunc(reformed, refused):
		out = append(out, "correctly signed events in another JSON form (pretty-printed, reordered, escaped) were refused while compact ones were acknowledged: "+diagReserialized)
	}
	if len(crashes) > 0 {
		labels := make([]string, 0, len(crashes))
		for _, ev := range crashes {
			if l := `"` + ev.Label + `"`; !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
		out = append(out, fmt.Sprintf("the connection broke without an answer for %s: %s", firstFew(labels), diagCrash))
	}
	if maxConnect >= backlogWaitMS {
		out = append(out, fmt.Sprintf(diagBacklog, maxConnect/1000))
	}
	return out
}

// every reports whether ok holds for every element of evs.
func every(evs []report.Evidence, ok func(report.Evidence) bool) bool {
	for _, ev := range evs {
		if !ok(ev) {
			return false
		}
	}
	return true
}

// statusList names the distinct statuses of evs: "404", "401 or 403".
func statusList(evs []report.Evidence) string {
	var ss []string
	for _, ev := range evs {
		s := fmt.Sprint(ev.Status)
		if !slices.Contains(ss, s) {
			ss = append(ss, s)
		}
	}
	return strings.Join(ss, " or ")
}

// answeredOnly keeps the deliveries that got an HTTP answer.
func answeredOnly(evs []report.Evidence) []report.Evidence {
	var out []report.Evidence
	for _, ev := range evs {
		if ev.Status != 0 {
			out = append(out, ev)
		}
	}
	return out
}
