package wire_test

import (
	"context"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

var _ = Describe("Repeat", func() {
	// sent records what each send was given, by index.
	type sent struct {
		mu   sync.Mutex
		msgs map[int]wire.Message
	}
	record := func(s *sent) func(context.Context, int, wire.Message) wire.Exchange {
		return func(_ context.Context, i int, m wire.Message) wire.Exchange {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.msgs[i] = m
			return wire.Exchange{DeliveryID: m.DeliveryID, Fault: m.Fault}
		}
	}

	It("sends a duplicate as the same delivery: one X-Prism-Delivery, the same bytes and signature", func() {
		rc := newReceiver(nil)
		m := message(wire.FaultNone)
		m.URL = rc.URL + "/hook"
		xs := wire.NewSender(wire.SenderOptions{}).Repeat(context.Background(), wire.Duplicate(3), m)
		Expect(xs).To(HaveLen(3))
		reqs := rc.Requests()
		Expect(reqs).To(HaveLen(3))
		for i, r := range reqs {
			Expect(r.Header.Get(webhook.DeliveryHeader)).To(Equal(xs[0].DeliveryID))
			Expect(r.Header.Get(webhook.SignatureHeader)).To(Equal(reqs[0].Header.Get(webhook.SignatureHeader)))
			Expect(r.Body).To(Equal(reqs[0].Body))
			Expect(xs[i].OK()).To(BeTrue())
		}
		Expect([]wire.Fault{xs[0].Fault, xs[1].Fault, xs[2].Fault}).To(Equal([]wire.Fault{wire.FaultNone, wire.FaultDuplicate, wire.FaultDuplicate}))
	})

	It("keeps the caller's delivery id for a duplicate and its fault label", func() {
		s := &sent{msgs: map[int]wire.Message{}}
		m := message(wire.FaultDuplicate)
		m.DeliveryID = "dlv_given"
		wire.Repeat(context.Background(), wire.Duplicate(2), m, record(s))
		Expect(s.msgs[0].DeliveryID).To(Equal("dlv_given"))
		Expect(s.msgs[1].DeliveryID).To(Equal("dlv_given"))
		Expect(s.msgs[1].Fault).To(Equal(wire.FaultDuplicate))
	})

	It("redelivers as new deliveries with an id each, labelled as they came", func() {
		s := &sent{msgs: map[int]wire.Message{}}
		xs := wire.Repeat(context.Background(), wire.AsNew(3), message(wire.FaultNone), record(s))
		Expect(xs).To(HaveLen(3))
		ids := map[string]bool{}
		for _, m := range s.msgs {
			Expect(m.DeliveryID).To(HavePrefix("dlv_"))
			Expect(m.Fault).To(Equal(wire.FaultNone))
			ids[m.DeliveryID] = true
		}
		Expect(ids).To(HaveLen(3))
	})

	It("releases a burst at once: every send is in flight together", func() {
		const n = 6
		var arrived sync.WaitGroup
		arrived.Add(n)
		all := make(chan struct{})
		go func() { arrived.Wait(); close(all) }()
		together := 0
		var mu sync.Mutex
		wire.Repeat(context.Background(), wire.Burst(n), message(wire.FaultBurst), func(context.Context, int, wire.Message) wire.Exchange {
			arrived.Done()
			select {
			case <-all:
				mu.Lock()
				together++
				mu.Unlock()
			case <-time.After(5 * time.Second):
			}
			return wire.Exchange{}
		})
		Expect(together).To(Equal(n))
	})

	It("never has more than Concurrency sends in flight", func() {
		var mu sync.Mutex
		in, most := 0, 0
		wire.Repeat(context.Background(), wire.Pattern{Count: 12, Concurrency: 3}, message(wire.FaultNone), func(context.Context, int, wire.Message) wire.Exchange {
			mu.Lock()
			in++
			most = max(most, in)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			in--
			mu.Unlock()
			return wire.Exchange{}
		})
		Expect(most).To(BeNumerically("<=", 3))
	})

	It("is what the fault names duplicate and burst stand for", func() {
		p, ok := wire.FaultDuplicate.Pattern(2)
		Expect(ok).To(BeTrue())
		Expect(p).To(Equal(wire.Duplicate(2)))
		p, ok = wire.FaultBurst.Pattern(7)
		Expect(ok).To(BeTrue())
		Expect(p).To(Equal(wire.Burst(7)))
		_, ok = wire.FaultWhitespace.Pattern(2)
		Expect(ok).To(BeFalse())
		_, ok = wire.FaultNone.Pattern(2)
		Expect(ok).To(BeFalse())
	})
})
