package report

import (
	"io"
	"testing"
)

// The benchmarks render a full run: 23 checks with 50 exchanges each.

func BenchmarkWriteHTML(b *testing.B) {
	benchmarkWriter(b, WriteHTML)
}

func BenchmarkWriteJUnit(b *testing.B) {
	benchmarkWriter(b, WriteJUnit)
}

func BenchmarkWriteMarkdown(b *testing.B) {
	benchmarkWriter(b, WriteMarkdown)
}

func BenchmarkWriteJSON(b *testing.B) {
	benchmarkWriter(b, WriteJSON)
}

func benchmarkWriter(b *testing.B, write func(io.Writer, *Report) error) {
	r := bigReport(50)
	var size countingWriter
	if err := write(&size, r); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// countingWriter counts what is written to it.
type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
