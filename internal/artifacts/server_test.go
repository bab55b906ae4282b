package artifacts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/artifacts"
)

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// errorType decodes the JSON error envelope, failing the spec if the body is not one.
func (a answer) errorType() string {
	GinkgoHelper()
	Expect(a.header.Get("Content-Type")).To(Equal("application/json"))
	var e struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	Expect(json.Unmarshal(a.body, &e)).To(Succeed(), "body: %s", a.body)
	Expect(e.Error.Message).NotTo(BeEmpty())
	return e.Error.Type
}

var _ = Describe("Server", func() {
	var (
		s    *artifacts.Server
		base string
	)

	BeforeEach(func() {
		s = artifacts.New()
		// Only issued ids are recorded; gen_other and gen_unknown are not.
		for _, id := range []string{"gen_0", "gen_1", "gen_2", "gen_abc", "gen_flaky", "gen_new", "gen_slow"} {
			s.Issue(id)
		}
		ts := httptest.NewServer(s)
		DeferCleanup(ts.Close)
		base = ts.URL
	})

	do := func(method, path string) answer {
		GinkgoHelper()
		req, err := http.NewRequest(method, base+path, nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("User-Agent", "receiver-test")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		return answer{resp.StatusCode, resp.Header, body}
	}

	statuses := func(fs []artifacts.Fetch) []int {
		out := []int{}
		for _, f := range fs {
			out = append(out, f.Status)
		}
		return out
	}

	Describe("artifacts", func() {
		DescribeTable("serves each kind with its type, bytes and caching headers",
			func(path string, contentType string, want []byte) {
				a := do(http.MethodGet, path)
				Expect(a.status).To(Equal(http.StatusOK))
				Expect(a.header.Get("Content-Type")).To(Equal(contentType))
				Expect(a.header.Get("Content-Length")).To(Equal(strconv.Itoa(len(want))))
				Expect(a.header.Get("Cache-Control")).To(Equal("no-store"))
				Expect(a.body).To(Equal(want))
			},
			Entry("video", artifacts.VideoPath("gen_abc"), "video/mp4", fixtures.VideoMP4),
			Entry("thumbnail", artifacts.ThumbnailPath("gen_abc"), "image/jpeg", fixtures.ThumbnailJPEG),
			Entry("video with the longest id", artifacts.VideoPath("gen_"+strings.Repeat("aZ9_-", 12)+"abcd"), "video/mp4", fixtures.VideoMP4),
		)

		It("records each fetch with its kind, method, path and client", func() {
			do(http.MethodGet, artifacts.ThumbnailPath("gen_1"))
			do(http.MethodGet, artifacts.VideoPath("gen_1"))
			do(http.MethodGet, artifacts.VideoPath("gen_2"))
			fs := s.Fetches("gen_1")
			Expect(fs).To(HaveLen(2))
			Expect(fs[0]).To(fetchOf(artifacts.KindThumbnail, http.MethodGet, artifacts.ThumbnailPath("gen_1")))
			Expect(fs[1]).To(fetchOf(artifacts.KindVideo, http.MethodGet, artifacts.VideoPath("gen_1")))
			Expect(fs[1].At).NotTo(BeTemporally("<", fs[0].At))
			Expect(s.Fetches("gen_unknown")).To(BeEmpty())
		})

		It("answers HEAD with headers only and does not count it as a video fetch", func() {
			a := do(http.MethodHead, artifacts.VideoPath("gen_1"))
			Expect(a.status).To(Equal(http.StatusOK))
			Expect(a.header.Get("Content-Type")).To(Equal("video/mp4"))
			Expect(a.header.Get("Content-Length")).To(Equal(strconv.Itoa(len(fixtures.VideoMP4))))
			Expect(a.body).To(BeEmpty())
			Expect(s.Fetches("gen_1")).To(ConsistOf(fetchOf(artifacts.KindVideo, http.MethodHead, artifacts.VideoPath("gen_1"))))

			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			seen, err := s.WaitVideoFetches(ctx, "gen_1", 1)
			Expect(err).To(MatchError(context.DeadlineExceeded))
			Expect(seen).To(BeEmpty())
		})

		It("works under a prefix with http.StripPrefix", func() {
			ts := httptest.NewServer(http.StripPrefix("/files", s))
			defer ts.Close()
			resp, err := http.Get(ts.URL + "/files" + artifacts.VideoPath("gen_1"))
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			Expect(s.Fetches("gen_1")).To(HaveLen(1))
		})
	})

	Describe("errors", func() {
		DescribeTable("404 with the JSON envelope for anything but an artifact path",
			func(path string) {
				a := do(http.MethodGet, path)
				Expect(a.status).To(Equal(http.StatusNotFound))
				Expect(a.errorType()).To(Equal("not_found"))
			},
			Entry("root", "/"),
			Entry("bare prefix", "/videos/"),
			Entry("empty id", "/videos/gen_.mp4"),
			Entry("id without gen_", "/videos/abc.mp4"),
			Entry("id too long", artifacts.VideoPath("gen_"+strings.Repeat("a", 65))),
			Entry("id with a slash", "/videos/gen_a/b.mp4"),
			Entry("id with a dot", "/videos/gen_a.b.mp4"),
			Entry("wrong extension", "/videos/gen_abc.mov"),
			Entry("thumbnail name under videos", "/videos/gen_abc.jpg"),
			Entry("video name under thumbnails", "/thumbnails/gen_abc.mp4"),
			Entry("unknown prefix", "/images/gen_abc.jpg"),
		)

		DescribeTable("405 with Allow and the JSON envelope for other methods",
			func(method string) {
				a := do(method, artifacts.VideoPath("gen_1"))
				Expect(a.status).To(Equal(http.StatusMethodNotAllowed))
				Expect(a.header.Get("Allow")).To(Equal("GET, HEAD"))
				Expect(a.errorType()).To(Equal("method_not_allowed"))
				Expect(s.Fetches("gen_1")).To(BeEmpty())
			},
			Entry("POST", http.MethodPost),
			Entry("PUT", http.MethodPut),
			Entry("DELETE", http.MethodDelete),
		)
	})

	Describe("behaviour", func() {
		It("holds the video back for Delay", func() {
			const delay = 300 * time.Millisecond
			s.SetBehavior("gen_slow", artifacts.Behavior{Delay: delay})
			start := time.Now()
			a := do(http.MethodGet, artifacts.VideoPath("gen_slow"))
			// Timing is the behaviour here: a lower bound only, never an upper.
			Expect(time.Since(start)).To(BeNumerically(">=", delay))
			Expect(a.status).To(Equal(http.StatusOK))
			Expect(a.body).To(Equal(fixtures.VideoMP4))
		})

		It("records a delayed fetch on arrival and releases the handler when the client gives up", func() {
			s.SetBehavior("gen_slow", artifacts.Behavior{Delay: time.Hour})
			returned := make(chan struct{}, 1)
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s.ServeHTTP(w, r)
				returned <- struct{}{}
			}))
			defer ts.Close()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			clientErr := make(chan error, 1)
			go func() {
				defer GinkgoRecover()
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+artifacts.VideoPath("gen_slow"), nil)
				Expect(err).NotTo(HaveOccurred())
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				clientErr <- err
			}()

			waitCtx, waitCancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer waitCancel()
			seen, err := s.WaitVideoFetches(waitCtx, "gen_slow", 1)
			Expect(err).NotTo(HaveOccurred())
			Expect(statuses(seen)).To(Equal([]int{http.StatusOK}))
			Expect(returned).NotTo(Receive())

			cancel()
			Eventually(clientErr).Should(Receive(MatchError(context.Canceled)))
			Eventually(returned).WithTimeout(5 * time.Second).Should(Receive())
		})

		It("answers 503 with Retry-After to the first FailFirst video GETs", func() {
			s.SetBehavior("gen_flaky", artifacts.Behavior{FailFirst: 2})

			// Neither thumbnails nor HEAD requests use up the failures.
			Expect(do(http.MethodGet, artifacts.ThumbnailPath("gen_flaky")).status).To(Equal(http.StatusOK))
			Expect(do(http.MethodHead, artifacts.VideoPath("gen_flaky")).status).To(Equal(http.StatusOK))

			for range 2 {
				a := do(http.MethodGet, artifacts.VideoPath("gen_flaky"))
				Expect(a.status).To(Equal(http.StatusServiceUnavailable))
				Expect(a.header.Get("Retry-After")).To(Equal("1"))
				Expect(a.header.Get("Cache-Control")).To(Equal("no-store"))
				Expect(a.errorType()).To(Equal("service_unavailable"))
			}
			a := do(http.MethodGet, artifacts.VideoPath("gen_flaky"))
			Expect(a.status).To(Equal(http.StatusOK))
			Expect(a.body).To(Equal(fixtures.VideoMP4))
			Expect(statuses(s.Fetches("gen_flaky"))).To(Equal([]int{200, 200, 503, 503, 200}))

			// Another generation is unaffected; setting the behaviour again
			// starts the count afresh.
			Expect(do(http.MethodGet, artifacts.VideoPath("gen_other")).status).To(Equal(http.StatusOK))
			s.SetBehavior("gen_flaky", artifacts.Behavior{FailFirst: 1})
			Expect(do(http.MethodGet, artifacts.VideoPath("gen_flaky")).status).To(Equal(http.StatusServiceUnavailable))
			Expect(do(http.MethodGet, artifacts.VideoPath("gen_flaky")).status).To(Equal(http.StatusOK))
		})

		It("forgets behaviours and fetches on Reset", func() {
			s.SetBehavior("gen_flaky", artifacts.Behavior{FailFirst: 5})
			Expect(do(http.MethodGet, artifacts.VideoPath("gen_flaky")).status).To(Equal(http.StatusServiceUnavailable))
			s.Reset()
			Expect(s.Fetches("gen_flaky")).To(BeEmpty())
			Expect(do(http.MethodGet, artifacts.VideoPath("gen_flaky")).status).To(Equal(http.StatusOK))
			Expect(s.Fetches("gen_flaky")).To(BeEmpty(), "no longer issued")
			s.Issue("gen_flaky")
			Expect(do(http.MethodGet, artifacts.VideoPath("gen_flaky")).status).To(Equal(http.StatusOK))
			Expect(s.Fetches("gen_flaky")).To(HaveLen(1))
		})
	})

	Describe("WaitVideoFetches", func() {
		type result struct {
			seen []artifacts.Fetch
			err  error
		}
		wait := func(ctx context.Context, id string, n int) chan result {
			ch := make(chan result, 1)
			go func() {
				seen, err := s.WaitVideoFetches(ctx, id, n)
				ch <- result{seen, err}
			}()
			return ch
		}

		It("returns when the n-th video GET arrives", func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got := wait(ctx, "gen_1", 2)

			do(http.MethodGet, artifacts.VideoPath("gen_1"))
			do(http.MethodGet, artifacts.ThumbnailPath("gen_1"))
			do(http.MethodGet, artifacts.VideoPath("gen_other"))
			Consistently(got, 100*time.Millisecond).ShouldNot(Receive())

			do(http.MethodGet, artifacts.VideoPath("gen_1"))
			var r result
			Eventually(got).Should(Receive(&r))
			Expect(r.err).NotTo(HaveOccurred())
			Expect(r.seen).To(HaveLen(2))
			Expect(r.seen).To(HaveEach(HaveField("Kind", artifacts.KindVideo)))
		})

		It("returns at once when enough fetches arrived before the call", func() {
			do(http.MethodGet, artifacts.VideoPath("gen_1"))
			seen, err := s.WaitVideoFetches(context.Background(), "gen_1", 1)
			Expect(err).NotTo(HaveOccurred())
			Expect(seen).To(HaveLen(1))
		})

		It("returns ctx.Err() with what was seen when the context ends", func() {
			do(http.MethodGet, artifacts.VideoPath("gen_1"))
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			seen, err := s.WaitVideoFetches(ctx, "gen_1", 3)
			Expect(err).To(MatchError(context.DeadlineExceeded))
			Expect(seen).To(HaveLen(1))

			ctx, cancel = context.WithCancel(context.Background())
			got := wait(ctx, "gen_1", 3)
			Consistently(got, 50*time.Millisecond).ShouldNot(Receive())
			cancel()
			var r result
			Eventually(got).Should(Receive(&r))
			Expect(r.err).To(MatchError(context.Canceled))
			Expect(r.seen).To(HaveLen(1))
		})
	})

	Describe("memory bounds", func() {
		get := func(path, userAgent string) int {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("User-Agent", userAgent)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			return rec.Code
		}

		It("forgets the oldest generation beyond 10000", func() {
			s = artifacts.New()
			for i := range 10000 {
				s.Issue(fmt.Sprintf("gen_%d", i))
				Expect(get(artifacts.VideoPath(fmt.Sprintf("gen_%d", i)), "ua")).To(Equal(http.StatusOK))
			}
			Expect(s.Fetches("gen_0")).To(HaveLen(1))

			s.Issue("gen_new")
			Expect(get(artifacts.VideoPath("gen_new"), "ua")).To(Equal(http.StatusOK))
			Expect(s.Fetches("gen_0")).To(BeEmpty())
			Expect(s.Fetches("gen_1")).To(HaveLen(1))
			Expect(s.Fetches("gen_new")).To(HaveLen(1))
		})

		It("keeps the latest 100 fetches of a generation but counts them all", func() {
			for i := range 105 {
				Expect(get(artifacts.VideoPath("gen_1"), strconv.Itoa(i))).To(Equal(http.StatusOK))
			}
			fs := s.Fetches("gen_1")
			Expect(fs).To(HaveLen(100))
			Expect(fs[0].UserAgent).To(Equal("5"))
			Expect(fs[99].UserAgent).To(Equal("104"))

			seen, err := s.WaitVideoFetches(context.Background(), "gen_1", 105)
			Expect(err).NotTo(HaveOccurred())
			Expect(seen).To(HaveLen(100))
		})
	})

	It("serves and records concurrent fetches consistently", func() {
		const gens, perGen = 4, 25
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()

		var wg sync.WaitGroup
		waited := make(chan int, gens)
		for g := range gens {
			id := fmt.Sprintf("gen_%d", g)
			s.SetBehavior(id, artifacts.Behavior{FailFirst: 3})
			wg.Go(func() {
				seen, err := s.WaitVideoFetches(ctx, id, perGen)
				if err == nil {
					waited <- len(seen)
				}
			})
		}
		codes := make(chan int, gens*perGen)
		for g := range gens {
			for range perGen {
				wg.Go(func() {
					defer GinkgoRecover()
					a := do(http.MethodGet, artifacts.VideoPath(fmt.Sprintf("gen_%d", g)))
					if a.status == http.StatusOK {
						Expect(a.body).To(Equal(fixtures.VideoMP4))
					}
					codes <- a.status
					_ = s.Fetches(fmt.Sprintf("gen_%d", g))
				})
			}
		}
		wg.Wait()
		close(codes)
		close(waited)

		count := map[int]int{}
		for c := range codes {
			count[c]++
		}
		Expect(count).To(Equal(map[int]int{http.StatusServiceUnavailable: gens * 3, http.StatusOK: gens * (perGen - 3)}))
		var lens []int
		for n := range waited {
			lens = append(lens, n)
		}
		Expect(lens).To(Equal([]int{perGen, perGen, perGen, perGen}))
		for g := range gens {
			Expect(s.Fetches(fmt.Sprintf("gen_%d", g))).To(HaveLen(perGen))
		}
	})
})

// fetchOf matches a Fetch's kind, method and path.
func fetchOf(kind, method, path string) OmegaMatcher {
	return And(HaveField("Kind", kind), HaveField("Method", method), HaveField("Path", path),
		HaveField("UserAgent", "receiver-test"), HaveField("Status", http.StatusOK))
}
