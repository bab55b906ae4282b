package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestTerminal(t *testing.T) {
	r := sampleReport()
	out := checkTerminal(t, r, false)
	lines := strings.Split(out, "\n")
	for i, want := range map[int]string{
		0:  "prismhook check: 23 checks against http://127.0.0.1:8080/webhooks/prism (profile recommended)",
		2:  "  PASS   SIG-01     173ms  A correctly signed video.completed event (the documentation's example payload) gets 2xx",
		5:  "  FAIL   SIG-04      86ms  A signature made with a wrong secret gets 4xx — a delivery signed with a wrong secret got 200 OK, want 4xx",
		6:  "           fix: Compute HMAC-SHA256(secret, raw body) as lowercase hex and compare it with the header in constant time; refuse with 401 when they differ.",
		7:  "           see: webhook/middleware.go (Middleware) and webhook/signature.go (Verify)",
		18: "  ERROR  RETRY-01    54ms  When video_url answers 503 twice, the receiver fetches again until it succeeds — harness: artifact server not reachable at http://127.0.0.1:4011: dial tcp 127.0.0.1:4011: connect: connection refused",
		30: "23 checks in 4.21s: 16 pass, 2 fail, 1 warn, 3 skip, 1 error",
		31: "profiles: core not conformant, recommended not conformant, production not conformant",
		32: "note: Processing was never observed: the receiver never fetched video_url, so 2 probe check(s) skipped; if its processing does download video_url, run with --expect-fetch to make this a failure.",
		33: "NOT CONFORMANT to the recommended profile (failed: SIG-04, SIG-05; errors: RETRY-01)",
	} {
		if lines[i] != want {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], want)
		}
	}
}

func TestTerminalColor(t *testing.T) {
	var buf bytes.Buffer
	term := NewTerminal(&buf, true)
	term.Check(CheckResult{ID: "SIG-04", Title: "t", Outcome: Fail, Reason: "r"})
	if !strings.HasPrefix(buf.String(), "  "+ansiBold+ansiRed+"FAIL"+ansiReset) {
		t.Errorf("no colour on the outcome tag: %q", buf.String())
	}
	buf.Reset()
	term.Summary(&Report{Profile: ProfileCore, Summary: Summary{Pass: 1, Conformant: Verdicts(map[string]bool{ProfileCore: true})}})
	if !strings.Contains(buf.String(), ansiBold+ansiGreen+"CONFORMANT to the core profile"+ansiReset) {
		t.Errorf("verdict not in bold green: %q", buf.String())
	}
}

func TestTerminalConcurrentChecks(t *testing.T) {
	var buf bytes.Buffer
	term := NewTerminal(&buf, false)
	r := sampleReport()
	var wg sync.WaitGroup
	for _, c := range r.Checks {
		wg.Go(func() { term.Check(c) })
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if want := len(r.Checks) + fixLines(r.Checks); len(lines) != want {
		t.Fatalf("%d lines, want %d", len(lines), want)
	}
	for i, l := range lines {
		if strings.HasPrefix(l, "           fix: ") {
			// A fix follows its own check's line, never another's.
			if i == 0 || !(strings.HasPrefix(lines[i-1], "  FAIL") || strings.HasPrefix(lines[i-1], "  WARN")) {
				t.Errorf("fix line %q not under a fail or warn", l)
			}
			continue
		}
		if strings.HasPrefix(l, "           see: ") {
			continue
		}
		if !strings.HasPrefix(l, "  ") || strings.Count(l, "  ") < 3 {
			t.Errorf("interleaved line %q", l)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	// /dev/null is a character device but not a terminal.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"regular file": f, "pipe": pw, "nil": nil, os.DevNull: null} {
		if IsTerminal(f) {
			t.Errorf("IsTerminal(%s) = true", name)
		}
	}
}

// sgrRE matches the colour sequences the Terminal writes itself.
var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// checkTerminal asserts that the terminal output of r has no byte that a
// terminal acts on apart from its own colours, and one line per check.
// fixLines counts the lines the terminal shows under checks for their fixes.
func fixLines(cs []CheckResult) int {
	n := 0
	for _, c := range cs {
		if c.Fix != nil && (c.Outcome == Fail || c.Outcome == Warn) {
			n++
			if c.Fix.Reference != "" {
				n++
			}
		}
	}
	return n
}

func checkTerminal(t *testing.T, r *Report, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	term := NewTerminal(&buf, color)
	term.Start(r.Target, r.Profile, len(r.Checks))
	for _, c := range r.Checks {
		term.Check(c)
	}
	term.Summary(r)
	out := buf.String()
	if color {
		for _, seq := range sgrRE.FindAllString(out, -1) {
			if !slices.Contains([]string{ansiReset, ansiBold, ansiDim, ansiRed, ansiGreen, ansiYellow, ansiMagenta}, seq) {
				t.Errorf("unexpected escape sequence %q", seq)
			}
		}
		out = sgrRE.ReplaceAllString(out, "")
	}
	if strings.ContainsAny(out, "\x1b\x00\r\x07\u009b\u202e") {
		t.Errorf("terminal output carries control characters: %q", out)
	}
	// Header, blank line, one line per check and up to two of fix, blank
	// line, counts, profiles, notes, verdict.
	if got, want := strings.Count(out, "\n"), 2+len(r.Checks)+fixLines(r.Checks)+4+len(r.Notes); got != want {
		t.Errorf("%d lines, want %d:\n%s", got, want, out)
	}
	return out
}
