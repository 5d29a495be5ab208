//go:build bigtest

package export_test

// With -tags=bigtest the scale test seeds 100,000 visits on SQLite (the requirement's database)
// and fails beyond 5 s or 50 MB above idle per format.
const (
	scaleVisits     = 100_000
	scaleEnforced   = true
	scaleOnPostgres = false
)
