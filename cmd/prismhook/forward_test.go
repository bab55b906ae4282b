package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/webhook"
)

// gotDelivery is a request a test receiver got.
type gotDelivery struct {
	header http.Header
	body   []byte
}

func startCollector() (*httptest.Server, <-chan gotDelivery) {
	GinkgoHelper()
	got := make(chan gotDelivery, 100)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- gotDelivery{r.Header.Clone(), b}
	}))
	DeferCleanup(rc.Close)
	return rc, got
}

// createVideo asks serve at base for a generation with the token.
func createVideo(base, token string) {
	GinkgoHelper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/videos", strings.NewReader(`{"prompt": "a lake", "provider": "runway", "duration": 6}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(http.StatusAccepted))
}

var _ = Describe("serve --forward-to", func() {
	It("forwards every generation, whatever token made it, signed with the printed secret", func() {
		rc, got := startCollector()
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--forward-to", rc.URL+"/hook", "--generation-delay", "50ms", "--log-level", "warn")
		waitHealthy("http://"+addr+"/healthz", done)
		createVideo("http://"+addr, "alice")
		createVideo("http://"+addr, "bob")
		var ds []gotDelivery
		for range 2 {
			var d gotDelivery
			Eventually(got, 10*time.Second).Should(Receive(&d))
			ds = append(ds, d)
		}
		// The secret was printed: read it from the page, which shows it too.
		resp, err := http.Get("http://" + addr + "/")
		Expect(err).NotTo(HaveOccurred())
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		secret := regexp.MustCompile(`whsec_[A-Za-z0-9_-]{43}`).FindString(string(page))
		Expect(secret).NotTo(BeEmpty(), "the page shows the forward secret")
		for _, d := range ds {
			Expect(webhook.Verify(secret, d.body, d.header.Get(webhook.SignatureHeader))).To(Succeed())
		}
	})

	It("keeps the secret of --forward-secret (or PRISMHOOK_FORWARD_SECRET) and the webhook across restarts", func() {
		rc, got := startCollector()
		data := filepath.Join(GinkgoT().TempDir(), "state.db")
		const secret = "whsec_stable-secret-for-the-receiver"
		GinkgoT().Setenv("PRISMHOOK_FORWARD_SECRET", secret)
		var ids []string
		for range 2 {
			addr := freeAddr()
			r := runUntilHealthy(addr, "serve", "--addr", addr, "--data", data, "--forward-to", rc.URL, "--generation-delay", "50ms", "--log-level", "warn")
			Expect(r).To(ContainSubstring(secret), "printed")
			ids = append(ids, regexp.MustCompile(`wh_[0-9a-f]+`).FindString(r))
		}
		Expect(ids[0]).NotTo(BeEmpty())
		Expect(ids[1]).To(Equal(ids[0]), "the same webhook after a restart")
		Expect(got).NotTo(Receive())
	})

	It("belongs to the first key when serve has keys", func() {
		rc, got := startCollector()
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--api-key", "k1", "--api-key", "k2", "--forward-to", rc.URL,
			"--forward-secret", "whsec_x", "--generation-delay", "50ms", "--log-level", "warn")
		waitHealthy("http://"+addr+"/healthz", done)
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/webhooks", nil)
		req.Header.Set("Authorization", "Bearer k1")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		var list struct{ Data []struct{ URL string } }
		Expect(json.NewDecoder(resp.Body).Decode(&list)).To(Succeed())
		resp.Body.Close()
		Expect(list.Data).To(HaveLen(1))
		Expect(list.Data[0].URL).To(Equal(rc.URL))

		createVideo("http://"+addr, "k2")
		Consistently(got, 500*time.Millisecond).ShouldNot(Receive(), "k2's generation is not k1's")
		createVideo("http://"+addr, "k1")
		Eventually(got, 10*time.Second).Should(Receive())
	})

	It("refuses a bad URL and a secret without --forward-to, in one line", func() {
		expectOneLineError(cli("serve", "--addr", freeAddr(), "--forward-to", "not a url"), 2, "--forward-to")
		expectOneLineError(cli("serve", "--addr", freeAddr(), "--forward-secret", "s"), 2, "--forward-secret needs --forward-to")
	})
})

// runUntilHealthy runs a serve command line until it answers /healthz at
// addr, stops it, and returns what it printed on stdout.
func runUntilHealthy(addr string, args ...string) string {
	GinkgoHelper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- cliIn(ctx, strings.NewReader(""), args...) }()
	waitHealthy("http://"+addr+"/healthz", done)
	cancel()
	var r result
	Eventually(done, shutdownTimeout+5*time.Second).Should(Receive(&r))
	Expect(r.code).To(Equal(0), "stderr: %s", r.stderr)
	return r.stdout
}
