package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
)

// background runs a long-lived command in-process until the spec ends, and
// returns the channel its result arrives on.
func background(args ...string) <-chan result {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- cliIn(ctx, strings.NewReader(""), args...) }()
	DeferCleanup(func() {
		cancel()
		Eventually(done).WithTimeout(shutdownTimeout + 5*time.Second).Should(Receive())
	})
	return done
}

// waitHealthy waits until url answers 200 (or the command gave up).
func waitHealthy(url string, done <-chan result) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		select {
		case r := <-done:
			Fail("the command ended early: " + r.stderr)
		default:
		}
		resp, err := http.Get(url)
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}).Should(Succeed())
}

var _ = Describe("serve", func() {
	It("serves the mock API: the documentation's curl example works", func() {
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--api-key", "sk_test_1", "--log-level", "warn")
		waitHealthy("http://"+addr+"/healthz", done)

		post := func(key string) *http.Response {
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/webhooks", strings.NewReader(
				`{"url": "https://your-server.com/webhooks/prism", "events": ["video.completed", "video.failed"]}`))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(resp.Body.Close)
			return resp
		}
		resp := post("sk_test_1")
		Expect(resp.StatusCode).To(Equal(http.StatusCreated))
		var wh struct{ ID, Secret string }
		Expect(json.NewDecoder(resp.Body).Decode(&wh)).To(Succeed())
		Expect(wh.ID).To(HavePrefix("wh_"))
		Expect(wh.Secret).To(HavePrefix("whsec_"))

		Expect(post("sk_other").StatusCode).To(Equal(http.StatusUnauthorized), "only --api-key is accepted")
	})

	It("takes its address and keys from the environment", func() {
		addr := freeAddr()
		GinkgoT().Setenv("PRISMHOOK_ADDR", addr)
		GinkgoT().Setenv("PRISM_API_KEYS", "k1,k2")
		done := background("serve", "--log-level", "error")
		waitHealthy("http://"+addr+"/healthz", done)
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/webhooks", nil)
		req.Header.Set("Authorization", "Bearer k2")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
	})

	It("refuses private webhook targets with --deny-private-targets", func() {
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--deny-private-targets", "--log-level", "warn")
		waitHealthy("http://"+addr+"/healthz", done)
		create := func(target string) (int, string) {
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/webhooks",
				strings.NewReader(`{"url": "`+target+`", "events": ["video.completed"]}`))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer k")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			return resp.StatusCode, string(b)
		}
		code, body := create("http://169.254.169.254/latest/meta-data/")
		Expect(code).To(Equal(http.StatusBadRequest))
		Expect(body).To(ContainSubstring(`host \"169.254.169.254\"`))
		code, _ = create("http://" + addr + "/hook")
		Expect(code).To(Equal(http.StatusBadRequest))
		code, body = create("https://your-server.com/webhooks/prism")
		Expect(code).To(Equal(http.StatusCreated), body)
	})

	DescribeTable("refuses bad settings with exit 2 and one line",
		func(substr string, args ...string) {
			expectOneLineError(cli(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...), 2, substr)
		},
		Entry("log format", `--log-format "xml"`, "--log-format", "xml"),
		Entry("log level", `--log-level "loud"`, "--log-level", "loud"),
		Entry("retry schedule", "--retry-schedule", "--retry-schedule", "1s,soon"),
		Entry("half a TLS pair", "--tls-cert and --tls-key go together", "--tls-cert", "cert.pem"),
		Entry("missing TLS files", "--tls-cert/--tls-key", "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"),
		Entry("address", "listen", "--addr", "127.0.0.1:notaport"),
		Entry("spec file", "/nonexistent/openapi.yaml", "--spec", "/nonexistent/openapi.yaml"),
	)
})

var _ = Describe("healthcheck", func() {
	It("exits 1 with one line when nothing answers", func() {
		expectOneLineError(cli("healthcheck", "--url", closedURL()), 1, "unhealthy")
	})

	It("probes PRISMHOOK_ADDR's port by default", func() {
		Expect(defaultHealthURL("")).To(Equal("http://127.0.0.1:4010/healthz"))
		Expect(defaultHealthURL("0.0.0.0:8080")).To(Equal("http://127.0.0.1:8080/healthz"))
		Expect(defaultHealthURL("[::1]:9000")).To(Equal("http://[::1]:9000/healthz"))
	})
})

var _ = Describe("receiver", func() {
	It("serves the example receiver that send deliveries reach", func() {
		const secret = "whsec_receiver_cmd"
		addr := freeAddr()
		done := background("receiver", "--addr", addr, "--secret", secret)
		waitHealthy("http://"+addr+"/healthz", done)
		url := "http://" + addr + receiver.Path

		r := cli("send", "video.completed", "--url", url, "--secret", secret)
		Expect(r.code).To(Equal(0), r.stderr)
		r = cli("send", "video.completed", "--url", url, "--secret", secret, "--fault", "wrong-secret")
		Expect(r.code).To(Equal(1))
	})

	It("refuses an unknown defect", func() {
		expectOneLineError(cli("receiver", "--secret", "s", "--defect", "grumpy"), 2, "unknown receiver defect")
	})
})
