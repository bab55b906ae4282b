package wire_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

// BenchmarkSend measures deliveries per second through the Sender against
// a plain net/http client posting the same body to the same trivial
// receiver, side by side. The product target: Sender ≥ 70% of plain.
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	body, err := fixtures.CompactEvent(webhook.EventCompleted)
	if err != nil {
		b.Fatal(err)
	}

	// The plain client gets the same connection pool size, so that the
	// comparison is about the sender's own work.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 512
	plain := &http.Client{Transport: transport}
	postPlain := func(b *testing.B) {
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := plain.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}

	sender := wire.NewSender(wire.SenderOptions{})
	m := wire.Message{URL: srv.URL, Secret: secret, EventType: webhook.EventCompleted, Body: body}
	send := func(b *testing.B) {
		if x := sender.Send(context.Background(), m); !x.OK() {
			b.Fatal(x.Status, x.Err)
		}
	}

	perSecond := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	}
	serial := func(post func(*testing.B)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				post(b)
			}
			perSecond(b)
		}
	}
	parallel := func(post func(*testing.B)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(b)
				}
			})
			perSecond(b)
		}
	}
	b.Run("plain", serial(postPlain))
	b.Run("sender", serial(send))
	b.Run("plain-parallel", parallel(postPlain))
	b.Run("sender-parallel", parallel(send))

	// One of each per iteration, so that both see the same load on a
	// shared machine, taking turns at going first (the second of a pair
	// competes with the tail of the first); reports both rates and their
	// ratio.
	b.Run("interleaved", func(b *testing.B) {
		var plainTime, senderTime time.Duration
		timed := func(post func(*testing.B), total *time.Duration) {
			t := time.Now()
			post(b)
			*total += time.Since(t)
		}
		first := true
		for b.Loop() {
			if first {
				timed(postPlain, &plainTime)
				timed(send, &senderTime)
			} else {
				timed(send, &senderTime)
				timed(postPlain, &plainTime)
			}
			first = !first
		}
		n := float64(b.N)
		b.ReportMetric(n/plainTime.Seconds(), "plain/s")
		b.ReportMetric(n/senderTime.Seconds(), "sender/s")
		b.ReportMetric(plainTime.Seconds()/senderTime.Seconds(), "sender/plain")
	})
}

// BenchmarkPrepare measures signing and the faults that rewrite the body.
func BenchmarkPrepare(b *testing.B) {
	body, err := fixtures.CompactEvent(webhook.EventCompleted)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []wire.Fault{wire.FaultNone, wire.FaultKeyOrder, wire.FaultUnicodeEscapes, wire.FaultExtraFields} {
		name := string(f)
		if name == "" {
			name = "none"
		}
		m := wire.Message{Secret: secret, EventType: webhook.EventCompleted, Body: body, DeliveryID: "dlv_bench", Fault: f}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := wire.Prepare(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
