package delivery_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prismhook/prismhook/internal/wire/wiretest"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/webhook"
	"github.com/prometheus/client_golang/prometheus"
)

// startEngine returns a started engine, closed when the spec ends.
func startEngine(o delivery.Options) *delivery.Engine {
	e, err := delivery.NewEngine(o)
	Expect(err).NotTo(HaveOccurred())
	Expect(e.Start(context.Background())).To(Succeed())
	DeferCleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(e.Close(ctx)).To(Succeed())
	})
	return e
}

func newDelivery(url string) delivery.Delivery {
	return delivery.Delivery{
		URL:       url,
		Secret:    secret,
		Body:      completedEvent(),
		EventType: webhook.EventCompleted,
		WebhookID: "wh_test",
	}
}

func statusOf(e *delivery.Engine, id string) func() string {
	return func() string {
		d, _ := e.Get(id)
		return d.Status
	}
}

func ids(ds []delivery.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// blocking answers 200, but only once release is closed (or the client
// gives up); arrived gets one value per request as it arrives.
func blocking() (rc *wiretest.Receiver, release chan struct{}) {
	release = make(chan struct{})
	rc = newReceiver(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// Registered after the receiver, so it runs before the receiver's Close.
	DeferCleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return rc, release
}

// metric returns the value of a counter with the given outcome label, or
// the sample count of a histogram.
func metric(reg *prometheus.Registry, name, outcome string) float64 {
	mfs, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

var _ = Describe("Engine", func() {
	It("cannot be combined with a transport of the caller's and DenyPrivate", func() {
		_, err := delivery.NewEngine(delivery.Options{Sender: delivery.SenderOptions{DenyPrivate: true, Transport: http.DefaultTransport}})
		Expect(err).To(MatchError(ContainSubstring("DenyPrivate")))
	})

	It("retries a failing receiver on the schedule until it answers 2xx", func() {
		var n atomic.Int32
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			if n.Add(1) <= 2 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})
		reg := prometheus.NewRegistry()
		j := newMemJournal()
		e := startEngine(delivery.Options{
			Schedule:   []time.Duration{time.Second, 2 * time.Second, time.Hour},
			TimeScale:  0.05,
			NoJitter:   true,
			Journal:    j,
			Registerer: reg,
		})
		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Expect(d.ID).To(MatchRegexp(`^dlv_`))
		Expect(d.EventID).To(MatchRegexp(`^evt_`))
		Expect(d.Status).To(Equal(delivery.StatusPending))
		Expect(d.CreatedAt).NotTo(BeZero())

		Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusDelivered))
		got, _ := e.Get(d.ID)
		Expect(got.NextAttemptAt).To(BeNil())
		Expect(got.Attempts).To(HaveLen(3))
		for i, want := range []struct {
			status int
			err    string
		}{{500, "status 500"}, {500, "status 500"}, {200, ""}} {
			a := got.Attempts[i]
			Expect(a.N).To(Equal(i + 1))
			Expect(a.Status).To(Equal(want.status))
			Expect(a.Error).To(Equal(want.err))
			Expect(a.InFlight).To(BeFalse())
			Expect(a.LatencyMS).To(BeNumerically(">", 0))
		}
		// Without jitter, each retry waits at least its scaled delay.
		Expect(got.Attempts[1].At.Sub(got.Attempts[0].At)).To(BeNumerically(">=", 50*time.Millisecond))
		Expect(got.Attempts[2].At.Sub(got.Attempts[1].At)).To(BeNumerically(">=", 100*time.Millisecond))

		reqs := rc.Requests()
		Expect(reqs).To(HaveLen(3))
		for _, r := range reqs {
			Expect(r.Header.Get(webhook.DeliveryHeader)).To(Equal(d.ID))
			Expect(webhook.Verify(secret, r.Body, r.Header.Get(webhook.SignatureHeader))).To(Succeed())
		}

		Expect(metric(reg, "prismhook_delivery_attempts_total", "success")).To(Equal(1.0))
		Expect(metric(reg, "prismhook_delivery_attempts_total", "http_error")).To(Equal(2.0))
		Expect(metric(reg, "prismhook_delivery_attempts_total", "timeout")).To(Equal(0.0))
		Expect(metric(reg, "prismhook_deliveries_total", "delivered")).To(Equal(1.0))
		Expect(metric(reg, "prismhook_deliveries_total", "failed")).To(Equal(0.0))
		Expect(metric(reg, "prismhook_delivery_attempt_seconds", "")).To(Equal(3.0))
	})

	It("journals each attempt as in flight before sending it, and its outcome after", func() {
		var n atomic.Int32
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			if n.Add(1) == 1 {
				w.WriteHeader(http.StatusBadGateway)
			}
		})
		j := newMemJournal()
		e := startEngine(delivery.Options{Schedule: []time.Duration{time.Millisecond}, Journal: j})
		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Expect(j.get(d.ID)).To(HaveField("ID", d.ID), "journaled before Enqueue returns")
		Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusDelivered))
		Eventually(func() string { return j.get(d.ID).Status }).Should(Equal(delivery.StatusDelivered))

		type step struct {
			attempts int
			inFlight bool
			status   string
		}
		var steps []step
		for _, s := range j.savesOf(d.ID) {
			st := step{attempts: len(s.Attempts), status: s.Status}
			if len(s.Attempts) > 0 {
				st.inFlight = s.Attempts[len(s.Attempts)-1].InFlight
			}
			steps = append(steps, st)
			Expect(s.Secret).To(Equal(secret), "the journal gets what it needs to resend")
			Expect(s.Body).To(Equal(completedEvent()))
		}
		Expect(steps).To(Equal([]step{
			{0, false, delivery.StatusPending},
			{1, true, delivery.StatusPending},
			{1, false, delivery.StatusPending},
			{2, true, delivery.StatusPending},
			{2, false, delivery.StatusDelivered},
		}))
	})

	It("records a stalled receiver's attempt as a timeout", func() {
		reg := prometheus.NewRegistry()
		rc := newReceiver(wiretest.Stall(time.Minute))
		e := startEngine(delivery.Options{
			Sender:     delivery.SenderOptions{Timeout: 200 * time.Millisecond},
			Schedule:   []time.Duration{},
			Registerer: reg,
		})
		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusFailed))
		got, _ := e.Get(d.ID)
		Expect(got.Attempts).To(HaveLen(1))
		Expect(got.Attempts[0].Status).To(BeZero())
		Expect(got.Attempts[0].Error).To(ContainSubstring("timeout"))
		Expect(got.Attempts[0].LatencyMS).To(BeNumerically(">=", 150))
		Expect(metric(reg, "prismhook_delivery_attempts_total", "timeout")).To(Equal(1.0))
		Expect(metric(reg, "prismhook_deliveries_total", "failed")).To(Equal(1.0))
	})

	It("counts redirects as failures", func() {
		var followed atomic.Int32
		target := newReceiver(func(http.ResponseWriter, *http.Request) { followed.Add(1) })
		rc := newReceiver(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, http.StatusFound)
		})
		e := startEngine(delivery.Options{Schedule: []time.Duration{time.Millisecond}})
		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusFailed))
		got, _ := e.Get(d.ID)
		Expect(got.Attempts).To(HaveLen(2))
		for _, a := range got.Attempts {
			Expect(a.Status).To(Equal(http.StatusFound))
			Expect(a.Error).To(ContainSubstring("status 302"))
		}
		Expect(followed.Load()).To(BeZero())
	})

	It("fails a delivery once the schedule is exhausted, with every attempt recorded", func() {
		reg := prometheus.NewRegistry()
		schedule := []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second}
		e := startEngine(delivery.Options{Schedule: schedule, TimeScale: 0.001, Registerer: reg})
		d, err := e.Enqueue(newDelivery(refusedURL()))
		Expect(err).NotTo(HaveOccurred())
		Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusFailed))
		got, _ := e.Get(d.ID)
		Expect(got.Attempts).To(HaveLen(len(schedule) + 1))
		for i, a := range got.Attempts {
			Expect(a.N).To(Equal(i + 1))
			Expect(a.Status).To(BeZero())
			Expect(a.Error).To(ContainSubstring("refused"))
		}
		Expect(got.NextAttemptAt).To(BeNil())
		Expect(metric(reg, "prismhook_delivery_attempts_total", "connection")).To(Equal(4.0))
		Expect(metric(reg, "prismhook_deliveries_total", "failed")).To(Equal(1.0))
	})

	It("refuses work beyond the queue size with ErrQueueFull", func() {
		rc, release := blocking()
		e := startEngine(delivery.Options{Workers: 1, QueueSize: 2})
		first, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(rc.Seen).Should(Receive()) // the only worker is busy
		var queued []string
		for range 2 {
			d, err := e.Enqueue(newDelivery(rc.URL))
			Expect(err).NotTo(HaveOccurred())
			queued = append(queued, d.ID)
		}
		_, err = e.Enqueue(newDelivery(rc.URL))
		Expect(err).To(MatchError(delivery.ErrQueueFull))
		Expect(e.List("")).To(HaveLen(3), "a refused delivery is not logged")

		close(release)
		for _, id := range append(queued, first.ID) {
			Eventually(statusOf(e, id)).Should(Equal(delivery.StatusDelivered))
		}
		_, err = e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
	})

	It("evicts the oldest finished deliveries beyond the retention, never pending ones", func() {
		rc := newReceiver(nil)
		j := newMemJournal()
		e := startEngine(delivery.Options{Workers: 1, Retention: 2, Journal: j, Schedule: []time.Duration{time.Hour}})
		pending, err := e.Enqueue(newDelivery(refusedURL()))
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() []delivery.Attempt { d, _ := e.Get(pending.ID); return d.Attempts }).Should(HaveLen(1))

		var done []string
		for range 4 {
			d, err := e.Enqueue(newDelivery(rc.URL))
			Expect(err).NotTo(HaveOccurred())
			Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusDelivered))
			done = append(done, d.ID)
		}
		Expect(ids(e.List(""))).To(Equal([]string{pending.ID, done[2], done[3]}))
		_, ok := e.Get(done[0])
		Expect(ok).To(BeFalse())
		Eventually(j.deletedIDs).Should(Equal(done[:2]))
		Expect(j.get(done[0]).ID).To(BeEmpty())
		d, _ := e.Get(pending.ID)
		Expect(d.Status).To(Equal(delivery.StatusPending))
		Expect(d.NextAttemptAt).NotTo(BeNil())
	})

	It("lists deliveries by webhook, oldest first, as copies", func() {
		rc := newReceiver(nil)
		e := startEngine(delivery.Options{})
		var want []string
		for i := range 4 {
			d := newDelivery(rc.URL)
			if i%2 == 1 {
				d.WebhookID = "wh_other"
			}
			got, err := e.Enqueue(d)
			Expect(err).NotTo(HaveOccurred())
			if d.WebhookID == "wh_test" {
				want = append(want, got.ID)
			}
		}
		Expect(ids(e.List("wh_test"))).To(Equal(want))
		Expect(e.List("")).To(HaveLen(4))
		Expect(e.List("wh_none")).To(BeEmpty())

		l := e.List("")
		Eventually(statusOf(e, l[0].ID)).Should(Equal(delivery.StatusDelivered))
		l[0].Attempts = append(l[0].Attempts, delivery.Attempt{N: 99})
		got, _ := e.Get(l[0].ID)
		Expect(got.Attempts).To(HaveLen(1))
	})

	It("waits in Close for the attempts in flight and records them", func() {
		rc, release := blocking()
		j := newMemJournal()
		e, err := delivery.NewEngine(delivery.Options{Journal: j})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Start(context.Background())).To(Succeed())
		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(rc.Seen).Should(Receive())

		closed := make(chan error, 1)
		go func() { closed <- e.Close(context.Background()) }()
		Consistently(closed, 200*time.Millisecond).ShouldNot(Receive())
		_, err = e.Enqueue(newDelivery(rc.URL))
		Expect(err).To(MatchError(delivery.ErrClosed), "no new work once closing")

		close(release)
		Eventually(closed).Should(Receive(BeNil()))
		got, _ := e.Get(d.ID)
		Expect(got.Status).To(Equal(delivery.StatusDelivered))
		Expect(got.Attempts).To(HaveLen(1))
		Expect(got.Attempts[0].InFlight).To(BeFalse())
		Expect(j.get(d.ID)).To(HaveField("Status", delivery.StatusDelivered))
	})

	It("cuts attempts short when Close runs out of time, keeping the delivery pending", func() {
		rc, _ := blocking()
		j := newMemJournal()
		e, err := delivery.NewEngine(delivery.Options{Journal: j})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Start(context.Background())).To(Succeed())
		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(rc.Seen).Should(Receive())

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		Expect(e.Close(ctx)).To(MatchError(context.DeadlineExceeded))
		saved := j.get(d.ID)
		Expect(saved.Status).To(Equal(delivery.StatusPending))
		Expect(saved.Attempts).To(HaveLen(1))
		Expect(saved.Attempts[0].InFlight).To(BeFalse())
		Expect(saved.Attempts[0].Error).To(Equal("interrupted: mock shutting down"))
		Expect(saved.NextAttemptAt).NotTo(BeNil())
	})

	It("resumes after a crash: the attempt in flight is interrupted, the delivery retried", func() {
		var n atomic.Int32
		release := make(chan struct{})
		rc := newReceiver(func(_ http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}
		})
		DeferCleanup(func() { close(release) })

		j := newMemJournal()
		first, err := delivery.NewEngine(delivery.Options{Journal: j})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Start(context.Background())).To(Succeed())
		d, err := first.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(rc.Seen).Should(Receive())
		onDisk := j.copy() // the mock dies here, its attempt in flight
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_ = first.Close(ctx) // nothing it does from now on reaches onDisk
		Expect(onDisk.get(d.ID)).To(HaveField("Attempts", HaveExactElements(HaveField("InFlight", true))))

		second := startEngine(delivery.Options{Journal: onDisk, Schedule: []time.Duration{10 * time.Second}, TimeScale: 0.001})
		Eventually(statusOf(second, d.ID)).Should(Equal(delivery.StatusDelivered))
		got, _ := second.Get(d.ID)
		Expect(got.Attempts).To(HaveLen(2))
		Expect(got.Attempts[0].InFlight).To(BeFalse())
		Expect(got.Attempts[0].Error).To(Equal("interrupted: mock restarted"))
		Expect(got.Attempts[1].Status).To(Equal(http.StatusOK))
		Eventually(func() string { return onDisk.get(d.ID).Status }).Should(Equal(delivery.StatusDelivered))
		reqs := rc.Requests()
		Expect(reqs).To(HaveLen(2))
		Expect(reqs[1].Header.Get(webhook.DeliveryHeader)).To(Equal(d.ID))
		Expect(reqs[1].Body).To(Equal(reqs[0].Body))
	})

	It("rebuilds the log from the journal and resumes what is pending", func() {
		rc := newReceiver(nil)
		base := time.Now().Add(-time.Hour)
		at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
		future := time.Now().Add(time.Hour)
		past := at(5)
		mk := func(id string, created int, status string, next *time.Time, attempts ...delivery.Attempt) delivery.Delivery {
			d := newDelivery(rc.URL)
			d.ID, d.CreatedAt, d.Status, d.NextAttemptAt, d.Attempts = id, at(created), status, next, attempts
			return d
		}
		j := newMemJournal(
			mk("dlv_later", 4, delivery.StatusPending, &future, delivery.Attempt{N: 1, At: at(4), Status: 500, Error: "status 500"}),
			mk("dlv_done", 1, delivery.StatusDelivered, nil, delivery.Attempt{N: 1, At: at(1), Status: 200}),
			mk("dlv_due", 2, delivery.StatusPending, &past),
			mk("dlv_exhausted", 3, delivery.StatusPending, nil,
				delivery.Attempt{N: 1, At: at(3), Status: 500, Error: "status 500"},
				delivery.Attempt{N: 2, At: at(4), InFlight: true}),
		)
		reg := prometheus.NewRegistry()
		e := startEngine(delivery.Options{Journal: j, Schedule: []time.Duration{time.Minute}, Registerer: reg})

		Expect(ids(e.List(""))).To(Equal([]string{"dlv_done", "dlv_due", "dlv_exhausted", "dlv_later"}))
		Eventually(statusOf(e, "dlv_due")).Should(Equal(delivery.StatusDelivered))

		ex, _ := e.Get("dlv_exhausted")
		Expect(ex.Status).To(Equal(delivery.StatusFailed))
		Expect(ex.Attempts[1].InFlight).To(BeFalse())
		Expect(ex.Attempts[1].Error).To(Equal("interrupted: mock restarted"))
		Expect(j.get("dlv_exhausted")).To(HaveField("Status", delivery.StatusFailed))

		later, _ := e.Get("dlv_later")
		Expect(later.Status).To(Equal(delivery.StatusPending))
		Expect(later.NextAttemptAt).To(HaveValue(BeTemporally("~", future, time.Second)))
		Expect(statusOf(e, "dlv_done")()).To(Equal(delivery.StatusDelivered))

		Expect(metric(reg, "prismhook_deliveries_total", "failed")).To(Equal(1.0))
		Expect(rc.Requests()).To(HaveLen(1), "only the due delivery was sent")
		Expect(rc.Requests()[0].Header.Get(webhook.DeliveryHeader)).To(Equal("dlv_due"))
	})

	It("drops the log and pending work on Reset, from the journal too", func() {
		rc := newReceiver(nil)
		j := newMemJournal()
		e := startEngine(delivery.Options{Journal: j, Schedule: []time.Duration{time.Hour}})
		done, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		pending, err := e.Enqueue(newDelivery(refusedURL()))
		Expect(err).NotTo(HaveOccurred())
		Eventually(statusOf(e, done.ID)).Should(Equal(delivery.StatusDelivered))
		Eventually(func() []delivery.Attempt { d, _ := e.Get(pending.ID); return d.Attempts }).Should(HaveLen(1))

		e.Reset()
		Expect(e.List("")).To(BeEmpty())
		Expect(j.deletedIDs()).To(ConsistOf(done.ID, pending.ID))
		loaded, err := j.LoadDeliveries()
		Expect(err).NotTo(HaveOccurred())
		Expect(loaded).To(BeEmpty())

		d, err := e.Enqueue(newDelivery(rc.URL))
		Expect(err).NotTo(HaveOccurred())
		Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusDelivered))
	})

	It("ends every delivery delivered or failed with all attempts, under a flaky receiver", func() {
		rc := newReceiver(func(w http.ResponseWriter, _ *http.Request) {
			if rand.IntN(3) == 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		schedule := []time.Duration{time.Millisecond, time.Millisecond}
		e := startEngine(delivery.Options{Workers: 8, Schedule: schedule})
		for range 200 {
			_, err := e.Enqueue(newDelivery(rc.URL))
			Expect(err).NotTo(HaveOccurred())
		}
		Eventually(func() int {
			n := 0
			for _, d := range e.List("") {
				if d.Status != delivery.StatusPending {
					n++
				}
			}
			return n
		}).Should(Equal(200))
		for _, d := range e.List("") {
			switch d.Status {
			case delivery.StatusDelivered:
				Expect(d.Attempts[len(d.Attempts)-1].Status).To(Equal(http.StatusOK))
			case delivery.StatusFailed:
				Expect(d.Attempts).To(HaveLen(len(schedule) + 1))
			}
			Expect(slices.ContainsFunc(d.Attempts, func(a delivery.Attempt) bool { return a.InFlight })).To(BeFalse())
		}
		Expect(rc.Requests()).To(HaveLen(sumAttempts(e.List(""))))
	})

	It("validates deliveries and its own life cycle", func() {
		e, err := delivery.NewEngine(delivery.Options{})
		Expect(err).NotTo(HaveOccurred())
		for _, mutate := range []func(*delivery.Delivery){
			func(d *delivery.Delivery) { d.URL = "" },
			func(d *delivery.Delivery) { d.URL = "/relative" },
			func(d *delivery.Delivery) { d.URL = "ftp://example.com/" },
			func(d *delivery.Delivery) { d.Secret = "" },
			func(d *delivery.Delivery) { d.Body = nil },
			func(d *delivery.Delivery) { d.EventType = "" },
		} {
			d := newDelivery("http://127.0.0.1:1/")
			mutate(&d)
			_, err := e.Enqueue(d)
			Expect(err).To(MatchError(HavePrefix("delivery: ")))
		}
		Expect(e.Start(context.Background())).To(Succeed())
		Expect(e.Start(context.Background())).To(MatchError(ContainSubstring("already started")))
		Expect(e.Sender()).NotTo(BeNil())
		Expect(e.Close(context.Background())).To(Succeed())
		Expect(e.Close(context.Background())).To(Succeed())
		_, err = e.Enqueue(newDelivery("http://127.0.0.1:1/"))
		Expect(err).To(MatchError(delivery.ErrClosed))

		j := newMemJournal()
		j.loadErr = errors.New("disk on fire")
		e, err = delivery.NewEngine(delivery.Options{Journal: j})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Start(context.Background())).To(MatchError(ContainSubstring("disk on fire")))
	})

	It("refuses bad options", func() {
		for _, o := range []delivery.Options{
			{Jitter: 1.5},
			{Jitter: -0.1},
			{TimeScale: -1},
			{Workers: -1},
			{Schedule: []time.Duration{time.Second, -time.Second}},
		} {
			_, err := delivery.NewEngine(o)
			Expect(err).To(HaveOccurred(), "%+v", o)
		}
	})

	It("lets engines share a registry, one after the other", func() {
		reg := prometheus.NewRegistry()
		rc := newReceiver(nil)
		for range 2 {
			e := startEngine(delivery.Options{Registerer: reg})
			d, err := e.Enqueue(newDelivery(rc.URL))
			Expect(err).NotTo(HaveOccurred())
			Eventually(statusOf(e, d.ID)).Should(Equal(delivery.StatusDelivered))
		}
		Expect(metric(reg, "prismhook_deliveries_total", "delivered")).To(Equal(2.0))
	})
})

func sumAttempts(ds []delivery.Delivery) int {
	n := 0
	for _, d := range ds {
		n += len(d.Attempts)
	}
	return n
}

var _ = Describe("ParseSchedule", func() {
	It("parses a list of delays", func() {
		Expect(delivery.ParseSchedule("1s, 5s,30m")).To(Equal([]time.Duration{time.Second, 5 * time.Second, 30 * time.Minute}))
		Expect(delivery.ParseSchedule("none")).To(BeEmpty())
	})

	DescribeTable("names what it cannot use",
		func(in, want string) {
			_, err := delivery.ParseSchedule(in)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("empty", "", "empty retry schedule"),
		Entry("empty item", "1s,,2s", "item 2 is empty"),
		Entry("not a duration", "1s,5x", `item 2 "5x"`),
		Entry("no unit", "10", `item 1 "10"`),
		Entry("negative", "1s,-5s", `item 2 "-5s" is negative`),
	)
})
