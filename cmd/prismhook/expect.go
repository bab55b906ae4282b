package main

import (
	"strconv"
	"strings"

	"github.com/prismhook/prismhook/internal/wire"
)

// expectation is the answer `send --expect` counts as success: a class of
// statuses (2xx, 4xx, 5xx) or one status. No answer at all never matches.
type expectation struct {
	class  int // 2 for 2xx …, 0 when status is set
	status int
}

// parseExpect reads "2xx", "4xx", "5xx" (any case) or a status in 100–599.
func parseExpect(s string) (expectation, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if len(v) == 3 && strings.HasSuffix(v, "xx") && v[0] >= '1' && v[0] <= '5' {
		return expectation{class: int(v[0] - '0')}, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 100 && n <= 599 {
		return expectation{status: n}, nil
	}
	return expectation{}, usage("--expect %q: want 2xx, 4xx, 5xx or a status such as 401", s)
}

func (e expectation) matches(x wire.Exchange) bool {
	if x.Err != nil {
		return false
	}
	if e.status != 0 {
		return x.Status == e.status
	}
	return x.Status/100 == e.class
}
