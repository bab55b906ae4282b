package report

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"
)

// ANSI SGR sequences, written only when colour is on.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
)

// maxTerminalReason keeps one check on one line of reasonable length; the
// full reason is in the other reports.
const maxTerminalReason = 240

// Terminal prints the progress of a run for a person watching it: a
// header, one line per check as it finishes, and a summary. Everything
// from the report is cleaned of control characters and escape sequences
// before it is printed, so a hostile receiver cannot write to the user's
// terminal. A Terminal is safe for concurrent use, since checks finish on
// several goroutines; write errors are ignored (progress output is best
// effort, the report files are what counts).
type Terminal struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
}

// NewTerminal returns a Terminal writing to w, with ANSI colours when
// color is true (see IsTerminal).
func NewTerminal(w io.Writer, color bool) *Terminal {
	return &Terminal{w: w, color: color}
}

// IsTerminal reports whether f is a terminal. Callers use it to decide on
// colour and live progress, together with their own settings (NO_COLOR, a
// --no-color flag). A character device is not enough: /dev/null is one,
// and output sent there must not be coloured or redrawn.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

// Start prints the header of a run of checks checks against target.
func (t *Terminal) Start(target, profile string, checks int) {
	t.print(fmt.Sprintf("prismhook check: %s against %s (profile %s)\n\n",
		plural(checks, "check"), t.paint(ansiBold, line(target)), line(profile)))
}

// Check prints the line of a finished check: outcome, ID, duration, title,
// and for anything but a pass the reason.
func (t *Terminal) Check(c CheckResult) {
	tag := outcomeLabel(c.Outcome)
	pad := strings.Repeat(" ", max(0, 5-len(tag)))
	var b strings.Builder
	fmt.Fprintf(&b, "  %s%s  %-8s %7s  %s", t.paint(outcomeColor(c.Outcome), tag), pad, line(c.ID), formatMS(c.DurationMS), line(c.Title))
	if c.Outcome != Pass && c.Reason != "" {
		b.WriteString(t.paint(ansiDim, " — ") + line(truncate(c.Reason, maxTerminalReason)))
	}
	b.WriteString("\n")
	if c.Fix != nil && (c.Outcome == Fail || c.Outcome == Warn) {
		fmt.Fprintf(&b, "           %s %s\n", t.paint(ansiBold, "fix:"), line(truncate(c.Fix.How, maxTerminalReason)))
		if c.Fix.Reference != "" {
			fmt.Fprintf(&b, "           %s\n", t.paint(ansiDim, "see: "+line(truncate(c.Fix.Reference, maxTerminalReason))))
		}
	}
	t.print(b.String())
}

// Summary prints the counts, the conformance of each profile and the
// verdict.
func (t *Terminal) Summary(r *Report) {
	if r == nil {
		return
	}
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "\n%s in %s: %s pass, %s fail, %s warn, %s skip, %s error\n",
		plural(len(r.Checks), "check"), formatMS(r.DurationMS),
		t.count(s.Pass, ansiGreen), t.count(s.Fail, ansiRed), t.count(s.Warn, ansiYellow),
		t.count(s.Skip, ""), t.count(s.Error, ansiMagenta))
	if profiles := r.profileResults(); len(profiles) > 0 {
		parts := make([]string, len(profiles))
		for i, p := range profiles {
			parts[i] = line(p.Name) + " " + t.paint(profileColor(p), p.State())
		}
		b.WriteString("profiles: " + strings.Join(parts, ", ") + "\n")
	}
	for _, d := range s.Diagnosis {
		b.WriteString(t.paint(ansiBold, "diagnosis:") + " " + line(d) + "\n")
	}
	for _, n := range r.Notes {
		b.WriteString(t.paint(ansiYellow, "note: ") + line(n) + "\n")
	}
	verdict := r.verdictLine()
	switch {
	case r.Conformant():
		b.WriteString(t.paint(ansiBold+ansiGreen, verdict) + "\n")
	case !r.VerdictKnown():
		b.WriteString(t.paint(ansiBold+ansiYellow, verdict) + "\n")
	default:
		b.WriteString(t.paint(ansiBold+ansiRed, verdict) + "\n")
	}
	t.print(b.String())
}

// count colours a non-zero count.
func (t *Terminal) count(n int, color string) string {
	s := fmt.Sprint(n)
	if n == 0 || color == "" {
		return s
	}
	return t.paint(color, s)
}

// paint wraps s in an SGR sequence when colour is on. s must already be
// clean.
func (t *Terminal) paint(sgr, s string) string {
	if !t.color || sgr == "" {
		return s
	}
	return sgr + s + ansiReset
}

func (t *Terminal) print(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.w, s)
}

// profileColor is the colour of a profile's result.
func profileColor(p profileResult) string {
	switch p.Class() {
	case "ok":
		return ansiGreen
	case "bad":
		return ansiRed
	}
	return ansiYellow
}

// outcomeColor is the colour of an outcome's tag.
func outcomeColor(o Outcome) string {
	switch o {
	case Pass:
		return ansiGreen
	case Fail:
		return ansiBold + ansiRed
	case Warn:
		return ansiYellow
	case Error:
		return ansiBold + ansiMagenta
	}
	return ansiDim
}
