package main

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
)

var _ = Describe("shell completion", func() {
	// complete returns what the shell would offer for the last argument.
	complete := func(args ...string) string {
		r := cli(append([]string{"__complete"}, args...)...)
		Expect(r.code).To(Equal(0), r.stderr)
		return r.stdout
	}

	It("offers event names, fault names and profiles", func() {
		Expect(complete("send", "")).To(And(ContainSubstring("video.completed"), ContainSubstring("video.failed")))
		faults := complete("send", "video.completed", "--fault", "")
		for _, f := range wire.Faults {
			Expect(faults).To(ContainSubstring(string(f.Name) + "\t" + f.Description))
		}
		for _, cmd := range []string{"check", "demo"} {
			profiles := complete(cmd, "--profile", "")
			for _, p := range report.Profiles {
				Expect(profiles).To(ContainSubstring(p), cmd)
			}
		}
		Expect(complete("serve", "--log-format", "")).To(And(ContainSubstring("text"), ContainSubstring("json")))
		Expect(complete("serve", "--log-level", "")).To(ContainSubstring("debug"))
	})
})
