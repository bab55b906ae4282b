package store_test

import (
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// implementations run the same behaviour specs: the in-memory default and
// the bbolt data file must be interchangeable.
var implementations = []struct {
	name string
	open func() store.Store
}{
	{"memory", store.NewMemory},
	{"bolt", func() store.Store {
		s, err := store.Open(filepath.Join(GinkgoT().TempDir(), "data.db"))
		Expect(err).NotTo(HaveOccurred())
		return s
	}},
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func hook(id, owner string, events ...string) store.Webhook {
	return store.Webhook{ID: id, Owner: owner, URL: "https://example.test/" + id, Events: events,
		Secret: "whsec_" + id, Status: "active", CreatedAt: t0}
}

func gen(id string, created time.Time, emitted bool) store.Generation {
	return store.Generation{ID: id, Owner: "o1", Prompt: "a cat", Provider: "p", Duration: 5,
		Status: store.GenQueued, Outcome: store.GenCompleted, CreatedAt: created, UpdatedAt: created, Emitted: emitted}
}

func webhookIDs(ws []store.Webhook) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.ID)
	}
	return out
}

func generationIDs(gs []store.Generation) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

var _ = Describe("Store", func() {
	for _, impl := range implementations {
		Describe(impl.name, func() {
			var s store.Store

			BeforeEach(func() {
				s = impl.open()
				DeferCleanup(s.Close)
			})

			Describe("webhooks", func() {
				It("returns a created webhook by id", func() {
					w := hook("wh_1", "o1", webhook.EventCompleted, webhook.EventFailed)
					Expect(s.CreateWebhook(w)).To(Succeed())
					Expect(s.Webhook("wh_1")).To(Equal(w))
				})

				It("refuses a second webhook with the same id and one without id", func() {
					Expect(s.CreateWebhook(hook("wh_1", "o1"))).To(Succeed())
					Expect(s.CreateWebhook(hook("wh_1", "o2"))).To(MatchError(ContainSubstring("already exists")))
					Expect(s.CreateWebhook(hook("", "o1"))).To(HaveOccurred())
					Expect(s.Webhook("wh_1")).To(HaveField("Owner", "o1"))
				})

				It("answers ErrNotFound for unknown ids", func() {
					_, err := s.Webhook("wh_none")
					Expect(err).To(MatchError(store.ErrNotFound))
					Expect(err).To(MatchError(ContainSubstring("wh_none")))
					Expect(s.DeleteWebhook("wh_none")).To(MatchError(store.ErrNotFound))
					_, err = s.Generation("gen_none")
					Expect(err).To(MatchError(store.ErrNotFound))
				})

				It("lists an owner's webhooks in creation order", func() {
					// Same CreatedAt and ids out of lexical order: only the
					// creation order can produce c, a, b.
					for _, id := range []string{"wh_c", "wh_a", "wh_x", "wh_b"} {
						owner := "o1"
						if id == "wh_x" {
							owner = "o2"
						}
						Expect(s.CreateWebhook(hook(id, owner, webhook.EventCompleted))).To(Succeed())
					}
					Expect(s.Webhooks("o1")).To(WithTransform(webhookIDs, Equal([]string{"wh_c", "wh_a", "wh_b"})))
					Expect(s.Webhooks("o2")).To(WithTransform(webhookIDs, Equal([]string{"wh_x"})))
					Expect(s.Webhooks("o3")).To(BeEmpty())
				})

				It("deletes a webhook", func() {
					Expect(s.CreateWebhook(hook("wh_1", "o1", webhook.EventCompleted))).To(Succeed())
					Expect(s.CreateWebhook(hook("wh_2", "o1", webhook.EventCompleted))).To(Succeed())
					Expect(s.DeleteWebhook("wh_1")).To(Succeed())
					_, err := s.Webhook("wh_1")
					Expect(err).To(MatchError(store.ErrNotFound))
					Expect(s.Webhooks("o1")).To(WithTransform(webhookIDs, Equal([]string{"wh_2"})))
					Expect(s.Subscribers("o1", webhook.EventCompleted)).To(WithTransform(webhookIDs, Equal([]string{"wh_2"})))
				})

				DescribeTable("Subscribers filters by owner and event",
					func(owner, event string, want []string) {
						Expect(s.CreateWebhook(hook("wh_both", "o1", webhook.EventCompleted, webhook.EventFailed))).To(Succeed())
						Expect(s.CreateWebhook(hook("wh_failed", "o1", webhook.EventFailed))).To(Succeed())
						Expect(s.CreateWebhook(hook("wh_other", "o2", webhook.EventCompleted))).To(Succeed())
						Expect(s.Subscribers(owner, event)).To(WithTransform(webhookIDs, Equal(want)))
					},
					Entry("one match", "o1", webhook.EventCompleted, []string{"wh_both"}),
					Entry("two matches, oldest first", "o1", webhook.EventFailed, []string{"wh_both", "wh_failed"}),
					Entry("another owner", "o2", webhook.EventCompleted, []string{"wh_other"}),
					Entry("owner without that event", "o2", webhook.EventFailed, []string{}),
					Entry("unknown owner", "o3", webhook.EventCompleted, []string{}),
					Entry("unknown event", "o1", "video.started", []string{}),
				)
			})

			Describe("generations", func() {
				It("returns a put generation and replaces it on the next put", func() {
					g := gen("gen_1", t0, false)
					Expect(s.PutGeneration(g)).To(Succeed())
					Expect(s.Generation("gen_1")).To(Equal(g))

					g.Status, g.Emitted = store.GenFailed, true
					g.Error = &webhook.Error{Code: "content_policy", Message: "refused"}
					g.VideoURL = "http://127.0.0.1/videos/gen_1.mp4"
					Expect(s.PutGeneration(g)).To(Succeed())
					Expect(s.Generation("gen_1")).To(Equal(g))
				})

				It("refuses a generation without id", func() {
					Expect(s.PutGeneration(gen("", t0, false))).To(HaveOccurred())
				})

				It("lists unfinished generations, oldest first", func() {
					Expect(s.PutGeneration(gen("gen_late", t0.Add(2*time.Second), false))).To(Succeed())
					Expect(s.PutGeneration(gen("gen_done", t0, true))).To(Succeed())
					Expect(s.PutGeneration(gen("gen_early", t0.Add(time.Second), false))).To(Succeed())
					Expect(s.Unfinished()).To(WithTransform(generationIDs, Equal([]string{"gen_early", "gen_late"})))

					g := gen("gen_early", t0.Add(time.Second), true)
					Expect(s.PutGeneration(g)).To(Succeed())
					Expect(s.Unfinished()).To(WithTransform(generationIDs, Equal([]string{"gen_late"})))
				})
			})

			It("forgets everything on Reset and stays usable", func() {
				Expect(s.CreateWebhook(hook("wh_1", "o1", webhook.EventCompleted))).To(Succeed())
				Expect(s.PutGeneration(gen("gen_1", t0, false))).To(Succeed())
				Expect(s.Reset()).To(Succeed())

				_, err := s.Webhook("wh_1")
				Expect(err).To(MatchError(store.ErrNotFound))
				_, err = s.Generation("gen_1")
				Expect(err).To(MatchError(store.ErrNotFound))
				Expect(s.Webhooks("o1")).To(BeEmpty())
				Expect(s.Unfinished()).To(BeEmpty())

				Expect(s.CreateWebhook(hook("wh_1", "o1", webhook.EventCompleted))).To(Succeed())
				Expect(s.Webhooks("o1")).To(HaveLen(1))
			})

			It("does not share slices or pointers with callers", func() {
				w := hook("wh_1", "o1", webhook.EventCompleted, webhook.EventFailed)
				Expect(s.CreateWebhook(w)).To(Succeed())
				w.Events[0] = "changed-after-create"

				got, err := s.Webhook("wh_1")
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Events).To(Equal([]string{webhook.EventCompleted, webhook.EventFailed}))
				got.Events[0] = "changed-after-get"
				listed, err := s.Webhooks("o1")
				Expect(err).NotTo(HaveOccurred())
				listed[0].Events[1] = "changed-after-list"
				subs, err := s.Subscribers("o1", webhook.EventFailed)
				Expect(err).NotTo(HaveOccurred())
				subs[0].Events[0] = "changed-after-subscribers"
				Expect(s.Webhook("wh_1")).To(HaveField("Events", Equal([]string{webhook.EventCompleted, webhook.EventFailed})))

				g := gen("gen_1", t0, false)
				g.Error = &webhook.Error{Code: "timeout", Message: "took too long"}
				Expect(s.PutGeneration(g)).To(Succeed())
				g.Error.Code = "changed-after-put"
				gotGen, err := s.Generation("gen_1")
				Expect(err).NotTo(HaveOccurred())
				gotGen.Error.Code = "changed-after-get"
				unfinished, err := s.Unfinished()
				Expect(err).NotTo(HaveOccurred())
				unfinished[0].Error.Message = "changed-after-unfinished"
				Expect(s.Generation("gen_1")).To(HaveField("Error", Equal(&webhook.Error{Code: "timeout", Message: "took too long"})))
			})
		})
	}
})
