// Package container holds the container image's build script and its smoke
// test. The test needs podman (with runc) and runs only when
// PRISMHOOK_CONTAINER_TEST=1:
//
//	PRISMHOOK_CONTAINER_TEST=1 go test -count=1 -v ./internal/container/
package container

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
)

// maxImageBytes is the size budget of the image.
const maxImageBytes = 40 << 20

// runFlags are what `podman run` needs on this kind of machine: crun fails
// on its cgroup layout, and the default ulimits are above what an
// unprivileged container may set.
var runFlags = []string{"--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000"}

func TestImage(t *testing.T) {
	if os.Getenv("PRISMHOOK_CONTAINER_TEST") != "1" {
		t.Skip("set PRISMHOOK_CONTAINER_TEST=1 to build and smoke-test the container image (needs podman and runc)")
	}
	for _, tool := range []string{"podman", "runc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: apt-get install -y podman runc", tool)
		}
	}
	if out, err := exec.Command("podman", "info").CombinedOutput(); err != nil {
		t.Skipf("podman is not usable here: %v: %s", err, firstLine(out))
	}
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// Build.
	suffix := randomHex()
	image := "localhost/prismhook:smoke-" + suffix
	build := exec.CommandContext(ctx, "bash", "build.sh", "smoke-"+suffix)
	build.Env = append(os.Environ(), "IMAGE="+image)
	out, err := build.CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), "build.sh: %s", out)
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "--force", image).Run() })

	// Size and configuration.
	size, err := strconv.ParseInt(podman(t, ctx, "image", "inspect", "--format", "{{.Size}}", image), 10, 64)
	g.Expect(err).NotTo(HaveOccurred())
	t.Logf("image %s: %.1f MB", image, float64(size)/1e6)
	g.Expect(size).To(BeNumerically("<", maxImageBytes))
	g.Expect(podman(t, ctx, "image", "inspect", "--format", "{{.Config.User}}", image)).To(Equal("65532:65532"))
	g.Expect(podman(t, ctx, "image", "inspect", "--format", `{{index .Config.Labels "org.opencontainers.image.version"}}`, image)).To(Equal("smoke-" + suffix))

	// The README's command, as written but for a free port, this image and
	// a name: the mock on the loopback, as the image does by default.
	serveCmd, checkCmd := readmeCommands(t)
	port := freePort(t)
	name := "prismhook-smoke-" + suffix
	out, err = shell(ctx, nil, strings.NewReplacer(
		"podman run ", "podman run --detach --name "+name+" ",
		"127.0.0.1:4010:4010", "127.0.0.1:"+port+":4010",
		readmeImage, image,
	).Replace(serveCmd))
	g.Expect(err).NotTo(HaveOccurred(), "%s: %s", serveCmd, out)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := exec.Command("podman", "logs", name).CombinedOutput()
			t.Logf("container logs:\n%s", logs)
		}
		_ = exec.Command("podman", "rm", "--force", name).Run()
	})
	base := "http://127.0.0.1:" + port
	g.Eventually(func() (int, error) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(http.StatusOK))

	// The README's first request.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/webhooks", strings.NewReader(
		`{"url": "https://your-server.com/webhooks/prism", "events": ["video.completed", "video.failed"]}`))
	g.Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer YOUR_API_KEY")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusCreated))

	// The inspector page and its script and style are in the binary.
	for _, path := range []string{"/", "/_inspector/app.js", "/_inspector/app.css"} {
		resp, err := http.Get(base + path)
		g.Expect(err).NotTo(HaveOccurred())
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK), path)
		g.Expect(body).NotTo(BeEmpty(), path)
		if path == "/" {
			g.Expect(resp.Header.Get("Content-Security-Policy")).To(ContainSubstring("default-src 'none'"))
			g.Expect(string(body)).To(ContainSubstring("prismhook"))
		}
	}

	// The image's HEALTHCHECK (kept by --format docker) runs and passes.
	podman(t, ctx, "healthcheck", "run", name)

	// `prismhook check` from inside the image against a receiver on the
	// host's loopback: host networking joins the two.
	const secret = "whsec_container_smoke"
	rcv, err := receiver.Start(receiver.Options{Secret: secret})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() {
		if err := rcv.Close(); err != nil {
			t.Errorf("closing the receiver: %v", err)
		}
	})
	// The README's command, as written but for the receiver's URL and this
	// image.
	out, err = shell(ctx, []string{"PRISM_WEBHOOK_SECRET=" + secret}, strings.NewReplacer(
		readmeReceiverURL, rcv.URL,
		readmeImage, image,
	).Replace(checkCmd))
	t.Logf("check in the container:\n%s", out)
	g.Expect(err).NotTo(HaveOccurred(), "%s", checkCmd)
}

// What the README's container commands name, replaced by the test's own.
const (
	readmeImage       = "localhost/prismhook:latest"
	readmeReceiverURL = "http://127.0.0.1:3000/webhooks/prism"
)

// readmeCommands returns the README's `podman run` commands that serve the
// mock on a published port and that check a receiver on the host network,
// continuation lines joined. Both must carry the flags this machine needs.
func readmeCommands(t *testing.T) (serve, check string) {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	_, section, _ := strings.Cut(text, "\n## Container\n")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, line := range strings.Split(section, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		switch {
		case !strings.HasPrefix(line, "podman run "):
		case strings.Contains(line, "-p 127.0.0.1:4010:4010") && serve == "":
			serve = line
		case strings.Contains(line, " check "+readmeReceiverURL) && check == "":
			check = line
		}
	}
	if serve == "" || check == "" {
		t.Fatalf("README.md's Container section lacks a podman run command to serve (-p 127.0.0.1:4010:4010) or to check %s", readmeReceiverURL)
	}
	for _, cmd := range []string{serve, check} {
		if !strings.Contains(cmd, strings.Join(runFlags, " ")) || !strings.Contains(cmd, readmeImage) {
			t.Fatalf("README.md: %q lacks %q or the image %s", cmd, strings.Join(runFlags, " "), readmeImage)
		}
	}
	return serve, check
}

// shell runs a command line the way a user pastes it, with extra
// environment variables, and returns its combined output.
func shell(ctx context.Context, env []string, line string) ([]byte, error) {
	c := exec.CommandContext(ctx, "bash", "-c", line)
	c.Env = append(os.Environ(), env...)
	return c.CombinedOutput()
}

// podman runs a podman command that must succeed and returns its output.
func podman(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	c := exec.CommandContext(ctx, "podman", args...)
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		t.Fatalf("podman %s: %v: %s", strings.Join(args, " "), err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// freePort asks the kernel for a loopback port that is free right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func randomHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}
