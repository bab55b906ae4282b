package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/webhook"
)

// hostileNote is receiver-controlled text the inspector must show as text:
// markup that would run or inject elements if it were not escaped.
const hostileNote = `<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2"></pre></details><svg onload="window.pwned=3">`

// seenReceiver wraps a receiver: it counts requests, keeps the last
// signature, and adds hostile text to every answer's headers and body.
type seenReceiver struct {
	h http.Handler

	mu    sync.Mutex
	n     int
	sigs  []string
	codes []int
}

func (s *seenReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.n++
	s.sigs = append(s.sigs, r.Header.Get(webhook.SignatureHeader))
	s.mu.Unlock()
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	s.mu.Lock()
	s.codes = append(s.codes, rec.Code)
	s.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.Header().Set("X-Receiver-Note", hostileNote)
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	w.Write([]byte(" " + hostileNote))
}

func (s *seenReceiver) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// artifactsDir is where the browser test saves its screenshots:
// $PRISMHOOK_ARTIFACTS, else a folder under the test's temp dir.
func artifactsDir() string {
	GinkgoHelper()
	dir := os.Getenv("PRISMHOOK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(GinkgoT().TempDir(), "artifacts")
	}
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	return dir
}

// findChromium returns the path of a Chromium or Chrome binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

var _ = Describe("the inspector in a real browser", Label("browser"), func() {
	It("shows deliveries live with what the receiver answered, and its actions work", func() {
		chromium := findChromium()
		if chromium == "" {
			Skip("no chromium, chromium-browser or google-chrome on PATH: the browser test needs one (Debian: apt-get install chromium)")
		}
		const secret = "whsec_inspector-browser-test-0123456789abcdefghijklmn"
		rh, err := receiver.NewHandler(receiver.Options{Secret: secret})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rh.Close)
		seen := &seenReceiver{h: rh}
		rc := httptest.NewServer(seen)
		DeferCleanup(rc.Close)
		hookURL := rc.URL + "/webhooks/prism"

		// A short check run, the same for the page and for the CLI.
		GinkgoT().Setenv("PRISMHOOK_ONLY", "SIG-01,SIG-03,SIG-04")
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--forward-to", hookURL, "--forward-secret", secret,
			"--generation-delay", "200ms", "--log-level", "warn")
		base := "http://" + addr
		waitHealthy(base+"/healthz", done)

		b := newBrowser(chromium)
		ctx, shot, step, until, eval := b.ctx, b.shot, b.step, b.until, b.eval

		Expect(chromedp.Do(ctx, chromedp.Navigate(base+"/"))).To(Succeed())
		until("the event stream", `document.getElementById("live").textContent === "live"`)
		Expect(eval(`document.querySelector(".forward").textContent`)).To(ContainSubstring(secret), "the forward secret is shown")
		step(chromedp.Evaluate[chromedp.Void](`window.sameDocument = "yes"`))

		// A generation made through the API: its delivery appears without a reload.
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/videos", strings.NewReader(`{"prompt": "A serene mountain lake at sunset", "provider": "runway", "duration": 6}`))
		req.Header.Set("Authorization", "Bearer any-token")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusAccepted))
		until("the delivery row", `!!document.querySelector("tr[data-delivery] .st-delivered")`)
		Expect(eval(`window.sameDocument`)).To(Equal("yes"), "no reload")
		shot("inspector-log.png")

		// Opening it shows the signature and the receiver's answer, as text.
		step(chromedp.Click(`tr[data-delivery] .open-btn`))
		until("the delivery's attempts", `!!document.querySelector("#detail:not([hidden]) article.attempt")`)
		seen.mu.Lock()
		sig, code := seen.sigs[len(seen.sigs)-1], seen.codes[len(seen.codes)-1]
		seen.mu.Unlock()
		detail := eval(`document.getElementById("detail-body").textContent`)
		Expect(detail).To(ContainSubstring(sig), "the signature sent")
		Expect(detail).To(ContainSubstring(fmt.Sprintf("%d", code)), "the receiver's status")
		Expect(detail).To(ContainSubstring(hostileNote), "the receiver's header and body, as text")
		Expect(eval(`String(window.pwned)`)).To(Equal("undefined"), "no receiver script ran")
		Expect(eval(`String(document.querySelectorAll("#detail img, #detail svg, #detail script").length)`)).To(Equal("0"))
		shot("inspector-delivery.png")

		// Redeliver: a manual attempt the receiver really got.
		before := seen.count()
		step(chromedp.Click(`.redeliver-btn`))
		until("the manual attempt", `document.querySelectorAll("#detail article.attempt").length === 2 && document.querySelector("#detail article.attempt .tag").textContent === "manual"`)
		Expect(seen.count()).To(Equal(before+1), "the receiver got the redelivery")

		// A test event with a wrong secret: the receiver's 401 is shown.
		step(chromedp.SetValue(`select[name=fault]`, "wrong-secret"))
		step(chromedp.Click(`.test-form button`))
		until("the test delivery's 401", `/\b401\b/.test(document.getElementById("detail-body").textContent) && !!document.querySelector("#detail .tag") && document.getElementById("detail-body").textContent.includes("test")`)
		Expect(eval(`document.getElementById("message").textContent`)).To(ContainSubstring("401"))

		// The first screen, as the README shows it.
		step(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		view, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(b.art, "inspector-first-screen.png"), view, 0o644)).To(Succeed())

		// The check: the page's verdict is the CLI's for the same receiver.
		step(chromedp.Click(`.check-btn`))
		until("the check report", `!!document.querySelector("#check-body .verdict") && !document.getElementById("report").hidden`)
		verdict := eval(`document.querySelector("#check-body .verdict strong").textContent`)
		// PRISMHOOK_ONLY runs part of the profile: both say "no verdict".
		jsonPath := filepath.Join(GinkgoT().TempDir(), "report.json")
		cliRun := cli("check", "--url", hookURL, "--secret", secret, "--json", jsonPath)
		Expect(cliRun.code).To(Or(Equal(exitOK), Equal(exitFailed)), "check: %s", cliRun.stderr)
		Expect(verdict).To(Equal(cliVerdict(jsonPath)))
		// The frame shows the HTML report of the run (sandboxed: the page
		// cannot look inside, so the test reads what the frame loads).
		src := eval(`document.getElementById("report").getAttribute("src")`)
		Expect(src).To(MatchRegexp(`^/_inspector/checks/chk_[0-9a-f]+/report$`))
		rep, err := http.Get(base + src)
		Expect(err).NotTo(HaveOccurred())
		html, _ := io.ReadAll(rep.Body)
		rep.Body.Close()
		Expect(rep.StatusCode).To(Equal(http.StatusOK))
		Expect(rep.Header.Get("Content-Security-Policy")).To(ContainSubstring("sandbox"))
		Expect(string(html)).To(ContainSubstring("SIG-01"))
		step(chromedp.Sleep(300 * time.Millisecond)) // let the frame paint for the screenshot
		shot("inspector-check.png")

		// Phone width: readable, no sideways scrolling of the page.
		step(chromedp.EmulateViewport(390, 844))
		wide := `Array.from(document.querySelectorAll("body *")).filter(function (e) { var r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 && !e.closest(".scroll"); }).slice(0, 5).map(function (e) { return e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right); }).join("; ")`
		step(chromedp.Sleep(200 * time.Millisecond))
		Expect(eval(wide)).To(BeEmpty(), "elements wider than a phone")
		Expect(eval(`String(document.documentElement.scrollWidth <= window.innerWidth + 1)`)).To(Equal("true"), "no sideways scrolling")
		shot("inspector-phone.png")

		Expect(eval(`String(window.pwned)`)).To(Equal("undefined"))
		Expect(b.consoleErrors()).To(BeEmpty(), "console errors")
		fmt.Fprintf(GinkgoWriter, "screenshots in %s\n", b.art)
	})

	It("asks for a key when serve has keys, and shows only that key's webhooks", func() {
		chromium := findChromium()
		if chromium == "" {
			Skip("no chromium, chromium-browser or google-chrome on PATH: the browser test needs one (Debian: apt-get install chromium)")
		}
		addr := freeAddr()
		done := background("serve", "--addr", addr, "--api-key", "k1", "--api-key", "k2", "--log-level", "warn")
		base := "http://" + addr
		waitHealthy(base+"/healthz", done)
		ids := map[string]string{}
		for _, key := range []string{"k1", "k2"} {
			req, _ := http.NewRequest(http.MethodPost, base+"/v1/webhooks", strings.NewReader(`{"url": "https://example.com/`+key+`", "events": ["video.completed"]}`))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			var wh struct{ ID string }
			Expect(json.NewDecoder(resp.Body).Decode(&wh)).To(Succeed())
			resp.Body.Close()
			ids[key] = wh.ID
		}

		b := newBrowser(chromium)
		Expect(chromedp.Do(b.ctx, chromedp.Navigate(base+"/"))).To(Succeed())
		b.until("the request for a key", `document.getElementById("live").textContent === "give a key"`)
		Expect(b.eval(`document.getElementById("lists").textContent`)).NotTo(Or(ContainSubstring(ids["k1"]), ContainSubstring(ids["k2"])))

		b.step(chromedp.SendKeys(`#token`, "k2"))
		b.step(chromedp.KeyEvent("\r"))
		b.until("k2's objects, live", `document.getElementById("live").textContent === "live" && document.getElementById("lists").textContent.includes("`+ids["k2"]+`")`)
		Expect(b.eval(`document.getElementById("lists").textContent`)).NotTo(ContainSubstring(ids["k1"]))
		b.shot("inspector-keys.png")
		Expect(b.consoleErrors()).To(BeEmpty(), "console errors")
	})
})

// browser is a headless Chromium tab for one spec, with the console's
// errors collected.
type browser struct {
	ctx context.Context
	art string

	mu      sync.Mutex
	console []string
}

func newBrowser(chromium string) *browser {
	GinkgoHelper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	DeferCleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(actx)
	DeferCleanup(cancelTab)
	b := &browser{ctx: ctx, art: artifactsDir()}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() || m.Type == "warning" {
				b.mu.Lock()
				b.console = append(b.console, m.String()+" "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// shot saves a full-page screenshot among the artifacts.
func (b *browser) shot(name string) {
	GinkgoHelper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(filepath.Join(b.art, name), png, 0o644)).To(Succeed())
}

// step runs an action with a bound of its own (the first Run, which starts
// the browser, has none: see chromedp.Run).
func (b *browser) step(a chromedp.Action[chromedp.Void]) {
	GinkgoHelper()
	sctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	Expect(chromedp.Do(sctx, a)).To(Succeed())
}

// until waits for a JavaScript predicate to hold.
func (b *browser) until(what, expr string) {
	GinkgoHelper()
	sctx, cancel := context.WithTimeout(b.ctx, 25*time.Second)
	defer cancel()
	_, err := chromedp.Run(sctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	Expect(err).NotTo(HaveOccurred(), "waiting for %s", what)
}

// eval evaluates a JavaScript expression that yields a string.
func (b *browser) eval(expr string) string {
	GinkgoHelper()
	sctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[string](expr))
	Expect(err).NotTo(HaveOccurred(), expr)
	return v
}

// cliVerdict reads a JSON report's verdict for its own profile as the
// inspector words it.
func cliVerdict(path string) string {
	GinkgoHelper()
	raw, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var rep struct {
		Profile string
		Summary struct{ Conformant map[string]*bool }
	}
	Expect(json.Unmarshal(raw, &rep)).To(Succeed())
	v, ok := rep.Summary.Conformant[rep.Profile]
	Expect(ok).To(BeTrue(), "the report has no verdict entry for %q", rep.Profile)
	switch {
	case v == nil:
		return "no verdict"
	case *v:
		return "conformant"
	default:
		return "not conformant"
	}
}
