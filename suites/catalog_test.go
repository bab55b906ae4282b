package suites_test

import (
	"slices"
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
	It("has exactly one implementation per check", func() {
		Expect(suites.ImplementedIDs()).To(Equal(slices.Sorted(slices.Values(suites.IDs()))))
	})

	It("has a reference-receiver defect for every check, and no other", func() {
		ids := make([]string, 0, len(receiver.Defects))
		for id := range receiver.Defects {
			ids = append(ids, id)
		}
		Expect(ids).To(ConsistOf(suites.IDs()))
	})

	It("puts every exclusive check, and only those, in phase 2, liveness last", func() {
		var exclusive []string
		for _, c := range suites.Catalog {
			if c.Exclusive {
				exclusive = append(exclusive, c.ID)
			}
		}
		Expect(suites.ExclusiveOrder).To(ConsistOf(exclusive))
		Expect(suites.ExclusiveOrder[len(suites.ExclusiveOrder)-1]).To(Equal("ROB-03"))
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
