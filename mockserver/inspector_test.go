package mockserver_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
)

// hostileStrings are what a hostile receiver could make the page show:
// the same kinds the report writers are tested with.
var hostileStrings = []string{
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"</pre></details><details open><summary>x",
	"' onmouseover='alert(1)' x='",
	"</style><style>body{display:none}</style>",
	"</title></svg><svg onload=alert(1)>",
	"&lt;already&gt; &amp; <!-- comment -->",
}

// page gets a path of the inspector with an optional bearer token.
func (m *mock) page(path, token string) (int, http.Header, string) {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodGet, m.URL+path, nil)
	Expect(err).NotTo(HaveOccurred())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return res.StatusCode, res.Header, string(b)
}

var _ = Describe("the inspector", func() {
	It("serves the page with a strict CSP, its own script and style only", func() {
		m := startMock(mockserver.Options{})
		code, h, body := m.page("/", "")
		Expect(code).To(Equal(http.StatusOK))
		csp := h.Get("Content-Security-Policy")
		Expect(csp).To(ContainSubstring("default-src 'none'"))
		Expect(csp).To(ContainSubstring("script-src 'self'"))
		Expect(csp).NotTo(ContainSubstring("unsafe"))
		Expect(h.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(body).To(ContainSubstring(`<script src="/_inspector/app.js"`))
		Expect(body).NotTo(MatchRegexp(`<script>|https?://`), "no inline script, nothing from elsewhere")
		for _, a := range []string{"/_inspector/app.js", "/_inspector/app.css"} {
			code, _, body := m.page(a, "")
			Expect(code).To(Equal(http.StatusOK), a)
			Expect(body).NotTo(BeEmpty())
		}
	})

	It("shows what a receiver answered as inert text", func() {
		m := startMock(mockserver.Options{Delivery: quickDelivery})
		hostile := strings.Join(hostileStrings, " ")
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Hostile", strings.NewReplacer("\n", " ").Replace(hostile))
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, hostile)
		}))
		DeferCleanup(rc.Close)
		hook := m.createWebhook(rc.URL, "video.completed")
		xs := m.emit(`{"webhook_id": "` + hook["id"].(string) + `"}`)
		Expect(xs).To(HaveLen(1))

		code, _, body := m.page("/_inspector/deliveries/"+xs[0].DeliveryID, "")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring("418"))
		for _, s := range hostileStrings {
			Expect(body).NotTo(ContainSubstring(s), "raw in the page")
		}
		Expect(body).To(ContainSubstring("&lt;script&gt;alert(1)&lt;/script&gt;"))
		Expect(body).NotTo(MatchRegexp(`<(script|img|svg|style)\b`))
	})

	It("asks for a key when serve has keys, and shows only that key's objects", func() {
		m := startMock(mockserver.Options{APIKeys: []string{"k1", "k2"}, Delivery: quickDelivery})
		rc := startReceiver()
		m.Key = "k1"
		hook := m.createWebhook(rc.URL, "video.completed")
		id := hook["id"].(string)

		code, _, _ := m.page("/_inspector/lists", "")
		Expect(code).To(Equal(http.StatusUnauthorized))
		code, _, _ = m.page("/_inspector/lists", "nope")
		Expect(code).To(Equal(http.StatusUnauthorized))
		_, _, body := m.page("/", "")
		Expect(body).NotTo(ContainSubstring(id), "nothing before a key is given")
		_, _, body = m.page("/_inspector/lists", "k1")
		Expect(body).To(ContainSubstring(id))
		_, _, body = m.page("/_inspector/lists", "k2")
		Expect(body).NotTo(ContainSubstring(id))
	})

	It("shows every tenant without keys, a token narrowing the view", func() {
		m := startMock(mockserver.Options{})
		rc := startReceiver()
		m.Key = "alice"
		a := m.createWebhook(rc.URL, "video.completed")["id"].(string)
		m.Key = "bob"
		b := m.createWebhook(rc.URL, "video.completed")["id"].(string)
		_, _, body := m.page("/", "")
		Expect(body).To(And(ContainSubstring(a), ContainSubstring(b)))
		_, _, body = m.page("/_inspector/lists", "alice")
		Expect(body).To(ContainSubstring(a))
		Expect(body).NotTo(ContainSubstring(b))
	})

	It("streams changes as server-sent events", func() {
		m := startMock(mockserver.Options{})
		rc := startReceiver()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/_inspector/events", nil)
		res, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer res.Body.Close()
		Expect(res.Header.Get("Content-Type")).To(Equal("text/event-stream"))
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		hook := m.createWebhook(rc.URL, "video.completed")
		Eventually(lines).Should(Receive(Equal("event: webhook")))
		Eventually(lines).Should(Receive(Equal("data: " + hook["id"].(string))))
		m.emit(`{"webhook_id": "` + hook["id"].(string) + `"}`)
		Eventually(lines).Should(Receive(Equal("event: delivery")))
	})
})
