package wire

import (
	"net/url"
	"strings"
)

// RedactURL returns raw with the password of its userinfo replaced by
// "***" ("https://user:***@host/path"), for everything that shows a URL to
// people: terminal, reports, logs, API answers, the inspector. A URL
// without a password is returned as it is. One that does not parse has
// everything between "://" and the last "@" of its authority but the user
// name hidden; without a "://", everything before its last "@".
func RedactURL(raw string) string {
	if !strings.Contains(raw, "@") {
		return raw
	}
	u, err := url.Parse(raw)
	if err == nil && u.User != nil {
		if _, has := u.User.Password(); !has {
			return raw
		}
		u.User = url.UserPassword(u.User.Username(), "***")
		// url.URL.String escapes "*" in a password; unescape it for people.
		return strings.Replace(u.String(), "%2A%2A%2A@", "***@", 1)
	}
	if err == nil {
		return raw
	}
	// Unparsable: hide a possible userinfo by hand.
	_, rest, found := strings.Cut(raw, "://")
	if !found {
		return "***@" + raw[strings.LastIndex(raw, "@")+1:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, _ := strings.Cut(authority[:at], ":")
	return raw[:len(raw)-len(rest)] + user + ":***" + rest[at:]
}
