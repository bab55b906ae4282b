package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

// shutdownTimeout bounds the graceful stop after SIGINT or SIGTERM: time
// for in-flight deliveries to finish and be recorded.
const shutdownTimeout = 10 * time.Second

type serveFlags struct {
	addr, publicURL string
	apiKeys         []string
	requireHTTPS    bool
	denyPrivate     bool
	noControlAPI    bool
	generationDelay time.Duration
	deliveryTimeout time.Duration
	retrySchedule   string
	timeScale       float64
	workers         int
	queueSize       int
	retention       int
	dataFile        string
	spec, mockSpec  string
	logFormat       string
	logLevel        string
	tlsCert, tlsKey string
	forwardTo       string
	forwardSecret   string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Run the mock Prism API, which sends real signed webhooks",
		Long: `Serve runs a mock of Prism's API: the webhook endpoints of the documentation
(validated against an OpenAPI document), simulated video generations whose
outcome is delivered as real, signed webhooks with Prism's timeout and
retries, a delivery log, and a control API under /_mock/ for tests.

With no --api-key (and no PRISM_API_KEYS), any non-empty bearer token is
accepted. With keys, /_mock/ needs one of them too and acts on that key's
objects only; --no-control-api turns /_mock/ off. State is in memory unless
--data names a file.

The root URL shows the inspector, a page with the webhooks, generations and
the delivery log, live, where a delivery can be sent again, a test event
sent and the conformance check run (with --no-control-api it only shows).

--forward-to URL registers a webhook for every event type to URL at start
and prints its secret (--forward-secret keeps it the same across starts):
one command gives a mock that already talks to your receiver.`,
		Example: `  prismhook serve --forward-to http://127.0.0.1:8080/webhooks/prism
  prismhook serve
  curl -s -X POST http://127.0.0.1:4010/v1/webhooks -H "Authorization: Bearer test" \
    -H "Content-Type: application/json" \
    -d '{"url": "http://127.0.0.1:8080/webhooks/prism", "events": ["video.completed", "video.failed"]}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := envFallback(cmd, map[string]string{
				"addr": "PRISMHOOK_ADDR", "api-key": "PRISM_API_KEYS",
				"forward-to": "PRISMHOOK_FORWARD_TO", "forward-secret": "PRISMHOOK_FORWARD_SECRET",
			}); err != nil {
				return err
			}
			return runServe(cmd.Context(), cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:4010", "listen address (env PRISMHOOK_ADDR)")
	fl.StringVar(&f.publicURL, "public-url", "", "base URL of generated links such as video_url (default: from --addr)")
	fl.StringSliceVar(&f.apiKeys, "api-key", nil, "accepted API key, repeatable (env PRISM_API_KEYS, comma-separated; default: any)")
	fl.BoolVar(&f.requireHTTPS, "require-https", false, "refuse webhook URLs that are not https://")
	fl.BoolVar(&f.noControlAPI, "no-control-api", false, "turn off the /_mock/ control API (with --api-key it needs a key and acts on that key's objects only)")
	fl.BoolVar(&f.denyPrivate, "deny-private-targets", false, "never deliver to loopback, private, link-local (cloud metadata) or other internal addresses, for a mock open to others")
	fl.DurationVar(&f.generationDelay, "generation-delay", 2*time.Second, "time from a video request to its outcome")
	fl.DurationVar(&f.deliveryTimeout, "ack-timeout", wire.DefaultTimeout, "time a receiver has to answer a delivery")
	fl.StringVar(&f.retrySchedule, "retry-schedule", formatSchedule(delivery.DefaultSchedule), "comma-separated delays between delivery attempts")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "multiply every retry delay (0.001 compresses hours to seconds)")
	fl.IntVar(&f.workers, "workers", 32, "delivery attempts in flight at once")
	fl.IntVar(&f.queueSize, "queue-size", 10000, "deliveries waiting for a worker before new ones are refused")
	fl.IntVar(&f.retention, "retention", 10000, "finished deliveries kept in the log")
	fl.StringVar(&f.dataFile, "data", "", "keep state in this file across restarts (default: in memory)")
	fl.StringVar(&f.spec, "spec", "", "OpenAPI document of the Prism API (default: embedded)")
	fl.StringVar(&f.mockSpec, "mock-spec", "", "OpenAPI document of the /_mock/ control API (default: embedded)")
	fl.StringVar(&f.logFormat, "log-format", "text", "text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (needs --tls-key)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fl.StringVar(&f.forwardTo, "forward-to", "", "register a webhook for every event type to this URL at start (env PRISMHOOK_FORWARD_TO)")
	fl.StringVar(&f.forwardSecret, "forward-secret", "", "secret of the --forward-to webhook (env PRISMHOOK_FORWARD_SECRET; default: a new whsec_ one)")
	completeWith(cmd, "log-format", "text", "json")
	completeWith(cmd, "log-level", "debug", "info", "warn", "error")
	return cmd
}

func runServe(ctx context.Context, cmd *cobra.Command, f serveFlags) error {
	logger, err := newLogger(cmd, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	schedule, err := delivery.ParseSchedule(f.retrySchedule)
	if err != nil {
		return usage("--retry-schedule: %v", err)
	}
	var tlsConfig *tls.Config
	if f.tlsCert != "" || f.tlsKey != "" {
		if f.tlsCert == "" || f.tlsKey == "" {
			return usage("--tls-cert and --tls-key go together")
		}
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return usage("--tls-cert/--tls-key: %v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	opts := mockserver.Options{
		PublicURL:          f.publicURL,
		APIKeys:            f.apiKeys,
		RequireHTTPS:       f.requireHTTPS,
		DenyPrivateTargets: f.denyPrivate,
		NoControlAPI:       f.noControlAPI,
		GenerationDelay:    f.generationDelay,
		Delivery: delivery.Options{
			Sender:    wire.SenderOptions{Timeout: f.deliveryTimeout},
			Schedule:  schedule,
			TimeScale: f.timeScale,
			Workers:   f.workers,
			QueueSize: f.queueSize,
			Retention: f.retention,
			Logger:    logger,
		},
		DataFile:     f.dataFile,
		SpecPath:     f.spec,
		MockSpecPath: f.mockSpec,
		Logger:       logger,
		Version:      version,
		CheckRunner:  checkRunner,
	}
	if err := opts.Validate(); err != nil {
		return usage("%v", err)
	}
	if f.forwardSecret != "" && f.forwardTo == "" {
		return usage("--forward-secret needs --forward-to")
	}
	if f.forwardTo != "" {
		if _, err := endpoint.ParseHTTP(f.forwardTo); err != nil {
			return usage("--forward-to %q: %v", wire.RedactURL(f.forwardTo), err)
		}
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return usage("%v", err)
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConfig)
		if opts.PublicURL == "" {
			// Serve derives http:// URLs from a plain listener; links to a TLS
			// one must say https.
			opts.PublicURL = "https://" + reachableAddr(ln.Addr())
		}
	}
	srv, err := mockserver.New(opts)
	if err != nil {
		ln.Close()
		return usage("%v", err)
	}
	// The engine outlives the signal: Close below stops it gracefully, so
	// that in-flight attempts are recorded rather than cut off.
	if err := srv.Start(context.WithoutCancel(ctx)); err != nil {
		ln.Close()
		closeServer(srv, logger)
		return usage("%v", err)
	}
	base := scheme + "://" + reachableAddr(ln.Addr())
	if f.forwardTo != "" {
		id, secret, err := srv.ForwardTo(f.forwardTo, f.forwardSecret)
		if err != nil {
			ln.Close()
			closeServer(srv, logger)
			return usage("--forward-to: %v", err)
		}
		printForward(cmd.OutOrStdout(), f.forwardTo, id, secret, base)
	}
	logger.Info("prismhook serve listening", "url", base, "inspector", base+"/", "version", version)
	serveErr := srv.Serve(ctx, ln)
	logger.Info("shutting down")
	closeServer(srv, logger)
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		return usage("%v", serveErr)
	}
	return nil
}

func closeServer(srv *mockserver.Server, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		logger.Error("shutdown", "err", err)
	}
}

// reachableAddr is addr with an unspecified IP (0.0.0.0, ::) replaced by the
// loopback one, so that a logged or derived URL works when pasted.
func reachableAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// newLogger builds the slog logger of --log-format and --log-level.
func newLogger(cmd *cobra.Command, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usage("--log-level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), o)), nil
	}
	return nil, usage("--log-format %q: want text or json", format)
}

// formatSchedule writes a schedule the way --retry-schedule takes it, in
// round units ("5m" rather than "5m0s").
func formatSchedule(s []time.Duration) string {
	parts := make([]string, len(s))
	for i, d := range s {
		switch {
		case d >= time.Hour && d%time.Hour == 0:
			parts[i] = fmt.Sprintf("%dh", d/time.Hour)
		case d >= time.Minute && d%time.Minute == 0:
			parts[i] = fmt.Sprintf("%dm", d/time.Minute)
		default:
			parts[i] = d.String()
		}
	}
	return strings.Join(parts, ",")
}
