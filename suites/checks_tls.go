package suites

import (
	"crypto/tls"
	"crypto/x509"
	"errors"

	"github.com/onsi/gomega"
)

// TLS checks. Both judge the target and the preflight's handshake; neither
// sends a delivery of its own.

// checkHTTPS is TLS-01. On plain HTTP it fails as a rule; the runner turns
// that into a warning outside the production profile.
func checkHTTPS(r *checkRun) {
	r.Expect(r.h.target.Scheme).To(gomega.Equal("https"), "the endpoint is plain HTTP: events and their signatures travel unencrypted")
	r.explain("the endpoint is HTTPS")
}

// checkTLSVersion is TLS-02: the handshake verified against the system
// roots (or the configured CA) and negotiated TLS 1.2 or later.
func checkTLSVersion(r *checkRun) {
	hs := r.h.tls
	if hs == nil {
		r.skip("not applicable: the endpoint is plain HTTP")
	}
	r.record(handshakeEvidence(r.h.cfg.URL, hs))
	hint := ""
	var unknownCA x509.UnknownAuthorityError
	if errors.As(hs.Err, &unknownCA) && r.h.cfg.CAFile == "" {
		hint = " (for a private CA, give its certificate with --ca or PRISMHOOK_CA)"
	}
	r.Expect(hs.Err).NotTo(gomega.HaveOccurred(), "TLS handshake failed: %v%s", hs.Err, hint)
	r.Expect(hs.Version).To(gomega.BeNumerically(">=", tls.VersionTLS12), "negotiated %s, want TLS 1.2 or later", tls.VersionName(hs.Version))
	r.explain("negotiated %s; the certificate verified", tls.VersionName(hs.Version))
}
