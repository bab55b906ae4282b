package delivery

import (
	"container/heap"
	"time"
)

// fifo is a first-in, first-out queue of records.
type fifo struct {
	items []*record
	head  int
}

func (q *fifo) len() int { return len(q.items) - q.head }

func (q *fifo) push(r *record) { q.items = append(q.items, r) }

func (q *fifo) pop() *record {
	r := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	// Reclaim the consumed front once it is most of the slice, so a queue
	// that never drains completely does not grow without bound.
	if q.head > 64 && q.head*2 >= len(q.items) {
		q.items = append(q.items[:0], q.items[q.head:]...)
		q.head = 0
	}
	return r
}

// waitList holds pending deliveries ordered by the time of their next
// attempt; one timer, armed for the earliest, serves them all.
type waitList []*record

func (w waitList) Len() int           { return len(w) }
func (w waitList) Less(i, j int) bool { return w[i].due.Before(w[j].due) }
func (w waitList) Swap(i, j int)      { w[i], w[j] = w[j], w[i] }
func (w *waitList) Push(x any)        { *w = append(*w, x.(*record)) }
func (w *waitList) Pop() any {
	old := *w
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*w = old[:len(old)-1]
	return r
}

func (w *waitList) add(r *record) { heap.Push(w, r) }

// next returns the earliest record without removing it.
func (w waitList) next() (*record, bool) {
	if len(w) == 0 {
		return nil, false
	}
	return w[0], true
}

// popDue removes and returns the earliest record if it is due at now.
func (w *waitList) popDue(now time.Time) (*record, bool) {
	if len(*w) == 0 || (*w)[0].due.After(now) {
		return nil, false
	}
	return heap.Pop(w).(*record), true
}
