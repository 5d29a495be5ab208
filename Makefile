
# --- Reliability (issue 6): the long crash/outage tests and the load benchmark. Neither runs in
# CI, which runs the short forms of the crash and outage tests with every `go test ./...`.
.PHONY: bench-load test-long

# LOAD_DURATION (default 60s) shortens the load; BENCH_DATABASE_URL (else TCD_TEST_DATABASE_URL)
# is the PostgreSQL server that hosts the throwaway database; pgbench must be installed.
bench-load:
	go run ./cmd/tcd-load

# 20 SIGKILLs per backend (PostgreSQL when TCD_TEST_DATABASE_URL is set) and 5 database outages.
test-long:
	TCD_TEST_LONG=1 go test -count=1 -timeout 30m -v -run 'TestAcknowledgedWritesSurviveKill|TestDatabaseOutage' ./internal/e2e/
