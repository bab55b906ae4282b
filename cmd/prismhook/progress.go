package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// How often a run that prints nothing says what it is waiting for: on a
// terminal a live line, rewritten in place; piped, a plain line now and
// then, so that logs stay short.
const (
	liveEvery  = time.Second
	liveAfter  = 2 * time.Second
	plainAfter = 10 * time.Second
	liveWidth  = 100 // characters of a live line
)

// progress prints the rows of a run as suites.Run hands them over (in
// catalogue order) and, during long waits, which checks are still to come
// and what the longest of them waits for.
type progress struct {
	term    *report.Terminal
	out     io.Writer
	live    bool // out is a terminal: one line, rewritten
	cfg     suites.Config
	pending []string // selected IDs not printed yet, in catalogue order

	// after is how long the run must be quiet before a note.
	after time.Duration

	mu       sync.Mutex
	lastRow  time.Time
	lastNote time.Time
	shown    bool // a live line is on screen
	stop     chan struct{}
	done     chan struct{}
}

// startProgress prints rows through term and starts watching for long
// waits; stop ends it.
func startProgress(out io.Writer, term *report.Terminal, c suites.Config) *progress {
	// The hints name the settings in effect.
	c = c.WithDefaults()
	p := &progress{term: term, out: out, live: isTTY(out), cfg: c, lastRow: time.Now(),
		after: plainAfter, stop: make(chan struct{}), done: make(chan struct{})}
	if p.live {
		p.after = liveAfter
	}
	for _, chk := range suites.Catalog {
		if c.Selected(chk.ID) {
			p.pending = append(p.pending, chk.ID)
		}
	}
	go p.watch()
	return p
}

// row prints one finished check (suites.Config.Progress).
func (p *progress) row(res report.CheckResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.term.Check(res)
	p.pending = slices.DeleteFunc(p.pending, func(id string) bool { return id == res.ID })
	p.lastRow, p.lastNote = time.Now(), time.Time{}
}

// close stops the watch and clears the live line.
func (p *progress) close() {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *progress) watch() {
	defer close(p.done)
	t := time.NewTicker(liveEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.note(now)
		}
	}
}

// note says what the run is waiting for, when it has been quiet a while.
func (p *progress) note(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	quiet := now.Sub(p.lastRow)
	if len(p.pending) == 0 {
		return
	}
	if p.live {
		if quiet < p.after {
			return
		}
		// Kept short: a line that wraps cannot be rewritten in place.
		fmt.Fprintf(p.out, "\r\x1b[K  … %s", cut(p.waitingFor(quiet), liveWidth))
		p.shown = true
		return
	}
	if quiet < p.after || now.Sub(p.lastNote) < p.after {
		return
	}
	fmt.Fprintf(p.out, "  … %s\n", p.waitingFor(quiet))
	p.lastNote = now
}

// waitingFor is the note's text: "12s: waiting for RETRY-01, ROB-03 —
// RETRY-01 gives the receiver up to 30s to fetch video_url again".
func (p *progress) waitingFor(quiet time.Duration) string {
	ids := p.pending
	shown := strings.Join(ids, ", ")
	if len(ids) > 4 {
		shown = strings.Join(ids[:4], ", ") + fmt.Sprintf(" and %d more", len(ids)-4)
	}
	s := fmt.Sprintf("%s: waiting for %s", quiet.Round(time.Second), shown)
	if hint := p.longWait(); hint != "" {
		s += " — " + hint
	}
	return s
}

// longWait names the longest wait among the pending checks.
func (p *progress) longWait() string {
	has := func(id string) bool { return slices.Contains(p.pending, id) }
	c := p.cfg
	switch {
	case has("RETRY-01"):
		return fmt.Sprintf("RETRY-01 gives the receiver up to %s to fetch video_url again after two 503s", c.RetryWindow)
	case has("TIME-04"):
		return fmt.Sprintf("TIME-04 sends %d events per second for %s", c.LoadRate, c.LoadDuration)
	case has("ASYNC-01") || has("IDEM-02") || has("IDEM-03") || has("RETRY-02"):
		return fmt.Sprintf("the probe checks wait up to %s for the receiver to fetch video_url", c.ProbeWait)
	case has("TIME-03"):
		return fmt.Sprintf("TIME-03 sends a burst of %d deliveries once the other checks are done", c.Concurrency)
	case has("TIME-01") || has("TIME-02"):
		return fmt.Sprintf("TIME-01/TIME-02 send %d events one after another (up to %s each)", c.Sequential, c.AckTimeout)
	case has("ROB-04"):
		return "ROB-04 sends a 20 MiB body"
	}
	return fmt.Sprintf("each delivery waits up to %s for its answer", c.AckTimeout)
}

// clear removes the live line, if one is shown.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.out, "\r\x1b[K")
		p.shown = false
	}
}

// isTTY reports whether out is a terminal.
func isTTY(out io.Writer) bool {
	f, ok := out.(*os.File)
	return ok && report.IsTerminal(f)
}

// cut shortens s to n characters, marking the cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
