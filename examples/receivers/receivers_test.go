// Package receivers_test runs every example receiver under
// examples/receivers/ through the full recommended check: each must be
// conformant, with every check passing (plain HTTP only warns TLS-01 and
// skips TLS-02), probe checks included.
package receivers_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
	"github.com/prismhook/prismhook/suites/report"
)

// example is one receiver and what its run script needs on this machine.
type example struct {
	lang string
	// missing says what to install when the runtime is not usable here,
	// "" when it is.
	missing func(dir string) string
}

var examples = []example{
	{"go", func(string) string { return needCommand("the Go toolchain", "go", "version") }},
	{"node", func(dir string) string {
		if msg := needCommand("nodejs (Node 20 or later)", "node", "--version"); msg != "" {
			return msg
		}
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "express")); err != nil {
			return "Express is not installed: run `npm ci` in examples/receivers/node"
		}
		return ""
	}},
	{"python", func(string) string {
		return needCommand("the Debian package python3-flask", "/usr/bin/python3", "-c", "import flask")
	}},
	{"ruby", func(string) string {
		return needCommand("the Debian packages ruby-sinatra and ruby-webrick", "ruby", "-e", `require "sinatra/base"; require "webrick"`)
	}},
	{"php", func(string) string {
		return needCommand("the Debian package php-cli", "php", "-r", `exit(function_exists("pcntl_fork") ? 0 : 1);`)
	}},
}

// needCommand runs a probe command; when it fails, the message names what
// to install.
func needCommand(what, name string, args ...string) string {
	if err := exec.Command(name, args...).Run(); err != nil {
		return fmt.Sprintf("%s is needed (%s %s: %v)", what, name, strings.Join(args, " "), err)
	}
	return ""
}

func TestExampleReceiversConform(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: each example takes a full check run")
	}
	for _, ex := range examples {
		t.Run(ex.lang, func(t *testing.T) {
			dir, err := filepath.Abs(ex.lang)
			if err != nil {
				t.Fatal(err)
			}
			if msg := ex.missing(dir); msg != "" {
				t.Skipf("%s example skipped: %s", ex.lang, msg)
			}
			url, secret := startExample(t, dir)

			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			started := time.Now()
			rep, err := suites.Run(ctx, suites.Config{
				URL:     url,
				Secret:  secret,
				Profile: report.ProfileRecommended,
				// Probe checks must pass, not skip (see acceptable).
				ExpectFetch: true,
			})
			if err != nil {
				t.Fatalf("check did not run: %v", err)
			}
			t.Logf("%s: %d pass, %d warn, %d skip, %d fail, %d error in %s (wall)",
				ex.lang, rep.Summary.Pass, rep.Summary.Warn, rep.Summary.Skip, rep.Summary.Fail, rep.Summary.Error,
				time.Since(started).Round(10*time.Millisecond))
			for _, c := range rep.Checks {
				if !acceptable(c) {
					t.Errorf("%s %s: %s", c.ID, c.Outcome, c.Reason)
				}
			}
			if v := rep.Summary.Conformant[report.ProfileRecommended]; v == nil || !*v {
				t.Errorf("not conformant to the recommended profile")
			}
		})
	}
}

// acceptable is pass for every check, except what plain HTTP on loopback
// makes of the TLS checks.
func acceptable(c report.CheckResult) bool {
	switch c.ID {
	case "TLS-01":
		return c.Outcome == report.Warn
	case "TLS-02":
		return c.Outcome == report.Skip
	}
	return c.Outcome == report.Pass
}

// startExample starts dir/run on a free loopback port, waits until it
// accepts connections, and stops its whole process group at cleanup.
func startExample(t *testing.T, dir string) (url, secret string) {
	t.Helper()
	secret = randomSecret(t)
	var port int
	var last error
	for range 3 { // a free port can be taken between the probe and the start
		port = freePort(t)
		if last = startOn(t, dir, port, secret); last == nil {
			return fmt.Sprintf("http://127.0.0.1:%d/webhooks/prism", port), secret
		}
		t.Logf("start on port %d: %v", port, last)
	}
	t.Fatalf("%s/run did not start: %v", dir, last)
	return "", ""
}

const startTimeout = 90 * time.Second // go run compiles; a loaded machine is slow

func startOn(t *testing.T, dir string, port int, secret string) error {
	out := &receiver.Tail{Max: 8 << 10}
	cmd := exec.Command(filepath.Join(dir, "run"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "PRISM_WEBHOOK_SECRET="+secret)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		// Whatever the group left behind (a worker that ignored SIGTERM).
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			stop()
			return fmt.Errorf("exited before listening: %s", strings.TrimSpace(out.String()))
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("receiver output (tail):\n%s", out.String())
				}
			})
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return fmt.Errorf("not listening on %s after %s: %s", addr, startTimeout, strings.TrimSpace(out.String()))
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "whsec_" + hex.EncodeToString(b)
}
