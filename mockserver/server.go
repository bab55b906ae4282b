// Package mockserver is the mock Prism API: the webhook endpoints of
// Prism's documentation and simulated video generations whose terminal
// states are delivered, signed, to the registered webhooks with Prism's
// delivery semantics (timeout, retries with backoff, delivery log).
//
// Every route comes from the OpenAPI documents of package spec and every
// request is validated against them before it reaches its handler; answers
// are JSON, errors use one envelope. A control API under /_mock/ steers the
// simulation from tests: force the next outcome, send an event with a fault
// now, read every delivery, reset.
//
// A generation completes unless its prompt contains "[fail]" or the control
// API forced the next outcome to failed.
//
// Use it as a binary (prismhook serve) or inside a Go test:
//
//	s, err := mockserver.New(mockserver.Options{GenerationDelay: 100 * time.Millisecond})
//	...
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	go s.Serve(ctx, ln)
//	defer s.Close(context.Background())
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/prismhook/prismhook/internal/artifacts"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/inspector"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/spec"
)

// Timeouts of the http.Server that Serve runs.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 10 * time.Second
)

// Server is a mock Prism API. Create it with New, call Start (Serve does),
// and Close it when done.
type Server struct {
	opts      Options
	logger    *slog.Logger
	store     store.Store
	engine    *delivery.Engine
	artifacts *artifacts.Server
	auth      *authenticator
	sim       *simulator
	metrics   *httpMetrics
	prism     *api // spec/openapi.yaml
	mock      *api // spec/mock.yaml
	handler   http.Handler

	// The inspector: the page, its event hub, the store that tells it
	// about changes, the forward webhook and the check runs.
	hub     *inspector.Hub
	page    *inspector.Handler
	watched *watchedStore
	forward atomic.Pointer[inspector.Forward]
	checks  *checkRuns
	// resets holds when each owner last reset (with API keys).
	resets ownerResets

	// readHeaderTimeout is how long Serve waits for a request's headers
	// (readHeaderTimeout unless a test shortens it): a client that trickles
	// them in, byte by byte, loses its connection rather than hold it.
	readHeaderTimeout time.Duration

	// publicURL is Options.PublicURL, or what Serve derived from its
	// listener; nil until known.
	publicURL atomic.Pointer[string]

	startOnce sync.Once
	startErr  error

	mu        sync.Mutex
	servers   map[*http.Server]struct{} // running in Serve
	closed    bool
	closeOnce sync.Once
	closeErr  error
}

// New loads and checks both OpenAPI documents, builds the routes, opens the
// store and prepares the delivery engine. Nothing runs until Start or Serve.
func New(o Options) (*Server, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	prismDoc, err := spec.PrismAPI(o.SpecPath)
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	mockDoc, err := spec.MockAPI(o.MockSpecPath)
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}

	s := &Server{
		opts:      o,
		logger:    o.Logger,
		artifacts: artifacts.New(),
		servers:   map[*http.Server]struct{}{},
		hub:       inspector.NewHub(),

		readHeaderTimeout: readHeaderTimeout,
	}
	if o.PublicURL != "" {
		s.publicURL.Store(&o.PublicURL)
	}
	auth := newAuthenticator(o.APIKeys)
	s.auth = auth
	if s.prism, err = newAPI("openapi.yaml", prismDoc, s.prismOperations(), auth, s.logger); err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	if s.mock, err = newAPI("mock.yaml", mockDoc, s.mockOperations(), auth, s.logger); err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}

	if o.DataFile != "" {
		b, err := store.Open(o.DataFile)
		if err != nil {
			return nil, fmt.Errorf("mockserver: %w", err)
		}
		s.store = b
		if o.Delivery.Journal == nil {
			o.Delivery.Journal = b
		}
	} else {
		s.store = store.NewMemory()
	}
	s.watched = &watchedStore{Store: s.store, hub: s.hub}
	s.store = s.watched
	if o.Delivery.OnChange == nil {
		o.Delivery.OnChange = s.publishDelivery
	}
	if s.engine, err = delivery.NewEngine(o.Delivery); err != nil {
		_ = s.store.Close()
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	if s.metrics, err = newHTTPMetrics(o.Registry); err != nil {
		_ = s.engine.Close(context.Background())
		_ = s.store.Close()
		return nil, err
	}
	s.sim = newSimulator(s.store, s.engine, o.GenerationDelay, s.logger)
	s.sim.perOwner = s.scoped()
	// Fetches are recorded for stored generations only (and those the
	// control API emits events about), so made-up ids cost no memory.
	s.artifacts.Known = func(id string) bool {
		_, err := s.store.Generation(id)
		return err == nil
	}
	s.checks = newCheckRuns(o.CheckRunner, s.hub)
	// The page stays with --no-control-api, read-only: its actions are
	// control API calls.
	s.page = inspector.New(inspector.Options{
		Source:   inspectorSource{s},
		Hub:      s.hub,
		Keys:     len(o.APIKeys) > 0,
		Owner:    auth.owner,
		ReadOnly: o.NoControlAPI,
		Checks:   o.CheckRunner != nil,
		Faults:   faultNames(),
		Version:  o.Version,
		Logger:   s.logger,
	})
	s.handler = s.routes()

	s.logger.Info("mock Prism ready",
		slog.Int("routes", s.prism.routes()+s.mock.routes()),
		slog.Int("api_routes", s.prism.routes()),
		slog.Int("control_routes", s.mock.routes()),
		slog.Bool("api_keys", len(o.APIKeys) > 0),
		slog.String("data_file", o.DataFile))
	return s, nil
}

// routes is the whole mock: the Prism API, the control API and health,
// metrics, and the artifact files, behind the common middleware. Paths are
// matched as they come, by prefix: an http.ServeMux would answer unclean
// paths ("//v1/webhooks", "/v1") with an HTML redirect rather than the
// JSON error every other answer uses.
func (s *Server) routes() http.Handler {
	arts := named(routeArtifacts, s.artifacts)
	page := named("inspector", s.page)
	metrics := named(routeMetrics, promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}))

	// Behind a proxy the public URL may have a path; serve the artifacts
	// under it too, whether or not the proxy strips it.
	var prefix string
	if u, err := url.Parse(s.opts.PublicURL); err == nil {
		prefix = strings.TrimSuffix(u.Path, "/")
	}
	control := s.guardControl(s.mock)
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/v1/"):
			s.prism.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/_mock/"), p == "/healthz":
			control.ServeHTTP(w, r)
		case p == "/metrics":
			metrics.ServeHTTP(w, r)
		case p == "/", strings.HasPrefix(p, inspector.Prefix):
			page.ServeHTTP(w, r)
		case strings.HasPrefix(p, artifacts.VideoPrefix), strings.HasPrefix(p, artifacts.ThumbnailPrefix):
			arts.ServeHTTP(w, r)
		case prefix != "" && strings.HasPrefix(p, prefix+"/"):
			http.StripPrefix(prefix, arts).ServeHTTP(w, r)
		default:
			writeError(w, r, s.logger, errorf(http.StatusNotFound, "no such path: %s", p))
		}
	})
	return s.observe(s.recoverPanics(s.limitBody(mux)))
}

// named labels the requests h answers for metrics and logs.
func named(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = route
		h.ServeHTTP(w, r)
	})
}

// Handler returns the whole mock as one handler: /v1/…, /_mock/…, /healthz,
// /metrics, the artifact files and the inspector page (/ and
// /_inspector/…). Call Start before it gets requests.
func (s *Server) Handler() http.Handler { return s.handler }

// Engine returns the delivery engine.
func (s *Server) Engine() *delivery.Engine { return s.engine }

// Artifacts returns the artifact file server, to shape answers or read
// fetches directly.
func (s *Server) Artifacts() *ArtifactServer { return s.artifacts }

// Start starts the delivery engine (resuming the deliveries a data file
// kept) and resumes the generations a previous run left unfinished. It is
// safe to call more than once; Serve calls it.
func (s *Server) Start(ctx context.Context) error {
	s.startOnce.Do(func() {
		if err := s.engine.Start(ctx); err != nil {
			s.startErr = fmt.Errorf("mockserver: starting deliveries: %w", err)
			return
		}
		n, err := s.sim.resume()
		if err != nil {
			s.startErr = fmt.Errorf("mockserver: resuming generations: %w", err)
			return
		}
		if n > 0 {
			s.logger.Info("resumed unfinished generations", slog.Int("generations", n))
		}
	})
	return s.startErr
}

// Serve starts the Server if needed and serves HTTP on ln until ctx ends,
// then shuts down gracefully and returns nil. The public URL, when not
// configured, becomes http:// and the listener's address. Serve does not
// Close the Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.publicURL.Load() == nil {
		u := listenerURL(ln)
		s.publicURL.CompareAndSwap(nil, &u)
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10, // the API takes bearer keys and JSON; artifacts take less (see artifacts.MaxHeaderBytes)
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(s.hub.Close) // open pages would hold up the shutdown
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("mockserver: server closed")
	}
	s.servers[srv] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.servers, srv)
		s.mu.Unlock()
	}()

	s.logger.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("public_url", *s.publicURL.Load()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil // Close shut it down
		}
		return fmt.Errorf("mockserver: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.logger.Warn("requests still running at shutdown were cut short", slog.String("error", err.Error()))
		_ = srv.Close()
	}
	<-errc
	return nil
}

// listenerURL is the base URL of a listener; an unspecified address
// (0.0.0.0, ::) becomes the loopback, which at least the host can reach.
func listenerURL(ln net.Listener) string {
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://localhost"
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// baseURL is the public base URL for an answer to r: the configured or
// derived one, else the scheme and host r was sent to.
func (s *Server) baseURL(r *http.Request) string {
	if u := s.publicURL.Load(); u != nil {
		return *u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// Close stops the servers Serve runs (gracefully until ctx ends), the
// generations in progress and the delivery engine (attempts in flight are
// recorded; pending deliveries stay in the data file), then closes the
// store. It is safe to call more than once.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		servers := make([]*http.Server, 0, len(s.servers))
		for srv := range s.servers {
			servers = append(servers, srv)
		}
		s.mu.Unlock()
		for _, srv := range servers {
			if err := srv.Shutdown(ctx); err != nil {
				_ = srv.Close()
			}
		}
		s.hub.Close()
		s.checks.close()
		s.sim.close()
		var errs []error
		if err := s.engine.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("mockserver: stopping deliveries: %w", err))
		}
		if err := s.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("mockserver: closing the store: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
