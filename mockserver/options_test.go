package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/spec"
)

var _ = Describe("Options", func() {
	It("accepts the zero value", func() {
		Expect(mockserver.Options{}.Validate()).To(Succeed())
	})

	DescribeTable("refuses bad options, in New too",
		func(o mockserver.Options, wantInErr string) {
			Expect(o.Validate()).To(MatchError(ContainSubstring(wantInErr)))
			_, err := mockserver.New(o)
			Expect(err).To(MatchError(ContainSubstring(wantInErr)))
		},
		Entry("public URL without scheme", mockserver.Options{PublicURL: "localhost:4010"}, "public URL"),
		Entry("public URL of another scheme", mockserver.Options{PublicURL: "ftp://x.test"}, "http or https"),
		Entry("public URL without host", mockserver.Options{PublicURL: "http://"}, "no host"),
		Entry("public URL with a query", mockserver.Options{PublicURL: "http://x.test/?a=1"}, "query"),
		Entry("empty API key", mockserver.Options{APIKeys: []string{"sk_1", ""}}, "API key 2 is empty"),
		Entry("API key with a space", mockserver.Options{APIKeys: []string{"sk 1"}}, "whitespace"),
		Entry("negative generation delay", mockserver.Options{GenerationDelay: -time.Second}, "generation delay"),
		Entry("negative body limit", mockserver.Options{MaxBodyBytes: -1}, "body limit"),
		Entry("private targets denied through a transport of the caller's", mockserver.Options{
			DenyPrivateTargets: true, Delivery: delivery.Options{Sender: wire.SenderOptions{Transport: http.DefaultTransport}},
		}, "DenyPrivateTargets needs the sender's default transport"),
	)

	DescribeTable("New reports what it cannot set up",
		func(o func(dir string) mockserver.Options, wantInErr string) {
			_, err := mockserver.New(o(GinkgoT().TempDir()))
			Expect(err).To(MatchError(ContainSubstring(wantInErr)))
		},
		Entry("missing spec file", func(dir string) mockserver.Options {
			return mockserver.Options{SpecPath: filepath.Join(dir, "nope.yaml")}
		}, "nope.yaml"),
		Entry("invalid control spec", func(dir string) mockserver.Options {
			return mockserver.Options{MockSpecPath: writeFile(dir, "mock.yaml", "openapi: 3.0.3\n")}
		}, "mock.yaml"),
		Entry("spec without an operation", func(dir string) mockserver.Options {
			return mockserver.Options{SpecPath: editedSpec(dir, func(doc *openapi3.T) { doc.Paths.Delete("/v1/videos/{id}") })}
		}, "getVideo is missing from the document"),
		Entry("spec with an unknown operation", func(dir string) mockserver.Options {
			return mockserver.Options{SpecPath: editedSpec(dir, func(doc *openapi3.T) {
				doc.Paths.Value("/v1/videos").Get = &openapi3.Operation{
					OperationID: "listVideos",
					Responses:   openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("ok")})),
				}
			})}
		}, "listVideos"),
		Entry("spec with another security scheme", func(dir string) mockserver.Options {
			return mockserver.Options{SpecPath: editedSpec(dir, func(doc *openapi3.T) {
				doc.Components.SecuritySchemes["bearerAuth"].Value = openapi3.NewCSRFSecurityScheme()
			})}
		}, "only HTTP bearer"),
		Entry("data file that is not one", func(dir string) mockserver.Options {
			return mockserver.Options{DataFile: writeFile(dir, "data.db", "not a database, just text that is long enough to be read")}
		}, "data.db"),
		Entry("bad delivery options", func(string) mockserver.Options {
			return mockserver.Options{Delivery: delivery.Options{Jitter: 2}}
		}, "jitter"),
	)

	It("refuses a registry that already has a server's metrics", func() {
		reg := prometheus.NewRegistry()
		s, err := mockserver.New(mockserver.Options{Registry: reg})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close, context.Background())
		_, err = mockserver.New(mockserver.Options{Registry: reg})
		Expect(err).To(MatchError(ContainSubstring("metrics")))
	})

	It("serves a spec given by path", func() {
		dir := GinkgoT().TempDir()
		path := editedSpec(dir, func(doc *openapi3.T) {
			// Looser than the embedded document: unknown fields allowed.
			allow := true
			doc.Components.Schemas["CreateVideoRequest"].Value.AdditionalProperties.Has = &allow
		})
		m := startMock(mockserver.Options{SpecPath: path})
		Expect(m.api("POST", "/v1/videos", `{"prompt": "p", "seed": 3}`).Status).To(Equal(http.StatusAccepted))
		embedded := startMock(mockserver.Options{})
		Expect(embedded.api("POST", "/v1/videos", `{"prompt": "p", "seed": 3}`).Status).To(Equal(http.StatusBadRequest))
	})

	It("hands out URLs under the public URL and serves the artifacts under its path", func() {
		m := startMock(mockserver.Options{PublicURL: "https://cdn.example.test/prism/", GenerationDelay: 20 * time.Millisecond})
		id := m.api("POST", "/v1/videos", `{"prompt": "p"}`).JSON()["id"].(string)
		Eventually(func() map[string]any { return m.api("GET", "/v1/videos/"+id, "").JSON() }).
			Should(HaveKeyWithValue("video_url", "https://cdn.example.test/prism/videos/"+id+".mp4"))
		for _, path := range []string{"/prism/videos/" + id + ".mp4", "/videos/" + id + ".mp4", "/prism/thumbnails/" + id + ".jpg"} {
			res, err := client.Get(m.URL + path)
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusOK), path)
		}
	})

	It("works through Handler alone, with URLs from the request's host", func() {
		s, err := mockserver.New(mockserver.Options{GenerationDelay: 20 * time.Millisecond})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Start(context.Background())).To(Succeed())
		Expect(s.Start(context.Background())).To(Succeed(), "Start is idempotent")
		ts := httptest.NewServer(s.Handler())
		DeferCleanup(func() {
			ts.Close()
			Expect(s.Close(context.Background())).To(Succeed())
			Expect(s.Close(context.Background())).To(Succeed(), "Close is idempotent")
		})
		m := &mock{Server: s, URL: ts.URL, Key: "k"}
		Expect(m.Engine()).NotTo(BeNil())
		Expect(m.Artifacts()).NotTo(BeNil())
		id := m.api("POST", "/v1/videos", `{"prompt": "p"}`).JSON()["id"].(string)
		Eventually(func() map[string]any { return m.api("GET", "/v1/videos/"+id, "").JSON() }).
			Should(HaveKeyWithValue("video_url", ts.URL+"/videos/"+id+".mp4"))
	})
})

func writeFile(dir, name, content string) string {
	GinkgoHelper()
	p := filepath.Join(dir, name)
	Expect(os.WriteFile(p, []byte(content), 0o600)).To(Succeed())
	return p
}

// editedSpec writes the embedded Prism API document, changed by edit, as
// JSON (which the loader reads as well as YAML).
func editedSpec(dir string, edit func(doc *openapi3.T)) string {
	GinkgoHelper()
	doc, err := spec.PrismAPI("")
	Expect(err).NotTo(HaveOccurred())
	edit(doc)
	b, err := json.Marshal(doc)
	Expect(err).NotTo(HaveOccurred())
	return writeFile(dir, "openapi.json", string(b))
}
