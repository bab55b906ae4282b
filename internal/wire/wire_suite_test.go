package wire_test

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prismhook/prismhook/internal/wire/wiretest"
)

func TestWire(t *testing.T) {
	RegisterFailHandler(Fail)
	// Generous: the suite must pass on a busy 2-core machine under -race.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "Wire Suite")
}

// newReceiver starts a test receiver (see wiretest.Receiver) closed when
// the spec ends.
func newReceiver(answer http.HandlerFunc) *wiretest.Receiver {
	rc := wiretest.NewReceiver(answer)
	DeferCleanup(rc.Close)
	return rc
}
