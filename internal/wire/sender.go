package wire

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DefaultTimeout is Prism's rule: a receiver that has not answered within
// 5 seconds has failed the attempt.
const DefaultTimeout = 5 * time.Second

// Bounds of what the sender keeps and reads.
const (
	defaultMaxResponseBytes = 1 << 10
	// drainBytes is how much of an answer is read past the excerpt so that
	// the connection can be reused; a longer answer costs its connection.
	drainBytes = 64 << 10
	// bodyExcerptBytes is how much of the body sent an Exchange keeps.
	bodyExcerptBytes = 512
	// maxResponseHeaderBytes bounds an answer's header block; a longer one
	// fails the attempt.
	maxResponseHeaderBytes = 64 << 10
)

// SenderOptions configures a Sender. The zero value is usable.
type SenderOptions struct {
	Timeout   time.Duration     // per attempt, default DefaultTimeout
	UserAgent string            // default "Prism-Webhooks/" + Version
	Transport http.RoundTripper // optional; default: a keep-alive transport tuned for many deliveries to one host
	TLSConfig *tls.Config       // optional, e.g. RootCAs from --ca (used when Transport is nil)
	// MaxResponseBytes is how much of an answer is kept as its excerpt,
	// default 1 KiB. The rest is drained up to a bound, then dropped.
	MaxResponseBytes int64
	// DenyPrivate refuses to connect to private addresses (see
	// IsPrivateAddr), checked on each address dialled, after name
	// resolution: for a sender that serves untrusted users, which must not
	// reach the host's own or its network's services. The default
	// transport then ignores proxy settings: through a proxy the address
	// dialled would be the proxy's, not the receiver's. It has no effect on
	// a Transport of the caller's, which the mock's engine
	// (mockserver/delivery) therefore refuses.
	DenyPrivate bool
}

// Sender makes one HTTP attempt for a Message, applying its Fault. It is
// safe for concurrent use.
type Sender struct {
	// rt is used directly rather than through an http.Client: there are no
	// redirects to follow (Prism does not), no cookies, and the client's
	// per-request copy of the headers for redirects is wasted work.
	rt        http.RoundTripper
	timeout   time.Duration
	userAgent string
	maxResp   int
	buffers   sync.Pool // *[]byte of maxResp bytes, for response excerpts
}

// NewSender returns a Sender; zero options take their defaults.
func NewSender(o SenderOptions) *Sender {
	s := &Sender{
		timeout:   o.Timeout,
		userAgent: o.UserAgent,
		maxResp:   int(o.MaxResponseBytes),
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.userAgent == "" {
		s.userAgent = defaultUserAgent()
	}
	if s.maxResp <= 0 {
		s.maxResp = defaultMaxResponseBytes
	}
	s.rt = o.Transport
	if s.rt == nil {
		s.rt = newTransport(o.TLSConfig, o.DenyPrivate)
	}
	s.buffers.New = func() any {
		b := make([]byte, s.maxResp)
		return &b
	}
	return s
}

// CloseIdleConnections closes the keep-alive connections the sender holds
// open. A sender used for a bounded run (the conformance harness, `send`)
// calls it at the end, so that a receiver under test — often an
// httptest.Server in someone's own test — is not left with idle
// connections that hold up its shutdown.
func (s *Sender) CloseIdleConnections() {
	if c, ok := s.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// newTransport returns a keep-alive transport for many concurrent
// deliveries to the same receiver. It speaks HTTP/1.1 only, so header names
// reach the wire as the sender spells them (HTTP/2 lowercases them all), and
// asks for no compression, so the request carries only the sender's
// headers. Timeouts come from each attempt's context. denyPrivate refuses
// private addresses as they are dialled, and direct connections only.
func newTransport(tlsConf *tls.Config, denyPrivate bool) *http.Transport {
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	proxy := http.ProxyFromEnvironment
	if denyPrivate {
		dialer.Control = refusePrivate
		proxy = nil
	}
	t := &http.Transport{
		Proxy:               proxy,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		// A receiver's headers are bounded like its body: Go's default
		// would buffer up to 10 MB of them per answer.
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	if tlsConf != nil {
		t.TLSClientConfig = tlsConf.Clone()
	}
	return t
}

// Send makes one attempt: it prepares m (see Prepare), POSTs it and reads
// a bounded excerpt of the answer, the whole exchange bounded by the
// timeout. It never follows redirects and never panics; transport problems
// are in Exchange.Err and Exchange.ErrKind. A password in m.URL is sent as
// HTTP Basic authentication and shown as "***" in the Exchange.
func (s *Sender) Send(ctx context.Context, m Message) Exchange {
	if m.DeliveryID == "" {
		m.DeliveryID = NewDeliveryID()
	}
	x := Exchange{DeliveryID: m.DeliveryID, Fault: m.Fault, URL: RedactURL(m.URL), Started: time.Now()}
	body, header, err := prepare(m, s.userAgent)
	if err != nil {
		x.Err, x.ErrKind = err, ErrKindOther
		return x
	}
	x.RequestHeader = header
	x.BodySize = len(body)
	x.BodyExcerpt = excerpt(body, bodyExcerptBytes)
	s.do(ctx, &x, m.URL, body)
	return x
}

// do sends the prepared request to target and fills in the answer.
func (s *Sender) do(ctx context.Context, x *Exchange, target string, body []byte) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	// Latency runs from the first byte sent, which follows getting a
	// connection, to the end of what is read of the answer; a dial or
	// handshake that never completes counts from the start of the attempt.
	var connAt atomic.Int64
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connAt.Store(time.Now().UnixNano()) },
	})
	defer func() {
		if at := connAt.Load(); at != 0 {
			x.Connect = time.Unix(0, at).Sub(x.Started)
		}
	}()
	latency := func() time.Duration {
		now := time.Now()
		if at := connAt.Load(); at != 0 {
			return now.Sub(time.Unix(0, at))
		}
		return now.Sub(x.Started)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		x.Err, x.ErrKind = fmt.Errorf("delivery: bad URL: %w", redactErr(err, target)), ErrKindOther
		return
	}
	req.Header = x.RequestHeader
	if u := req.URL.User; u != nil {
		// Sent, never shown: the Exchange's copy of the headers says only
		// that credentials went out.
		req.Header = x.RequestHeader.Clone()
		pw, _ := u.Password()
		req.SetBasicAuth(u.Username(), pw)
		req.URL.User = nil
		x.RequestHeader["Authorization"] = []string{"Basic ***"}
	}
	resp, err := s.rt.RoundTrip(req)
	if err != nil {
		x.Latency = latency()
		x.ErrKind, x.Err = classify(redactErr(err, target), time.Since(x.Started))
		return
	}
	x.Status = resp.StatusCode
	x.ResponseHeader = boundedHeader(resp.Header)
	if x.Status >= 300 && x.Status < 400 {
		// Shown in reports: a password in it is hidden like the target's.
		x.Location = excerpt([]byte(RedactURL(resp.Header.Get("Location"))), maxHeaderValueBytes)
	}
	if resp.TLS != nil {
		x.TLSVersion = resp.TLS.Version
	}
	if resp.Body == nil { // a RoundTripper should always set it; be lenient
		x.Latency = latency()
		return
	}
	if x.Status < 200 {
		// A 1xx final answer (101 Switching Protocols) hands over the raw
		// connection as the body, which a context does not unblock: it is
		// not an answer to a delivery, so the connection is closed at once.
		resp.Body.Close()
		x.Latency = latency()
		x.Err, x.ErrKind = fmt.Errorf("status %d is not a final answer to a delivery", x.Status), ErrKindOther
		return
	}
	var rerr error
	x.ResponseExcerpt, rerr = s.readExcerpt(resp.Body)
	x.Latency = latency()
	switch {
	case rerr == nil:
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The status came in time but the answer did not end in time
		// (a body that drips): the attempt timed out.
		x.ErrKind, x.Err = ErrKindTimeout, fmt.Errorf("timeout: answer not complete after %s: status %d, body still arriving",
			time.Since(x.Started).Round(time.Millisecond), x.Status)
	case ctx.Err() != nil:
		x.ErrKind, x.Err = ErrKindOther, fmt.Errorf("interrupted while reading the answer: %w", ctx.Err())
	}
}

// redactErr hides the password of target in err's text: url.Error and
// dial errors repeat the URL they were given.
func redactErr(err error, target string) error {
	if err == nil || !strings.Contains(target, "@") {
		return err
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &url.Error{Op: uerr.Op, URL: RedactURL(uerr.URL), Err: uerr.Err}
	}
	return err
}

// readExcerpt keeps the first bytes of an answer and drains a bounded rest,
// so that a hostile receiver cannot make the sender buffer megabytes and a
// normal one leaves its connection reusable. The error is that of reading
// the excerpt (nil at the end of the answer or once the excerpt is full);
// draining errors do not matter.
func (s *Sender) readExcerpt(body io.ReadCloser) (string, error) {
	defer body.Close()
	bp := s.buffers.Get().(*[]byte)
	defer s.buffers.Put(bp)
	n, err := io.ReadFull(body, *bp)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF: // the whole answer fit
		return string((*bp)[:n]), nil
	case err != nil:
		return string(trimPartialRune((*bp)[:n])), err
	}
	io.CopyN(io.Discard, body, drainBytes) // closing before EOF drops the connection, as intended
	return string(trimPartialRune(*bp)), nil
}

// excerpt returns up to n bytes of b, cut at a character boundary.
func excerpt(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(trimPartialRune(b[:n]))
}

// trimPartialRune drops the incomplete UTF-8 sequence a cut may have left
// at the end of b, so that excerpts stay readable text.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return b
			}
			return b[:i]
		}
	}
	return b
}

// classify turns a client error into the Exchange's error kind and error.
func classify(err error, elapsed time.Duration) (ErrKind, error) {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // the URL is in the Exchange already
	}
	var (
		nerr net.Error
		perr *PrivateTargetError
	)
	switch {
	case errors.As(err, &perr):
		return ErrKindConnection, perr // the reason alone: "dial tcp …:" would only repeat the address
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout():
		return ErrKindTimeout, fmt.Errorf("timeout: no answer after %s: %w", elapsed.Round(time.Millisecond), err)
	case isTLSError(err):
		return ErrKindTLS, err
	case isConnectionError(err):
		return ErrKindConnection, err
	}
	return ErrKindOther, err
}

// BodyExcerpt returns the first bytes of body as an Exchange keeps them
// (BodyExcerpt), so that a log can tell a body it already holds from one a
// fault changed.
func BodyExcerpt(body []byte) string { return excerpt(body, bodyExcerptBytes) }
