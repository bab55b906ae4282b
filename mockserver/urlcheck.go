package mockserver

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseTargetURL parses a webhook or emit URL given in a request body
// field (see targetURL), answering 400 for one that is not acceptable.
func parseTargetURL(field, raw string) (*url.URL, error) {
	u, why := targetURL(raw)
	if why != "" {
		return nil, errorf(http.StatusBadRequest, "request body %q: %s", field, why)
	}
	return u, nil
}

// targetURL parses a URL deliveries are sent to: an absolute http or https
// URL, valid UTF-8 (JSON decoding turns invalid bytes into U+FFFD, which
// is refused rather than stored), and a port, when given, from 1 to
// 65535. It returns why raw is not acceptable, or "".
func targetURL(raw string) (*url.URL, string) {
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, utf8.RuneError) {
		return nil, "must be valid UTF-8"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "must be an absolute http or https URL"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, "port " + strconv.Quote(p) + " is not from 1 to 65535"
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, "empty port"
	}
	return u, ""
}
