package mockserver

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

// Defaults of Options.
const (
	DefaultGenerationDelay = 2 * time.Second
	DefaultMaxBodyBytes    = 1 << 20
)

// Options configures a Server. The zero value is a working in-memory mock
// that accepts any bearer token.
type Options struct {
	// PublicURL is the base of the URLs the mock hands out (video_url,
	// thumbnail_url): the address at which receivers reach this server.
	// Empty: Serve derives it from its listener; a Server used only through
	// Handler derives it from each request's Host.
	PublicURL string
	// APIKeys, when not empty, are the only bearer tokens accepted. Empty:
	// any non-empty token is accepted, as API mocks usually do. Webhooks
	// and generations belong to the key that created them.
	APIKeys []string
	// NoControlAPI turns the control API (/_mock/…) off: it answers 404.
	// With APIKeys, the control API needs a key and acts on that key's
	// objects only.
	NoControlAPI bool
	// RequireHTTPS refuses webhook URLs that are not https.
	RequireHTTPS bool
	// DenyPrivateTargets is for a mock that untrusted users can reach: it
	// refuses webhook URLs (and /_mock/emit URLs) whose host is localhost
	// or a loopback, private, link-local (cloud metadata), unspecified or
	// multicast IP address, and makes the sender refuse to connect to such
	// an address whatever name resolved to it. Off by default: testing a
	// local receiver means delivering to the loopback. It needs the
	// sender's default transport (no Delivery.Sender.Transport).
	DenyPrivateTargets bool
	// GenerationDelay is how long a generation takes from queued to its
	// terminal state (half of it queued, half processing); default 2s.
	GenerationDelay time.Duration
	// Delivery configures the delivery engine: timeout, retry schedule,
	// time scale, workers, queue and retention. Its Journal and Registerer
	// are set by the Server when left nil.
	Delivery delivery.Options
	// DataFile keeps webhooks, generations and pending deliveries in a
	// bbolt file across restarts. Empty: everything is in memory.
	DataFile string
	// SpecPath and MockSpecPath override the embedded spec/openapi.yaml and
	// spec/mock.yaml.
	SpecPath     string
	MockSpecPath string
	// MaxBodyBytes bounds API request bodies (413 beyond); default 1 MiB.
	MaxBodyBytes int64
	// Logger receives start-up, access and error logs; default: none.
	// Secrets, API keys and bodies are never logged.
	Logger *slog.Logger
	// Registry receives the Server's and the engine's metrics and is
	// served at /metrics. Default: a new registry per Server, so that
	// several servers can run in one process.
	Registry *prometheus.Registry
	// WebhookSecret, when set, is the signing secret of every webhook
	// created, instead of a random one: a test's receiver can then be
	// configured before its webhook exists. Never for a shared mock.
	WebhookSecret string
	// CheckRunner runs the conformance check for the inspector and
	// POST /_mock/checks; nil: those answer that no runner is available.
	CheckRunner CheckRunner
	// Version is reported by /healthz and, unless Delivery.Sender.UserAgent
	// is set, in the sender's User-Agent. Default: wire.Version.
	Version string
}

// Validate reports the first problem with o, in terms of the option's name.
func (o Options) Validate() error {
	if o.PublicURL != "" {
		if err := checkPublicURL(o.PublicURL); err != nil {
			return err
		}
	}
	for i, k := range o.APIKeys {
		switch {
		case k == "":
			return fmt.Errorf("mockserver: API key %d is empty", i+1)
		case strings.ContainsAny(k, " \t\r\n"):
			// A bearer token cannot contain whitespace, so such a key
			// could never be presented.
			return fmt.Errorf("mockserver: API key %d contains whitespace", i+1)
		}
	}
	switch {
	case o.GenerationDelay < 0:
		return fmt.Errorf("mockserver: negative generation delay %s", o.GenerationDelay)
	case o.MaxBodyBytes < 0:
		return fmt.Errorf("mockserver: negative body limit %d", o.MaxBodyBytes)
	case o.DenyPrivateTargets && o.Delivery.Sender.Transport != nil:
		return fmt.Errorf("mockserver: DenyPrivateTargets needs the sender's default transport; Delivery.Sender.Transport is set")
	}
	return nil
}

func checkPublicURL(s string) error {
	u, err := endpoint.ParseHTTP(s)
	switch {
	case err != nil:
		return fmt.Errorf("mockserver: public URL %q: %w", s, err)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("mockserver: public URL %q: want a base URL, without user, query or fragment", s)
	}
	return nil
}

// withDefaults returns o with its zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.GenerationDelay == 0 {
		o.GenerationDelay = DefaultGenerationDelay
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Version == "" {
		o.Version = wire.Version
	}
	if o.DenyPrivateTargets {
		o.Delivery.Sender.DenyPrivate = true
	}
	if o.Delivery.Sender.UserAgent == "" {
		o.Delivery.Sender.UserAgent = "Prism-Webhooks/" + o.Version
	}
	if o.Delivery.Logger == nil {
		o.Delivery.Logger = o.Logger
	}
	if o.Delivery.Registerer == nil {
		o.Delivery.Registerer = o.Registry
	}
	o.PublicURL = strings.TrimSuffix(o.PublicURL, "/")
	o.APIKeys = append([]string(nil), o.APIKeys...)
	return o
}
