package artifacts_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/artifacts"
)

// fetch makes a GET through the handler in-process, with userAgent.
func fetch(s *artifacts.Server, path, userAgent string) int {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("User-Agent", userAgent)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Code
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

var _ = Describe("Server under hostile fetches", func() {
	var s *artifacts.Server
	BeforeEach(func() { s = artifacts.New() })

	It("serves made-up ids without remembering them", func() {
		ua := strings.Repeat("u", 60<<10)
		for i := range 500 {
			Expect(fetch(s, artifacts.VideoPath(fmt.Sprintf("gen_madeup%d", i)), ua)).To(Equal(http.StatusOK))
		}
		n, b := s.Kept()
		Expect(n).To(BeZero())
		Expect(b).To(BeZero())
	})

	It("keeps short header excerpts, a bounded count per id and in all, and gives memory back on Reset", func() {
		before := heapInUse()
		ua := strings.Repeat("u", 60<<10)
		const ids, perID = 200, 100 // 20,000 fetches of 60 KB user agents: 1.2 GB if all were kept
		for i := range ids {
			id := fmt.Sprintf("gen_issued%d", i)
			s.Issue(id)
			for range perID {
				fetch(s, artifacts.VideoPath(id), ua)
			}
		}
		s.Issue("gen_one")
		for range 500 {
			fetch(s, artifacts.ThumbnailPath("gen_one"), ua)
		}
		Expect(s.Fetches("gen_one")).To(HaveLen(100), "per-id cap")
		ua0 := s.Fetches("gen_one")[0].UserAgent
		Expect(len(ua0)).To(BeNumerically("<=", artifacts.MaxHeaderValue+len("…")))
		n, b := s.Kept()
		Expect(n).To(BeNumerically("<=", 10000), "total cap")
		Expect(b).To(BeNumerically("<=", 4<<20), "bytes kept")
		grown := int64(heapInUse()) - int64(before)
		Expect(grown).To(BeNumerically("<", 32<<20), "heap growth, measured")
		GinkgoWriter.Printf("kept %d fetches, %d bytes of text; heap grew %d bytes\n", n, b, grown)

		s.Reset()
		n, b = s.Kept()
		Expect(n).To(BeZero())
		Expect(b).To(BeZero())
		Expect(int64(heapInUse())-int64(before)).To(BeNumerically("<", 4<<20), "Reset gives the memory back")
	})

	It("records fetches of ids its owner knows", func() {
		s.Known = func(id string) bool { return id == "gen_stored" }
		fetch(s, artifacts.VideoPath("gen_stored"), "ua")
		fetch(s, artifacts.VideoPath("gen_other"), "ua")
		Expect(s.Fetches("gen_stored")).To(HaveLen(1))
		Expect(s.Fetches("gen_other")).To(BeEmpty())
	})
})
