package conformance_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/suites"
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Prism webhook receiver conformance")
}

// One spec per check, labelled with its ID and level, against the receiver
// named by PRISMHOOK_URL and PRISMHOOK_SECRET (skipped, saying so, when
// PRISMHOOK_URL is unset).
var _ = suites.DescribeConformance(suites.ConfigFromEnv)
