package main

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/spf13/pflag"

	"github.com/prismhook/prismhook/suites"
)

var _ = Describe("Setting flags", func() {
	// Two distinct valid values of each kind of setting: the first for the
	// environment, the second for the flag.
	values := func(s suites.Setting) (env, flag string, want func(*suites.Config) any) {
		switch s.Field(&suites.Config{}).(type) {
		case *string:
			return "from-env", "from-flag", func(*suites.Config) any { return "from-flag" }
		case *int:
			return "3", "4", func(*suites.Config) any { return 4 }
		case *time.Duration:
			return "2s", "3s", func(*suites.Config) any { return 3 * time.Second }
		case *bool:
			return "true", "false", func(*suites.Config) any { return false }
		case *[]string:
			return "SIG-01", "sig-02", func(*suites.Config) any { return []string{"SIG-02"} }
		}
		Fail("setting " + s.Name + " has a field of a kind the flags do not bind")
		return
	}
	deref := func(p any) any {
		switch p := p.(type) {
		case *string:
			return *p
		case *int:
			return *p
		case *time.Duration:
			return *p
		case *bool:
			return *p
		case *[]string:
			return *p
		}
		return nil
	}

	It("bind every setting; a flag that is set wins over the environment, which wins over the default", func() {
		for _, s := range suites.Settings {
			By(s.Name)
			env, flag, want := values(s)

			// Flag and environment: the flag wins.
			GinkgoT().Setenv(s.Env, env)
			var f settingFlags
			fl := pflag.NewFlagSet("check", pflag.ContinueOnError)
			f.add(fl, true)
			Expect(fl.Parse([]string{"--" + s.Name + "=" + flag})).To(Succeed())
			c, err := suites.ConfigFromEnv()
			Expect(err).NotTo(HaveOccurred())
			Expect(f.apply(fl, &c)).To(Succeed())
			Expect(deref(s.Field(&c))).To(Equal(want(&c)), "--%s over %s", s.Name, s.Env)
			Expect(fl.Lookup(s.Name).Usage).To(HaveSuffix("(env " + s.Env + ")"))

			// Environment only: the flag's default does not override it.
			f = settingFlags{}
			fl = pflag.NewFlagSet("check", pflag.ContinueOnError)
			f.add(fl, true)
			Expect(fl.Parse(nil)).To(Succeed())
			c, err = suites.ConfigFromEnv()
			Expect(err).NotTo(HaveOccurred())
			Expect(f.apply(fl, &c)).To(Succeed())
			Expect(deref(s.Field(&c))).NotTo(Equal(want(&c)), "%s without --%s", s.Env, s.Name)
			GinkgoT().Setenv(s.Env, "")
		}
	})

	It("bind only the settings named, without the environment in the help", func() {
		var f settingFlags
		fl := pflag.NewFlagSet("demo", pflag.ContinueOnError)
		f.add(fl, false, "profile")
		Expect(fl.Lookup("url")).To(BeNil())
		Expect(fl.Lookup("profile").DefValue).To(Equal(suites.DefaultProfile))
		Expect(fl.Lookup("profile").Usage).NotTo(ContainSubstring("PRISMHOOK_"))
	})

	It("report a bad check ID as a usage error naming the flag", func() {
		var f settingFlags
		fl := pflag.NewFlagSet("check", pflag.ContinueOnError)
		f.add(fl, true)
		Expect(fl.Parse([]string{"--only", "SIG-01,XYZ-9"})).To(Succeed())
		var c suites.Config
		err := f.apply(fl, &c)
		Expect(err).To(MatchError(And(ContainSubstring("--only"), ContainSubstring("XYZ-9"))))
		Expect(exitCode(err)).To(Equal(exitUsage))
	})
})
