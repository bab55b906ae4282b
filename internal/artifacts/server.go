package artifacts

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prismhook/prismhook/fixtures"
)

// Bounds on what a Server remembers, so that a long-running mock or a
// receiver that fetches in a loop cannot grow it without limit.
const (
	maxGenerations = 10000 // generations tracked; the oldest is forgotten first
	maxFetches     = 100   // fetches kept per generation; the oldest go first
	// maxTotalFetches bounds the fetches kept over all generations; beyond
	// it the oldest generations are forgotten.
	maxTotalFetches = 10000
	// MaxHeaderValue is how much of a request header (the User-Agent) a
	// Fetch keeps as evidence.
	MaxHeaderValue = 200
	// MaxHeaderBytes is the http.Server.MaxHeaderBytes for a server that
	// mounts a Server: fetches carry small headers.
	MaxHeaderBytes = 16 << 10
)

var idPattern = regexp.MustCompile(`^gen_[A-Za-z0-9_-]{1,64}$`)

// Server serves every generation's artifacts and records the fetches of
// the generations it was told about. It answers for any well-formed
// generation id, but records (bounded) evidence only for ids issued with
// Issue, SetBehavior or WaitVideoFetches, or known to Known: a client
// making up ids cannot make it remember anything. Safe for concurrent use.
type Server struct {
	// Known, when set before serving, says whether an id not issued here
	// is one of the caller's (the mock's stored generations); fetches of
	// such an id are recorded too.
	Known func(id string) bool

	mu    sync.Mutex
	gens  map[string]*generation
	order []string // ids in the order they were first tracked, oldest first
	total int      // fetches kept over all generations
}

// generation is what a Server remembers about one generation id.
type generation struct {
	behavior Behavior
	refused  int     // video GETs answered 503 under behavior.FailFirst
	fetches  []Fetch // the latest maxFetches fetches
	// videoGets counts every video GET recorded, including those no longer
	// kept in fetches.
	videoGets int
	// changed is closed, and replaced, whenever a video GET is recorded or
	// the record is forgotten: waiters block on it instead of polling.
	changed chan struct{}
}

// New returns a Server with no behaviours set and no fetches recorded.
func New() *Server {
	return &Server{gens: make(map[string]*generation)}
}

// track returns the record for id, creating it and forgetting the oldest
// record beyond maxGenerations. s.mu must be held.
func (s *Server) track(id string) *generation {
	if g, ok := s.gens[id]; ok {
		return g
	}
	if len(s.gens) >= maxGenerations {
		s.forgetOldest()
	}
	g := &generation{changed: make(chan struct{})}
	s.gens[id] = g
	s.order = append(s.order, id)
	return g
}

// forgetOldest forgets the generation tracked first. s.mu must be held.
func (s *Server) forgetOldest() {
	oldest := s.order[0]
	s.order = slices.Delete(s.order, 0, 1)
	g := s.gens[oldest]
	s.total -= len(g.fetches)
	close(g.changed) // a waiter re-checks and starts afresh
	delete(s.gens, oldest)
}

// Issue starts tracking a generation id handed out by the caller, so that
// its fetches are recorded.
func (s *Server) Issue(generationID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.track(generationID)
}

// Kept returns how many fetches are recorded and how many bytes of
// request text they hold: the evidence the Server keeps in memory.
func (s *Server) Kept() (fetches, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.gens {
		for _, f := range g.fetches {
			bytes += len(f.GenerationID) + len(f.Kind) + len(f.Method) + len(f.Path) + len(f.UserAgent)
		}
	}
	return s.total, bytes
}

// SetBehavior sets how a generation's video answers from now on. The count
// of 503s for FailFirst starts again from zero.
func (s *Server) SetBehavior(generationID string, b Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.track(generationID)
	g.behavior = b
	g.refused = 0
}

// Fetches returns the generation's recorded fetches (video and thumbnail,
// GET and HEAD), oldest first.
func (s *Server) Fetches(generationID string) []Fetch {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.gens[generationID]; ok {
		return slices.Clone(g.fetches)
	}
	return nil
}

// WaitVideoFetches blocks until n GET requests for the generation's video
// have arrived (counted when they arrive, before any Delay), then returns
// the video GETs recorded. When ctx ends first it returns ctx.Err() with
// those seen so far.
func (s *Server) WaitVideoFetches(ctx context.Context, generationID string, n int) ([]Fetch, error) {
	for {
		s.mu.Lock()
		g := s.track(generationID)
		done, changed := g.videoGets >= n, g.changed
		s.mu.Unlock()
		if done {
			return s.videoGets(generationID), nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return s.videoGets(generationID), ctx.Err()
		}
	}
}

// videoGets returns the generation's recorded video GETs, oldest first.
func (s *Server) videoGets(generationID string) []Fetch {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.gens[generationID]
	if !ok {
		return nil
	}
	var out []Fetch
	for _, f := range g.fetches {
		if f.Kind == KindVideo && f.Method == http.MethodGet {
			out = append(out, f)
		}
	}
	return out
}

// Reset forgets every behaviour and fetch. Pending waiters keep waiting, for
// fetches that arrive after the reset.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.gens {
		close(g.changed)
	}
	s.gens = make(map[string]*generation)
	s.order = nil
	s.total = 0
}

// ServeHTTP serves VideoPath(id) and ThumbnailPath(id) relative to the
// Server's mount point (use http.StripPrefix to mount it elsewhere).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, id, ok := parsePath(r.URL.Path)
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no artifact at this path")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "artifacts answer GET and HEAD only")
		return
	}

	known := s.Known != nil && s.Known(id)
	status, delay := s.arrive(r, kind, id, known)
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return // the client gave up; nobody is left to answer
		}
	}

	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
		writeError(w, status, "service_unavailable", "artifact storage is temporarily unavailable, retry later")
		return
	}
	body, contentType := fixtures.VideoMP4, "video/mp4"
	if kind == KindThumbnail {
		body, contentType = fixtures.ThumbnailJPEG, "image/jpeg"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	// Every fetch must reach the server: a cached answer would hide a
	// receiver's retry or background fetch from the probes that count them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// arrive records a fetch the moment it arrives and decides its answer: the
// status, and how long to hold it back.
// Fetches of an id neither issued nor known are served and not recorded.
func (s *Server) arrive(r *http.Request, kind, id string, known bool) (status int, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status = http.StatusOK
	g, ok := s.gens[id]
	if !ok && !known {
		return status, 0
	}
	if !ok {
		g = s.track(id)
	}
	videoGet := kind == KindVideo && r.Method == http.MethodGet
	if videoGet {
		delay = g.behavior.Delay
		if g.refused < g.behavior.FailFirst {
			g.refused++
			status = http.StatusServiceUnavailable
		}
	}
	if len(g.fetches) == maxFetches {
		g.fetches = slices.Delete(g.fetches, 0, 1)
		s.total--
	}
	for s.total >= maxTotalFetches && len(s.order) > 1 && s.order[0] != id {
		s.forgetOldest()
	}
	// The path is the parsed one (an id of bounded length), and request
	// headers are kept only as a short excerpt.
	g.fetches = append(g.fetches, Fetch{
		GenerationID: id, Kind: kind, Method: r.Method, Path: pathOf(kind, id),
		At: time.Now(), Status: status, UserAgent: cut(r.UserAgent(), MaxHeaderValue),
	})
	s.total++
	if videoGet {
		g.videoGets++
		close(g.changed)
		g.changed = make(chan struct{})
	}
	return status, delay
}

// pathOf is the artifact path of kind for id.
func pathOf(kind, id string) string {
	if kind == KindThumbnail {
		return ThumbnailPath(id)
	}
	return VideoPath(id)
}

// cut returns s cut to at most n bytes at a character boundary, with "…"
// when something was cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// parsePath splits an artifact path into its kind and generation id.
func parsePath(p string) (kind, id string, ok bool) {
	for _, a := range []struct{ kind, prefix, suffix string }{
		{KindVideo, VideoPrefix, ".mp4"},
		{KindThumbnail, ThumbnailPrefix, ".jpg"},
	} {
		rest, found := strings.CutPrefix(p, a.prefix)
		if !found {
			continue
		}
		id, found = strings.CutSuffix(rest, a.suffix)
		if found && idPattern.MatchString(id) {
			return a.kind, id, true
		}
		return "", "", false
	}
	return "", "", false
}

// writeError answers with the API's JSON error envelope.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	var e struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	e.Error.Type, e.Error.Message = typ, message
	body, _ := json.Marshal(e) // cannot fail: two strings
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
