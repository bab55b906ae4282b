package main

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// `go install github.com/prismhook/prismhook/cmd/prismhook@v1.2.3`, for
// real: this working tree is served as that version by a module proxy in a
// directory, and the binary built from it must call itself v1.2.3 with no
// ldflags. The other modules come from the local module cache, so nothing
// is fetched from the network and the shared cache is left alone.
var _ = Describe("go install …@version", func() {
	It("reports the module version", func(ctx SpecContext) {
		if testing.Short() {
			Skip("-short: builds the binary from a module proxy")
		}
		const module, version = "github.com/prismhook/prismhook", "v1.2.3-install-test"
		root, err := filepath.Abs("../..")
		Expect(err).NotTo(HaveOccurred())
		files, err := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
		if err != nil {
			Skip("git cannot list this tree's files: " + err.Error())
		}
		modCache, err := exec.CommandContext(ctx, "go", "env", "GOMODCACHE").Output()
		Expect(err).NotTo(HaveOccurred())

		tmp := GinkgoT().TempDir()
		proxyDir := filepath.Join(tmp, "proxy", module, "@v")
		Expect(os.MkdirAll(proxyDir, 0o755)).To(Succeed())
		gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(proxyDir, version+".mod"), gomod, 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(proxyDir, version+".info"), []byte(`{"Version":"`+version+`"}`), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(proxyDir, "list"), []byte(version+"\n"), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(proxyDir, version+".zip"), moduleZip(root, module+"@"+version, strings.Fields(string(files))), 0o644)).To(Succeed())

		modTmp := filepath.Join(tmp, "mod")
		DeferCleanup(func() {
			// The module cache is read-only, which TempDir's removal needs.
			_ = exec.Command("chmod", "-R", "u+w", modTmp).Run()
		})
		install := exec.CommandContext(ctx, "go", "install", module+"/cmd/prismhook@"+version)
		install.Env = append(os.Environ(),
			"GOBIN="+filepath.Join(tmp, "bin"),
			"GOMODCACHE="+modTmp,
			"GOPROXY=file://"+filepath.Join(tmp, "proxy")+",file://"+filepath.Join(strings.TrimSpace(string(modCache)), "cache", "download"),
			"GOSUMDB=off",
			"GOFLAGS=-trimpath",
		)
		out, err := install.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", out)

		got, err := exec.CommandContext(ctx, filepath.Join(tmp, "bin", "prismhook"), "version").Output()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal("prismhook " + version + "\n"))
	}, SpecTimeout(3*time.Minute))
})

// moduleZip is the module zip of the files under root, each stored under
// prefix ("module@version/"). Directories of nested modules are left out,
// as the go command leaves them out of a module.
func moduleZip(root, prefix string, files []string) []byte {
	GinkgoHelper()
	nested := map[string]bool{}
	for _, f := range files {
		if path.Base(f) == "go.mod" && path.Dir(f) != "." {
			nested[path.Dir(f)] = true
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		if inNested(f, nested) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		Expect(err).NotTo(HaveOccurred())
		w, err := zw.Create(prefix + "/" + f)
		Expect(err).NotTo(HaveOccurred())
		_, err = w.Write(b)
		Expect(err).NotTo(HaveOccurred())
	}
	Expect(zw.Close()).To(Succeed())
	return buf.Bytes()
}

func inNested(f string, nested map[string]bool) bool {
	for d := path.Dir(f); d != "."; d = path.Dir(d) {
		if nested[d] {
			return true
		}
	}
	return false
}
