package report

import (
	"bytes"
	"strings"
	"testing"
)

// A receiver that literally sends the text `\x1b` must not look like one
// that sent ESC, in any format that escapes.
func TestEscapedESCDiffersFromLiteralText(t *testing.T) {
	pairs := [][2]string{
		{"\x1b[31m", `\x1b[31m`},
		{"\u202e", `\u202e`},
		{"a\rb", `a\rb`},
		{"\xff", `\xff`},
	}
	for _, p := range pairs {
		if a, b := clean(p[0], false), clean(p[1], false); a == b {
			t.Errorf("clean(%q) and clean(%q) are both %q", p[0], p[1], a)
		}
	}
	if got := clean(`C:\temp\new`, false); got != `C:\temp\\new` {
		t.Errorf("only backslashes that could start an escape are doubled: got %q", got)
	}

	for _, write := range []func(*bytes.Buffer, *Report) error{
		func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) },
		func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) },
		func(b *bytes.Buffer, r *Report) error { return WriteJUnit(b, r) },
	} {
		render := func(response string) string {
			r := &Report{Schema: Schema, Checks: []CheckResult{{ID: "SIG-01", Outcome: Fail, Reason: "r",
				Evidence: []Evidence{{Kind: KindDelivery, Status: 200, Response: response}}}}}
			var b bytes.Buffer
			if err := write(&b, r); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		if esc, lit := render("\x1bSENT"), render(`\x1bSENT`); strings.Contains(esc, "SENT") && esc == lit {
			t.Errorf("ESC and the literal text \\x1b render the same")
		}
	}
}
