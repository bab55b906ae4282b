package suites

import (
	"maps"
	"slices"
)

// ImplementedIDs returns the check IDs that have an implementation, sorted.
func ImplementedIDs() []string { return slices.Sorted(maps.Keys(implementations)) }

// ExclusiveOrder is phase 2 of a run.
var ExclusiveOrder = exclusiveOrder
