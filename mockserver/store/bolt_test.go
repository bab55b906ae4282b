package store_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	bolt "go.etcd.io/bbolt"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("Bolt", func() {
	var path string

	BeforeEach(func() {
		path = filepath.Join(GinkgoT().TempDir(), "data.db")
	})

	open := func() *store.Bolt {
		GinkgoHelper()
		s, err := store.Open(path)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	pending := func(id string, created time.Time) delivery.Delivery {
		next := created.Add(10 * time.Second)
		return delivery.Delivery{
			ID: id, WebhookID: "wh_1", EventType: webhook.EventCompleted, EventID: "evt_1",
			GenerationID: "gen_1", URL: "https://example.test/hook", Status: delivery.StatusPending,
			Attempts: []delivery.Attempt{
				{N: 1, At: created, Status: 500, LatencyMS: 12.5, Error: "status 500"},
				{N: 2, At: created.Add(time.Second), InFlight: true},
			},
			CreatedAt: created, NextAttemptAt: &next,
			Secret: "whsec_secret", Body: []byte("{\"event\":\"video.completed\"}\n\x00\xff"), Fault: wire.FaultWrongSecret,
		}
	}

	It("keeps everything across Close and Open", func() {
		s := open()
		w := hook("wh_1", "o1", webhook.EventCompleted)
		g := gen("gen_1", t0, false)
		d := pending("dlv_1", t0)
		Expect(s.CreateWebhook(w)).To(Succeed())
		Expect(s.PutGeneration(g)).To(Succeed())
		Expect(s.SaveDelivery(d)).To(Succeed())
		Expect(s.Close()).To(Succeed())

		s = open()
		defer s.Close()
		Expect(s.Webhook("wh_1")).To(Equal(w))
		Expect(s.Generation("gen_1")).To(Equal(g))
		Expect(s.Unfinished()).To(Equal([]store.Generation{g}))
		Expect(s.LoadDeliveries()).To(Equal([]delivery.Delivery{d}))
		// Creation order survives too.
		Expect(s.CreateWebhook(hook("wh_0", "o1"))).To(Succeed())
		Expect(s.Webhooks("o1")).To(WithTransform(webhookIDs, Equal([]string{"wh_1", "wh_0"})))
	})

	Describe("as a delivery journal", func() {
		It("keeps Secret, Body, Fault and attempts, which Delivery's JSON leaves out", func() {
			s := open()
			defer s.Close()
			d := pending("dlv_1", t0)
			Expect(s.SaveDelivery(d)).To(Succeed())
			Expect(s.LoadDeliveries()).To(Equal([]delivery.Delivery{d}))
		})

		It("replaces a saved delivery, deletes it, and lists oldest first", func() {
			s := open()
			defer s.Close()
			late, early := pending("dlv_a", t0.Add(time.Minute)), pending("dlv_b", t0)
			Expect(s.SaveDelivery(late)).To(Succeed())
			Expect(s.SaveDelivery(early)).To(Succeed())

			early.Status, early.NextAttemptAt = delivery.StatusDelivered, nil
			early.Attempts[1] = delivery.Attempt{N: 2, At: t0.Add(time.Second), Status: 200, LatencyMS: 3}
			Expect(s.SaveDelivery(early)).To(Succeed())
			Expect(s.LoadDeliveries()).To(Equal([]delivery.Delivery{early, late}))

			Expect(s.DeleteDelivery("dlv_b")).To(Succeed())
			Expect(s.DeleteDelivery("dlv_unknown")).To(Succeed())
			Expect(s.LoadDeliveries()).To(Equal([]delivery.Delivery{late}))
			Expect(s.SaveDelivery(delivery.Delivery{})).To(HaveOccurred())
		})

		It("is emptied by Reset", func() {
			s := open()
			defer s.Close()
			Expect(s.SaveDelivery(pending("dlv_1", t0))).To(Succeed())
			Expect(s.Reset()).To(Succeed())
			Expect(s.LoadDeliveries()).To(BeEmpty())
		})
	})

	It("has on disk every write it acknowledged when the process is killed", func() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStore$")
		cmd.Env = append(os.Environ(), writerEnv+"="+path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() { _ = cmd.Process.Kill() })

		var (
			mu    sync.Mutex
			acked []int
			other []string
		)
		done := make(chan struct{})
		go func() {
			defer close(done)
			lines := bufio.NewScanner(stdout)
			for lines.Scan() {
				mu.Lock()
				if n, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
					i, _ := strconv.Atoi(n)
					acked = append(acked, i)
				} else {
					other = append(other, lines.Text())
				}
				mu.Unlock()
			}
		}()
		count := func() int {
			mu.Lock()
			defer mu.Unlock()
			Expect(other).To(BeEmpty(), "writer output; stderr: %s", &stderr)
			return len(acked)
		}
		Eventually(count).WithTimeout(20 * time.Second).Should(BeNumerically(">=", 20))

		// Killed mid-stream, never closed: only the commits protect the data.
		Expect(cmd.Process.Kill()).To(Succeed())
		Eventually(done).WithTimeout(10 * time.Second).Should(BeClosed())
		Expect(cmd.Wait()).To(MatchError(ContainSubstring("killed")))

		s := open()
		defer s.Close()
		journal, err := s.LoadDeliveries()
		Expect(err).NotTo(HaveOccurred())
		byID := map[string]delivery.Delivery{}
		for _, d := range journal {
			byID[d.ID] = d
		}
		for _, i := range acked {
			n := strconv.Itoa(i)
			Expect(s.Webhook("wh_" + n)).To(HaveField("Secret", "whsec_"+n))
			Expect(s.Generation("gen_" + n)).To(HaveField("Status", store.GenQueued))
			Expect(byID).To(HaveKey("dlv_" + n))
			Expect(byID["dlv_"+n].Secret).To(Equal("whsec_" + n))
			Expect(byID["dlv_"+n].Body).To(Equal([]byte(`{"n":` + n + `}`)))
			Expect(byID["dlv_"+n].Fault).To(Equal(wire.FaultDuplicate))
		}
	})

	Describe("refuses a file it cannot use, with a clear error", func() {
		It("when another handle holds it", func() {
			s := open()
			defer s.Close()
			_, err := store.Open(path)
			Expect(err).To(MatchError(And(ContainSubstring(path), ContainSubstring("is in use by another process"))))
		})

		DescribeTable("when it is not a bbolt database",
			func(content func() []byte) {
				data := content()
				Expect(os.WriteFile(path, data, 0o600)).To(Succeed())
				_, err := store.Open(path)
				Expect(err).To(MatchError(And(ContainSubstring(path), ContainSubstring("not a prismhook data file"))))
				// The refused file is left as it was.
				Expect(os.ReadFile(path)).To(Equal(data))
			},
			Entry("a short text", func() []byte { return []byte("serve:\n  addr: 127.0.0.1:4010\n") }),
			Entry("a page of zeros", func() []byte { return make([]byte, 4096) }),
			Entry("random bytes", func() []byte {
				b := make([]byte, 64<<10)
				_, _ = rand.Read(b)
				return b
			}),
		)

		It("when it is another program's bbolt database", func() {
			db, err := bolt.Open(path, 0o600, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(db.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("sessions"))
				return err
			})).To(Succeed())
			Expect(db.Close()).To(Succeed())

			_, err = store.Open(path)
			Expect(err).To(MatchError(ContainSubstring("not a prismhook data file")))
			// The refusal released the file.
			db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			Expect(err).NotTo(HaveOccurred())
			Expect(db.Close()).To(Succeed())
		})

		It("when the path is a directory or cannot be created", func() {
			dir := GinkgoT().TempDir()
			_, err := store.Open(dir)
			Expect(err).To(MatchError(ContainSubstring(dir)))
			_, err = store.Open(filepath.Join(dir, "missing", "data.db"))
			Expect(err).To(MatchError(ContainSubstring("no such file or directory")))
			_, err = store.Open("")
			Expect(err).To(HaveOccurred())
		})
	})
})
