package soak

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// size is how hard a run pushes: the short variant runs with every
// `go test`, the long one with PRISMHOOK_SOAK=long (make soak).
type size struct {
	name string
	// generations is N of the chaos spec; the mock is killed (SIGKILL) and
	// restarted after the first third of them, and after the second too
	// when kills is 2.
	generations, kills int
	// drainGenerations is the number of generations of the graceful
	// shutdown spec.
	drainGenerations int
	// settle bounds the wait for every delivery to reach a final status.
	settle time.Duration
	// specTimeout bounds a whole spec.
	specTimeout time.Duration
}

var (
	shortRun = size{name: "short", generations: 150, kills: 1, drainGenerations: 200, settle: time.Minute, specTimeout: 3 * time.Minute}
	longRun  = size{name: "long", generations: 2000, kills: 2, drainGenerations: 1000, settle: 10 * time.Minute, specTimeout: 20 * time.Minute}
)

// run is the size of this run, from PRISMHOOK_SOAK.
var run = shortRun

// bin is the prismhook binary under test, built once for the suite.
var bin string

func TestSoak(t *testing.T) {
	switch v := os.Getenv("PRISMHOOK_SOAK"); v {
	case "", "short":
	case "long":
		run = longRun
	default:
		t.Fatalf("PRISMHOOK_SOAK=%q: want short or long", v)
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "Soak Suite")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	dir, err := os.MkdirTemp("", "prismhook-soak-bin-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, dir)
	bin = filepath.Join(dir, "prismhook")
	// The race detector runs inside the child too: a data race in the
	// engine under this load is a failure of the soak.
	build := exec.CommandContext(ctx, "go", "build", "-race", "-o", bin, "github.com/prismhook/prismhook/cmd/prismhook")
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "go build -race ./cmd/prismhook:\n%s", out)
}, NodeTimeout(5*time.Minute))
