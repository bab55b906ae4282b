package delivery

import (
	"net/url"
	"strings"
)

// RedactURL returns raw with the password of its user information hidden,
// as "user:***@", so that a URL can be shown in logs, reports, the control
// API and the inspector. A URL without a password is returned unchanged; an
// unparsable one keeps only what precedes a possible "@".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + "***@" + raw[i+1:]
			}
			return "***@" + raw[i+1:]
		}
		return raw
	}
	if u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	// Rebuilt by hand: url.URL.String would escape the asterisks.
	s := u.String()
	at := strings.Index(s, "@")
	scheme := strings.Index(s, "://")
	if at < 0 || scheme < 0 || scheme > at {
		return raw
	}
	return s[:scheme+3] + u.User.Username() + ":***" + s[at:]
}
