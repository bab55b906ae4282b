package soak

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// mock is `prismhook serve` running as a child process on a data file,
// restarted on the same file and port as often as a spec wants.
type mock struct {
	dir    string   // logs and the data file
	data   string   // --data
	apiKey string   // --api-key, and the bearer token of every call
	flags  []string // the other flags of serve
	addr   string   // host:port it listens on
	client *http.Client

	proc *process // the one running, if any
	runs int      // processes started so far, for log file names
}

// process is one run of the child.
type process struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when it exited
	exit   error         // cmd.Wait's error, once done
	stderr string        // path of its stderr log
}

// newMock starts `prismhook serve` in dir on a free port with flags.
func newMock(dir string, flags ...string) *mock {
	GinkgoHelper()
	m := &mock{
		dir:    dir,
		data:   filepath.Join(dir, "state.db"),
		apiKey: "sk_soak_" + randomHex(),
		flags:  flags,
		client: &http.Client{Timeout: 30 * time.Second},
	}
	DeferCleanup(func() {
		m.kill()
		if CurrentSpecReport().Failed() {
			m.printLogTails(30)
		}
	})
	// The port is free when probed but may be taken before the child binds
	// it: try others until one works.
	var err error
	for range 5 {
		m.addr = freeAddr()
		if err = m.launch(); err == nil || !errors.Is(err, errAddrInUse) {
			break
		}
	}
	Expect(err).NotTo(HaveOccurred())
	return m
}

// restart starts the child again on the same data file and port. The port
// was released by the exit but another process can take it meanwhile:
// retry for a while, then move to another free port (the webhook's URL is
// the receiver's, so deliveries do not depend on the mock's port).
func (m *mock) restart() {
	GinkgoHelper()
	Expect(m.proc == nil).To(BeTrue(), "restart of a running mock")
	var err error
	for i := range 25 {
		if i == 20 {
			GinkgoWriter.Printf("port of %s stays taken; restarting on another port\n", m.addr)
			m.addr = freeAddr()
		}
		if err = m.launch(); err == nil || !errors.Is(err, errAddrInUse) {
			break
		}
		time.Sleep(250 * time.Millisecond) // the port is someone else's; no event to wait for
	}
	Expect(err).NotTo(HaveOccurred())
}

var errAddrInUse = errors.New("address already in use")

// launch starts a process and waits until it answers /healthz.
func (m *mock) launch() error {
	m.runs++
	stdout, err := os.Create(filepath.Join(m.dir, fmt.Sprintf("serve-%d.stdout", m.runs)))
	if err != nil {
		return err
	}
	defer stdout.Close()
	stderrPath := filepath.Join(m.dir, fmt.Sprintf("serve-%d.stderr", m.runs))
	stderr, err := os.Create(stderrPath)
	if err != nil {
		return err
	}
	defer stderr.Close()

	args := append([]string{"serve", "--addr", m.addr, "--data", m.data, "--api-key", m.apiKey,
		"--log-format", "json", "--log-level", "debug"}, m.flags...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, done: make(chan struct{}), stderr: stderrPath}
	go func() {
		p.exit = cmd.Wait()
		close(p.done)
	}()

	deadline := time.After(time.Minute) // a race-enabled binary on a busy machine starts slowly
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			log, _ := os.ReadFile(stderrPath)
			if bytes.Contains(log, []byte("address already in use")) {
				return fmt.Errorf("%s: %w", m.addr, errAddrInUse)
			}
			return fmt.Errorf("prismhook serve exited at start (%v):\n%s", p.exit, log)
		case <-deadline:
			_ = cmd.Process.Kill()
			<-p.done
			return fmt.Errorf("prismhook serve did not answer /healthz on %s within a minute", m.addr)
		case <-tick.C:
			if resp, err := m.client.Get(m.url("/healthz")); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					m.proc = p
					return nil
				}
			}
		}
	}
}

// kill sends SIGKILL to the running child, if any, and waits for it.
func (m *mock) kill() {
	if m.proc == nil {
		return
	}
	_ = m.proc.cmd.Process.Kill()
	<-m.proc.done
	m.proc = nil
	// Connections to the dead process must not be reused for the next one.
	m.client.CloseIdleConnections()
}

// terminate sends SIGTERM to the running child and returns it, to wait for
// its exit (done) and read its status.
func (m *mock) terminate() *process {
	GinkgoHelper()
	p := m.proc
	Expect(p.cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
	return p
}

// forget drops the process terminate stopped, once it exited.
func (m *mock) forget() {
	m.proc = nil
	m.client.CloseIdleConnections()
}

// exitCode is the exit status of a process that exited (-1 for a signal).
func (p *process) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// logs returns the path of every log file the child wrote.
func (m *mock) logs() []string {
	paths, _ := filepath.Glob(filepath.Join(m.dir, "serve-*"))
	return paths
}

// printLogTails writes the last n lines of every log of the child to the
// spec's output, which Ginkgo shows for a failed spec.
func (m *mock) printLogTails(n int) {
	for _, path := range m.logs() {
		raw, err := os.ReadFile(path)
		if err != nil || len(raw) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		lines = lines[max(0, len(lines)-n):]
		GinkgoWriter.Printf("--- last %d lines of %s\n%s\n", len(lines), filepath.Base(path), strings.Join(lines, "\n"))
	}
}

func (m *mock) url(path string) string { return "http://" + m.addr + path }

// call makes one API call, sending in as JSON when not nil, and decodes a
// JSON answer into out when not nil. It returns the status.
func (m *mock) call(method, path string, in, out any) int {
	GinkgoHelper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		Expect(err).NotTo(HaveOccurred())
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, m.url(path), body)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+m.apiKey)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := m.client.Do(req)
	Expect(err).NotTo(HaveOccurred(), "%s %s", method, path)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	if out != nil && resp.StatusCode < 300 {
		Expect(json.Unmarshal(raw, out)).To(Succeed(), "%s %s answered %s", method, path, raw)
	}
	if resp.StatusCode >= 300 {
		GinkgoWriter.Printf("%s %s: %d %s\n", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// createWebhook registers url for both event types and returns its id and
// secret.
func (m *mock) createWebhook(url string) (id, secret string) {
	GinkgoHelper()
	var w struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	status := m.call(http.MethodPost, "/v1/webhooks", map[string]any{
		"url":    url,
		"events": []string{"video.completed", "video.failed"},
	}, &w)
	Expect(status).To(Equal(http.StatusCreated))
	Expect(w.ID).To(HavePrefix("wh_"))
	Expect(w.Secret).To(HavePrefix("whsec_"))
	return w.ID, w.Secret
}

// createVideo asks for a generation, forced to fail when fail is true, and
// returns its id when it was accepted with 202.
func (m *mock) createVideo(prompt string, fail bool) (string, bool) {
	GinkgoHelper()
	if fail {
		Expect(m.call(http.MethodPost, "/_mock/outcome", map[string]string{"outcome": "failed"}, nil)).To(Equal(http.StatusOK))
	}
	var g struct {
		ID string `json:"id"`
	}
	if m.call(http.MethodPost, "/v1/videos", map[string]any{"prompt": prompt, "duration": 4}, &g) != http.StatusAccepted {
		return "", false
	}
	Expect(g.ID).To(HavePrefix("gen_"))
	return g.ID, true
}

// deliveries returns the delivery log of a webhook.
func (m *mock) deliveries(webhookID string) []delivery.Delivery {
	GinkgoHelper()
	var list struct {
		Data []delivery.Delivery `json:"data"`
	}
	Expect(m.call(http.MethodGet, "/v1/webhooks/"+webhookID+"/deliveries", nil, &list)).To(Equal(http.StatusOK))
	return list.Data
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	return ln.Addr().String()
}

// expectCleanLogs checks every log of the child: JSON lines only (no race
// report, no panic, no stray output) and none of the secrets.
func expectCleanLogs(m *mock, secrets ...string) (lines int) {
	GinkgoHelper()
	for _, path := range m.logs() {
		raw, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		log := string(raw)
		Expect(log).NotTo(ContainSubstring("DATA RACE"), path)
		Expect(log).NotTo(ContainSubstring("panic"), path)
		for _, s := range secrets {
			Expect(log).NotTo(ContainSubstring(s), "%s: a secret is in the log", path)
		}
		for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
			if line == "" {
				continue
			}
			Expect(json.Valid([]byte(line))).To(BeTrue(), "%s: not a JSON log line: %s", path, line)
			lines++
		}
	}
	return lines
}

// randomHex is 16 random hex digits, for values that must not collide
// with anything else in a log.
func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
