package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/internal/wire/wiretest"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/suites/report"
)

// holdingReceiver answers every request with head and then holds the
// connection open until the client closes it or the spec ends. An empty
// head answers nothing at all.
func holdingReceiver(head string) string {
	GinkgoHelper()
	rr, err := wiretest.NewRawReceiver(func(conn net.Conn) { io.WriteString(conn, head) })
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(rr.Close)
	return rr.URL
}

const switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"

var _ = Describe("hostile receivers and interrupts", func() {
	const secret = "whsec_hostile_test"

	DescribeTable("check stops within about a second of an interrupt and writes its reports",
		func(head string) {
			url := holdingReceiver(head)
			dir := GinkgoT().TempDir()
			js, md := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(700*time.Millisecond, cancel)
			start := time.Now()
			r := cliIn(ctx, strings.NewReader(""), "check", "--url", url, "--secret", secret,
				"--ack-timeout", "30s", "--json", js, "--markdown", md)
			took := time.Since(start)
			Expect(took).To(BeNumerically("<", 5*time.Second), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			Expect(r.code).To(Equal(2), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			Expect(r.stderr).To(ContainSubstring("interrupted"))
			b, err := os.ReadFile(js)
			Expect(err).NotTo(HaveOccurred())
			Expect(json.Valid(b)).To(BeTrue())
			Expect(md).To(BeAnExistingFile())
		},
		Entry("101 Switching Protocols held open", switching),
		Entry("no answer at all", ""),
		Entry("a body that drips", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nx"),
	)

	It("fails a 101 in send at once, not at the timeout", func() {
		url := holdingReceiver(switching)
		start := time.Now()
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--timeout", "30s")
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		Expect(r.code).To(Equal(1), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout + r.stderr).To(ContainSubstring("101"))
	})

	It("stops send within about a second of an interrupt", func() {
		url := holdingReceiver("")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		r := cliIn(ctx, strings.NewReader(""), "send", "video.completed", "--url", url, "--secret", secret,
			"--timeout", "30s", "--count", "20", "--concurrency", "4")
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.code).NotTo(Equal(0))
	})

	It("reports a dripping body as a timeout with its real latency in send", func() {
		url := holdingReceiver("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nx")
		start := time.Now()
		r := cli("send", "video.completed", "--url", url, "--secret", secret, "--timeout", "1s")
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		Expect(r.code).To(Equal(1), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).NotTo(ContainSubstring("200 OK"))
		Expect(r.stdout).To(ContainSubstring("timeout"))
	})
})

var _ = Describe("report files", func() {
	const secret = "whsec_report_files"

	It("keeps an existing report when the run cannot start", func() {
		file := filepath.Join(GinkgoT().TempDir(), "prev.json")
		Expect(os.WriteFile(file, []byte(`{"previous":true}`), 0o644)).To(Succeed())
		r := cli("check", "--url", closedURL(), "--secret", secret, "--json", file)
		expectOneLineError(r, 2, "unreachable")
		b, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(Equal(`{"previous":true}`))
		entries, _ := os.ReadDir(filepath.Dir(file))
		Expect(entries).To(HaveLen(1), "no temporary file left behind")
	})

	It("keeps an existing report when the run is interrupted before it starts", func() {
		file := filepath.Join(GinkgoT().TempDir(), "prev.json")
		Expect(os.WriteFile(file, []byte(`{"previous":true}`), 0o644)).To(Succeed())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := cliIn(ctx, strings.NewReader(""), "check", "--url", holdingReceiver(""), "--secret", secret, "--json", file)
		Expect(r.code).To(Equal(2))
		b, _ := os.ReadFile(file)
		if string(b) != `{"previous":true}` {
			Expect(json.Valid(b)).To(BeTrue(), "replaced only by a complete report")
		}
	})

	It("writes through a symlink without truncating in place or removing the link", func() {
		dir := GinkgoT().TempDir()
		target, link := filepath.Join(dir, "target.json"), filepath.Join(dir, "link.json")
		Expect(os.WriteFile(target, []byte(`{"previous":true}`), 0o644)).To(Succeed())
		Expect(os.Symlink(target, link)).To(Succeed())

		r := cli("check", "--url", closedURL(), "--secret", secret, "--json", link)
		expectOneLineError(r, 2, "unreachable")
		b, _ := os.ReadFile(target)
		Expect(string(b)).To(Equal(`{"previous":true}`))
		fi, err := os.Lstat(link)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode() & os.ModeSymlink).NotTo(BeZero())

		url := startReceiver(secret, receiver.DefectNone)
		r = cli("check", "--url", url, "--secret", secret, "--only", "SIG-01", "--json", link)
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		fi, err = os.Lstat(link)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode()&os.ModeSymlink).NotTo(BeZero(), "the link stays a link")
		b, _ = os.ReadFile(target)
		Expect(json.Valid(b)).To(BeTrue())
		Expect(string(b)).To(ContainSubstring(`"SIG-01"`))
	})

	It("refuses the same path for two reports", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "r.txt")
		r := cli("check", "--url", "http://127.0.0.1:1/", "--secret", secret, "--json", file, "--markdown", file)
		expectOneLineError(r, 2, "same file")
		Expect(file).NotTo(BeAnExistingFile())
		r = cli("check", "--url", "http://127.0.0.1:1/", "--secret", secret, "--json", file, "--html", filepath.Join(dir, ".", "sub", "..", "r.txt"))
		expectOneLineError(r, 2, "same file")
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(BeEmpty())
	})
})

var _ = Describe("serve with a damaged --data file", func() {
	It("refuses an empty file with one line and exit 2, leaving it empty", func() {
		file := filepath.Join(GinkgoT().TempDir(), "data.db")
		Expect(os.WriteFile(file, nil, 0o600)).To(Succeed())
		r := cli("serve", "--addr", freeAddr(), "--data", file)
		expectOneLineError(r, 2, "empty")
		fi, err := os.Stat(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Size()).To(BeZero())
	})

	It("refuses a truncated file with one line and exit 2, never a panic", func() {
		file := filepath.Join(GinkgoT().TempDir(), "data.db")
		s, err := store.Open(file)
		Expect(err).NotTo(HaveOccurred())
		for i := range 50 {
			Expect(s.CreateWebhook(store.Webhook{ID: "wh_" + strings.Repeat("x", i+1), URL: "https://example.test/h", Secret: "whsec_x",
				Events: []string{"video.completed"}, Status: "active", CreatedAt: time.Now()})).To(Succeed())
		}
		Expect(s.Close()).To(Succeed())
		b, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(file, b[:len(b)/2], 0o600)).To(Succeed())
		r := cli("serve", "--addr", freeAddr(), "--data", file)
		expectOneLineError(r, 2, file)
		Expect(r.stderr).To(Or(ContainSubstring("truncated"), ContainSubstring("damaged")))
	})
})

var _ = Describe("check with credentials in the URL", func() {
	It("sends them as Basic auth and never shows the password", func() {
		const secret = "whsec_basic_auth"
		ref, err := url.Parse(startReceiver(secret, receiver.DefectNone))
		Expect(err).NotTo(HaveOccurred())
		proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: ref.Scheme, Host: ref.Host})
		guarded := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "pw-s3cret" {
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
			r.Header.Del("Authorization")
			proxy.ServeHTTP(w, r)
		}))
		DeferCleanup(guarded.Close)
		target := strings.Replace(guarded.URL, "http://", "http://ci:pw-s3cret@", 1) + ref.Path

		dir := GinkgoT().TempDir()
		args := []string{"check", "--url", target, "--secret", secret, "--only", "SIG-01,SIG-03"}
		var files []string
		for _, f := range report.Formats {
			if f.Stdout {
				// Printed on stdout, which is checked below.
				args = append(args, "--"+f.Flag, f.Value)
				continue
			}
			p := filepath.Join(dir, "r"+f.Ext)
			files = append(files, p)
			args = append(args, "--"+f.Flag, p)
		}
		r := cli(args...)
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout + r.stderr).NotTo(ContainSubstring("pw-s3cret"))
		Expect(r.stdout).To(ContainSubstring("ci:***@"))
		for _, p := range files {
			b, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).NotTo(ContainSubstring("pw-s3cret"), p)
		}
	})
})

var _ = Describe("verify without a file", func() {
	const secret = "It's a Secret to Everybody"
	const sig = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	It("asks for a FILE or - instead of reading stdin unasked", func() {
		r := cliIn(context.Background(), strings.NewReader("Hello, World!"), "verify", "--secret", secret, "--signature", sig)
		expectOneLineError(r, 2, "- to read it from stdin")
	})

	It("reads stdin with -", func() {
		r := cliIn(context.Background(), strings.NewReader("Hello, World!"), "verify", "--secret", secret, "--signature", sig, "-")
		Expect(r.code).To(Equal(0), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		Expect(r.stdout).To(Equal("valid\n"))
	})
})

var _ = Describe("a receiver that fetches with huge user agents", func() {
	It("cannot bloat the reports", func() {
		const secret = "whsec_huge_ua"
		ua := strings.Repeat("u", 15<<10) // under the artifact server's header limit
		client := &http.Client{Timeout: 5 * time.Second}
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var ev struct {
				Data struct {
					VideoURL string `json:"video_url"`
				} `json:"data"`
			}
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if json.Unmarshal(body, &ev) == nil && ev.Data.VideoURL != "" {
				go func() {
					for range 40 {
						req, _ := http.NewRequest(http.MethodGet, ev.Data.VideoURL, nil)
						req.Header.Set("User-Agent", ua)
						if resp, err := client.Do(req); err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
					}
				}()
			}
			w.WriteHeader(http.StatusOK)
		}))
		DeferCleanup(rc.Close)
		dir := GinkgoT().TempDir()
		js, xml := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
		r := cli("check", "--url", rc.URL+"/hook", "--secret", secret, "--only", "ASYNC-01,IDEM-02,SIG-01",
			"--probe-wait", "3s", "--json", js, "--junit", xml)
		Expect(r.code).NotTo(Equal(2), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		for _, f := range []string{js, xml} {
			fi, err := os.Stat(f)
			Expect(err).NotTo(HaveOccurred())
			GinkgoWriter.Printf("%s: %d bytes\n", filepath.Base(f), fi.Size())
			Expect(fi.Size()).To(BeNumerically("<", 64<<10), f)
		}
		b, _ := os.ReadFile(js)
		Expect(string(b)).To(ContainSubstring("User-Agent"), "fetches are still evidence")
	})
})
