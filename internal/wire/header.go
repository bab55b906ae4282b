package wire

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Bounds of the answer's headers an Exchange keeps (ResponseHeader), which
// the delivery log's attempts keep in turn.
const (
	maxResponseHeaderNames  = 24
	maxResponseHeaderValues = 32
	maxHeaderValueBytes     = 256
	maxKeptHeaderBytes      = 2 << 10
)

// urlHeaders carry URLs, whose passwords are hidden (see RedactURL).
var urlHeaders = map[string]bool{"Location": true, "Content-Location": true}

// boundedHeader copies at most maxResponseHeaderNames names of h (in
// sorted order) and maxResponseHeaderValues values, each cut to
// maxHeaderValueBytes, and stops once maxKeptHeaderBytes are kept, so that
// an Exchange kept as evidence stays small whatever the receiver sends. A
// password in a Location is hidden.
func boundedHeader(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	if len(h) <= maxResponseHeaderNames {
		// The usual answer fits as it is: one copy, no sorting.
		total, values, fits := 0, 0, true
		for k, vs := range h {
			values += len(vs)
			for _, v := range vs {
				total += len(k) + len(v)
				fits = fits && len(v) <= maxHeaderValueBytes && !(urlHeaders[k] && strings.Contains(v, "@"))
			}
		}
		if fits && values <= maxResponseHeaderValues && total <= maxKeptHeaderBytes {
			return h.Clone()
		}
	}
	out := make(http.Header, min(len(h), maxResponseHeaderNames))
	total, values := 0, 0
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if len(out) == maxResponseHeaderNames {
			break
		}
		key := excerpt([]byte(k), maxHeaderValueBytes)
		for _, v := range h[k] {
			if urlHeaders[k] {
				v = RedactURL(v)
			}
			v = excerpt([]byte(v), maxHeaderValueBytes)
			total += len(key) + len(v)
			if total > maxKeptHeaderBytes || values == maxResponseHeaderValues {
				return out
			}
			out[key] = append(out[key], v)
			values++
		}
	}
	return out
}
