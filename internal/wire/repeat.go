package wire

import (
	"context"
	"sync"
)

// Pattern is how one message is sent more than once. It is the one place
// where prismhook repeats a delivery: the control API's emit, `prismhook
// send` and the conformance checks all go through Repeat.
//
// A duplicate (Same) is the same delivery again — the same X-Prism-Delivery,
// the same bytes and the same signature — as Prism's retry sends it. Without
// Same each send is a new delivery of the same event, with an
// X-Prism-Delivery of its own: "redelivered as a new delivery".
type Pattern struct {
	Count       int  // sends in all; less than 1 counts as 1
	Concurrency int  // sends in flight at once; less than 1 counts as 1 (one after another)
	Same        bool // every send is the same delivery (a duplicate)
}

// Once is a single send.
var Once = Pattern{Count: 1, Concurrency: 1}

// Duplicate is the same delivery sent n times in all, one after another.
func Duplicate(n int) Pattern { return Pattern{Count: n, Concurrency: 1, Same: true} }

// AsNew is the same event sent n times, one after another, each time as a
// new delivery with its own X-Prism-Delivery.
func AsNew(n int) Pattern { return Pattern{Count: n, Concurrency: 1} }

// Burst is n new deliveries released at once.
func Burst(n int) Pattern { return Pattern{Count: n, Concurrency: n} }

// patternSpec is a sending pattern that users pick by a fault name.
type patternSpec struct {
	name        Fault
	description string
	pattern     func(n int) Pattern
}

// patternTable lists the sending patterns named like faults in `prismhook
// send --fault` and the control API.
var patternTable = []patternSpec{
	{FaultDuplicate, "the same delivery (bytes and signature) sent again", Duplicate},
	{FaultBurst, "many concurrent deliveries", Burst},
}

// Pattern returns the sending pattern f names, with n sends, and false when
// f is no pattern (a request fault or none).
func (f Fault) Pattern(n int) (Pattern, bool) {
	for _, p := range patternTable {
		if p.name == f {
			return p.pattern(n), true
		}
	}
	return Pattern{}, false
}

// Repeat carries out p for m through send, which makes one request, and
// returns the exchanges in the order of the sends. Each send gets m with
// its DeliveryID set: with p.Same the same one every time (m's, or one
// generated for all), otherwise a new one per send. With p.Same a send
// after the first that carries no fault is labelled FaultDuplicate: it is
// the same delivery again. Concurrent sends are released together, at most
// p.Concurrency in flight; with p.Same and a concurrency of 1 the first
// send ends before the repeats start, as a retry follows its attempt.
func Repeat(ctx context.Context, p Pattern, m Message, send func(ctx context.Context, i int, m Message) Exchange) []Exchange {
	n, c := max(p.Count, 1), max(p.Concurrency, 1)
	if p.Same && m.DeliveryID == "" {
		m.DeliveryID = NewDeliveryID()
	}
	ms := make([]Message, n)
	for i := range ms {
		ms[i] = m
		switch {
		case !p.Same:
			ms[i].DeliveryID = NewDeliveryID()
		case i > 0 && m.Fault == FaultNone:
			ms[i].Fault = FaultDuplicate
		}
	}
	xs := make([]Exchange, n)
	if c == 1 {
		for i := range ms {
			xs[i] = send(ctx, i, ms[i])
		}
		return xs
	}
	start := make(chan struct{})
	sem := make(chan struct{}, c)
	var wg sync.WaitGroup
	for i := range ms {
		wg.Go(func() {
			<-start
			sem <- struct{}{}
			defer func() { <-sem }()
			xs[i] = send(ctx, i, ms[i])
		})
	}
	close(start)
	wg.Wait()
	return xs
}

// Repeat sends m as p says, each request through s.
func (s *Sender) Repeat(ctx context.Context, p Pattern, m Message) []Exchange {
	return Repeat(ctx, p, m, func(ctx context.Context, _ int, m Message) Exchange { return s.Send(ctx, m) })
}
