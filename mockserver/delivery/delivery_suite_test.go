package delivery_test

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/wire/wiretest"
	"github.com/prismhook/prismhook/webhook"
)

func TestDelivery(t *testing.T) {
	RegisterFailHandler(Fail)
	// Generous: the suite must pass on a busy 2-core machine under -race.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "Delivery Suite")
}

// newReceiver starts a test receiver (see wiretest.Receiver) closed when
// the spec ends.
func newReceiver(answer http.HandlerFunc) *wiretest.Receiver {
	rc := wiretest.NewReceiver(answer)
	DeferCleanup(rc.Close)
	return rc
}

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2mS1aCs8Zc8"

func completedEvent() []byte {
	b, err := fixtures.CompactEvent(webhook.EventCompleted)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// refusedURL returns a loopback URL on which nothing listens.
func refusedURL() string {
	u, err := wiretest.RefusedURL()
	Expect(err).NotTo(HaveOccurred())
	return u
}
