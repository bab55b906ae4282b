package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		multiline bool
		want      string
	}{
		{"plain text is kept", "héllo, wörld ✓ 日本", false, "héllo, wörld ✓ 日本"},
		{"tab is kept", "a\tb", false, "a\tb"},
		{"ANSI escape", "\x1b[31mred\x1b[0m", false, `\x1b[31mred\x1b[0m`},
		{"NUL and BEL", "a\x00b\x07", false, `a\x00b\x07`},
		{"DEL", "a\x7fb", false, `a\x7fb`},
		{"C1 CSI", "a\u009b31mb", false, `a\u009b31mb`},
		{"bidi override", "abc\u202edcba", false, `abc\u202edcba`},
		{"bidi isolate", "\u2066x\u2069", false, `\u2066x\u2069`},
		{"XML non-characters", "\ufffe\uffff", false, `\ufffe\uffff`},
		{"invalid UTF-8", "a\xffb\xc3", false, `a\xffb\xc3`},
		{"newline in one line", "a\nb", false, `a\nb`},
		{"newline kept in multiline", "a\nb", true, "a\nb"},
		{"CRLF becomes LF", "a\r\nb\r\n", true, "a\nb\n"},
		{"lone CR is shown", "a\rb", true, `a\rb`},
		{"CRLF in one line", "a\r\nb", false, `a\r\nb`},
		{"replacement character is kept", "\ufffd", false, "\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clean(tt.in, tt.multiline)
			if got != tt.want {
				t.Errorf("clean(%q, %v) = %q, want %q", tt.in, tt.multiline, got, tt.want)
			}
			if !utf8.ValidString(got) || strings.ContainsRune(got, 0x1b) {
				t.Errorf("clean(%q) = %q: not valid UTF-8 or contains ESC", tt.in, got)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"ééééé", 3, "éé…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ got, want string }{
		{formatMS(840), "840ms"},
		{formatMS(4213), "4.21s"},
		{formatMS(125_000), "2m05s"},
		{formatLatency(0.42), "0.42 ms"},
		{formatLatency(12.34), "12.3 ms"},
		{formatLatency(1204), "1.204 s"},
		{statusText(401), "401 Unauthorized"},
		{statusText(599), "599"},
		{outcomeLabel(Warn), "WARN"},
		{outcomeLabel("<b>"), "UNKNOWN"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestConformant(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		want bool
	}{
		{"recorded true", Report{Profile: ProfileCore, Summary: Summary{Conformant: Verdicts(map[string]bool{ProfileCore: true})}, Checks: []CheckResult{{Outcome: Fail}}}, true},
		{"recorded false", Report{Profile: ProfileCore, Summary: Summary{Conformant: Verdicts(map[string]bool{ProfileCore: false})}}, false},
		{"not recorded, warn and skip only", Report{Profile: ProfileCore, Checks: []CheckResult{{Outcome: Warn}, {Outcome: Skip}, {Outcome: Pass}}}, true},
		{"not recorded, a failure", Report{Profile: ProfileCore, Checks: []CheckResult{{Outcome: Pass}, {Outcome: Fail}}}, false},
		{"not recorded, an error", Report{Profile: ProfileCore, Checks: []CheckResult{{Outcome: Error}}}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Conformant(); got != tt.want {
			t.Errorf("%s: Conformant() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestProfileResultsOrder(t *testing.T) {
	r := Report{Profile: "custom", Summary: Summary{Conformant: Verdicts(map[string]bool{
		"zeta": true, ProfileProduction: false, "custom": true, ProfileCore: true,
	})}}
	var names []string
	for _, p := range r.profileResults() {
		names = append(names, p.Name)
		if p.Selected != (p.Name == "custom") {
			t.Errorf("profile %s: Selected = %v", p.Name, p.Selected)
		}
	}
	if got, want := strings.Join(names, ","), "core,production,custom,zeta"; got != want {
		t.Errorf("profiles in order %s, want %s", got, want)
	}
}
