package receiver

import (
	"container/list"
	"sync"
)

// recentKeys is a set of keys bounded in size: when full, the least
// recently added or seen key is forgotten.
type recentKeys struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent
	index map[string]*list.Element
}

func newRecentKeys(max int) *recentKeys {
	return &recentKeys{max: max, order: list.New(), index: make(map[string]*list.Element)}
}

// add records key and reports whether it is new.
func (s *recentKeys) add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.index[key]; ok {
		s.order.MoveToFront(e)
		return false
	}
	s.index[key] = s.order.PushFront(key)
	if s.order.Len() > s.max {
		oldest := s.order.Back()
		s.order.Remove(oldest)
		delete(s.index, oldest.Value.(string))
	}
	return true
}

// has reports whether key is present, without recording it.
func (s *recentKeys) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.index[key]
	return ok
}

// forget removes key, if present.
func (s *recentKeys) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.index[key]; ok {
		s.order.Remove(e)
		delete(s.index, key)
	}
}
