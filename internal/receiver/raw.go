package receiver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// Bounds of the raw server.
const (
	rawMaxLine      = 8 << 10 // request line or one header line
	rawMaxHeaders   = 100     // header lines per request
	rawIdleTimeout  = time.Minute
	rawReadTimeout  = 30 * time.Second // head and body of one request
	rawWriteTimeout = 10 * time.Second
	rawLingerDelay  = 500 * time.Millisecond // lets the client read an answer before the socket closes
)

var (
	errRawTooLarge   = errors.New("request head too large")
	errRawMalformed  = errors.New("malformed request")
	errRawChunked    = errors.New("transfer-encoding is not supported")
	errRawBadLength  = errors.New("invalid content-length")
	errRawClientGone = errors.New("client closed the connection")
)

// rawServer is a deliberately minimal HTTP/1.1 server on a net.Listener. It
// keeps header names exactly as they arrive, which net/http cannot, and
// serves DefectCaseSensitiveHeader: a request whose signature header is not
// spelled exactly X-Prism-Signature is refused with 401. Everything else is
// handed, as an *http.Request, to the correct receiver.
type rawServer struct {
	ln      net.Listener
	handler http.Handler
	ctx     context.Context
	cancel  context.CancelFunc

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func serveRaw(ln net.Listener, h http.Handler) *rawServer {
	ctx, cancel := context.WithCancel(context.Background())
	s := &rawServer{ln: ln, handler: h, ctx: ctx, cancel: cancel, conns: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Close stops accepting, closes every connection and waits for their
// goroutines.
func (s *rawServer) Close() error {
	s.cancel()
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *rawServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // closed
		}
		s.mu.Lock()
		if s.ctx.Err() != nil {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

func (s *rawServer) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReaderSize(c, rawMaxLine)
	for s.ctx.Err() == nil {
		_ = c.SetReadDeadline(time.Now().Add(rawIdleTimeout))
		if _, err := br.Peek(1); err != nil {
			return // idle connection closed or timed out
		}
		_ = c.SetReadDeadline(time.Now().Add(rawReadTimeout))
		keepAlive := s.serveRequest(c, br)
		if !keepAlive {
			return
		}
	}
}

// serveRequest reads one request and answers it, reporting whether the
// connection can carry another.
func (s *rawServer) serveRequest(c net.Conn, br *bufio.Reader) (keepAlive bool) {
	rq, err := readRawHead(br)
	if err != nil {
		if !errors.Is(err, errRawClientGone) {
			s.refuse(c, rawErrorStatus(err), err.Error())
		}
		return false
	}
	if rq.contentLength > MaxBodyBytes {
		// Refused before reading: nothing more of the body is drained.
		s.refuse(c, http.StatusRequestEntityTooLarge, "body too large")
		return false
	}
	if v, ok := rq.get("Expect"); ok && strings.EqualFold(v, "100-continue") {
		if _, err := io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			return false
		}
	}
	body := make([]byte, rq.contentLength)
	if _, err := io.ReadFull(br, body); err != nil {
		return false
	}
	keepAlive = rq.keepAlive()

	var resp bufferedResponse
	if _, ok := rq.header[webhook.SignatureHeader]; !ok {
		// Defect: only this exact spelling of the header name is looked up.
		writeStatus(&resp, http.StatusUnauthorized, "missing X-Prism-Signature")
	} else {
		req, err := rq.httpRequest(s.ctx, body, c.RemoteAddr().String())
		if err != nil {
			s.refuse(c, http.StatusBadRequest, err.Error())
			return false
		}
		s.handler.ServeHTTP(&resp, req)
	}
	return writeRawResponse(c, &resp, !keepAlive) == nil && keepAlive
}

// refuse answers with an error and closes the connection gracefully.
func (s *rawServer) refuse(c net.Conn, status int, msg string) {
	var resp bufferedResponse
	writeStatus(&resp, status, msg)
	if writeRawResponse(c, &resp, true) != nil {
		return
	}
	// Half-close, then linger briefly, so the client reads the answer
	// instead of a reset caused by the body it is still sending.
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	t := time.NewTimer(rawLingerDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ctx.Done():
	}
}

func rawErrorStatus(err error) int {
	switch {
	case errors.Is(err, errRawTooLarge):
		return http.StatusRequestHeaderFieldsTooLarge
	case errors.Is(err, errRawChunked):
		return http.StatusNotImplemented
	}
	return http.StatusBadRequest
}

// rawRequest is a request head with header names as they were sent.
type rawRequest struct {
	method, target, proto string
	lines                 [][2]string         // name, value, in order
	header                map[string][]string // by name exactly as sent
	contentLength         int64
}

func (rq *rawRequest) get(name string) (string, bool) {
	for _, l := range rq.lines {
		if strings.EqualFold(l[0], name) {
			return l[1], true
		}
	}
	return "", false
}

func (rq *rawRequest) keepAlive() bool {
	conn, _ := rq.get("Connection")
	if rq.proto == "HTTP/1.0" {
		return strings.EqualFold(conn, "keep-alive")
	}
	return !strings.EqualFold(conn, "close")
}

// httpRequest turns the raw request into one for an http.Handler.
func (rq *rawRequest) httpRequest(ctx context.Context, body []byte, remote string) (*http.Request, error) {
	u, err := url.ParseRequestURI(rq.target)
	if err != nil {
		return nil, fmt.Errorf("bad request target: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("bad request: %w", err)
	}
	for _, l := range rq.lines {
		req.Header.Add(l[0], l[1])
	}
	req.Host, _ = rq.get("Host")
	req.RequestURI = rq.target
	req.RemoteAddr = remote
	req.Proto = rq.proto
	req.ProtoMajor, req.ProtoMinor, _ = http.ParseHTTPVersion(rq.proto)
	return req, nil
}

// readRawHead reads a request line and headers.
func readRawHead(br *bufio.Reader) (*rawRequest, error) {
	line, err := readRawLine(br)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(line, " ")
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/1.") {
		return nil, fmt.Errorf("%w: request line %q", errRawMalformed, line)
	}
	rq := &rawRequest{method: parts[0], target: parts[1], proto: parts[2], header: make(map[string][]string)}
	for {
		line, err := readRawLine(br)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		if len(rq.lines) == rawMaxHeaders {
			return nil, fmt.Errorf("%w: more than %d headers", errRawTooLarge, rawMaxHeaders)
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%w: header line %q", errRawMalformed, line)
		}
		value = strings.TrimSpace(value)
		rq.lines = append(rq.lines, [2]string{name, value})
		rq.header[name] = append(rq.header[name], value)
	}
	if _, ok := rq.get("Transfer-Encoding"); ok {
		return nil, errRawChunked
	}
	if v, ok := rq.get("Content-Length"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: %q", errRawBadLength, v)
		}
		rq.contentLength = n
	}
	return rq, nil
}

// readRawLine reads one CRLF- or LF-terminated line of at most rawMaxLine.
func readRawLine(br *bufio.Reader) (string, error) {
	b, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", fmt.Errorf("%w: line longer than %d bytes", errRawTooLarge, rawMaxLine)
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrUnexpectedEOF):
		return "", errRawClientGone
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "", errRawClientGone
		}
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// bufferedResponse is an http.ResponseWriter that keeps the answer so the
// raw server can write it with an exact Content-Length.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header {
	if b.header == nil {
		b.header = make(http.Header)
	}
	return b.header
}

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func writeRawResponse(c net.Conn, resp *bufferedResponse, closing bool) error {
	_ = c.SetWriteDeadline(time.Now().Add(rawWriteTimeout))
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	h := resp.Header()
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(resp.body.Len()))
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if closing {
		h.Set("Connection", "close")
	} else {
		h.Del("Connection")
	}
	bw := bufio.NewWriter(c)
	fmt.Fprintf(bw, "HTTP/1.1 %03d %s\r\n", status, http.StatusText(status))
	_ = h.Write(bw)
	bw.WriteString("\r\n")
	bw.Write(resp.body.Bytes())
	return bw.Flush()
}
