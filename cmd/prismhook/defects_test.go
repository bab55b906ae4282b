package main

import (
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
)

var _ = Describe("the receiver's defects", func() {
	It("are listed in receiver --help, each with the checks it fails", func() {
		r := cli("receiver", "--help")
		Expect(r.code).To(Equal(0))
		for id, d := range receiver.Defects {
			if d.Standalone() {
				Expect(r.stdout).To(MatchRegexp(`(?m)^  %s +fails .*\b%s\b`, d, id))
			}
		}
		Expect(r.stdout).NotTo(ContainSubstring(string(receiver.DefectCaseSensitiveHeader)), "needs a server of its own")
	})

	It("are served by `receiver --defect`", func() {
		for _, row := range defectRows() {
			h, err := receiver.NewHandler(receiver.Options{Secret: "s", Defect: row.defect})
			Expect(err).NotTo(HaveOccurred(), string(row.defect))
			h.Close()
		}
	})

	// Regenerate with: PRISMHOOK_UPDATE_README=1 go test ./cmd/prismhook -run TestPrismhook -args -ginkgo.focus=README
	It("are the README's table under See a failure", func() {
		const path = "../../README.md"
		raw, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		readme := string(raw)
		start, end := "<!-- defects:start -->\n", "<!-- defects:end -->"
		i, j := strings.Index(readme, start), strings.Index(readme, end)
		Expect(i).To(BeNumerically(">=", 0), "README.md lacks the defects markers")
		Expect(j).To(BeNumerically(">", i))
		want := defectsMarkdown()
		if got := readme[i+len(start) : j]; got != want && os.Getenv("PRISMHOOK_UPDATE_README") == "1" {
			Expect(os.WriteFile(path, []byte(readme[:i+len(start)]+want+readme[j:]), 0o644)).To(Succeed())
			return
		}
		Expect(readme[i+len(start):j]).To(Equal(want),
			"README.md's defects table is out of date; run PRISMHOOK_UPDATE_README=1 go test ./cmd/prismhook -run TestPrismhook -args -ginkgo.focus=README")
	})
})
