package suites_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
)

// The catalogue is the one source of check IDs: implementations, the
// reference receiver's defects and the runner's phases must follow it (the
// README's table is kept identical by TestREADMECatalog).
var _ = Describe("The catalogue", func() {
	It("has a run function, a fix and a usual cause for every check", func() {
		for _, c := range suites.Catalog {
			Expect(suites.HasRun(c)).To(BeTrue(), c.ID)
			Expect(c.Fix.Why).NotTo(BeEmpty(), c.ID)
			Expect(c.Fix.How).NotTo(BeEmpty(), c.ID)
			Expect(c.Fix.Reference).NotTo(BeEmpty(), c.ID)
			Expect(c.Usually).NotTo(BeEmpty(), c.ID)
		}
	})

	It("points every fix at reference code that exists", func() {
		for _, c := range suites.Catalog {
			for _, part := range strings.Split(c.Fix.Reference, " and ") {
				path, names, _ := strings.Cut(part, " (")
				src, err := os.ReadFile(filepath.Join("..", path))
				Expect(err).NotTo(HaveOccurred(), "%s: %s", c.ID, path)
				// Each name in the parentheses is in that file, as written
				// or, for Type.Method, by its method name.
				for _, name := range strings.Split(strings.TrimSuffix(names, ")"), ", ") {
					if !strings.Contains(string(src), name) {
						name = name[strings.LastIndexByte(name, '.')+1:]
					}
					Expect(string(src)).To(ContainSubstring(name), "%s: %s names %q", c.ID, path, name)
				}
			}
		}
	})

	It("has a reference-receiver defect for every check, and no other", func() {
		ids := make([]string, 0, len(receiver.Defects))
		for id := range receiver.Defects {
			ids = append(ids, id)
		}
		Expect(ids).To(ConsistOf(suites.IDs()))
	})

	It("puts every check that needs the receiver alone, and only those, in phase 2, liveness last", func() {
		var exclusive []string
		for _, c := range suites.Catalog {
			if c.Phase != suites.Concurrent {
				exclusive = append(exclusive, c.ID)
			}
		}
		Expect(suites.ExclusiveOrder).To(ConsistOf(exclusive))
		Expect(suites.ExclusiveOrder[len(suites.ExclusiveOrder)-1]).To(Equal("ROB-03"))
	})

	It("marks the checks that send a delivery to be refused as rejection checks", func() {
		var rejection []string
		for _, c := range suites.Catalog {
			if c.Rejection {
				rejection = append(rejection, c.ID)
			}
		}
		Expect(rejection).To(Equal([]string{"SIG-03", "SIG-04", "SIG-05", "SIG-06", "ROB-02"}))
	})

	It("gives every check valid Ginkgo labels", func() {
		for _, c := range suites.Catalog {
			labels := suites.SpecLabels(c)
			Expect(labels).To(ContainElement(c.ID))
			for _, l := range labels {
				Expect(l).NotTo(ContainSubstring(" "))
				Expect(strings.ContainsAny(l, "&|!,()/")).To(BeFalse(), l)
			}
		}
	})
})
