package suites_test

import (
	"reflect"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/suites"
)

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
