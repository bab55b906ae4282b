package mockserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/mockserver"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// persistentOptions keep state in dataFile and retry every 200 ms.
func persistentOptions(dataFile string) mockserver.Options {
	return mockserver.Options{
		DataFile:        dataFile,
		GenerationDelay: time.Second,
		Delivery: delivery.Options{
			Schedule: []time.Duration{
				200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond,
				200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond,
			},
			NoJitter: true,
		},
	}
}

var _ = Describe("a data file", func() {
	It("keeps webhooks, generations and pending deliveries across a restart", func() {
		dataFile := filepath.Join(GinkgoT().TempDir(), "prismhook.db")
		rc := startReceiver()
		rc.answerWith(func(int) int { return http.StatusServiceUnavailable })

		first := startMock(persistentOptions(dataFile))
		hook := first.createWebhook(rc.URL, "video.completed")
		hookID, secret := hook["id"].(string), hook["secret"].(string)
		completedID := first.api("POST", "/v1/videos", `{"prompt": "survives"}`).JSON()["id"].(string)

		// The event was attempted and failed: a pending delivery.
		Eventually(rc.got, 10*time.Second).Should(Receive())
		Eventually(func() []map[string]any { return first.deliveries(hookID) }).Should(ConsistOf(And(
			HaveKeyWithValue("status", "pending"),
			HaveKeyWithValue("attempts", ContainElement(HaveKeyWithValue("status", 503.0))),
		)))
		// A generation still queued when the server stops.
		unfinished := first.api("POST", "/v1/videos", `{"prompt": "interrupted"}`).JSON()["id"].(string)
		first.stop()

		rc.answerWith(func(int) int { return http.StatusOK })
		for len(rc.got) > 0 { // retries made before the stop
			<-rc.got
		}
		second := startMock(persistentOptions(dataFile))

		got := second.api("GET", "/v1/webhooks/"+hookID, "")
		Expect(got.Status).To(Equal(http.StatusOK))
		Expect(got.JSON()).To(HaveKeyWithValue("url", rc.URL))
		Expect(second.api("GET", "/v1/videos/"+completedID, "").JSON()).To(HaveKeyWithValue("status", "completed"))

		// The pending delivery resumes, signed with the same secret, and
		// the interrupted generation completes and is delivered.
		seen := map[string]bool{}
		for range 2 {
			var d delivered
			Eventually(rc.got, 10*time.Second).Should(Receive(&d))
			ev := expectSignedEvent(d, secret, webhook.EventCompleted)
			seen[ev.Data.ID] = true
		}
		Expect(seen).To(Equal(map[string]bool{completedID: true, unfinished: true}))

		Eventually(func() []map[string]any { return second.deliveries(hookID) }).Should(ConsistOf(
			And(
				HaveKeyWithValue("generation_id", completedID),
				HaveKeyWithValue("status", "delivered"),
				HaveKeyWithValue("attempts", And(
					ContainElement(HaveKeyWithValue("status", 503.0)),
					ContainElement(HaveKeyWithValue("status", 200.0)),
				)),
			),
			And(
				HaveKeyWithValue("generation_id", unfinished),
				HaveKeyWithValue("status", "delivered"),
			),
		))
		Expect(second.api("GET", "/v1/videos/"+unfinished, "").JSON()).To(HaveKeyWithValue("status", "completed"))
	})

	It("emits a generation's event again under the same event id after a restart", func() {
		dataFile := filepath.Join(GinkgoT().TempDir(), "prismhook.db")
		rc := startReceiver()
		rc.answerWith(func(int) int { return http.StatusServiceUnavailable })

		first := startMock(persistentOptions(dataFile))
		hookID := first.createWebhook(rc.URL, "video.completed")["id"].(string)
		genID := first.api("POST", "/v1/videos", `{"prompt": "once"}`).JSON()["id"].(string)
		var eventID string
		Eventually(func(g Gomega) {
			ds := first.deliveries(hookID)
			g.Expect(ds).To(ConsistOf(HaveKeyWithValue("attempts", ContainElement(HaveKeyWithValue("status", 503.0)))))
			eventID = ds[0]["event_id"].(string)
		}).Should(Succeed())
		first.stop()

		// The mock died after handing the event to the engine but before
		// marking the generation emitted: the next start emits it again.
		st, err := store.Open(dataFile)
		Expect(err).NotTo(HaveOccurred())
		g, err := st.Generation(genID)
		Expect(err).NotTo(HaveOccurred())
		Expect(g.Emitted).To(BeTrue())
		g.Emitted = false
		Expect(st.PutGeneration(g)).To(Succeed())
		Expect(st.Close()).To(Succeed())

		rc.answerWith(func(int) int { return http.StatusOK })
		for len(rc.got) > 0 {
			<-rc.got
		}
		second := startMock(persistentOptions(dataFile))
		// The emit again finds the resumed delivery of the event to this
		// webhook (same delivery id) and adds none: one delivery, resumed
		// and delivered.
		Eventually(func() []map[string]any { return second.deliveries(hookID) }).Should(ConsistOf(
			And(HaveKeyWithValue("event_id", eventID), HaveKeyWithValue("status", "delivered")),
		))
		Consistently(func() []map[string]any { return second.deliveries(hookID) }, 300*time.Millisecond).Should(HaveLen(1))
	})

	It("cannot be opened by two servers at once", func() {
		dataFile := filepath.Join(GinkgoT().TempDir(), "prismhook.db")
		startMock(persistentOptions(dataFile))
		_, err := mockserver.New(persistentOptions(dataFile))
		Expect(err).To(MatchError(ContainSubstring(dataFile)))
	})
})

// childDataFileEnv makes the test binary a mock server process on that data
// file (see serveAsChild), for the spec that kills one.
const childDataFileEnv = "PRISMHOOK_TEST_CHILD_DATA_FILE"

// serveAsChild serves a mock on the data file and prints its URL on
// stdout, until the process is killed. It also ends when its stdin closes,
// so that it never outlives the test that started it.
func serveAsChild(dataFile string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		fail(errors.New("stdin closed"))
	}()
	o := persistentOptions(dataFile)
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := mockserver.New(o)
	if err != nil {
		fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Printf("LISTENING http://%s\n", ln.Addr())
	fail(s.Serve(context.Background(), ln))
}

var _ = Describe("a data file, when the process is killed", func() {
	It("loses no webhook, generation or pending delivery", func() {
		dataFile := filepath.Join(GinkgoT().TempDir(), "prismhook.db")
		rc := startReceiver()
		rc.answerWith(func(int) int { return http.StatusServiceUnavailable })

		cmd := exec.Command(os.Args[0], "-test.run=^TestMockserver$")
		cmd.Env = append(os.Environ(), childDataFileEnv+"="+dataFile)
		cmd.Stderr = GinkgoWriter
		stdout, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		stdin, err := cmd.StdinPipe() // held open while the child must live
		Expect(err).NotTo(HaveOccurred())
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() {
			_ = stdin.Close()
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		urls := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if u, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
					urls <- u
				}
			}
		}()
		child := &mock{Key: "YOUR_API_KEY"}
		Eventually(urls, 30*time.Second).Should(Receive(&child.URL))

		hook := child.createWebhook(rc.URL, "video.completed")
		hookID, secret := hook["id"].(string), hook["secret"].(string)
		genID := child.api("POST", "/v1/videos", `{"prompt": "killed"}`).JSON()["id"].(string)
		Eventually(rc.got).Should(Receive())
		Eventually(func() []map[string]any { return child.deliveries(hookID) }).Should(ConsistOf(And(
			HaveKeyWithValue("status", "pending"),
			HaveKeyWithValue("attempts", ContainElement(HaveKeyWithValue("status", 503.0))),
		)))

		Expect(cmd.Process.Signal(syscall.SIGKILL)).To(Succeed())
		_ = cmd.Wait()
		rc.answerWith(func(int) int { return http.StatusOK })
		for len(rc.got) > 0 {
			<-rc.got
		}

		second := startMock(persistentOptions(dataFile))
		Expect(second.api("GET", "/v1/webhooks/"+hookID, "").Status).To(Equal(http.StatusOK))
		Expect(second.api("GET", "/v1/videos/"+genID, "").JSON()).To(HaveKeyWithValue("status", "completed"))
		var d delivered
		Eventually(rc.got).Should(Receive(&d))
		Expect(expectSignedEvent(d, secret, webhook.EventCompleted).Data.ID).To(Equal(genID))
		// The attempt the receiver refused is in the log: with its 503 if
		// that was written before the kill, else as interrupted.
		Eventually(func() []map[string]any { return second.deliveries(hookID) }).Should(ConsistOf(And(
			HaveKeyWithValue("status", "delivered"),
			HaveKeyWithValue("attempts", And(
				HaveEach(HaveKey("n")),
				ContainElement(And(HaveKeyWithValue("n", 1.0), Or(
					HaveKeyWithValue("status", 503.0),
					HaveKeyWithValue("error", ContainSubstring("interrupted")),
				))),
				ContainElement(HaveKeyWithValue("status", 200.0)),
			)),
		)))
	})
})
