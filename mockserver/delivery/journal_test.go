package delivery_test

import (
	"errors"
	"slices"
	"sync"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// memJournal is an in-memory Journal that also keeps the history of
// writes, so tests can check what was journaled and in which order.
type memJournal struct {
	mu      sync.Mutex
	stored  map[string]delivery.Delivery
	saves   []delivery.Delivery
	deleted []string
	loadErr error
}

func newMemJournal(ds ...delivery.Delivery) *memJournal {
	j := &memJournal{stored: map[string]delivery.Delivery{}}
	for _, d := range ds {
		j.stored[d.ID] = d
	}
	return j
}

func (j *memJournal) SaveDelivery(d delivery.Delivery) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if d.Secret == "" || len(d.Body) == 0 {
		return errors.New("journal: delivery without secret or body")
	}
	d.Attempts = slices.Clone(d.Attempts)
	j.stored[d.ID] = d
	j.saves = append(j.saves, d)
	return nil
}

func (j *memJournal) DeleteDelivery(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.stored, id)
	j.deleted = append(j.deleted, id)
	return nil
}

func (j *memJournal) LoadDeliveries() ([]delivery.Delivery, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.loadErr != nil {
		return nil, j.loadErr
	}
	out := make([]delivery.Delivery, 0, len(j.stored))
	for _, d := range j.stored {
		d.Attempts = slices.Clone(d.Attempts)
		out = append(out, d)
	}
	return out, nil
}

// copy returns a journal holding what j holds now: the state a crash at
// this instant would leave on disk.
func (j *memJournal) copy() *memJournal {
	ds, _ := j.LoadDeliveries()
	return newMemJournal(ds...)
}

// get returns the stored delivery, or the zero Delivery.
func (j *memJournal) get(id string) delivery.Delivery {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.stored[id]
}

// savesOf returns the journaled versions of one delivery, in order.
func (j *memJournal) savesOf(id string) []delivery.Delivery {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []delivery.Delivery
	for _, d := range j.saves {
		if d.ID == id {
			out = append(out, d)
		}
	}
	return out
}

func (j *memJournal) deletedIDs() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.deleted)
}
