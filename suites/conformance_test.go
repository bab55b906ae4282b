package suites_test

import "github.com/prismhook/prismhook/suites"

// The conformance checks, as specs, against the receiver named by
// PRISMHOOK_URL and PRISMHOOK_SECRET (see suites.EnvVars); without them
// every spec skips and says so.
var _ = suites.DescribeConformance(suites.ConfigFromEnv)
