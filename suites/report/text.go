package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// clean makes text safe to show whatever it contains. A receiver controls
// response bodies, and anything it sends may end up in front of a person:
// in a terminal, where escape sequences would act on the user's screen, in
// XML, where most control characters are illegal even when escaped, or in a
// page, where bidirectional overrides can make text read differently from
// what it is. So clean keeps printable characters and tabs, keeps newlines
// when multiline is true (a CRLF becomes a plain newline), and replaces
// every other control character (C0, DEL, C1), bidirectional formatting
// characters, U+FFFE/U+FFFF and invalid UTF-8 bytes with a visible Go-style
// escape such as \x1b or \u202e, and doubles a backslash that could be read
// as the start of such an escape. The result never contains ESC, and is
// valid UTF-8 made only of characters XML 1.0 allows.
func clean(s string, multiline bool) string {
	var b *strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		esc, keep := cleanRune(s, i, r, n, multiline)
		if keep && b == nil {
			i += n
			continue
		}
		if b == nil {
			b = new(strings.Builder)
			b.Grow(len(s) + 16)
			b.WriteString(s[:i])
		}
		if keep {
			b.WriteString(s[i : i+n])
		} else {
			b.WriteString(esc)
		}
		i += n
	}
	if b == nil {
		return s
	}
	return b.String()
}

// cleanRune decides what clean does with the rune r of width n at s[i]:
// keep it, or write esc instead (esc may be empty: the character is dropped).
func cleanRune(s string, i int, r rune, n int, multiline bool) (esc string, keep bool) {
	switch {
	case r == utf8.RuneError && n == 1:
		return fmt.Sprintf(`\x%02x`, s[i]), false
	case r == '\\' && i+1 < len(s) && strings.IndexByte(`\\xunr`, s[i+1]) >= 0:
		// A backslash that could start one of the escapes above is
		// doubled, so that text a receiver sent as `\x1b` never reads the
		// same as an escaped ESC.
		return `\\`, false
	case r == '\t':
		return "", true
	case r == '\n':
		if multiline {
			return "", true
		}
		return `\n`, false
	case r == '\r':
		if multiline && i+1 < len(s) && s[i+1] == '\n' {
			return "", false // the newline that follows stays
		}
		return `\r`, false
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r), false
	case (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfffe || r == 0xffff:
		return fmt.Sprintf(`\u%04x`, r), false
	}
	return "", true
}

// line is clean for single-line contexts: table cells, attributes,
// terminal lines.
func line(s string) string { return clean(s, false) }

// truncate shortens s to at most limit runes, marking the cut with "…".
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	n := 0
	for i := range s {
		if n == limit-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// formatMS renders a check or run duration for people: "840ms", "4.21s",
// "2m05s".
func formatMS(ms int64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%dms", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.2fs", float64(ms)/1000)
	default:
		s := ms / 1000
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
}

// formatLatency renders an exchange's latency: "0.42 ms", "12.3 ms",
// "1.204 s".
func formatLatency(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.3f s", ms/1000)
	}
}

// outcomeLabel is the upper-case badge text of an outcome; anything that is
// not a known outcome shows as UNKNOWN rather than as arbitrary text.
func outcomeLabel(o Outcome) string {
	switch o {
	case Pass, Fail, Warn, Skip, Error:
		return strings.ToUpper(string(o))
	}
	return "UNKNOWN"
}

// outcomeClass is outcomeLabel in lower case, for CSS classes.
func outcomeClass(o Outcome) string { return strings.ToLower(outcomeLabel(o)) }
