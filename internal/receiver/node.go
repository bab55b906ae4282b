package receiver

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed node/receiver.js
var nodeReceiverJS []byte

// ErrNoNode is returned by StartNode when node is not on PATH.
var ErrNoNode = errors.New("receiver: node is not on PATH")

const nodeStartTimeout = 15 * time.Second

// StartNode runs the naive Node receiver (node/receiver.js, which uses the
// documentation's verifyWebhook unchanged) on a free loopback port. Close
// kills the process.
func StartNode(secret string) (*Running, error) { return StartNodeOn(secret, 0) }

// StartNodeOn is StartNode on a given loopback port (0 = any), for flows
// where the receiver's URL must be registered before its secret is known.
func StartNodeOn(secret string, port int) (*Running, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, ErrNoNode
	}
	if secret == "" {
		return nil, errors.New("receiver: a webhook secret is required")
	}
	dir, err := os.MkdirTemp("", "prismhook-node-receiver-")
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	script := filepath.Join(dir, "receiver.js")
	if err := os.WriteFile(script, nodeReceiverJS, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("receiver: %w", err)
	}

	ports := make(chan int, 1)
	stderr := &Tail{Max: 4 << 10}
	cmd := exec.Command(node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "WEBHOOK_SECRET="+secret)
	cmd.Stdout = &portWriter{ports: ports}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("receiver: start node: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() error {
		_ = cmd.Process.Kill()
		<-exited
		return os.RemoveAll(dir)
	}

	timer := time.NewTimer(nodeStartTimeout)
	defer timer.Stop()
	select {
	case port := <-ports:
		return &Running{
			URL:      fmt.Sprintf("http://127.0.0.1:%d%s", port, Path),
			shutdown: stop,
		}, nil
	case <-exited:
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("receiver: node exited before listening (%v): %s", waitErr, strings.TrimSpace(stderr.String()))
	case <-timer.C:
		_ = stop()
		return nil, fmt.Errorf("receiver: node did not report its port within %s: %s", nodeStartTimeout, strings.TrimSpace(stderr.String()))
	}
}

// portWriter finds the "listening <port>" line in the receiver's stdout and
// discards everything else.
type portWriter struct {
	ports chan<- int
	line  []byte
	found bool
}

func (w *portWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if w.found {
			break
		}
		if c != '\n' {
			if len(w.line) < 256 {
				w.line = append(w.line, c)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(string(w.line)), "listening "); ok {
			if port, err := strconv.Atoi(rest); err == nil && port > 0 {
				w.found = true
				w.ports <- port
			}
		}
		w.line = w.line[:0]
	}
	return len(p), nil
}

// Tail keeps the last Max bytes written to it: the end of a child
// process's output, for the error when the process fails. It is safe for
// concurrent use.
type Tail struct {
	Max int
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.Max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
