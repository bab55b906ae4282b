package store_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
)

// writerEnv makes the test binary act as the writer process of the
// kill-and-reopen spec instead of running the suite.
const writerEnv = "PRISMHOOK_STORE_TEST_WRITER"

func TestStore(t *testing.T) {
	if path := os.Getenv(writerEnv); path != "" {
		writeUntilKilled(path)
		return
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "Store Suite")
}

// writeUntilKilled writes records to the data file at path and prints
// "ack N" once record N's writes have all returned nil, until the parent
// kills the process. It never closes the store: what was acknowledged must
// be on disk already.
func writeUntilKilled(path string) {
	s, err := store.Open(path)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		if err := writeRecord(s, i); err != nil {
			fmt.Fprintln(out, "error:", err)
			_ = out.Flush()
			os.Exit(2)
		}
		fmt.Fprintln(out, "ack", i)
		_ = out.Flush()
	}
}

// writeRecord writes one webhook, generation and journaled delivery, all
// derived from i so that the reader can check them.
func writeRecord(s *store.Bolt, i int) error {
	n := strconv.Itoa(i)
	if err := s.CreateWebhook(store.Webhook{ID: "wh_" + n, Owner: "owner", URL: "https://example.test/" + n,
		Events: []string{"video.completed"}, Secret: "whsec_" + n, Status: "active"}); err != nil {
		return err
	}
	if err := s.PutGeneration(store.Generation{ID: "gen_" + n, Owner: "owner", Status: store.GenQueued,
		Outcome: store.GenCompleted}); err != nil {
		return err
	}
	return s.SaveDelivery(delivery.Delivery{ID: "dlv_" + n, WebhookID: "wh_" + n, Status: delivery.StatusPending,
		Secret: "whsec_" + n, Body: []byte(`{"n":` + n + `}`), Fault: wire.FaultDuplicate})
}
