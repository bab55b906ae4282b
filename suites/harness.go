package suites

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/artifacts"
	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/suites/report"
	"github.com/prismhook/prismhook/webhook"
)

// SetupError means a run could not start: the configuration is invalid or
// the receiver cannot be reached at all. No check ran.
type SetupError struct {
	Reason string // what went wrong, e.g. "receiver unreachable at http://…"
	Err    error
}

// Error is one line.
func (e *SetupError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *SetupError) Unwrap() error { return e.Err }

// harness is the environment of one run: the target, the one sender every
// delivery goes through, the artifact server the receiver fetches from, and
// what the preflight learnt about TLS.
type harness struct {
	cfg    Config
	target *url.URL
	roots  *x509.CertPool // nil: system roots
	sender *wire.Sender

	art       *artifacts.Server
	artErr    error // why the artifact server is not serving, if it is not
	publicURL string

	// tls is the preflight's TLS handshake, nil on plain HTTP.
	tls *handshake

	// Whether any probe saw a fetch of video_url, and how many skipped
	// because they saw none: the run's note on processing comes from them.
	fetchSeen    atomic.Bool
	noFetchSkips atomic.Int32

	// The sequential run TIME-01 and TIME-02 share.
	seqOnce sync.Once
	seq     []wire.Exchange
	seqErr  error
}

// handshake is the result of the preflight TLS handshake.
type handshake struct {
	At      time.Time
	Latency time.Duration
	Version uint16
	Subject string // the leaf certificate's subject, when one came back
	Err     error
}

// usable reports whether the sender can talk to the receiver: the
// certificate verified and TLS 1.2 or later was negotiated.
func (hs *handshake) usable() bool { return hs.Err == nil && hs.Version >= tls.VersionTLS12 }

// newHarness builds the environment for a validated, defaulted config.
func newHarness(c Config) (*harness, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, err
	}
	h := &harness{cfg: c, target: u, art: artifacts.New()}
	if c.CAFile != "" {
		if h.roots, err = endpoint.LoadCA(c.CAFile); err != nil {
			return nil, err
		}
	}
	h.sender = wire.NewSender(wire.SenderOptions{
		Timeout:   c.AckTimeout,
		UserAgent: "Prism-Webhooks/" + c.Version,
		TLSConfig: &tls.Config{RootCAs: h.roots, MinVersion: tls.VersionTLS12},
	})
	return h, nil
}

// close releases the run's connections to the receiver.
func (h *harness) close() { h.sender.CloseIdleConnections() }

// preflight makes sure the receiver can be reached at all: a TCP dial, and
// for HTTPS a TLS handshake whose result TLS-02 reports. An unreachable
// receiver is a *SetupError; a failed handshake is not (TLS-02 fails).
func (h *harness) preflight(ctx context.Context) error {
	d := net.Dialer{Timeout: h.cfg.AckTimeout}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", hostPort(h.target))
	// A reset means something listens there: the checks will tell what
	// is wrong with it.
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		return &SetupError{Reason: "receiver unreachable at " + wire.RedactURL(h.cfg.URL), Err: err}
	}
	if err == nil {
		defer conn.Close()
	}
	if h.target.Scheme != "https" {
		return nil
	}
	h.tls = &handshake{At: start, Err: err}
	if err != nil {
		return nil
	}
	// MinVersion TLS 1.0 so that an old version is negotiated and reported
	// rather than refused without a word about which version it was.
	tc := tls.Client(conn, &tls.Config{
		RootCAs:    h.roots,
		ServerName: h.target.Hostname(),
		MinVersion: tls.VersionTLS10,
	})
	hctx, cancel := context.WithTimeout(ctx, h.cfg.AckTimeout)
	defer cancel()
	h.tls.At = time.Now()
	h.tls.Err = tc.HandshakeContext(hctx)
	h.tls.Latency = time.Since(h.tls.At)
	st := tc.ConnectionState()
	h.tls.Version = st.Version
	if len(st.PeerCertificates) > 0 {
		h.tls.Subject = st.PeerCertificates[0].Subject.String()
	} else {
		var verr *tls.CertificateVerificationError
		if errors.As(h.tls.Err, &verr) && len(verr.UnverifiedCertificates) > 0 {
			h.tls.Subject = verr.UnverifiedCertificates[0].Subject.String()
		}
	}
	return nil
}

// hostPort is the address to dial for u, with the scheme's default port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// startArtifacts serves the artifact server on ArtifactAddr until the
// returned stop is called. A listen failure is kept in artErr: the probe
// checks report it as a harness error, the others do not need the server.
func (h *harness) startArtifacts() (stop func()) {
	ln, err := net.Listen("tcp", h.cfg.ArtifactAddr)
	if err != nil {
		h.artErr = fmt.Errorf("artifact server could not start: %w", err)
		h.publicURL = h.cfg.PublicURL
		if h.publicURL == "" {
			h.publicURL = "http://" + h.cfg.ArtifactAddr
		}
		return func() {}
	}
	h.publicURL = strings.TrimSuffix(h.cfg.PublicURL, "/")
	if h.publicURL == "" {
		h.publicURL = "http://" + publicAddr(ln.Addr(), hostPort(h.target))
	}
	srv := &http.Server{Handler: h.art, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: artifacts.MaxHeaderBytes}
	go func() { _ = srv.Serve(ln) }() // returns http.ErrServerClosed after Close
	// Close, not Shutdown: a receiver may still be waiting on a slowed
	// answer, and the run is over.
	return func() { srv.Close() }
}

// publicAddr turns the artifact server's bound address into one the
// receiver can dial. A specific host is its own answer. An unspecified one
// (0.0.0.0, ::, as in a container) becomes the local address this host uses
// to reach the receiver — in containers and on most networks one at which
// the receiver can reach back — and loopback when there is no route.
func publicAddr(a net.Addr, receiver string) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	port := fmt.Sprint(tcp.Port)
	// A UDP "connection" sends nothing: it only asks the kernel for a route.
	conn, err := net.Dial("udp", receiver)
	if err != nil {
		return net.JoinHostPort("127.0.0.1", port)
	}
	defer conn.Close()
	return net.JoinHostPort(conn.LocalAddr().(*net.UDPAddr).IP.String(), port)
}

// newGenerationID returns a fresh "gen_" id, so every check's events are
// its own: probes attribute fetches by it, and receivers' deduplication
// never mixes checks.
func newGenerationID() string {
	return "gen_" + strings.ToLower(rand.Text()[:20])
}

// event returns a compact event of the documentation's shape for a fresh
// generation, its artifact URLs pointing at the harness. keepTimestamp keeps
// the documentation's timestamps (SIG-01 sends the example as it is, id and
// URLs aside); otherwise they are the current time.
func (h *harness) event(eventType string, keepTimestamp bool) (genID string, body []byte, err error) {
	return h.eventWithPrompt(eventType, keepTimestamp, "")
}

// eventWithPrompt is event with data.prompt replaced, unless prompt is "".
func (h *harness) eventWithPrompt(eventType string, keepTimestamp bool, prompt string) (genID string, body []byte, err error) {
	example, err := fixtures.CompactEvent(eventType)
	if err != nil {
		return "", nil, err
	}
	ev, err := webhook.Parse(example)
	if err != nil {
		return "", nil, fmt.Errorf("fixture %s: %w", eventType, err)
	}
	genID = newGenerationID()
	if h.art != nil { // fetches of ids the harness did not hand out are not recorded
		h.art.Issue(genID)
	}
	ev.Data.ID = genID
	if prompt != "" {
		ev.Data.Prompt = prompt
	}
	if ev.Data.VideoURL != "" {
		ev.Data.VideoURL = h.publicURL + artifacts.VideoPath(genID)
		ev.Data.ThumbnailURL = h.publicURL + artifacts.ThumbnailPath(genID)
	}
	if !keepTimestamp {
		now := time.Now().UTC().Truncate(time.Second)
		ev.Timestamp, ev.Data.CreatedAt = now, now.Add(-5*time.Minute)
	}
	body, err = json.Marshal(ev)
	return genID, body, err
}

// message addresses an event to the receiver under test.
func (h *harness) message(eventType string, body []byte, fault wire.Fault) wire.Message {
	return wire.Message{
		URL:       h.cfg.URL,
		Secret:    h.cfg.Secret,
		EventType: eventType,
		Body:      body,
		Fault:     fault,
	}
}

// send makes one delivery through the run's sender.
func (h *harness) send(ctx context.Context, m wire.Message) wire.Exchange {
	return h.sender.Send(ctx, m)
}

// deliver sends m and returns what happened as evidence.
func (h *harness) deliver(ctx context.Context, label string, m wire.Message) report.Evidence {
	return exchangeEvidence(label, h.send(ctx, m))
}

// exchangeEvidence converts a delivery exchange into report evidence. The
// exchange holds excerpts only, so evidence stays small whatever the
// receiver answers.
func exchangeEvidence(label string, x wire.Exchange) report.Evidence {
	ev := report.Evidence{
		Kind:        report.KindDelivery,
		Label:       label,
		At:          x.Started,
		DeliveryID:  x.DeliveryID,
		Fault:       string(x.Fault),
		Method:      http.MethodPost,
		URL:         x.URL,
		BodyBytes:   x.BodySize,
		BodyExcerpt: x.BodyExcerpt,
		Status:      x.Status,
		LatencyMS:   ms(x.Latency),
		ConnectMS:   ms(x.Connect),
		Response:    x.ResponseExcerpt,
		Location:    x.Location,
	}
	if len(x.RequestHeader) > 0 {
		ev.RequestHeader = make(map[string]string, len(x.RequestHeader))
		for k, v := range x.RequestHeader {
			ev.RequestHeader[k] = strings.Join(v, ", ")
		}
	}
	if x.Err != nil {
		ev.Error = x.Err.Error()
		if x.ErrKind != wire.ErrKindNone && !strings.HasPrefix(ev.Error, string(x.ErrKind)) {
			ev.Error = string(x.ErrKind) + ": " + ev.Error
		}
	}
	if x.ErrKind == wire.ErrKindTimeout && x.Connect == 0 {
		// The whole attempt went by waiting for a connection: say so, in
		// the error and in the timings, which then add up to the timeout.
		ev.ConnectMS, ev.LatencyMS = ev.LatencyMS, 0
		ev.Error = fmt.Sprintf("timeout: no connection accepted within %s", x.Latency.Round(time.Millisecond))
	}
	return ev
}

// fetchEvidence converts a recorded artifact fetch into report evidence.
func fetchEvidence(f artifacts.Fetch) report.Evidence {
	ev := report.Evidence{
		Kind:         report.KindArtifactFetch,
		Label:        f.Kind + " fetched by the receiver",
		At:           f.At,
		Method:       f.Method,
		Path:         f.Path,
		ServedStatus: f.Status,
	}
	if f.UserAgent != "" {
		ev.RequestHeader = map[string]string{"User-Agent": f.UserAgent}
	}
	return ev
}

// handshakeEvidence describes the preflight TLS handshake.
func handshakeEvidence(target string, hs *handshake) report.Evidence {
	ev := report.Evidence{
		Kind:      report.KindTLSHandshake,
		Label:     "TLS handshake",
		At:        hs.At,
		URL:       wire.RedactURL(target),
		LatencyMS: ms(hs.Latency),
	}
	if hs.Version != 0 {
		ev.Response = "negotiated " + tls.VersionName(hs.Version)
		if hs.Subject != "" {
			ev.Response += ", certificate " + hs.Subject
		}
	}
	if hs.Err != nil {
		ev.Error = hs.Err.Error()
	}
	return ev
}

// ms is a duration in milliseconds with sub-millisecond precision.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
