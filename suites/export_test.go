package suites

// ExclusiveOrder is phase 2 of a run.
var ExclusiveOrder = RunOrder()

// HasRun reports whether a catalogue entry has its run function.
func HasRun(c Check) bool { return c.run != nil }
