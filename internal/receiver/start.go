package receiver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

const shutdownGrace = 5 * time.Second

// Running is a reference receiver serving on a loopback port.
type Running struct {
	// URL is where deliveries go, e.g. http://127.0.0.1:41234/webhooks/prism.
	URL string

	handler  *Handler // nil for the Node receiver
	shutdown func() error
	once     sync.Once
	err      error
}

// Start serves the receiver described by o on 127.0.0.1 at a free port.
func Start(o Options) (*Running, error) {
	h, err := newHandler(o)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := serverTLS(o)
	if err != nil {
		h.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("receiver: listen: %w", err)
	}
	if o.Defect == DefectTinyBacklog {
		slow, err := tinyBacklog(ln)
		if err != nil {
			ln.Close()
			h.Close()
			return nil, err
		}
		ln = slow
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConfig)
	}
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	r := &Running{URL: scheme + "://" + ln.Addr().String() + Path, handler: h}

	if o.Defect == DefectCaseSensitiveHeader {
		raw := serveRaw(ln, mux)
		r.shutdown = func() error {
			h.Close() // first: ends any pause a request is held in
			return raw.Close()
		}
		return r, nil
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelDebug),
	}
	if o.Defect == DefectTinyBacklog {
		// Like Python's http.server: one request per connection.
		srv.SetKeepAlivesEnabled(false)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	r.shutdown = func() error {
		h.Close()
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		err := srv.Shutdown(ctx)
		if err != nil {
			err = errors.Join(err, srv.Close())
		}
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return r, nil
}

// serverTLS returns the TLS configuration o asks for, or nil for plain HTTP.
// Only HTTP/1.1 is offered, so header spelling on the wire stays observable.
func serverTLS(o Options) (*tls.Config, error) {
	ca := o.CA
	switch {
	case o.Defect == DefectPlainHTTP:
		// TLS-01's defect: plain HTTP whatever o.TLS says.
		return nil, nil
	case o.Defect == DefectTLSUntrustedCert:
		// Defect: a certificate from a CA that nobody is given.
		throwaway, err := NewTestCA()
		if err != nil {
			return nil, err
		}
		ca = throwaway
	case !o.TLS && o.Defect != DefectTLSOldVersion:
		return nil, nil
	}
	cfg, err := ca.ServerConfig()
	if err != nil {
		return nil, err
	}
	cfg.NextProtos = []string{"http/1.1"}
	if o.Defect == DefectTLSOldVersion {
		// Defect: nothing newer than TLS 1.1.
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	}
	return cfg, nil
}

// Close stops the server and the workers. It is safe to call more than once.
func (r *Running) Close() error {
	r.once.Do(func() { r.err = r.shutdown() })
	return r.err
}

// Processed returns how many events the receiver processed successfully (its
// video_url fetched, or a video.failed event recorded). The Node receiver
// processes nothing.
func (r *Running) Processed() int {
	if r.handler == nil {
		return 0
	}
	return r.handler.Processed()
}
