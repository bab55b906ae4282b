package report

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Evidence kinds (Evidence.Kind).
const (
	KindDelivery      = "delivery"       // a delivery the harness sent and its answer
	KindArtifactFetch = "artifact-fetch" // a fetch of an artifact by the receiver
	KindTLSHandshake  = "tls-handshake"  // the harness's TLS handshake with the receiver
)

// textDetail says how much of each exchange evidenceText writes.
type textDetail int

const (
	// brief: headline, delivery id, error and a shortened response excerpt;
	// for places with a size budget (GitHub step summaries).
	brief textDetail = iota
	// full: also request headers and the request body excerpt.
	full
)

// briefExcerpt is how many characters of a response a brief account keeps.
const briefExcerpt = 300

// evidenceText writes a plain-text account of evidence, for JUnit and
// Markdown: one headline per exchange, details indented under it. All of
// it is cleaned; the caller still escapes for its own format.
func evidenceText(b *strings.Builder, ev []Evidence, start time.Time, detail textDetail) {
	for i, e := range ev {
		fmt.Fprintf(b, "#%d %s\n", i+1, headline(e, start))
		if e.DeliveryID != "" {
			b.WriteString("    delivery id: " + line(e.DeliveryID) + "\n")
		}
		if detail == full {
			if len(e.RequestHeader) > 0 {
				b.WriteString("    request headers:\n")
				for _, k := range sortedKeys(e.RequestHeader) {
					b.WriteString("      " + line(k) + ": " + line(e.RequestHeader[k]) + "\n")
				}
			}
			if e.BodyExcerpt != "" || e.BodyBytes > 0 {
				fmt.Fprintf(b, "    body (%d bytes):\n", e.BodyBytes)
				indented(b, e.BodyExcerpt)
			}
		}
		if e.Error != "" {
			b.WriteString("    error: " + line(e.Error) + "\n")
		}
		if e.Response != "" {
			b.WriteString("    response:\n")
			resp := e.Response
			if detail == brief {
				resp = truncate(resp, briefExcerpt)
			}
			indented(b, resp)
		}
	}
}

// headline is the one-line summary of an exchange: what, for what, and
// what came back when.
func headline(e Evidence, start time.Time) string {
	var b strings.Builder
	b.WriteString(line(e.Kind))
	if e.Label != "" {
		b.WriteString(` "` + line(e.Label) + `"`)
	}
	if e.Fault != "" {
		b.WriteString(" [fault " + line(e.Fault) + "]")
	}
	if e.Method != "" {
		b.WriteString(" " + line(e.Method))
	}
	switch {
	case e.URL != "":
		b.WriteString(" " + line(e.URL))
	case e.Path != "":
		b.WriteString(" " + line(e.Path))
	}
	switch {
	case e.Kind == KindArtifactFetch || e.ServedStatus != 0:
		b.WriteString(" → served " + statusText(e.ServedStatus))
	case e.Status != 0:
		b.WriteString(" → " + statusText(e.Status))
		if e.Location != "" {
			b.WriteString(" (Location: " + line(e.Location) + ", not followed)")
		}
	case e.Error != "":
		b.WriteString(" → failed")
	case e.Kind == KindDelivery:
		b.WriteString(" → no status")
	}
	if e.LatencyMS > 0 {
		b.WriteString(" in " + formatLatency(e.LatencyMS) + connectNote(e))
	}
	if off := offset(e.At, start); off != "" {
		b.WriteString(" at " + off)
	}
	return b.String()
}

// connectNote says how long the attempt waited for its connection when
// that is worth a look (a millisecond or more): the latency counts from
// the connection, the ack timeout from the start of the attempt.
func connectNote(e Evidence) string {
	if e.ConnectMS < 1 {
		return ""
	}
	return " (after " + formatLatency(e.ConnectMS) + " waiting for the connection)"
}

// statusText renders a status code with its reason phrase when it has one.
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// offset is the time of an observation relative to the start of the run,
// which says more than a wall-clock time when reading one report.
func offset(at, start time.Time) string {
	if at.IsZero() || start.IsZero() {
		return ""
	}
	return fmt.Sprintf("+%.3fs", at.Sub(start).Seconds())
}

// indented writes a multi-line excerpt, cleaned, six spaces in.
func indented(b *strings.Builder, s string) {
	s = strings.TrimRight(clean(s, true), "\n")
	for l := range strings.SplitSeq(s, "\n") {
		b.WriteString("      " + l + "\n")
	}
}

// sortedKeys returns a header map's names in order, so that output is
// stable.
func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
