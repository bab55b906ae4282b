package soak

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// The mock's delivery settings: a short timeout makes stalls cheap, and
// many short retries make exhausting a delivery rare even when half the
// answers fail.
const (
	deliveryTimeout = 300 * time.Millisecond
	stallFor        = 2 * deliveryTimeout // a stalled answer comes too late
	retries         = 12
	retryDelay      = "100ms"
)

// retrySchedule is the --retry-schedule value: retries × retryDelay.
var retrySchedule = strings.TrimSuffix(strings.Repeat(retryDelay+",", retries), ",")

var _ = Describe("no event is lost", func() {
	It("delivers every event at least once or records its exhaustion, across SIGKILLs", func(ctx SpecContext) {
		started := time.Now()
		seed := chaosSeed()
		GinkgoWriter.Printf("chaos seed %d (PRISMHOOK_SOAK_SEED=%d replays the receiver's draws)\n", seed, seed)
		AddReportEntry("seed", seed)

		rc := startReceiver(chaosPolicy(seed), stallFor, 0)
		DeferCleanup(rc.Close)
		m := newMock(GinkgoT().TempDir(),
			"--generation-delay", "50ms",
			"--delivery-timeout", deliveryTimeout.String(),
			"--retry-schedule", retrySchedule)
		webhookID, secret := m.createWebhook(rc.URL())
		rc.setSecret(secret)

		var gens []generation
		create := func(i int) {
			GinkgoHelper()
			g := generation{Event: "video.completed", Doomed: i%25 == 7}
			fail := i%4 == 3 // a quarter end in video.failed
			if fail {
				g.Event = "video.failed"
			}
			prompt := fmt.Sprintf("soak generation %d", i)
			if g.Doomed {
				prompt += " " + doomedMarker
			}
			var ok bool
			g.ID, ok = m.createVideo(prompt, fail)
			Expect(ok).To(BeTrue(), "POST /v1/videos #%d was not accepted", i)
			gens = append(gens, g)
		}
		// killAndRestart kills the mock while the receiver holds one of its
		// requests, so that at least that attempt is in flight at the
		// kill, and starts it again on the same data file and port.
		var held []string
		killAndRestart := func() {
			GinkgoHelper()
			hook := rc.holdNext()
			var id string
			Eventually(hook.arrived).WithTimeout(30 * time.Second).Should(Receive(&id))
			inFlight := rc.InFlight()
			m.kill()
			close(hook.release)
			held = append(held, id)
			GinkgoWriter.Printf("SIGKILL after %d generations, %d requests in flight at the receiver (held %s)\n",
				len(gens), len(inFlight), id)
			m.restart()
		}

		killAt := map[int]bool{}
		for k := 1; k <= run.kills; k++ {
			killAt[k*run.generations/3] = true
		}
		for i := range run.generations {
			if killAt[i] {
				killAndRestart()
			}
			create(i)
		}

		Eventually(func() string { return unsettled(gens, m.deliveries(webhookID)) }).
			WithContext(ctx).WithTimeout(run.settle).WithPolling(500 * time.Millisecond).
			Should(BeEmpty())

		log := m.deliveries(webhookID)
		f, problems := audit(gens, log, rc.Receipts(), webhookID, retries+1)
		AddReportEntry("figures", f.String())
		for _, u := range f.Unlucky {
			AddReportEntry("exhausted by chance", u)
		}
		Expect(problems).To(BeEmpty(), "%s", f)
		Expect(f.Interrupted).To(BeNumerically(">=", run.kills),
			"each SIGKILL came while a delivery was in flight (%v); too few attempts are recorded as interrupted", held)

		lines := expectCleanLogs(m, secret, m.apiKey)
		AddReportEntry("run", fmt.Sprintf("%s run: %d mock starts, %d log lines, wall time %s",
			run.name, m.runs, lines, time.Since(started).Round(time.Millisecond)))
	}, SpecTimeout(run.specTimeout))

	It("finishes in-flight deliveries on SIGTERM and resumes the rest after a restart", func(ctx SpecContext) {
		started := time.Now()
		rc := startReceiver(slowPolicy, 0, 200*time.Millisecond)
		DeferCleanup(rc.Close)
		// Few workers and slow answers keep a backlog queued, and the
		// generation delay leaves the latest generations unemitted at the
		// signal; the timeout leaves every slow answer in time.
		m := newMock(GinkgoT().TempDir(),
			"--generation-delay", "1s",
			"--delivery-timeout", "3s",
			"--retry-schedule", retrySchedule,
			"--workers", "8")
		webhookID, secret := m.createWebhook(rc.URL())
		rc.setSecret(secret)

		// Create generations until enough are in and enough deliveries are
		// in flight, then signal at once.
		const busy = 6
		var gens []generation
		for i := 0; i < run.drainGenerations && (i < run.drainGenerations/2 || len(rc.InFlight()) < busy); i++ {
			id, ok := m.createVideo(fmt.Sprintf("drain generation %d", i), false)
			Expect(ok).To(BeTrue(), "POST /v1/videos #%d was not accepted", i)
			gens = append(gens, generation{ID: id, Event: "video.completed"})
		}
		Eventually(func() int { return len(rc.InFlight()) }).WithContext(ctx).WithTimeout(30 * time.Second).
			Should(BeNumerically(">=", busy))

		inFlight := rc.InFlight()
		signalled := time.Now()
		p := m.terminate()
		Eventually(p.done).WithTimeout(20*time.Second).Should(BeClosed(), "no exit 20 s after SIGTERM")
		took := time.Since(signalled)
		stderr, _ := os.ReadFile(p.stderr)
		Expect(p.exitCode()).To(Equal(0), "exit after SIGTERM: %v\n%s", p.exit, stderr)
		m.forget()
		before := rc.Receipts()
		Expect(len(before)).To(BeNumerically("<", len(gens)), "precondition: events still to deliver at the signal")

		m.restart()
		log := m.deliveries(webhookID)
		byID := map[string]delivery.Delivery{}
		pending := 0
		for _, d := range log {
			byID[d.ID] = d
			Expect(d.Status).To(BeElementOf(delivery.StatusDelivered, delivery.StatusPending),
				"delivery %s after a graceful restart", d.ID)
			if d.Status == delivery.StatusPending {
				pending++
			}
			for _, a := range d.Attempts {
				Expect(a.Error).NotTo(ContainSubstring("interrupted"),
					"delivery %s attempt %d: a graceful stop lets attempts finish", d.ID, a.N)
			}
		}
		seen := map[string]int{}
		for _, r := range before {
			seen[r.DeliveryID]++
		}
		for id, n := range seen {
			Expect(byID).To(HaveKey(id), "the receiver got %s before the stop; the log lost it", id)
			Expect(len(byID[id].Attempts)).To(BeNumerically(">=", n), "delivery %s: attempts missing", id)
		}
		for _, id := range inFlight {
			Expect(byID[id].Status).To(Equal(delivery.StatusDelivered),
				"delivery %s was in flight at SIGTERM: its answer must be recorded", id)
		}

		Eventually(func() string { return unsettled(gens, m.deliveries(webhookID)) }).
			WithContext(ctx).WithTimeout(run.settle).WithPolling(500 * time.Millisecond).
			Should(BeEmpty())
		f, problems := audit(gens, m.deliveries(webhookID), rc.Receipts(), webhookID, retries+1)
		AddReportEntry("figures", f.String())
		Expect(problems).To(BeEmpty(), "%s", f)
		Expect(f.GensDelivered).To(Equal(len(gens)), "a receiver that always answers in time gets every event")

		lines := expectCleanLogs(m, secret, m.apiKey)
		AddReportEntry("run", fmt.Sprintf("%s run: %d in flight at SIGTERM, exit 0 after %s; at restart %d deliveries "+
			"pending and %d generations without a delivery yet; %d log lines, wall time %s", run.name, len(inFlight),
			took.Round(time.Millisecond), pending, len(gens)-len(log), lines, time.Since(started).Round(time.Millisecond)))
	}, SpecTimeout(run.specTimeout))
})

// chaosSeed is PRISMHOOK_SOAK_SEED when set, else a new seed.
func chaosSeed() uint64 {
	if v := os.Getenv("PRISMHOOK_SOAK_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		Expect(err).NotTo(HaveOccurred(), "PRISMHOOK_SOAK_SEED")
		return seed
	}
	return uint64(time.Now().UnixNano())
}
