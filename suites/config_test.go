package suites_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/suites"
)

var _ = Describe("Config", func() {
	valid := func() suites.Config {
		return suites.Config{URL: "http://127.0.0.1:3000/hook", Secret: secret}
	}

	It("accepts a URL and a secret, everything else defaulted", func() {
		Expect(valid().Validate()).To(Succeed())
	})

	DescribeTable("rejects with one line naming the problem",
		func(change func(*suites.Config), want string) {
			c := valid()
			change(&c)
			err := c.Validate()
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(err.Error()).NotTo(ContainSubstring("\n"))
		},
		Entry("no URL", func(c *suites.Config) { c.URL = "" }, "PRISMHOOK_URL"),
		Entry("relative URL", func(c *suites.Config) { c.URL = "/hook" }, "must be an absolute http or https URL"),
		Entry("other scheme", func(c *suites.Config) { c.URL = "ftp://example.com/hook" }, "must be an absolute http or https URL"),
		Entry("no host", func(c *suites.Config) { c.URL = "http:///hook" }, "has no host"),
		Entry("no secret", func(c *suites.Config) { c.Secret = "" }, "PRISMHOOK_SECRET"),
		Entry("unknown profile", func(c *suites.Config) { c.Profile = "strict" }, `unknown profile "strict"`),
		Entry("bad public URL", func(c *suites.Config) { c.PublicURL = "example.com" }, "public URL"),
		Entry("unknown ID in Only", func(c *suites.Config) { c.Only = []string{"SIG-01", "SIG-99"} }, "SIG-99"),
		Entry("unknown ID in Skip", func(c *suites.Config) { c.Skip = []string{"NOPE"} }, "NOPE"),
		Entry("negative concurrency", func(c *suites.Config) { c.Concurrency = -1 }, "concurrency"),
		Entry("negative load rate", func(c *suites.Config) { c.LoadRate = -5 }, "load rate"),
		Entry("load rate too high", func(c *suites.Config) { c.LoadRate = 1_000_000 }, "load rate 1000000: must be between 1 and 2000 events per second"),
		Entry("load duration too short", func(c *suites.Config) { c.LoadDuration = time.Millisecond }, "load duration"),
		Entry("negative sequential run", func(c *suites.Config) { c.Sequential = -1 }, "sequential run of -1 events: must be at least 1"),
		Entry("load duration too long", func(c *suites.Config) { c.LoadDuration = time.Hour }, "load duration 1h0m0s: must be between 1s and 1m0s"),
		Entry("negative ack timeout", func(c *suites.Config) { c.AckTimeout = -time.Second }, "ack timeout -1s: must be positive"),
		Entry("negative probe wait", func(c *suites.Config) { c.ProbeWait = -time.Second }, "probe wait -1s"),
		Entry("missing CA file", func(c *suites.Config) { c.CAFile = "/nonexistent/ca.pem" }, "CA file"),
		Entry("CA file without PEM", func(c *suites.Config) {
			path := filepath.Join(GinkgoT().TempDir(), "ca.pem")
			Expect(os.WriteFile(path, []byte("not a certificate"), 0o600)).To(Succeed())
			c.CAFile = path
		}, "no PEM certificate"),
	)

	It("accepts check IDs in any case", func() {
		c := valid()
		c.Only = []string{"sig-01", "Time-02"}
		Expect(c.Validate()).To(Succeed())
	})

	It("selects checks by --only and --skip, in any case", func() {
		c := valid()
		Expect(c.Selected("SIG-01")).To(BeTrue())
		c.Only = []string{"sig-01", "Time-02"}
		c.Skip = []string{"time-02"}
		Expect(c.Selected("SIG-01")).To(BeTrue())
		Expect(c.Selected("TIME-02")).To(BeFalse(), "skipped")
		Expect(c.Selected("SIG-02")).To(BeFalse(), "not in --only")
	})
})

var _ = Describe("ConfigFromEnv", func() {
	It("reads every documented variable", func() {
		env := map[string]string{
			"PRISMHOOK_URL":           "https://example.com/hook",
			"PRISMHOOK_SECRET":        "whsec_x",
			"PRISMHOOK_PROFILE":       "production",
			"PRISMHOOK_PUBLIC_URL":    "http://10.0.0.1:9000",
			"PRISMHOOK_ARTIFACT_ADDR": "0.0.0.0:9000",
			"PRISMHOOK_CONCURRENCY":   "7",
			"PRISMHOOK_CA":            "/etc/ca.pem",
			"PRISMHOOK_ONLY":          "sig-01, SIG-02",
			"PRISMHOOK_SKIP":          "ROB-04",
			"PRISMHOOK_ACK_TIMEOUT":   "3s",
			"PRISMHOOK_SLOW_ARTIFACT": "2s",
			"PRISMHOOK_RETRY_WINDOW":  "10s",
			"PRISMHOOK_PROBE_WAIT":    "4s",
			"PRISMHOOK_SEQUENTIAL":    "9",
			"PRISMHOOK_LOAD_RATE":     "50",
			"PRISMHOOK_LOAD_DURATION": "2s",
			"PRISMHOOK_EXPECT_FETCH":  "true",
		}
		documented := make([]string, len(suites.EnvVars))
		for i, v := range suites.EnvVars {
			documented[i] = v.Name
			Expect(v.Description).NotTo(BeEmpty())
		}
		Expect(documented).To(ConsistOf(keys(env)))
		for k, v := range env {
			GinkgoT().Setenv(k, v)
		}

		c, err := suites.ConfigFromEnv()
		Expect(err).NotTo(HaveOccurred())
		Expect(c).To(Equal(suites.Config{
			URL:          "https://example.com/hook",
			Secret:       "whsec_x",
			Profile:      "production",
			PublicURL:    "http://10.0.0.1:9000",
			ArtifactAddr: "0.0.0.0:9000",
			Concurrency:  7,
			CAFile:       "/etc/ca.pem",
			Only:         []string{"SIG-01", "SIG-02"},
			Skip:         []string{"ROB-04"},
			AckTimeout:   3 * time.Second,
			SlowArtifact: 2 * time.Second,
			RetryWindow:  10 * time.Second,
			ProbeWait:    4 * time.Second,
			LoadRate:     50,
			LoadDuration: 2 * time.Second,
			ExpectFetch:  true,
			Sequential:   9,
		}))
	})

	It("names every malformed variable", func() {
		GinkgoT().Setenv("PRISMHOOK_CONCURRENCY", "many")
		GinkgoT().Setenv("PRISMHOOK_ACK_TIMEOUT", "5")
		GinkgoT().Setenv("PRISMHOOK_ONLY", "SIG-01,XYZ-9")
		GinkgoT().Setenv("PRISMHOOK_EXPECT_FETCH", "sometimes")
		_, err := suites.ConfigFromEnv()
		Expect(err).To(MatchError(And(
			ContainSubstring("PRISMHOOK_EXPECT_FETCH"),
			ContainSubstring("PRISMHOOK_CONCURRENCY"),
			ContainSubstring("PRISMHOOK_ACK_TIMEOUT"),
			ContainSubstring("XYZ-9"),
		)))
	})
})

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

var _ = Describe("Settings", func() {
	It("declare every setting of Config once, with a flag, a PRISMHOOK_ variable and help", func() {
		var c suites.Config
		fields := map[uintptr]string{}
		names, envs := map[string]bool{}, map[string]bool{}
		for _, s := range suites.Settings {
			Expect(names).NotTo(HaveKey(s.Name), "flag %s twice", s.Name)
			Expect(envs).NotTo(HaveKey(s.Env), "variable %s twice", s.Env)
			names[s.Name], envs[s.Env] = true, true
			Expect(s.Env).To(Equal("PRISMHOOK_"+strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))), "the variable is named after the flag")
			Expect(s.Usage).NotTo(BeEmpty())
			p := reflect.ValueOf(s.Field(&c)).Pointer()
			Expect(fields).NotTo(HaveKey(p), "%s and %s fill the same field", s.Name, fields[p])
			fields[p] = s.Name
		}
		// Every field a user sets is a setting, except those a program
		// sets (the version it reports, the progress callback).
		v := reflect.ValueOf(&c).Elem()
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if name == "Version" || name == "Progress" {
				continue
			}
			Expect(fields).To(HaveKey(v.Field(i).Addr().Pointer()), "Config.%s has no row in Settings", name)
		}
	})

	It("give the defaults of Config", func() {
		c := suites.Config{}.WithDefaults()
		Expect(c.Profile).To(Equal(suites.DefaultProfile))
		Expect(c.ArtifactAddr).To(Equal(suites.DefaultArtifactAddr))
		Expect(c.Concurrency).To(Equal(suites.DefaultConcurrency))
		Expect(c.AckTimeout).To(Equal(suites.DefaultAckTimeout))
		Expect(c.SlowArtifact).To(Equal(suites.DefaultSlowArtifact))
		Expect(c.RetryWindow).To(Equal(suites.DefaultRetryWindow))
		Expect(c.ProbeWait).To(Equal(suites.DefaultProbeWait))
		Expect(c.Sequential).To(Equal(suites.DefaultSequential))
		Expect(c.LoadRate).To(Equal(suites.DefaultLoadRate))
		Expect(c.LoadDuration).To(Equal(suites.DefaultLoadDuration))
		Expect(c.Version).NotTo(BeEmpty())

		set := suites.Config{Concurrency: 3, AckTimeout: time.Second, Profile: "core"}.WithDefaults()
		Expect(set.Concurrency).To(Equal(3))
		Expect(set.AckTimeout).To(Equal(time.Second))
		Expect(set.Profile).To(Equal("core"))
	})
})
