// Command prismhook tests Prism webhook receivers: a mock Prism API that
// sends real, signed deliveries (serve), a conformance harness (check), and
// small tools around them (send, sign, verify, demo, receiver).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	// The User-Agent of every delivery carries the same version as --version.
	delivery.Version = version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
