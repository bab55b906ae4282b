package suites

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
)

// Defaults of Config; Settings applies them.
const (
	DefaultProfile      = report.ProfileRecommended
	DefaultArtifactAddr = "127.0.0.1:0"
	DefaultConcurrency  = 50
	DefaultAckTimeout   = 5 * time.Second
	DefaultSlowArtifact = 3 * time.Second
	DefaultRetryWindow  = 30 * time.Second
	DefaultProbeWait    = 5 * time.Second
	DefaultSequential   = 20
	DefaultLoadRate     = 100
	DefaultLoadDuration = 5 * time.Second
)

// Config describes one conformance run. The zero value of every optional
// field means its default; Run applies them. Each field a user sets has
// its row in Settings, which gives its default, variable and flag.
type Config struct {
	URL    string // the receiver under test, absolute http(s) URL
	Secret string // the webhook secret the receiver verifies with

	// Profile is core, recommended (default) or production.
	Profile string
	// PublicURL is the base URL at which the receiver reaches the harness's
	// artifact server; default http://<ArtifactAddr as bound>.
	PublicURL string
	// ArtifactAddr is the listen address of the artifact server, default
	// "127.0.0.1:0" (any free port on the loopback interface).
	ArtifactAddr string
	// Concurrency is the size of the TIME-03 burst, default 50.
	Concurrency int
	// CAFile is a PEM CA bundle that replaces the system roots when
	// verifying an HTTPS receiver (for a private or test CA).
	CAFile string
	// Only and Skip select checks by ID; with Only set, the other checks are
	// not run; Skip removes checks. Unselected checks appear in the report
	// as skip, with the setting that skipped them as reason.
	Only, Skip []string

	AckTimeout   time.Duration // the 5 s rule, default 5s
	SlowArtifact time.Duration // ASYNC-01 artifact delay D, default 3s
	RetryWindow  time.Duration // RETRY-01 window, default 30s
	ProbeWait    time.Duration // how long probe checks wait for a first fetch before skipping, default 5s
	Sequential   int           // events in the TIME-01/02 run, default 20
	LoadRate     int           // TIME-04 events per second, default 100
	LoadDuration time.Duration // TIME-04 duration, default 5s
	// ExpectFetch states that the receiver's processing fetches video_url:
	// probe checks then fail, instead of skip, when it never does.
	ExpectFetch bool

	// Version is written into the report and the User-Agent (the tool's
	// version); default wire.Version.
	Version string
	// Progress is called for each check that ran, in catalogue order, as
	// soon as it and every check before it have finished (may be nil);
	// calls never overlap.
	Progress func(report.CheckResult)
}

// EnvVar documents one environment variable read by ConfigFromEnv.
type EnvVar struct {
	Name        string
	Description string
	Default     string
}

// EnvVars lists what ConfigFromEnv reads, in the order the README shows;
// it is drawn from Settings.
var EnvVars = envVars()

func envVars() []EnvVar {
	out := make([]EnvVar, len(Settings))
	for i, s := range Settings {
		out[i] = EnvVar{Name: s.Env, Description: s.doc(), Default: s.defaultDoc()}
	}
	return out
}

// ConfigFromEnv reads a Config from the PRISMHOOK_* environment variables
// (see EnvVars). It reports malformed values; it does not require
// PRISMHOOK_URL, so that a suite can skip when it is unset. Call Validate
// (Run does) for the rest.
func ConfigFromEnv() (Config, error) {
	var c Config
	var errs []error
	for _, s := range Settings {
		if err := s.fromEnv(&c); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errors.Join(errs...)
}

// WithDefaults returns c with every unset optional field at its default:
// the settings a run of c uses.
func (c Config) WithDefaults() Config { return c.withDefaults() }

// withDefaults returns c with every unset optional field at its default.
func (c Config) withDefaults() Config {
	for _, s := range Settings {
		s.setDefault(&c)
	}
	if c.Version == "" {
		c.Version = wire.Version
	}
	return c
}

// settings are the thresholds the report draws.
func (c Config) settings() *report.Settings {
	return &report.Settings{
		AckTimeoutMS:   c.AckTimeout.Milliseconds(),
		P95TargetMS:    p95Limit.Milliseconds(),
		LoadRate:       c.LoadRate,
		LoadDurationMS: c.LoadDuration.Milliseconds(),
	}
}

// Validate reports the first problem with c (after defaults), as one line
// that names the setting.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.URL == "" {
		return errors.New("no receiver URL: set " + whereSet("url"))
	}
	if _, err := endpoint.ParseHTTP(c.URL); err != nil {
		return fmt.Errorf("receiver URL %q: %w", wire.RedactURL(c.URL), err)
	}
	if c.Secret == "" {
		return errors.New("no webhook secret: set " + whereSet("secret"))
	}
	if !slices.Contains(report.Profiles, c.Profile) {
		return fmt.Errorf("unknown profile %q (known: %s)", c.Profile, strings.Join(report.Profiles, ", "))
	}
	if c.PublicURL != "" {
		if _, err := endpoint.ParseHTTP(c.PublicURL); err != nil {
			return fmt.Errorf("public URL %q: %w", c.PublicURL, err)
		}
	}
	if _, err := ParseIDs(strings.Join(c.Only, ",")); err != nil {
		return fmt.Errorf("only: %w", err)
	}
	if _, err := ParseIDs(strings.Join(c.Skip, ",")); err != nil {
		return fmt.Errorf("skip: %w", err)
	}
	for _, s := range Settings {
		if err := s.checkRange(&c); err != nil {
			return err
		}
	}
	if c.CAFile != "" {
		if _, err := endpoint.LoadCA(c.CAFile); err != nil {
			return err
		}
	}
	return nil
}

// Selected reports whether check id runs under c's --only and --skip.
func (c Config) Selected(id string) bool {
	ok, _ := c.selected(id)
	return ok
}

// selected reports whether check id runs under c, and if not, why.
func (c Config) selected(id string) (bool, string) {
	if len(c.Only) > 0 && !slices.ContainsFunc(c.Only, func(s string) bool { return strings.EqualFold(s, id) }) {
		return false, "not selected (--only " + strings.Join(c.Only, ",") + ")"
	}
	if slices.ContainsFunc(c.Skip, func(s string) bool { return strings.EqualFold(s, id) }) {
		return false, "not selected (--skip " + strings.Join(c.Skip, ",") + ")"
	}
	return true, ""
}
