package suites

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/suites/report"
)

// Defaults of Config.
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
// field means its default; Run applies them.
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
	// version); default delivery.Version.
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

// EnvVars lists what ConfigFromEnv reads, in the order the README shows.
var EnvVars = []EnvVar{
	{"PRISMHOOK_URL", "URL of the receiver under test (required; without it the suite skips every check)", ""},
	{"PRISMHOOK_SECRET", "webhook secret the receiver verifies signatures with (required)", ""},
	{"PRISMHOOK_PROFILE", "core, recommended or production", DefaultProfile},
	{"PRISMHOOK_PUBLIC_URL", "base URL at which the receiver reaches the harness's artifact server", "http://<artifact address>"},
	{"PRISMHOOK_ARTIFACT_ADDR", "listen address of the artifact server", DefaultArtifactAddr},
	{"PRISMHOOK_CONCURRENCY", "deliveries in the TIME-03 burst", strconv.Itoa(DefaultConcurrency)},
	{"PRISMHOOK_CA", "PEM file with the CA that signed an HTTPS receiver's certificate", "system roots"},
	{"PRISMHOOK_ONLY", "comma-separated check IDs to run (the others are skipped)", "all"},
	{"PRISMHOOK_SKIP", "comma-separated check IDs not to run", "none"},
	{"PRISMHOOK_ACK_TIMEOUT", "how long a delivery waits for an answer (the 5 s rule)", DefaultAckTimeout.String()},
	{"PRISMHOOK_SLOW_ARTIFACT", "delay of the artifact server in ASYNC-01", DefaultSlowArtifact.String()},
	{"PRISMHOOK_RETRY_WINDOW", "how long RETRY-01 waits for the receiver to fetch again", DefaultRetryWindow.String()},
	{"PRISMHOOK_PROBE_WAIT", "how long probe checks wait for a first fetch of video_url before skipping", DefaultProbeWait.String()},
	{"PRISMHOOK_SEQUENTIAL", "events in the sequential run of TIME-01 and TIME-02", strconv.Itoa(DefaultSequential)},
	{"PRISMHOOK_LOAD_RATE", "events per second of the TIME-04 sustained load", strconv.Itoa(DefaultLoadRate)},
	{"PRISMHOOK_LOAD_DURATION", "how long the TIME-04 sustained load lasts", DefaultLoadDuration.String()},
	{"PRISMHOOK_EXPECT_FETCH", "true: the receiver's processing downloads video_url, so probe checks fail instead of skip when it never does", "false"},
}

// ConfigFromEnv reads a Config from the PRISMHOOK_* environment variables
// (see EnvVars). It reports malformed values; it does not require
// PRISMHOOK_URL, so that a suite can skip when it is unset. Call Validate
// (Run does) for the rest.
func ConfigFromEnv() (Config, error) {
	c := Config{
		URL:          os.Getenv("PRISMHOOK_URL"),
		Secret:       os.Getenv("PRISMHOOK_SECRET"),
		Profile:      os.Getenv("PRISMHOOK_PROFILE"),
		PublicURL:    os.Getenv("PRISMHOOK_PUBLIC_URL"),
		ArtifactAddr: os.Getenv("PRISMHOOK_ARTIFACT_ADDR"),
		CAFile:       os.Getenv("PRISMHOOK_CA"),
	}
	var errs []error
	envInt := func(name string, dst *int) {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not an integer", name, v))
				return
			}
			*dst = n
		}
	}
	envDuration := func(name string, dst *time.Duration) {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a duration (e.g. 5s, 500ms)", name, v))
				return
			}
			*dst = d
		}
	}
	envIDs := func(name string, dst *[]string) {
		if v := os.Getenv(name); v != "" {
			ids, err := ParseIDs(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				return
			}
			*dst = ids
		}
	}
	envInt("PRISMHOOK_CONCURRENCY", &c.Concurrency)
	envInt("PRISMHOOK_SEQUENTIAL", &c.Sequential)
	envInt("PRISMHOOK_LOAD_RATE", &c.LoadRate)
	envDuration("PRISMHOOK_LOAD_DURATION", &c.LoadDuration)
	if v := os.Getenv("PRISMHOOK_EXPECT_FETCH"); v != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("PRISMHOOK_EXPECT_FETCH=%q: not a boolean (true or false)", v))
		}
		c.ExpectFetch = b
	}
	envDuration("PRISMHOOK_ACK_TIMEOUT", &c.AckTimeout)
	envDuration("PRISMHOOK_SLOW_ARTIFACT", &c.SlowArtifact)
	envDuration("PRISMHOOK_RETRY_WINDOW", &c.RetryWindow)
	envDuration("PRISMHOOK_PROBE_WAIT", &c.ProbeWait)
	envIDs("PRISMHOOK_ONLY", &c.Only)
	envIDs("PRISMHOOK_SKIP", &c.Skip)
	return c, errors.Join(errs...)
}

// withDefaults returns c with every unset optional field at its default.
func (c Config) withDefaults() Config {
	if c.Profile == "" {
		c.Profile = DefaultProfile
	}
	if c.ArtifactAddr == "" {
		c.ArtifactAddr = DefaultArtifactAddr
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = DefaultAckTimeout
	}
	if c.SlowArtifact == 0 {
		c.SlowArtifact = DefaultSlowArtifact
	}
	if c.RetryWindow == 0 {
		c.RetryWindow = DefaultRetryWindow
	}
	if c.ProbeWait == 0 {
		c.ProbeWait = DefaultProbeWait
	}
	if c.Sequential == 0 {
		c.Sequential = DefaultSequential
	}
	if c.LoadRate == 0 {
		c.LoadRate = DefaultLoadRate
	}
	if c.LoadDuration == 0 {
		c.LoadDuration = DefaultLoadDuration
	}
	if c.Version == "" {
		c.Version = delivery.Version
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
		return errors.New("no receiver URL: set --url or PRISMHOOK_URL")
	}
	if _, err := endpoint.ParseHTTP(c.URL); err != nil {
		return fmt.Errorf("receiver URL %q: %w", delivery.RedactURL(c.URL), err)
	}
	if c.Secret == "" {
		return errors.New("no webhook secret: set --secret or PRISMHOOK_SECRET")
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
	if c.Concurrency < 1 {
		return fmt.Errorf("concurrency %d: must be at least 1", c.Concurrency)
	}
	if c.Sequential < 1 {
		return fmt.Errorf("sequential run of %d events: must be at least 1", c.Sequential)
	}
	if c.LoadRate < 1 || c.LoadRate > maxLoadRate {
		return fmt.Errorf("load rate %d: must be between 1 and %d events per second", c.LoadRate, maxLoadRate)
	}
	if c.LoadDuration < time.Second || c.LoadDuration > maxLoadDuration {
		return fmt.Errorf("load duration %s: must be between 1s and %s", c.LoadDuration, maxLoadDuration)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ack timeout", c.AckTimeout},
		{"slow artifact delay", c.SlowArtifact},
		{"retry window", c.RetryWindow},
		{"probe wait", c.ProbeWait},
	} {
		if d.v < 0 {
			return fmt.Errorf("%s %s: must be positive", d.name, d.v)
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
