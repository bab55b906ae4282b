package soak

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// generation is a video request the mock accepted with 202, the terminal
// event it must end in, and whether the receiver fails all its deliveries.
type generation struct {
	ID     string
	Event  string
	Doomed bool
}

// figures sum up a run.
type figures struct {
	Generations   int // accepted with 202
	Failing       int // of which forced to fail (video.failed)
	Doomed        int // of which the receiver fails every delivery
	Deliveries    int
	Attempts      int
	Receipts      int // requests the receiver got
	Delivered     int // deliveries
	Exhausted     int // deliveries failed after every attempt of the schedule
	Interrupted   int // attempts cut off by a kill, recorded as such
	GensDelivered int // generations acknowledged at least once
	GensExhausted int // generations whose every delivery was exhausted
	Reemitted     int // generations with more than one delivery
	// LateAcks counts 2xx answers the log records as failed attempts: the
	// answer came too late for the mock (a busy machine) or it was killed.
	LateAcks int
	// Unlucky lists the exhausted deliveries of generations that were not
	// doomed: chaos alone failed all their attempts.
	Unlucky []string
	Answers map[answer]int
}

func (f figures) String() string {
	answers := make([]string, 0, len(f.Answers))
	for a, n := range f.Answers {
		answers = append(answers, fmt.Sprintf("%s=%d", a, n))
	}
	sort.Strings(answers)
	return fmt.Sprintf("generations %d (%d video.failed, %d doomed), deliveries %d (delivered %d, exhausted %d), "+
		"attempts %d (interrupted %d), receipts %d [%s], 2xx answers recorded as failures %d, "+
		"generations acknowledged %d, exhausted %d (not doomed %d), re-emitted %d",
		f.Generations, f.Failing, f.Doomed, f.Deliveries, f.Delivered, f.Exhausted, f.Attempts, f.Interrupted,
		f.Receipts, strings.Join(answers, " "), f.LateAcks, f.GensDelivered, f.GensExhausted, len(f.Unlucky), f.Reemitted)
}

// problems collects what an audit found wrong, keeping the first few
// messages whole and counting the rest.
type problems struct {
	list  []string
	extra int
}

const maxProblems = 25

func (p *problems) add(format string, a ...any) {
	if len(p.list) == maxProblems {
		p.extra++
		return
	}
	p.list = append(p.list, fmt.Sprintf(format, a...))
}

func (p *problems) result() []string {
	if p.extra > 0 {
		return append(p.list, fmt.Sprintf("… and %d more", p.extra))
	}
	return p.list
}

// unsettled says what is not finished yet: generations without a delivery
// in the log and deliveries not in a final status; "" once all are.
func unsettled(gens []generation, log []delivery.Delivery) string {
	has := map[string]bool{}
	pending := 0
	for _, d := range log {
		has[d.GenerationID] = true
		if d.Status != delivery.StatusDelivered && d.Status != delivery.StatusFailed {
			pending++
		}
	}
	var missing []string
	for _, g := range gens {
		if !has[g.ID] {
			missing = append(missing, g.ID)
		}
	}
	if pending == 0 && len(missing) == 0 {
		return ""
	}
	if len(missing) > 5 {
		missing = append(missing[:5], "…")
	}
	return fmt.Sprintf("%d of %d deliveries not final; %d generations without a delivery %v",
		pending, len(log), len(missing), missing)
}

// audit holds a settled delivery log against the generations accepted and
// the receipts of the receiver. maxAttempts is len(schedule)+1. It checks:
//
//   - every generation has a delivery of its event, and ends acknowledged
//     (a delivered delivery, answered 2xx by the receiver with a verified
//     signature) or exhausted (every delivery failed after maxAttempts);
//     a doomed one, which the receiver never acknowledges, exhausted;
//   - every delivery is delivered or failed, its attempts numbered in
//     order, none in flight, a 2xx only as the last attempt;
//   - every request the receiver got belongs to a delivery of the log, was
//     signed correctly and carried that delivery's event, and no delivery
//     has fewer attempts than requests seen, nor more answers of a status
//     than the receiver gave.
func audit(gens []generation, log []delivery.Delivery, receipts []receipt, webhookID string, maxAttempts int) (figures, []string) {
	var p problems
	f := figures{Generations: len(gens), Deliveries: len(log), Receipts: len(receipts), Answers: map[answer]int{}}

	accepted := map[string]bool{}
	for _, g := range gens {
		accepted[g.ID] = true
	}
	byID := map[string]*delivery.Delivery{}
	byGen := map[string][]*delivery.Delivery{}
	for i := range log {
		d := &log[i]
		f.Attempts += len(d.Attempts)
		if byID[d.ID] != nil {
			p.add("delivery %s appears twice in the log", d.ID)
		}
		byID[d.ID] = d
		byGen[d.GenerationID] = append(byGen[d.GenerationID], d)
		if !accepted[d.GenerationID] {
			p.add("delivery %s is about %q, not a generation that was accepted", d.ID, d.GenerationID)
		}
		if d.WebhookID != webhookID {
			p.add("delivery %s is for webhook %q, want %s", d.ID, d.WebhookID, webhookID)
		}
		auditAttempts(d, maxAttempts, &p, &f)
	}

	byDelivery := map[string][]receipt{}
	for _, r := range receipts {
		f.Answers[r.Answer]++
		byDelivery[r.DeliveryID] = append(byDelivery[r.DeliveryID], r)
		d := byID[r.DeliveryID]
		switch {
		case d == nil:
			p.add("the receiver got delivery %q (%s of %s) that is not in the log", r.DeliveryID, r.Event, r.GenerationID)
			continue
		case !r.Verified:
			p.add("delivery %s: the signature did not verify with the webhook's secret", r.DeliveryID)
		case r.Event != d.EventType || r.BodyEvent != d.EventType:
			p.add("delivery %s: header event %q, body event %q, logged event %q", r.DeliveryID, r.Event, r.BodyEvent, d.EventType)
		case r.GenerationID != d.GenerationID:
			p.add("delivery %s: body about %q, logged about %q", r.DeliveryID, r.GenerationID, d.GenerationID)
		}
	}
	for id, rs := range byDelivery {
		d := byID[id]
		if d == nil {
			continue
		}
		if len(rs) > len(d.Attempts) {
			p.add("delivery %s: the receiver got %d requests, the log records %d attempts (an attempt is missing)",
				id, len(rs), len(d.Attempts))
		}
		given := map[int]int{}
		for _, r := range rs {
			given[answeredStatus[r.Answer]]++
		}
		logged := map[int]int{}
		for _, a := range d.Attempts {
			if a.Status != 0 {
				logged[a.Status]++
			}
		}
		for status, n := range logged {
			if n > given[status] {
				p.add("delivery %s: the log records %d answers %d, the receiver gave %d", id, n, status, given[status])
			}
		}
		acks := 0
		for _, r := range rs {
			if r.Answer == answerOK || r.Answer == answerSlowOK {
				acks++
			}
		}
		f.LateAcks += acks - logged[http.StatusNoContent]
	}

	for _, g := range gens {
		if g.Event == "video.failed" {
			f.Failing++
		}
		if g.Doomed {
			f.Doomed++
		}
		ds := byGen[g.ID]
		if len(ds) == 0 {
			p.add("generation %s was accepted but has no delivery: its %s event is lost", g.ID, g.Event)
			continue
		}
		if len(ds) > 1 {
			f.Reemitted++
		}
		acked, exhausted := false, true
		for _, d := range ds {
			if d.EventType != g.Event {
				p.add("generation %s: delivery %s carries %s, want %s", g.ID, d.ID, d.EventType, g.Event)
			}
			if d.Status != delivery.StatusFailed {
				exhausted = false
			}
			if d.Status == delivery.StatusDelivered && acknowledged(byDelivery[d.ID]) {
				acked = true
			}
		}
		switch {
		case g.Doomed && !exhausted:
			p.add("generation %s: the receiver failed every delivery, yet it is not exhausted (deliveries %s)", g.ID, describe(ds))
		case acked:
			f.GensDelivered++
		case exhausted:
			f.GensExhausted++
			if !g.Doomed {
				f.Unlucky = append(f.Unlucky, explain(ds, byDelivery))
			}
		default:
			p.add("generation %s: neither acknowledged by the receiver nor exhausted (deliveries %s)", g.ID, describe(ds))
		}
	}
	if f.GensDelivered+f.GensExhausted != f.Generations {
		p.add("accounting: %d generations acknowledged + %d exhausted != %d accepted", f.GensDelivered, f.GensExhausted, f.Generations)
	}
	return f, p.result()
}

// auditAttempts checks the attempts of a settled delivery against its
// status.
func auditAttempts(d *delivery.Delivery, maxAttempts int, p *problems, f *figures) {
	n := len(d.Attempts)
	switch d.Status {
	case delivery.StatusDelivered:
		f.Delivered++
	case delivery.StatusFailed:
		f.Exhausted++
		if n != maxAttempts {
			p.add("delivery %s failed after %d attempts, want all %d", d.ID, n, maxAttempts)
		}
	default:
		p.add("delivery %s is still %q", d.ID, d.Status)
	}
	if n == 0 || n > maxAttempts {
		p.add("delivery %s has %d attempts (1 to %d expected)", d.ID, n, maxAttempts)
	}
	for i, a := range d.Attempts {
		ok := a.Status >= 200 && a.Status < 300
		last := i == n-1
		switch {
		case a.N != i+1:
			p.add("delivery %s: attempt %d is numbered %d", d.ID, i+1, a.N)
		case a.InFlight:
			p.add("delivery %s: attempt %d still in flight", d.ID, a.N)
		case ok && !(last && d.Status == delivery.StatusDelivered):
			p.add("delivery %s (%s): attempt %d of %d got %d", d.ID, d.Status, a.N, n, a.Status)
		case !ok && a.Error == "":
			p.add("delivery %s: failed attempt %d records no error", d.ID, a.N)
		case last && d.Status == delivery.StatusDelivered && !ok:
			p.add("delivery %s is delivered but its last attempt got %d (%s)", d.ID, a.Status, a.Error)
		}
		if strings.Contains(a.Error, "interrupted") {
			f.Interrupted++
		}
	}
}

// acknowledged reports whether the receiver answered one of the requests
// with a 2xx that the mock could see.
func acknowledged(rs []receipt) bool {
	for _, r := range rs {
		if r.Verified && (r.Answer == answerOK || r.Answer == answerSlowOK) {
			return true
		}
	}
	return false
}

func describe(ds []*delivery.Delivery) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%s %s/%d attempts", d.ID, d.Status, len(d.Attempts))
	}
	return strings.Join(parts, ", ")
}

// explain lists each attempt of the deliveries with what the receiver
// answered to that delivery, for the report.
func explain(ds []*delivery.Delivery, receipts map[string][]receipt) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s (%s):", d.ID, d.GenerationID)
		for _, a := range d.Attempts {
			fmt.Fprintf(&b, " #%d %d %q;", a.N, a.Status, a.Error)
		}
		b.WriteString(" receiver answered")
		for _, r := range receipts[d.ID] {
			b.WriteString(" " + string(r.Answer))
		}
	}
	return b.String()
}
