package mockserver_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

var _ = Describe("credentials in a webhook URL", func() {
	It("are sent as Basic auth and shown as user:*** in answers and logs", func() {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		m := startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery, Logger: logger})
		rc := startReceiver()
		withPW := strings.Replace(rc.URL, "http://", "http://ci:pw-s3cret@", 1) + "/hook"
		hook := m.createWebhook(withPW, "video.completed")
		Expect(hook["url"]).To(ContainSubstring("ci:***@"))
		m.api("POST", "/v1/videos", `{"prompt": "p"}`)

		var d delivered
		Eventually(rc.got, 10*time.Second).Should(Receive(&d))
		Expect(d.Header.Get("Authorization")).To(Equal("Basic " + base64.StdEncoding.EncodeToString([]byte("ci:pw-s3cret"))))

		Eventually(func() any { return m.deliveries(hook["id"].(string))[0]["status"] }).Should(Equal("delivered"))
		for _, path := range []string{"/_mock/deliveries", "/v1/webhooks", "/v1/webhooks/" + hook["id"].(string) + "/deliveries"} {
			var r response
			if strings.HasPrefix(path, "/v1/") {
				r = m.api("GET", path, "")
			} else {
				r = m.control("GET", path, "")
			}
			Expect(r.Status).To(Equal(http.StatusOK), path)
			Expect(string(r.Body)).NotTo(ContainSubstring("pw-s3cret"), path)
			Expect(string(r.Body)).To(ContainSubstring("ci:***@"), path)
			if strings.Contains(path, "deliveries") { // each attempt's record of what was sent
				Expect(string(r.Body)).To(ContainSubstring(`"Authorization":["Basic ***"]`), path)
			}
		}
		x := m.emit(`{"url": "` + withPW + `", "secret": "whsec_x"}`)
		Expect(x).To(HaveLen(1))
		Expect(x[0].URL).To(ContainSubstring("ci:***@"))
		Expect(logs.String()).NotTo(ContainSubstring("pw-s3cret"))
	})
})

var _ = Describe("the control API of a mock with API keys", func() {
	var (
		m  *mock
		rc *receiver
	)
	BeforeEach(func() {
		m = startMock(mockserver.Options{GenerationDelay: 50 * time.Millisecond, Delivery: quickDelivery, APIKeys: []string{"keyA", "keyB"}})
		m.Key = "keyA"
		rc = startReceiver()
	})

	ctl := func(key, method, path, body string) response {
		GinkgoHelper()
		h := []string{"Content-Type", "application/json"}
		if key != "" {
			h = append(h, "Authorization", "Bearer "+key)
		}
		var rd *strings.Reader
		if body != "" {
			rd = strings.NewReader(body)
			return m.do(method, path, rd, h...)
		}
		return m.do(method, path, nil, h...)
	}

	It("refuses anonymous and unknown callers on every operation", func() {
		for _, op := range [][2]string{
			{"POST", "/_mock/reset"}, {"GET", "/_mock/deliveries"}, {"POST", "/_mock/outcome"},
			{"POST", "/_mock/emit"}, {"GET", "/_mock/artifacts/gen_1/fetches"}, {"PUT", "/_mock/artifacts/gen_1"},
		} {
			for _, key := range []string{"", "keyC"} {
				r := ctl(key, op[0], op[1], `{}`)
				Expect(r.Status).To(Equal(http.StatusUnauthorized), "%s %s as %q: %s", op[0], op[1], key, r.Body)
			}
		}
		Expect(ctl("", "GET", "/healthz", "").Status).To(Equal(http.StatusOK))
	})

	It("acts only on the caller's objects", func() {
		hookA := m.as("keyA", "POST", "/v1/webhooks", `{"url":"`+rc.URL+`/a","events":["video.completed"]}`).JSON()
		m.as("keyB", "POST", "/v1/webhooks", `{"url":"`+rc.URL+`/b-secret-path","events":["video.completed"]}`)
		genA := m.as("keyA", "POST", "/v1/videos", `{"prompt": "p"}`).JSON()["id"].(string)
		m.as("keyB", "POST", "/v1/videos", `{"prompt": "p"}`)
		Eventually(func() int {
			return len(ctl("keyA", "GET", "/_mock/deliveries", "").JSON()["data"].([]any))
		}, 10*time.Second).Should(Equal(1))

		// B sees none of A's deliveries, URLs or generations.
		r := ctl("keyB", "GET", "/_mock/deliveries", "")
		Expect(string(r.Body)).NotTo(ContainSubstring(rc.URL + "/a"))
		Expect(ctl("keyB", "POST", "/_mock/emit", `{"webhook_id": "`+hookA["id"].(string)+`"}`).Status).To(Equal(http.StatusNotFound))
		Expect(ctl("keyB", "GET", "/_mock/artifacts/"+genA+"/fetches", "").Status).To(Equal(http.StatusNotFound))
		Expect(ctl("keyB", "PUT", "/_mock/artifacts/"+genA, `{"delay_ms": 100}`).Status).To(Equal(http.StatusNotFound))
		Expect(ctl("keyB", "POST", "/_mock/emit", `{"url": "`+rc.URL+`/x", "secret": "whsec_x", "generation_id": "`+genA+`"}`).Status).To(Equal(http.StatusNotFound))

		// B's reset leaves A's webhook alone.
		Expect(ctl("keyB", "POST", "/_mock/reset", "").Status).To(Equal(http.StatusNoContent))
		Expect(m.as("keyA", "GET", "/v1/webhooks", "").JSON()["data"]).To(HaveLen(1))
		Expect(m.as("keyB", "GET", "/v1/webhooks", "").JSON()["data"]).To(BeEmpty())
		Expect(ctl("keyA", "POST", "/_mock/emit", `{"webhook_id": "`+hookA["id"].(string)+`"}`).Status).To(Equal(http.StatusOK))
	})

	It("forces the next outcome of the caller's generations only", func() {
		Expect(ctl("keyB", "POST", "/_mock/outcome", `{"outcome": "failed"}`).Status).To(Equal(http.StatusOK))
		genA := m.as("keyA", "POST", "/v1/videos", `{"prompt": "p"}`).JSON()["id"].(string)
		Eventually(func() any { return m.as("keyA", "GET", "/v1/videos/"+genA, "").JSON()["status"] }, 10*time.Second).Should(Equal("completed"))
		genB := m.as("keyB", "POST", "/v1/videos", `{"prompt": "p"}`).JSON()["id"].(string)
		Eventually(func() any { return m.as("keyB", "GET", "/v1/videos/"+genB, "").JSON()["status"] }, 10*time.Second).Should(Equal("failed"))
	})
})

var _ = Describe("--no-control-api", func() {
	It("turns /_mock/ off and leaves /healthz", func() {
		m := startMock(mockserver.Options{NoControlAPI: true})
		Expect(m.control("POST", "/_mock/reset", "").Status).To(Equal(http.StatusNotFound))
		Expect(m.control("GET", "/_mock/deliveries", "").Status).To(Equal(http.StatusNotFound))
		Expect(m.control("GET", "/healthz", "").Status).To(Equal(http.StatusOK))
	})
})

// slowJournal keeps deliveries in memory and takes a while for each
// write, like a journal that syncs a file.
type slowJournal struct {
	mu    sync.Mutex
	saved map[string]delivery.Delivery
}

func (j *slowJournal) SaveDelivery(d delivery.Delivery) error {
	time.Sleep(time.Millisecond)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.saved[d.ID] = d
	return nil
}

func (j *slowJournal) DeleteDelivery(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.saved, id)
	return nil
}

func (j *slowJournal) LoadDeliveries() ([]delivery.Delivery, error) { return nil, nil }

var _ = Describe("shutdown under a backlog", func() {
	It("stops an emit fanning out to thousands of webhooks within its budget", func() {
		const hooks = 5000 // at 1 ms a journal write, the whole emit takes over 5 s
		j := &slowJournal{saved: map[string]delivery.Delivery{}}
		opts := quickDelivery
		opts.Journal = j
		opts.QueueSize = 2 * hooks
		s, err := mockserver.New(mockserver.Options{GenerationDelay: time.Millisecond, Delivery: opts,
			Logger: slog.New(slog.NewTextHandler(GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Start(context.Background())).To(Succeed())
		srv := httptest.NewServer(s.Handler())
		DeferCleanup(srv.Close)
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		DeferCleanup(rc.Close)
		m := &mock{Server: s, URL: srv.URL, Key: "k"}
		for i := range hooks {
			r := m.api("POST", "/v1/webhooks", fmt.Sprintf(`{"url":"%s/h%d","events":["video.completed"]}`, rc.URL, i))
			Expect(r.Status).To(Equal(http.StatusCreated))
		}
		m.api("POST", "/v1/videos", `{"prompt": "p"}`)
		Eventually(func() int { j.mu.Lock(); defer j.mu.Unlock(); return len(j.saved) }, 10*time.Second, 5*time.Millisecond).
			Should(BeNumerically(">", 0))

		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		start := time.Now()
		closed := make(chan error, 1)
		go func() { closed <- s.Close(ctx) }()
		Eventually(closed, 15*time.Second).Should(Receive(BeNil()), "closed within the budget")
		took := time.Since(start)
		j.mu.Lock()
		defer j.mu.Unlock()
		GinkgoWriter.Printf("closed in %s with %d deliveries journaled\n", took, len(j.saved))
		Expect(len(j.saved)).To(BeNumerically("<", hooks), "the emit stopped part way; the rest is emitted at the next start")
	})
})

var _ = Describe("webhook URLs", func() {
	DescribeTable("refuses with 400",
		func(raw string) {
			m := startMock(mockserver.Options{})
			r := m.api("POST", "/v1/webhooks", `{"url":"`+raw+`","events":["video.completed"]}`)
			Expect(r.Status).To(Equal(http.StatusBadRequest), "%s", r.Body)
			Expect(m.api("GET", "/v1/webhooks", "").JSON()["data"]).To(BeEmpty())
		},
		Entry("invalid UTF-8", "http://127.0.0.1:8080/h\xff\xfe"),
		Entry("port 0", "http://127.0.0.1:0/h"),
		Entry("port 99999", "http://127.0.0.1:99999/h"),
		Entry("port 65536", "http://example.test:65536/h"),
	)

	It("accepts ports 1 and 65535", func() {
		m := startMock(mockserver.Options{})
		for _, raw := range []string{"http://127.0.0.1:1/h", "https://example.test:65535/h"} {
			r := m.api("POST", "/v1/webhooks", `{"url":"`+raw+`","events":["video.completed"]}`)
			Expect(r.Status).To(Equal(http.StatusCreated), "%s: %s", raw, r.Body)
		}
	})
})
