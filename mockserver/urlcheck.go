package mockserver

import (
	"net/http"
	"net/url"

	"github.com/prismhook/prismhook/internal/endpoint"
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

// targetURL parses a URL deliveries are sent to (see endpoint.ParseHTTP:
// an absolute http or https URL, valid UTF-8, a port from 1 to 65535). It
// returns why raw is not acceptable, or "".
func targetURL(raw string) (*url.URL, string) {
	u, err := endpoint.ParseHTTP(raw)
	if err != nil {
		return nil, err.Error()
	}
	return u, ""
}
