package mockserver

import "time"

// timestamp is the API's and the events' time format: RFC 3339, UTC, whole
// seconds, like the documentation's examples.
func timestamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
