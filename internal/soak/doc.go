// Package soak holds the no-loss soak test of prismhook: the real binary
// (built with the race detector) serves the mock Prism API with a data file
// and delivers to a receiver that fails, times out, drops and resets
// connections at random, while the test kills and restarts it. The test
// then audits the delivery log against what the receiver saw: every event
// delivered at least once or exhausted with every attempt recorded, and no
// attempt the receiver saw missing from the log.
//
// `go test ./internal/soak/` runs the short variant; PRISMHOOK_SOAK=long
// (make soak) runs the long one.
package soak
