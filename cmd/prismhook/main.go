// Command prismhook tests Prism webhook receivers: a mock Prism API that
// sends real, signed deliveries (serve), a conformance harness (check), and
// small tools around them (send, sign, verify, demo, receiver).
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/prismhook/prismhook/internal/wire"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3"; main
// falls back to what the Go toolchain recorded (see buildVersion).
var version = "dev"

func main() {
	info, ok := debug.ReadBuildInfo()
	version = buildVersion(version, info, ok)
	// The User-Agent of every delivery carries the same version as --version.
	wire.Version = version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
