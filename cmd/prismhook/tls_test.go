package main

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
)

var _ = Describe("TLS", func() {
	var (
		ca  *receiver.TestCA
		dir string
	)
	BeforeEach(func() {
		var err error
		ca, err = receiver.NewTestCA()
		Expect(err).NotTo(HaveOccurred())
		dir = GinkgoT().TempDir()
	})

	It("serves the mock over HTTPS with --tls-cert and --tls-key", func() {
		cfg, err := ca.ServerConfig()
		Expect(err).NotTo(HaveOccurred())
		cert := cfg.Certificates[0]
		keyDER, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
		Expect(err).NotTo(HaveOccurred())
		certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
		Expect(os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)).To(Succeed())
		Expect(os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)).To(Succeed())

		addr := freeAddr()
		done := background("serve", "--addr", addr, "--tls-cert", certFile, "--tls-key", keyFile, "--log-level", "error")
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		DeferCleanup(client.CloseIdleConnections)
		Eventually(func(g Gomega) {
			select {
			case r := <-done:
				Fail("serve ended early: " + r.stderr)
			default:
			}
			resp, err := client.Get("https://" + addr + "/healthz")
			g.Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
		}).Should(Succeed())
	})

	It("sends to an HTTPS receiver whose CA is given with --ca", func() {
		const secret = "whsec_tls"
		rcv, err := receiver.Start(receiver.Options{Secret: secret, TLS: true, CA: ca})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rcv.Close)
		caFile := filepath.Join(dir, "ca.pem")
		Expect(ca.WritePEM(caFile)).To(Succeed())

		r := cli("send", "video.completed", "--url", rcv.URL, "--secret", secret, "--ca", caFile)
		Expect(r.code).To(Equal(0), r.stderr)

		r = cli("send", "video.completed", "--url", rcv.URL, "--secret", secret)
		expectOneLineError(r, 1, "no answer (tls)")

		expectOneLineError(cli("send", "video.completed", "--url", rcv.URL, "--secret", secret, "--ca", filepath.Join(dir, "none.pem")), 2, "--ca")
	})
})
