package mockserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/prismhook/prismhook/mockserver"
)

// BenchmarkAPI compares the mock, with OpenAPI validation and the whole
// middleware, to a bare net/http handler answering the same bytes, side by
// side and without the network; the mock's lines report its rate as a
// share of the bare handler's ("%bare"). Without the network every cost of
// the mock shows in full: the product's bar (at least half the bare rate)
// is measured over HTTP by internal/bench.
//
//	go test -run '^$' -bench BenchmarkAPI ./mockserver/
func BenchmarkAPI(b *testing.B) {
	s, err := mockserver.New(mockserver.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	mock := s.Handler()

	send := func(h http.Handler, method, key, body string) *httptest.ResponseRecorder {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, "/v1/webhooks", rd)
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	// The listing key has two webhooks; the creating key gets more with
	// every iteration, which the listing does not see.
	for range 2 {
		send(mock, "POST", "bench-list", docCreateBody)
	}
	forget := func(b *testing.B, key string) {
		w := send(mock, "GET", key, "")
		var list struct{ Data []struct{ ID string } }
		if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
			b.Fatal(err)
		}
		for _, hook := range list.Data {
			req := httptest.NewRequest("DELETE", "/v1/webhooks/"+hook.ID, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			mock.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	listed := send(mock, "GET", "bench-list", "").Body.Bytes()
	created := send(mock, "POST", "bench-create", docCreateBody).Body.Bytes()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		body, status := listed, http.StatusOK
		if r.Method == http.MethodPost {
			body, status = created, http.StatusCreated
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})

	// Each bare run comes first, so the mock's run can report its rate as
	// a share of the bare handler's.
	var bareNs float64
	run := func(name string, h http.Handler, isMock bool, method, key, body string, want int) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				if w := send(h, method, key, body); w.Code != want {
					b.Fatalf("%s: status %d: %s", name, w.Code, w.Body)
				}
				if isMock && method == http.MethodPost && i%1000 == 999 {
					// Keep the store at a steady size: this measures
					// answering requests, not a heap of a million webhooks.
					b.StopTimer()
					forget(b, "bench-create")
					b.StartTimer()
				}
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if isMock {
				b.ReportMetric(100*bareNs/ns, "%bare")
			} else {
				bareNs = ns
			}
		})
	}
	run("list/bare", bare, false, "GET", "bench-list", "", http.StatusOK)
	run("list/mock", mock, true, "GET", "bench-list", "", http.StatusOK)
	run("create/bare", bare, false, "POST", "bench-create", docCreateBody, http.StatusCreated)
	run("create/mock", mock, true, "POST", "bench-create", docCreateBody, http.StatusCreated)
}
