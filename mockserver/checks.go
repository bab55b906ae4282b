package mockserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/inspector"
	"github.com/prismhook/prismhook/mockserver/store"
)

// CheckRequest is a conformance run asked for from the inspector or the
// control API: the webhook's URL and secret, and the profile.
type CheckRequest struct {
	URL, Secret, Profile string
	// Progress is called as checks finish, with how many are done of how
	// many.
	Progress func(done, total int)
}

// CheckResult is a finished run: its verdict for the profile, a one-line
// summary and the HTML report.
type CheckResult struct {
	Conformant bool
	// Unknown is true when the run has no verdict for its profile: some
	// of the profile's checks were not run (PRISMHOOK_ONLY or
	// PRISMHOOK_SKIP), or the run was interrupted. Conformant is then
	// false.
	Unknown bool
	Summary string
	HTML    []byte
}

// CheckRunner runs the conformance check. The mock does not run checks
// itself (the harness sits above it); `prismhook serve` passes one.
type CheckRunner func(ctx context.Context, req CheckRequest) (CheckResult, error)

// Bounds of the check runs kept.
const (
	checkRunsKept    = 10
	checkRunsRunning = 2
	checkRunTimeout  = 2 * time.Minute
)

// checkRuns holds the latest runs and their reports.
type checkRuns struct {
	run func(ctx context.Context, req CheckRequest) (CheckResult, error)
	hub *inspector.Hub

	ctx    context.Context // ended by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	runs  []*checkRun // oldest first
	count int         // running
}

type checkRun struct {
	info inspector.CheckRun
	html []byte
}

var errTooManyChecks = errors.New("too many checks running")

func newCheckRuns(run CheckRunner, hub *inspector.Hub) *checkRuns {
	c := &checkRuns{run: run, hub: hub}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

func (c *checkRuns) start(w store.Webhook, profile string) (inspector.CheckRun, error) {
	b := make([]byte, 12)
	rand.Read(b)
	r := &checkRun{info: inspector.CheckRun{
		ID: "chk_" + hex.EncodeToString(b), WebhookID: w.ID, URL: wire.RedactURL(w.URL), Profile: profile,
		Status: "running", StartedAt: time.Now().UTC(), Owner: w.Owner,
	}}
	c.mu.Lock()
	if c.count >= checkRunsRunning {
		c.mu.Unlock()
		return inspector.CheckRun{}, errTooManyChecks
	}
	c.count++
	c.runs = append(c.runs, r)
	if len(c.runs) > checkRunsKept {
		for i, old := range c.runs {
			if old.info.Status != "running" {
				c.runs = slices.Delete(c.runs, i, i+1)
				break
			}
		}
	}
	info := r.info
	c.mu.Unlock()

	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, checkRunTimeout)
		defer cancel()
		res, err := c.run(ctx, CheckRequest{URL: w.URL, Secret: w.Secret, Profile: profile, Progress: func(done, total int) {
			c.mu.Lock()
			r.info.Done, r.info.Total = done, total
			c.mu.Unlock()
			c.hub.Publish(inspector.Event{Kind: "check", ID: info.ID, Owner: info.Owner})
		}})
		c.mu.Lock()
		c.count--
		if err != nil {
			r.info.Status, r.info.Error = "error", err.Error()
		} else {
			r.info.Status, r.info.Summary, r.html = "done", res.Summary, res.HTML
			switch {
			case res.Unknown:
				r.info.Verdict = "no verdict"
			case res.Conformant:
				r.info.Verdict = "conformant"
			default:
				r.info.Verdict = "not conformant"
			}
			r.info.Done = r.info.Total
		}
		c.mu.Unlock()
		c.hub.Publish(inspector.Event{Kind: "check", ID: info.ID, Owner: info.Owner})
	}()
	return info, nil
}

func (c *checkRuns) get(id string) (inspector.CheckRun, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.runs {
		if r.info.ID == id {
			return r.info, r.html, true
		}
	}
	return inspector.CheckRun{}, nil, false
}

func (c *checkRuns) list(f inspector.Filter) []inspector.CheckRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []inspector.CheckRun
	for i := len(c.runs) - 1; i >= 0; i-- {
		if f.Allows(c.runs[i].info.Owner) {
			out = append(out, c.runs[i].info)
		}
	}
	return out
}

// close cancels the runs in progress and waits for them.
func (c *checkRuns) close() {
	c.cancel()
	c.wg.Wait()
}

// startCheck runs the conformance check against a webhook's URL with its
// secret, in the background.
func (s *Server) startCheck(c *call) (int, any, error) {
	if s.checks.run == nil {
		return 0, nil, errorf(http.StatusBadRequest, "this server has no conformance check runner")
	}
	var req struct {
		WebhookID string `json:"webhook_id"`
		Profile   string `json:"profile"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	w, err := s.ownedWebhook(c, req.WebhookID)
	if err != nil {
		return 0, nil, err
	}
	if req.Profile == "" {
		req.Profile = "recommended"
	}
	run, err := s.checks.start(w, req.Profile)
	if errors.Is(err, errTooManyChecks) {
		return 0, nil, errorf(http.StatusBadRequest, "%d checks are running already; wait for one to finish", checkRunsRunning)
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, run, nil
}

func (s *Server) getCheck(c *call) (int, any, error) {
	id := c.params["id"]
	run, _, ok := s.checks.get(id)
	if !ok {
		return 0, nil, errorf(http.StatusNotFound, "no check run %s", id)
	}
	if err := s.ownsCheck(c, run); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, run, nil
}
