package mockserver

// Specs of unexported parts that cannot be reached over HTTP: a panicking
// handler, an internal error, the event encoder.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/spec"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("internals", func() {
	var (
		s    *Server
		logs *bytes.Buffer
	)
	BeforeEach(func() {
		logs = &bytes.Buffer{}
		var err error
		s, err = New(Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close, context.Background())
	})

	serve := func(h http.Handler) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		s.observe(s.recoverPanics(h)).ServeHTTP(w, httptest.NewRequest("GET", "/v1/boom", nil))
		return w
	}

	It("turns a panic into a JSON 500 without a stack trace, and logs it", func() {
		w := serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret detail") }))
		Expect(w.Code).To(Equal(http.StatusInternalServerError))
		Expect(w.Header().Get("Content-Type")).To(Equal("application/json"))
		var body errorBody
		Expect(json.Unmarshal(w.Body.Bytes(), &body)).To(Succeed())
		Expect(body.Error.Type).To(Equal("internal_error"))
		Expect(body.Error.Message).To(ContainSubstring(w.Header().Get("X-Request-Id")))
		Expect(w.Body.String()).NotTo(Or(ContainSubstring("secret detail"), ContainSubstring("goroutine")))
		Expect(logs.String()).To(And(ContainSubstring("secret detail"), ContainSubstring(w.Header().Get("X-Request-Id"))))
	})

	It("leaves an answer that has begun alone", func() {
		w := serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			panic("late")
		}))
		Expect(w.Code).To(Equal(http.StatusAccepted))
		Expect(w.Body.String()).To(BeEmpty())
	})

	It("answers an internal error generically and logs its text", func() {
		w := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, s.logger, errors.New("disk on fire"))
		}))
		Expect(w.Code).To(Equal(http.StatusInternalServerError))
		Expect(w.Body.String()).NotTo(ContainSubstring("disk on fire"))
		Expect(logs.String()).To(ContainSubstring("disk on fire"))
	})

	Describe("event bodies", func() {
		var prism *openapi3.T
		BeforeEach(func() {
			var err error
			prism, err = spec.PrismAPI("")
			Expect(err).NotTo(HaveOccurred())
		})

		created := time.Date(2026, 1, 13, 14, 30, 0, 123456789, time.FixedZone("CET", 3600))
		g := store.Generation{
			ID: "gen_abc123xyz", Prompt: "Café <night> & \"rain\"", Provider: "runway", Duration: 6,
			VideoURL:     "https://storage.prism.video/videos/gen_abc123xyz.mp4",
			ThumbnailURL: "https://storage.prism.video/thumbnails/gen_abc123xyz.jpg",
			CreatedAt:    created,
		}

		DescribeTable("match the document's event schema",
			func(eventType, schema string) {
				body, err := eventBody(g, eventType, created.Add(5*time.Minute))
				Expect(err).NotTo(HaveOccurred())
				var v any
				Expect(json.Unmarshal(body, &v)).To(Succeed())
				Expect(prism.Components.Schemas[schema].Value.VisitJSON(v)).To(Succeed())
				Expect(prism.Components.Schemas["VideoEvent"].Value.VisitJSON(v)).To(Succeed())

				Expect(string(body)).To(ContainSubstring(`"timestamp":"2026-01-13T13:35:00Z"`))
				Expect(string(body)).To(ContainSubstring(`"created_at":"2026-01-13T13:30:00Z"`))
				Expect(string(body)).To(ContainSubstring(`Café <night> & \"rain\"`), "no \\u escapes")
				var compact bytes.Buffer
				Expect(json.Compact(&compact, body)).To(Succeed())
				Expect(body).To(Equal(compact.Bytes()))
			},
			Entry("video.completed", webhook.EventCompleted, "VideoCompletedEvent"),
			Entry("video.failed", webhook.EventFailed, "VideoFailedEvent"),
		)

		It("starts with the documentation's field order", func() {
			body, err := eventBody(g, webhook.EventCompleted, created)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(body)).To(HavePrefix(`{"event":"video.completed","timestamp":"2026-01-13T13:30:00Z","data":{"id":"gen_abc123xyz","status":"completed","prompt":`))
		})
	})
})
