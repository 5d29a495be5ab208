//go:build !bigtest

package export_test

// Without the bigtest tag the scale test checks the streaming path on a small register read in
// several batches, quickly even under -race, and asserts no limits.
const (
	scaleVisits     = 300
	scaleBatch      = 128
	scaleEnforced   = false
	scaleOnPostgres = true
)
