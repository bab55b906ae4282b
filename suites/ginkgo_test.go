package suites_test

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
)

// DescribeConformance as a user calls it, against the correct receiver: every
// spec passes except TLS-01 (a warning on plain HTTP) and TLS-02 (not
// applicable), which skip with their reasons.
var _ = Describe("DescribeConformance against the correct receiver", func() {
	suites.DescribeConformance(func() (suites.Config, error) {
		rcv, err := receiver.Start(receiver.Options{Secret: secret})
		if err != nil {
			return suites.Config{}, err
		}
		DeferCleanup(rcv.Close)
		return suites.Config{URL: rcv.URL, Secret: secret, Sequential: 5}, nil
	})
})
