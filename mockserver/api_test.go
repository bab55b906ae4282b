package mockserver_test

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
)

// The documentation's example request body, byte for byte.
const docCreateBody = `{
"url": "https://your-server.com/webhooks/prism",
"events": ["video.completed", "video.failed"]
}`

var _ = Describe("the Prism API", func() {
	var m *mock
	BeforeEach(func() { m = startMock(mockserver.Options{}) })

	Describe("the documentation's examples", func() {
		It("creates a webhook and lists it, as the curl examples do", func() {
			r := m.do("POST", "/v1/webhooks", strings.NewReader(docCreateBody),
				"Authorization", "Bearer YOUR_API_KEY",
				"Content-Type", "application/json")
			Expect(r.Status).To(Equal(http.StatusCreated))
			created := r.JSON()
			Expect(created).To(HaveKeyWithValue("url", "https://your-server.com/webhooks/prism"))
			Expect(created).To(HaveKeyWithValue("events", ConsistOf("video.completed", "video.failed")))
			Expect(created).To(HaveKeyWithValue("status", "active"))
			Expect(created["id"]).To(HavePrefix("wh_"))
			Expect(created["secret"]).To(MatchRegexp(`^whsec_[A-Za-z0-9_-]{43}$`))

			r = m.do("GET", "/v1/webhooks", nil, "Authorization", "Bearer YOUR_API_KEY")
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(r.JSON()["data"]).To(ConsistOf(And(
				HaveKeyWithValue("id", created["id"]),
				HaveKeyWithValue("url", created["url"]),
				Not(HaveKey("secret")),
			)))
		})

		It("answers the literal curl commands, host swapped", func() {
			if _, err := exec.LookPath("curl"); err != nil {
				Skip("curl is not installed")
			}
			curl := func(command string) response {
				command = strings.ReplaceAll(command, "https://api.prism.video", m.URL)
				out, err := exec.Command("sh", "-c", command+` -s -w '\n%{http_code}\n%{content_type}'`).Output()
				Expect(err).NotTo(HaveOccurred())
				lines := strings.Split(string(out), "\n")
				Expect(len(lines)).To(BeNumerically(">=", 3))
				status, err := strconv.Atoi(lines[len(lines)-2])
				Expect(err).NotTo(HaveOccurred())
				return response{
					Status: status,
					Header: http.Header{"Content-Type": {lines[len(lines)-1]}},
					Body:   []byte(strings.Join(lines[:len(lines)-2], "\n")),
				}
			}
			r := curl(`curl -X POST https://api.prism.video/v1/webhooks \
-H "Authorization: Bearer YOUR_API_KEY" \
-H "Content-Type: application/json" \
-d '` + docCreateBody + `'`)
			checkAgainstSpec(httptestRequest("POST", m.URL+"/v1/webhooks"), r)
			Expect(r.Status).To(Equal(http.StatusCreated))
			id := r.JSON()["id"]

			r = curl(`curl https://api.prism.video/v1/webhooks \
-H "Authorization: Bearer YOUR_API_KEY"`)
			checkAgainstSpec(httptestRequest("GET", m.URL+"/v1/webhooks"), r)
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(r.JSON()["data"]).To(ConsistOf(HaveKeyWithValue("id", id)))
		})
	})

	Describe("webhooks", func() {
		It("shows the secret only when creating", func() {
			created := m.createWebhook("https://example.test/hook", "video.completed")
			secret := created["secret"].(string)
			id := created["id"].(string)

			got := m.api("GET", "/v1/webhooks/"+id, "")
			Expect(got.Status).To(Equal(http.StatusOK))
			Expect(got.JSON()).To(HaveKeyWithValue("id", id))
			Expect(got.JSON()).NotTo(HaveKey("secret"))
			Expect(string(got.Body)).NotTo(ContainSubstring(secret))

			list := m.api("GET", "/v1/webhooks", "")
			Expect(string(list.Body)).NotTo(ContainSubstring(secret))
			Expect(list.JSON()["data"]).To(HaveLen(1))
		})

		It("gives every webhook its own id and secret", func() {
			a := m.createWebhook("https://example.test/a", "video.completed")
			b := m.createWebhook("https://example.test/b", "video.completed")
			Expect(a["id"]).NotTo(Equal(b["id"]))
			Expect(a["secret"]).NotTo(Equal(b["secret"]))
			list := m.api("GET", "/v1/webhooks", "").JSON()["data"]
			Expect(list).To(HaveExactElements(HaveKeyWithValue("id", a["id"]), HaveKeyWithValue("id", b["id"])))
		})

		It("deletes a webhook", func() {
			id := m.createWebhook("https://example.test/hook", "video.failed")["id"].(string)
			Expect(m.api("DELETE", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNoContent))
			Expect(m.api("GET", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNotFound))
			Expect(m.api("DELETE", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNotFound))
			Expect(m.api("GET", "/v1/webhooks", "").JSON()["data"]).To(BeEmpty())
		})

		It("shows an empty delivery log for a new webhook", func() {
			id := m.createWebhook("https://example.test/hook", "video.failed")["id"].(string)
			Expect(m.deliveries(id)).To(BeEmpty())
		})
	})
})

// These specs only read, or write under their own key: they share a mock.
var _ = Describe("bad input", Ordered, func() {
	var m *mock
	BeforeAll(func() { m = startMock(mockserver.Options{}) })

	DescribeTable("refuses a bad webhook with 400",
		func(body, wantInMessage string) {
			r := m.api("POST", "/v1/webhooks", body)
			Expect(r.Status).To(Equal(http.StatusBadRequest), "%s", r.Body)
			Expect(r.ErrorType()).To(Equal("invalid_request"))
			Expect(r.ErrorMessage()).To(ContainSubstring(wantInMessage))
		},
		Entry("malformed JSON", `{"url": "https://x.test/h", "events": [`, "request body"),
		Entry("not an object", `["https://x.test/h"]`, "request body"),
		Entry("null", `null`, "request body"),
		Entry("data after the object", `{"url": "https://x.test/h", "events": ["video.failed"]} {}`, "request body"),
		Entry("relative URL", `{"url": "/webhooks/prism", "events": ["video.completed"]}`, `"/url"`),
		Entry("URL without scheme", `{"url": "your-server.com/webhooks", "events": ["video.completed"]}`, `"/url"`),
		Entry("ftp URL", `{"url": "ftp://x.test/h", "events": ["video.completed"]}`, `"/url"`),
		Entry("URL without host", `{"url": "https:///h", "events": ["video.completed"]}`, `"/url"`),
		Entry("missing URL", `{"events": ["video.completed"]}`, `url`),
		Entry("URL of the wrong type", `{"url": 42, "events": ["video.completed"]}`, `"/url"`),
		Entry("missing events", `{"url": "https://x.test/h"}`, `events`),
		Entry("empty events", `{"url": "https://x.test/h", "events": []}`, `"/events"`),
		Entry("unknown event", `{"url": "https://x.test/h", "events": ["video.deleted"]}`, `"/events/0"`),
		Entry("events of the wrong type", `{"url": "https://x.test/h", "events": "video.completed"}`, `"/events"`),
		Entry("repeated event", `{"url": "https://x.test/h", "events": ["video.failed", "video.failed"]}`, `"/events"`),
		Entry("unknown field", `{"url": "https://x.test/h", "events": ["video.failed"], "active": true}`, `active`),
	)

	DescribeTable("refuses a bad video request with 400",
		func(body, wantInMessage string) {
			r := m.api("POST", "/v1/videos", body)
			Expect(r.Status).To(Equal(http.StatusBadRequest), "%s", r.Body)
			Expect(r.ErrorType()).To(Equal("invalid_request"))
			Expect(r.ErrorMessage()).To(ContainSubstring(wantInMessage))
		},
		Entry("missing prompt", `{"provider": "runway"}`, "prompt"),
		Entry("empty prompt", `{"prompt": ""}`, `"/prompt"`),
		Entry("duration as a string", `{"prompt": "a lake", "duration": "6"}`, `"/duration"`),
		Entry("duration out of range", `{"prompt": "a lake", "duration": 600}`, `"/duration"`),
		Entry("fractional duration", `{"prompt": "a lake", "duration": 1.5}`, `"/duration"`),
		Entry("unknown field", `{"prompt": "a lake", "seed": 3}`, "seed"),
	)

	It("refuses a body that is not JSON by its content type", func() {
		r := m.do("POST", "/v1/webhooks", strings.NewReader(docCreateBody),
			"Authorization", "Bearer k", "Content-Type", "text/plain")
		Expect(r.Status).To(Equal(http.StatusBadRequest))
		Expect(r.ErrorMessage()).To(ContainSubstring("Content-Type"))
	})

	It("accepts a JSON content type with a charset", func() {
		r := m.do("POST", "/v1/webhooks", strings.NewReader(docCreateBody),
			"Authorization", "Bearer charset-key", "Content-Type", "application/json; charset=utf-8")
		Expect(r.Status).To(Equal(http.StatusCreated))
	})

	It("refuses a missing body", func() {
		r := m.do("POST", "/v1/webhooks", nil, "Authorization", "Bearer k", "Content-Type", "application/json")
		Expect(r.Status).To(Equal(http.StatusBadRequest))
		Expect(r.ErrorMessage()).To(ContainSubstring("required"))
	})

	DescribeTable("answers 401 without a usable bearer token",
		func(header ...string) {
			r := m.do("GET", "/v1/webhooks", nil, header...)
			Expect(r.Status).To(Equal(http.StatusUnauthorized))
			Expect(r.ErrorType()).To(Equal("unauthorized"))
			Expect(r.Header.Get("WWW-Authenticate")).To(Equal("Bearer"))
		},
		Entry("no Authorization header"),
		Entry("empty token", "Authorization", "Bearer "),
		Entry("another scheme", "Authorization", "Basic eW91cjprZXk="),
		Entry("token without scheme", "Authorization", "YOUR_API_KEY"),
	)

	It("authenticates before validating the body", func() {
		r := m.do("POST", "/v1/webhooks", strings.NewReader(`{"url": 1}`), "Content-Type", "application/json")
		Expect(r.Status).To(Equal(http.StatusUnauthorized))
	})

	It("accepts the scheme name in any case", func() {
		Expect(m.do("GET", "/v1/webhooks", nil, "Authorization", "bearer k").Status).To(Equal(http.StatusOK))
	})

	DescribeTable("answers 404 for unknown ids and paths",
		func(method, path string) {
			r := m.api(method, path, "")
			Expect(r.Status).To(Equal(http.StatusNotFound))
			Expect(r.ErrorType()).To(Equal("not_found"))
		},
		Entry("webhook", "GET", "/v1/webhooks/wh_000000000000000000000000"),
		Entry("webhook, malformed id", "GET", "/v1/webhooks/nope"),
		Entry("webhook to delete", "DELETE", "/v1/webhooks/wh_000000000000000000000000"),
		Entry("webhook's deliveries", "GET", "/v1/webhooks/wh_000000000000000000000000/deliveries"),
		Entry("video", "GET", "/v1/videos/gen_000000000000000000000000"),
		Entry("unknown API path", "GET", "/v1/teapots"),
		Entry("unknown control path", "GET", "/_mock/teapots"),
		Entry("path outside every API", "GET", "/favicon.ico"),
		Entry("artifact of a malformed id", "GET", "/videos/nope.mp4"),
	)

	DescribeTable("answers 405 with Allow for a wrong method",
		func(method, path, allow string) {
			r := m.api(method, path, "")
			Expect(r.Status).To(Equal(http.StatusMethodNotAllowed))
			Expect(r.ErrorType()).To(Equal("method_not_allowed"))
			Expect(r.Header.Get("Allow")).To(Equal(allow))
		},
		Entry("PUT webhooks", "PUT", "/v1/webhooks", "GET, POST"),
		Entry("PATCH a webhook", "PATCH", "/v1/webhooks/wh_1", "DELETE, GET"),
		Entry("DELETE videos", "DELETE", "/v1/videos", "POST"),
		Entry("POST a video", "POST", "/v1/videos/gen_1", "GET"),
		Entry("GET reset", "GET", "/_mock/reset", "POST"),
	)

	It("does not show another key's webhooks", func() {
		id := m.createWebhook("https://example.test/hook", "video.completed")["id"].(string)
		Expect(m.as("another-key", "GET", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNotFound))
		Expect(m.as("another-key", "GET", "/v1/webhooks/"+id+"/deliveries", "").Status).To(Equal(http.StatusNotFound))
		Expect(m.as("another-key", "DELETE", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNotFound))
		Expect(m.as("another-key", "GET", "/v1/webhooks", "").JSON()["data"]).To(BeEmpty())
		Expect(m.api("GET", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusOK))
	})

	It("keeps a sane client request id and makes one otherwise", func() {
		r := m.do("GET", "/healthz", nil, "X-Request-Id", "trace-42")
		Expect(r.Header.Get("X-Request-Id")).To(Equal("trace-42"))
		r = m.do("GET", "/healthz", nil, "X-Request-Id", "bad id\twith spaces")
		Expect(r.Header.Get("X-Request-Id")).To(MatchRegexp(`^req_[0-9a-f]{16}$`))
	})
})

var _ = Describe("request size", func() {
	It("answers 413 with the envelope beyond MaxBodyBytes", func() {
		m := startMock(mockserver.Options{MaxBodyBytes: 1024})
		big := `{"url": "https://x.test/` + strings.Repeat("a", 4096) + `", "events": ["video.completed"]}`

		r := m.api("POST", "/v1/webhooks", big)
		Expect(r.Status).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(r.ErrorType()).To(Equal("payload_too_large"))

		// Without a declared length, the limit applies while reading.
		r = m.do("POST", "/v1/webhooks", io.MultiReader(strings.NewReader(big)),
			"Authorization", "Bearer k", "Content-Type", "application/json")
		Expect(r.Status).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(r.ErrorType()).To(Equal("payload_too_large"))

		r = m.control("POST", "/_mock/outcome", `{"outcome": "failed", "x": "`+strings.Repeat("b", 2048)+`"}`)
		Expect(r.Status).To(Equal(http.StatusRequestEntityTooLarge))

		// Just under the limit is fine.
		Expect(m.api("POST", "/v1/webhooks", docCreateBody).Status).To(Equal(http.StatusCreated))
	})
})

var _ = Describe("RequireHTTPS", func() {
	It("refuses http webhook URLs and accepts https ones", func() {
		m := startMock(mockserver.Options{RequireHTTPS: true})
		r := m.api("POST", "/v1/webhooks", `{"url": "http://your-server.com/webhooks/prism", "events": ["video.completed"]}`)
		Expect(r.Status).To(Equal(http.StatusBadRequest))
		Expect(r.ErrorMessage()).To(ContainSubstring("https"))
		Expect(m.api("POST", "/v1/webhooks", docCreateBody).Status).To(Equal(http.StatusCreated))
	})
})

var _ = Describe("API keys", func() {
	It("accepts only the configured keys and keeps each key's webhooks apart", func() {
		m := startMock(mockserver.Options{APIKeys: []string{"sk_one", "sk_two"}})
		for _, key := range []string{"wrong", "sk_on", "sk_one2", "SK_ONE", ""} {
			r := m.as(key, "GET", "/v1/webhooks", "")
			Expect(r.Status).To(Equal(http.StatusUnauthorized), "key %q", key)
			Expect(r.ErrorType()).To(Equal("unauthorized"))
		}
		Expect(m.as("wrong", "GET", "/v1/webhooks", "").ErrorMessage()).To(Equal("invalid API key"))

		r := m.as("sk_one", "POST", "/v1/webhooks", docCreateBody)
		Expect(r.Status).To(Equal(http.StatusCreated))
		id := r.JSON()["id"].(string)
		Expect(m.as("sk_one", "GET", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusOK))
		Expect(m.as("sk_two", "GET", "/v1/webhooks/"+id, "").Status).To(Equal(http.StatusNotFound))
		Expect(m.as("sk_two", "GET", "/v1/webhooks", "").JSON()["data"]).To(BeEmpty())
		Expect(m.as("wrong", "POST", "/v1/webhooks", docCreateBody).Status).To(Equal(http.StatusUnauthorized))
	})

	It("closes the control API to callers without a key", func() {
		m := startMock(mockserver.Options{APIKeys: []string{"sk_one"}})
		Expect(m.control("GET", "/_mock/deliveries", "").Status).To(Equal(http.StatusUnauthorized))
		Expect(m.as("sk_one", "GET", "/_mock/deliveries", "").Status).To(Equal(http.StatusOK))
	})
})

// httptestRequest is a request value for checkAgainstSpec, for answers
// obtained some other way (curl).
func httptestRequest(method, url string) *http.Request {
	GinkgoHelper()
	req, err := http.NewRequest(method, url, bytes.NewReader(nil))
	Expect(err).NotTo(HaveOccurred())
	return req
}
