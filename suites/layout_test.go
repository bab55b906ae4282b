package suites

import (
	"os/exec"
	"strings"
	"testing"
)

// TestHarnessStandsOnTheSharedCore keeps the harness off the mock: it
// delivers through internal/wire and serves artifacts through
// internal/artifacts, so neither mockserver/... nor the mock's metrics
// (Prometheus) are linked into it.
func TestHarnessStandsOnTheSharedCore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "prometheus") || strings.HasPrefix(pkg, "github.com/prismhook/prismhook/mockserver") {
			t.Errorf("suites depends on %s", pkg)
		}
	}
}
