//go:build !bigtest

package export_test

// Without the bigtest tag the scale test checks the streaming path on a register that spans a
// few batches, quickly, and asserts no limits.
const (
	scaleVisits     = 4000
	scaleEnforced   = false
	scaleOnPostgres = true
)
