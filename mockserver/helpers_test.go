package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/spec"
)

// The documents every answer is checked against.
var (
	prismDoc, mockDoc       *openapi3.T
	prismRouter, mockRouter routers.Router
)

var _ = BeforeSuite(func() {
	var err error
	prismDoc, err = spec.PrismAPI("")
	Expect(err).NotTo(HaveOccurred())
	mockDoc, err = spec.MockAPI("")
	Expect(err).NotTo(HaveOccurred())
	prismRouter, err = gorillamux.NewRouter(prismDoc)
	Expect(err).NotTo(HaveOccurred())
	mockRouter, err = gorillamux.NewRouter(mockDoc)
	Expect(err).NotTo(HaveOccurred())
})

// mock is a Server serving on a loopback port for one spec.
type mock struct {
	*mockserver.Server
	URL  string
	Key  string // the bearer token api() sends
	stop func()
}

var client = &http.Client{Timeout: 15 * time.Second}

// startMock serves a new Server on 127.0.0.1:0 until the spec ends (or
// stop is called).
func startMock(o mockserver.Options) *mock {
	GinkgoHelper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := mockserver.New(o)
	Expect(err).NotTo(HaveOccurred())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	m := &mock{Server: s, URL: "http://" + ln.Addr().String(), Key: "YOUR_API_KEY"}
	m.stop = sync.OnceFunc(func() {
		cancel()
		Eventually(done, 15*time.Second).Should(Receive(BeNil()))
		Expect(s.Close(context.Background())).To(Succeed())
	})
	DeferCleanup(func() { m.stop() })
	return m
}

// response is an answer, read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON() map[string]any {
	GinkgoHelper()
	var v map[string]any
	Expect(json.Unmarshal(r.Body, &v)).To(Succeed(), "body: %s", r.Body)
	return v
}

// ErrorType is the "type" of an error envelope.
func (r response) ErrorType() string {
	GinkgoHelper()
	e, ok := r.JSON()["error"].(map[string]any)
	Expect(ok).To(BeTrue(), "not an error envelope: %s", r.Body)
	Expect(e["message"]).NotTo(BeEmpty())
	return e["type"].(string)
}

// ErrorMessage is the "message" of an error envelope.
func (r response) ErrorMessage() string {
	GinkgoHelper()
	r.ErrorType()
	return r.JSON()["error"].(map[string]any)["message"].(string)
}

// do sends a request to the mock (header holds name, value pairs) and
// checks the answer against the OpenAPI documents.
func (m *mock) do(method, path string, body io.Reader, header ...string) response {
	GinkgoHelper()
	req, err := http.NewRequest(method, m.URL+path, body)
	Expect(err).NotTo(HaveOccurred())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	r := response{Status: res.StatusCode, Header: res.Header, Body: b}
	checkAgainstSpec(req, r)
	return r
}

// api sends a JSON request with the mock's bearer token.
func (m *mock) api(method, path, body string) response {
	GinkgoHelper()
	return m.as(m.Key, method, path, body)
}

// as sends a JSON request with the given bearer token.
func (m *mock) as(key, method, path, body string) response {
	GinkgoHelper()
	h := []string{"Authorization", "Bearer " + key}
	var rd io.Reader
	if body != "" {
		h = append(h, "Content-Type", "application/json")
		rd = strings.NewReader(body)
	}
	return m.do(method, path, rd, h...)
}

// control sends a request to the control API.
func (m *mock) control(method, path, body string) response {
	GinkgoHelper()
	var rd io.Reader
	var h []string
	if body != "" {
		rd, h = strings.NewReader(body), []string{"Content-Type", "application/json"}
	}
	return m.do(method, path, rd, h...)
}

// checkAgainstSpec validates an answer against the operation the request
// matched (status included), and answers to requests that matched none
// against the error envelope.
func checkAgainstSpec(req *http.Request, r response) {
	GinkgoHelper()
	if req.Method == http.MethodHead {
		return // no body to check
	}
	var router routers.Router
	switch {
	case strings.HasPrefix(req.URL.Path, "/v1/"):
		router = prismRouter
	case strings.HasPrefix(req.URL.Path, "/_mock/"), req.URL.Path == "/healthz":
		router = mockRouter
	}
	if router != nil {
		if r.Status != http.StatusNoContent {
			Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
		}
		if route, params, err := router.FindRoute(req); err == nil {
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
				Status:                 r.Status,
				Header:                 r.Header,
				Options:                &openapi3filter.Options{IncludeResponseStatus: true},
			}
			in.SetBodyBytes(r.Body)
			if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
				// The error's text, not a dump of the whole document.
				Fail(fmt.Sprintf("%s %s answered %d %s\nnot as the document says: %v", req.Method, req.URL.Path, r.Status, r.Body, err))
			}
			return
		}
	}
	if r.Status >= 400 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		expectSchema(prismDoc, "Error", r.Body)
	}
}

// expectSchema checks a JSON document against a schema of doc.
func expectSchema(doc *openapi3.T, schema string, body []byte) {
	GinkgoHelper()
	var v any
	Expect(json.Unmarshal(body, &v)).To(Succeed(), "body: %s", body)
	if err := doc.Components.Schemas[schema].Value.VisitJSON(v); err != nil {
		Fail(fmt.Sprintf("%s does not match %s: %v", body, schema, err))
	}
}

// delivered is one request a receiver got.
type delivered struct {
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint that records every request and answers
// with what answer says for the n-th one (1-based); 200 by default.
type receiver struct {
	*httptest.Server
	got chan delivered

	mu     sync.Mutex
	n      int
	answer func(n int) int
}

func startReceiver() *receiver {
	GinkgoHelper()
	rc := &receiver{got: make(chan delivered, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.n++
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(rc.n)
		}
		rc.mu.Unlock()
		rc.got <- delivered{Header: r.Header.Clone(), Body: body}
		w.WriteHeader(status)
	}))
	DeferCleanup(rc.Close)
	return rc
}

func (rc *receiver) answerWith(f func(n int) int) {
	rc.mu.Lock()
	rc.answer = f
	rc.mu.Unlock()
}

// createWebhook registers url for events and returns the answer's JSON.
func (m *mock) createWebhook(url string, events ...string) map[string]any {
	GinkgoHelper()
	ev, _ := json.Marshal(events)
	r := m.api("POST", "/v1/webhooks", `{"url":"`+url+`","events":`+string(ev)+`}`)
	Expect(r.Status).To(Equal(http.StatusCreated), "%s", r.Body)
	return r.JSON()
}

// deliveries returns the delivery log of a webhook.
func (m *mock) deliveries(webhookID string) []map[string]any {
	GinkgoHelper()
	r := m.api("GET", "/v1/webhooks/"+webhookID+"/deliveries", "")
	Expect(r.Status).To(Equal(http.StatusOK))
	var out struct {
		Data []map[string]any `json:"data"`
	}
	Expect(json.Unmarshal(r.Body, &out)).To(Succeed())
	return out.Data
}
