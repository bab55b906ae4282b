package suites

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Setting is one setting of a conformance run, declared once: the Config
// field it fills, the PRISMHOOK_* environment variable and the flag of
// `prismhook check` that set it, its default, its description and the
// range Validate holds it to.
//
// Adding a setting takes its Config field and one row of Settings. The
// defaults (WithDefaults), ConfigFromEnv, EnvVars and so the README's
// table, the flags of `prismhook check` and the rule that a flag wins over
// the environment are all drawn from that row.
type Setting struct {
	Name  string // the flag of `prismhook check`, without the dashes
	Env   string // the environment variable ConfigFromEnv reads
	Usage string // the flag's help
	Doc   string // the variable's description in EnvVars (the README)
	// Default is the field's default, of the field's type; nil for the
	// zero value.
	Default any
	// DefaultDoc is the default as EnvVars shows it when it is not the
	// default value itself ("system roots").
	DefaultDoc string
	// Min and Max bound the field after defaults (nil: unbounded); Label
	// names the value in Validate's message, with %v for the value, and
	// Unit follows Max in it.
	Min, Max    any
	Label, Unit string

	field func(*Config) any
}

// Field returns a pointer to the field of c that s fills: a *string, *int,
// *bool, *time.Duration or *[]string.
func (s Setting) Field(c *Config) any { return s.field(c) }

// Settings are the settings of a conformance run, in the order the README
// lists them.
var Settings = []Setting{
	{Name: "url", Env: "PRISMHOOK_URL",
		Usage: "URL of the receiver under test",
		Doc:   "URL of the receiver under test (required; without it the suite skips every check)",
		field: func(c *Config) any { return &c.URL }},
	{Name: "secret", Env: "PRISMHOOK_SECRET",
		Usage: "webhook secret the receiver verifies with",
		Doc:   "webhook secret the receiver verifies signatures with (required)",
		field: func(c *Config) any { return &c.Secret }},
	{Name: "profile", Env: "PRISMHOOK_PROFILE", Default: DefaultProfile,
		Usage: "core, recommended or production",
		field: func(c *Config) any { return &c.Profile }},
	{Name: "public-url", Env: "PRISMHOOK_PUBLIC_URL", DefaultDoc: "http://<artifact address>",
		Usage: "base URL at which the receiver reaches the artifact server",
		Doc:   "base URL at which the receiver reaches the harness's artifact server",
		field: func(c *Config) any { return &c.PublicURL }},
	{Name: "artifact-addr", Env: "PRISMHOOK_ARTIFACT_ADDR", Default: DefaultArtifactAddr,
		Usage: "listen address of the artifact server",
		field: func(c *Config) any { return &c.ArtifactAddr }},
	{Name: "concurrency", Env: "PRISMHOOK_CONCURRENCY", Default: DefaultConcurrency,
		Usage: "deliveries in the TIME-03 burst",
		Min:   1, Label: "concurrency %v",
		field: func(c *Config) any { return &c.Concurrency }},
	{Name: "ca", Env: "PRISMHOOK_CA", DefaultDoc: "system roots",
		Usage: "PEM CA bundle to verify an HTTPS receiver",
		Doc:   "PEM file with the CA that signed an HTTPS receiver's certificate",
		field: func(c *Config) any { return &c.CAFile }},
	{Name: "only", Env: "PRISMHOOK_ONLY", DefaultDoc: "all",
		Usage: "comma-separated check IDs to run",
		Doc:   "comma-separated check IDs to run (the others are skipped)",
		field: func(c *Config) any { return &c.Only }},
	{Name: "skip", Env: "PRISMHOOK_SKIP", DefaultDoc: "none",
		Usage: "comma-separated check IDs not to run",
		field: func(c *Config) any { return &c.Skip }},
	{Name: "ack-timeout", Env: "PRISMHOOK_ACK_TIMEOUT", Default: DefaultAckTimeout,
		Usage: "time a delivery waits for its answer",
		Doc:   "how long a delivery waits for an answer (the 5 s rule)",
		Min:   time.Duration(0), Label: "ack timeout %v",
		field: func(c *Config) any { return &c.AckTimeout }},
	{Name: "slow-artifact", Env: "PRISMHOOK_SLOW_ARTIFACT", Default: DefaultSlowArtifact,
		Usage: "artifact delay in ASYNC-01",
		Doc:   "delay of the artifact server in ASYNC-01",
		Min:   time.Duration(0), Label: "slow artifact delay %v",
		field: func(c *Config) any { return &c.SlowArtifact }},
	{Name: "retry-window", Env: "PRISMHOOK_RETRY_WINDOW", Default: DefaultRetryWindow,
		Usage: "how long RETRY-01 waits for a refetch",
		Doc:   "how long RETRY-01 waits for the receiver to fetch again",
		Min:   time.Duration(0), Label: "retry window %v",
		field: func(c *Config) any { return &c.RetryWindow }},
	{Name: "probe-wait", Env: "PRISMHOOK_PROBE_WAIT", Default: DefaultProbeWait,
		Usage: "how long probe checks wait for a first fetch",
		Doc:   "how long probe checks wait for a first fetch of video_url before skipping",
		Min:   time.Duration(0), Label: "probe wait %v",
		field: func(c *Config) any { return &c.ProbeWait }},
	{Name: "sequential", Env: "PRISMHOOK_SEQUENTIAL", Default: DefaultSequential,
		Usage: "events in the TIME-01/02 run",
		Doc:   "events in the sequential run of TIME-01 and TIME-02",
		Min:   1, Label: "sequential run of %v events",
		field: func(c *Config) any { return &c.Sequential }},
	{Name: "load-rate", Env: "PRISMHOOK_LOAD_RATE", Default: DefaultLoadRate,
		Usage: "events per second of the TIME-04 sustained load",
		Min:   1, Max: maxLoadRate, Label: "load rate %v", Unit: " events per second",
		field: func(c *Config) any { return &c.LoadRate }},
	{Name: "load-duration", Env: "PRISMHOOK_LOAD_DURATION", Default: DefaultLoadDuration,
		Usage: "duration of the TIME-04 sustained load",
		Doc:   "how long the TIME-04 sustained load lasts",
		Min:   time.Second, Max: maxLoadDuration, Label: "load duration %v",
		field: func(c *Config) any { return &c.LoadDuration }},
	{Name: "expect-fetch", Env: "PRISMHOOK_EXPECT_FETCH",
		Usage: "the receiver's processing downloads video_url: probe checks fail instead of skip when it never does",
		Doc:   "true: the receiver's processing downloads video_url, so probe checks fail instead of skip when it never does",
		field: func(c *Config) any { return &c.ExpectFetch }},
}

// whereSet names the flag and the variable of the setting called name:
// "--url or PRISMHOOK_URL".
func whereSet(name string) string {
	for _, s := range Settings {
		if s.Name == name {
			return "--" + s.Name + " or " + s.Env
		}
	}
	panic("suites: no setting " + name)
}

// doc is the setting's description in EnvVars.
func (s Setting) doc() string {
	if s.Doc != "" {
		return s.Doc
	}
	return s.Usage
}

// defaultDoc is the setting's default as EnvVars shows it.
func (s Setting) defaultDoc() string {
	if s.DefaultDoc != "" {
		return s.DefaultDoc
	}
	var zero Config
	switch p := s.field(&zero).(type) {
	case *string:
		if s.Default == nil {
			return ""
		}
	case *bool:
		return strconv.FormatBool(*p)
	}
	return fmt.Sprint(s.Default)
}

// setDefault sets s's field of c to its default if it is unset.
func (s Setting) setDefault(c *Config) {
	if s.Default == nil {
		return
	}
	switch p := s.field(c).(type) {
	case *string:
		if *p == "" {
			*p = s.Default.(string)
		}
	case *int:
		if *p == 0 {
			*p = s.Default.(int)
		}
	case *time.Duration:
		if *p == 0 {
			*p = s.Default.(time.Duration)
		}
	}
}

// parse sets s's field of c from v, the value of its environment
// variable.
func (s Setting) parse(c *Config, v string) error {
	switch p := s.field(c).(type) {
	case *string:
		*p = v
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%s=%q: not an integer", s.Env, v)
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%s=%q: not a duration (e.g. 5s, 500ms)", s.Env, v)
		}
		*p = d
	case *bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%s=%q: not a boolean (true or false)", s.Env, v)
		}
		*p = b
	case *[]string:
		ids, err := ParseIDs(v)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Env, err)
		}
		*p = ids
	}
	return nil
}

// fromEnv sets s's field of c from its environment variable, if set.
func (s Setting) fromEnv(c *Config) error {
	v := os.Getenv(s.Env)
	if v == "" {
		return nil
	}
	return s.parse(c, v)
}

// checkRange reports a field of c outside [Min, Max].
func (s Setting) checkRange(c *Config) error {
	if s.Min == nil && s.Max == nil {
		return nil
	}
	var low, high bool
	var v any
	switch p := s.field(c).(type) {
	case *int:
		v = *p
		low = s.Min != nil && *p < s.Min.(int)
		high = s.Max != nil && *p > s.Max.(int)
	case *time.Duration:
		v = *p
		low = s.Min != nil && *p < s.Min.(time.Duration)
		high = s.Max != nil && *p > s.Max.(time.Duration)
	}
	if !low && !high {
		return nil
	}
	what := fmt.Sprintf(s.Label, v)
	switch {
	case s.Max != nil:
		return fmt.Errorf("%s: must be between %v and %v%s", what, s.Min, s.Max, s.Unit)
	case s.Min == time.Duration(0):
		return fmt.Errorf("%s: must be positive", what)
	default:
		return fmt.Errorf("%s: must be at least %v", what, s.Min)
	}
}
