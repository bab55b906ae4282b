package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/webhook"
)

// expectNoSecret fails if text holds any of the secrets, or the random
// part of one (a "whsec_" prefix dropped on the way would still leak).
func expectNoSecret(where, text string, secrets ...string) {
	GinkgoHelper()
	for _, s := range secrets {
		Expect(text).NotTo(ContainSubstring(s), where)
		if rest, ok := strings.CutPrefix(s, "whsec_"); ok {
			Expect(text).NotTo(ContainSubstring(rest), where)
		}
	}
}

var _ = Describe("secrets", func() {
	It("never appear in serve's logs, check's output or any report", func() {
		const (
			apiKey      = "sk_test_LEAKCANARY_api_5d1f7e0b"
			otherKey    = "sk_test_LEAKCANARY_wrong_93c2"
			checkSecret = "whsec_LEAKCANARY_check_b6e04a1c"
			emitSecret  = "whsec_LEAKCANARY_emit_0f7d2c"
		)

		// A receiver that refuses the first attempt, so that the retry and
		// failure paths log too.
		type delivery struct {
			body      []byte
			signature string
		}
		var calls atomic.Int32
		got := make(chan delivery, 8)
		rut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- delivery{body, r.Header.Get(webhook.SignatureHeader)}
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusOK)
		}))
		DeferCleanup(rut.Close)

		addr := freeAddr()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		served := make(chan result, 1)
		go func() {
			served <- cliIn(ctx, strings.NewReader(""), "serve", "--addr", addr, "--api-key", apiKey,
				"--log-format", "json", "--log-level", "debug",
				"--generation-delay", "50ms", "--retry-schedule", "10ms,10ms")
		}()
		waitHealthy("http://"+addr+"/healthz", served)
		base := "http://" + addr

		call := func(key, method, path, body string) (int, string) {
			GinkgoHelper()
			req, err := http.NewRequest(method, base+path, strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			return resp.StatusCode, string(b)
		}

		code, body := call(apiKey, "POST", "/v1/webhooks", `{"url": "`+rut.URL+`/hook", "events": ["video.completed", "video.failed"]}`)
		Expect(code).To(Equal(http.StatusCreated), body)
		var hook struct{ ID, Secret string }
		Expect(json.Unmarshal([]byte(body), &hook)).To(Succeed())
		Expect(hook.Secret).To(HavePrefix("whsec_"))
		secrets := []string{apiKey, otherKey, hook.Secret, checkSecret, emitSecret}

		code, _ = call(apiKey, "POST", "/v1/videos", `{"prompt": "canary"}`)
		Expect(code).To(Equal(http.StatusAccepted))
		for range 2 { // refused, then retried and acknowledged
			var d delivery
			Eventually(got).Should(Receive(&d))
			Expect(webhook.Verify(hook.Secret, d.body, d.signature)).To(Succeed())
		}
		Eventually(func() string {
			_, b := call(apiKey, "GET", "/v1/webhooks/"+hook.ID+"/deliveries", "")
			return b
		}).Should(ContainSubstring(`"status":"delivered"`))

		// Answers after the one that created the webhook do not repeat its
		// secret either.
		for _, path := range []string{"/v1/webhooks", "/v1/webhooks/" + hook.ID, "/v1/webhooks/" + hook.ID + "/deliveries"} {
			code, b := call(apiKey, "GET", path, "")
			Expect(code).To(Equal(http.StatusOK))
			expectNoSecret(path, b, secrets...)
		}
		code, b := call(apiKey, "GET", "/_mock/deliveries", "")
		Expect(code).To(Equal(http.StatusOK))
		expectNoSecret("/_mock/deliveries", b, secrets...)
		code, b = call(apiKey, "POST", "/_mock/emit", `{"url": "`+rut.URL+`/hook", "secret": "`+emitSecret+`"}`)
		Expect(code).To(Equal(http.StatusOK))
		expectNoSecret("/_mock/emit", b, secrets...)
		code, _ = call(otherKey, "GET", "/v1/webhooks", "")
		Expect(code).To(Equal(http.StatusUnauthorized))

		cancel()
		var r result
		Eventually(served).WithTimeout(shutdownTimeout + 5*time.Second).Should(Receive(&r))
		Expect(r.code).To(Equal(0), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		Expect(len(lines)).To(BeNumerically(">", 5), "the run logged its requests and deliveries")
		Expect(r.stderr).To(ContainSubstring(`"msg":"delivery attempt"`), "debug logging was on")
		for _, line := range lines {
			Expect(json.Valid([]byte(line))).To(BeTrue(), "a JSON log line: %s", line)
			expectNoSecret("log line "+line, line, secrets...)
		}
		expectNoSecret("serve's stdout", r.stdout, secrets...)

		// A full check, with every report.
		url := startReceiver(checkSecret, receiver.DefectNone)
		dir := GinkgoT().TempDir()
		args := []string{"check", "--url", url, "--secret", checkSecret}
		for _, kind := range []string{"json", "junit", "html", "markdown"} {
			args = append(args, "--"+kind, filepath.Join(dir, "report."+kind))
		}
		c := cli(args...)
		Expect(c.code).To(Equal(0), "stdout: %s\nstderr: %s", c.stdout, c.stderr)
		expectNoSecret("check's stdout", c.stdout, secrets...)
		expectNoSecret("check's stderr", c.stderr, secrets...)
		reports, err := filepath.Glob(filepath.Join(dir, "report.*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(reports).To(HaveLen(4))
		for _, path := range reports {
			content, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			Expect(content).NotTo(BeEmpty())
			expectNoSecret(path, string(content), secrets...)
		}
	})
})
