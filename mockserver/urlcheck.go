package mockserver

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseTargetURL parses a webhook or emit URL given in a request body
// field: an absolute http or https URL, valid UTF-8 (JSON decoding turns
// invalid bytes into U+FFFD, which is refused rather than stored), and a
// port, when given, from 1 to 65535.
func parseTargetURL(field, raw string) (*url.URL, error) {
	bad := func(why string) error {
		return errorf(http.StatusBadRequest, "request body %q: %s", field, why)
	}
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, utf8.RuneError) {
		return nil, bad("must be valid UTF-8")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("must be an absolute http or https URL")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("port " + strconv.Quote(p) + " is not from 1 to 65535")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, bad("empty port")
	}
	return u, nil
}
