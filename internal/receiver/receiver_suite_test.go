package receiver_test

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/webhook"
)

func TestReceiver(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Reference receivers")
}

const secret = "whsec_reference_receiver_test"

// artifactStub serves /videos/{id}.mp4 for any id, counts fetches per id,
// and can answer 503 first or hold answers back until released.
type artifactStub struct {
	srv        *httptest.Server
	mu         sync.Mutex
	fetches    map[string]int
	failFirst  map[string]int
	status     map[string]int // a fixed answer
	retryAfter string
	gates      map[string]chan struct{}
	arrived    chan string // ids of gated fetches, as they arrive
}

func newArtifactStub() *artifactStub {
	s := &artifactStub{
		fetches:   make(map[string]int),
		failFirst: make(map[string]int),
		status:    make(map[string]int),
		gates:     make(map[string]chan struct{}),
		arrived:   make(chan string, 16),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	DeferCleanup(s.srv.Close)
	return s
}

func (s *artifactStub) serve(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/videos/")
	id, ok2 := strings.CutSuffix(id, ".mp4")
	if !ok || !ok2 {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.fetches[id]++
	n, fail, gate, retryAfter, status := s.fetches[id], s.failFirst[id], s.gates[id], s.retryAfter, s.status[id]
	s.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if n <= fail {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if gate != nil {
		s.arrived <- id
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "video/mp4")
	w.Write(fixtures.VideoMP4)
}

func (s *artifactStub) videoURL(id string) string { return s.srv.URL + "/videos/" + id + ".mp4" }

func (s *artifactStub) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[id]
}

// counter returns a poll function for Eventually.
func (s *artifactStub) counter(id string) func() int { return func() int { return s.count(id) } }

func (s *artifactStub) failFirstN(id string, n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failFirst[id], s.retryAfter = n, retryAfter
}

// answer makes every fetch of id answer status.
func (s *artifactStub) answer(id string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[id] = status
}

// gate holds id's video answers back until release is called.
func (s *artifactStub) gate(id string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.gates[id] = ch
	s.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	DeferCleanup(release)
	return release
}

func newGenID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "gen_" + hex.EncodeToString(b)
}

// event returns a compact event of the given type about generation id,
// with its URLs on the stub (for the types that have them).
func event(stub *artifactStub, eventType, id string) []byte {
	src := webhook.EventCompleted
	if eventType == webhook.EventFailed {
		src = webhook.EventFailed
	}
	raw, err := fixtures.CompactEvent(src)
	Expect(err).NotTo(HaveOccurred())
	var ev map[string]any
	Expect(json.Unmarshal(raw, &ev)).To(Succeed())
	ev["event"] = eventType
	data := ev["data"].(map[string]any)
	data["id"] = id
	if _, ok := data["video_url"]; ok {
		data["video_url"] = stub.videoURL(id)
		data["thumbnail_url"] = stub.srv.URL + "/thumbnails/" + id + ".jpg"
	}
	b, err := json.Marshal(ev)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// docExample returns the documentation's example payload as printed, with
// only the id and the URLs' host replaced.
func docExample(stub *artifactStub, id string) []byte {
	b, err := fixtures.Event(webhook.EventCompleted)
	Expect(err).NotTo(HaveOccurred())
	b = bytes.ReplaceAll(b, []byte("gen_abc123xyz"), []byte(id))
	return bytes.ReplaceAll(b, []byte("https://storage.prism.video"), []byte(stub.srv.URL))
}

func startReceiver(o receiver.Options) *receiver.Running {
	GinkgoHelper()
	if o.Secret == "" {
		o.Secret = secret
	}
	o.Logger = slog.New(slog.NewTextHandler(GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := receiver.Start(o)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { Expect(r.Close()).To(Succeed()) })
	return r
}

func newClient(cfg *tls.Config, timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = cfg
	DeferCleanup(t.CloseIdleConnections)
	return &http.Client{Transport: t, Timeout: timeout}
}

// delivery is one request to a receiver.
type delivery struct {
	body      []byte
	signature *string // nil: sign body correctly
	unsigned  bool    // no signature header at all
	header    map[string]string
}

type answer struct {
	status  int
	body    string
	elapsed time.Duration
	resp    *http.Response
}

func send(c *http.Client, url string, d delivery) (answer, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.EventHeader, webhook.EventCompleted)
	req.Header.Set(webhook.DeliveryHeader, "dlv_"+newGenID())
	sig := webhook.Sign(secret, d.body)
	if d.signature != nil {
		sig = *d.signature
	}
	if !d.unsigned {
		req.Header.Set(webhook.SignatureHeader, sig)
	}
	for k, v := range d.header {
		req.Header[k] = []string{v} // verbatim: lets a test send a lowercase name
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return answer{elapsed: time.Since(start)}, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return answer{status: resp.StatusCode, body: buf.String(), elapsed: time.Since(start), resp: resp}, err
}

// post sends d with a plain client and expects an answer.
func post(url string, d delivery) answer {
	GinkgoHelper()
	a, err := send(plainClient, url, d)
	Expect(err).NotTo(HaveOccurred())
	return a
}

var (
	plainTransport = http.DefaultTransport.(*http.Transport).Clone()
	plainClient    = &http.Client{Transport: plainTransport, Timeout: 15 * time.Second}
)

func sig(s string) *string { return &s }

func is2xx(status int) bool { return status >= 200 && status < 300 }
