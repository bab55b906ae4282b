package suites_test

import (
	"context"
	"testing"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/prismhook/prismhook/suites"
)

// BenchmarkRun is a full recommended run against the correct reference
// receiver; s/run is its wall time (the product's bar is 10 s).
func BenchmarkRun(b *testing.B) {
	rcv, err := receiver.Start(receiver.Options{Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	defer rcv.Close()
	c := suites.Config{URL: rcv.URL, Secret: secret}
	for b.Loop() {
		rep, err := suites.Run(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		if code := suites.ExitCode(rep); code != 0 {
			b.Fatalf("exit code %d against the correct receiver", code)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}
