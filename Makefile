# `make run` serves the API on the embedded database; `make test` runs every check CI runs.
# Only Go is needed: swag is a Go tool pinned in go.mod and fetched through the module proxy.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# The exact generator invocation; docs-check depends on running the very same one.
SWAG_INIT := go tool swag init --generalInfo cmd/tcd/main.go --dir ./ --parseInternal --outputTypes go,json,yaml
SWAG_FILES := docs.go swagger.json swagger.yaml

# The race detector needs cgo, i.e. a C compiler. A machine with only Go still runs every test,
# just without the detector (CI has a compiler, so the race run happens there).
RACE := $(if $(filter 1,$(shell go env CGO_ENABLED 2>/dev/null)),-race,)

.PHONY: help run build test vet fmt-check docs docs-check clean console-screenshots

help:
	@echo "make run         serve the API on http://localhost:8080 (embedded SQLite in ./data)"
	@echo "make test        go vet, gofmt check, OpenAPI freshness check, go test $(RACE) ./..."
	@echo "make build       static binary bin/tcd ($(VERSION))"
	@echo "make docs        write the annotations' enums from the vocabulary, regenerate the OpenAPI document in api/"
	@echo "make docs-check  fail if those enums, api/ or the generated client (internal/apiclient) are stale"
	@echo "make console-screenshots  renew docs/console/*.png from the console's browser test (needs chromium)"

run:
	go run -ldflags "$(LDFLAGS)" ./cmd/tcd serve

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o bin/tcd ./cmd/tcd

test: vet fmt-check docs-check
	@if [ -z "$(RACE)" ]; then echo "note: cgo is off (no C compiler found), running the tests without -race" >&2; fi
	go test $(RACE) -count=1 -timeout 25m ./...

vet:
	go vet ./...

fmt-check:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files are not formatted (run 'gofmt -w .'):" >&2; \
		echo "$$unformatted" >&2; \
		exit 1; \
	fi

# The enums of the annotations are written from the vocabulary (internal/vocab) first; after the
# 2.0 document, its OpenAPI 3 form (api/openapi.json, what /openapi.json serves) and the client
# generated from that (internal/apiclient, oapi-codegen).
docs:
	go run ./cmd/tcd-enums ./internal
	$(SWAG_INIT) --output api
	go run ./cmd/tcd-openapi3 > api/openapi.json
	go generate ./internal/apiclient

# Regenerates into a scratch directory named api (swag derives docs.go's package name from it)
# and compares only the generated files, so hand-written files beside them in api/ do not count.
docs-check:
	@go run ./cmd/tcd-enums -check ./internal
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	$(SWAG_INIT) --output "$$tmp/api" --quiet; \
	stale=""; \
	for f in $(SWAG_FILES); do \
		if ! diff -u "api/$$f" "$$tmp/api/$$f" >>"$$tmp/diff" 2>&1; then stale="$$stale $$f"; fi; \
	done; \
	go run ./cmd/tcd-openapi3 > "$$tmp/openapi.json"; \
	diff -u api/openapi.json "$$tmp/openapi.json" >>"$$tmp/diff" 2>&1 || stale="$$stale openapi.json"; \
	(cd internal/apiclient && go tool oapi-codegen -config oapi-codegen.yaml ../../api/openapi.json) > "$$tmp/client.gen.go"; \
	diff -u internal/apiclient/client.gen.go "$$tmp/client.gen.go" >>"$$tmp/diff" 2>&1 || stale="$$stale ../internal/apiclient/client.gen.go"; \
	if [ -n "$$stale" ]; then \
		echo "docs-check: the committed OpenAPI document or client is stale (api/:$$stale)." >&2; \
		echo "docs-check: run 'make docs' and commit api/ and internal/apiclient/. First lines of the difference:" >&2; \
		head -n 40 "$$tmp/diff" >&2; \
		exit 1; \
	fi

clean:
	rm -rf bin

# The staff console's screenshots in docs/console/, taken by its browser test (needs chromium).
console-screenshots:
	TCD_CONSOLE_SCREENSHOTS=$(CURDIR)/docs/console go test ./internal/console -count=1 -run 'TestConsole(SignIn|ReceptionDay|Administration|Deadlines)'

# Each fuzz target for FUZZTIME (CI runs them briefly; run longer by hand: make fuzz FUZZTIME=5m).
# The seed corpora are the f.Add calls in each target plus any testdata/fuzz files they found.
FUZZTIME ?= 5s
FUZZ_TARGETS := ./internal/vntext:FuzzFold ./internal/vntext:FuzzNFC ./internal/idnumber:FuzzParse \
	./internal/period:FuzzParse ./internal/period:FuzzFromTo ./internal/httpapi:FuzzDecodeStrict \
	./internal/calendar/lunar:FuzzSolarRoundTrip ./internal/calendar/lunar:FuzzLunarRoundTrip \
	./internal/imports:FuzzCells

.PHONY: fuzz
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg="$${t%%:*}"; name="$${t##*:}"; \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		out="$$(go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) "$$pkg" 2>&1)" || { echo "$$out" | tail -n 40; exit 1; }; \
		echo "$$out" | tail -n 1; \
	done

# Statistics at national scale: generates BENCH_VISITS synthetic visits (34 provinces, 10 years)
# straight into PostgreSQL (BENCH_PG, default TCD_TEST_DATABASE_URL; empty skips it) and SQLite
# (data/bench; BENCH_FLAGS=-sqlite-dir= skips it), then times GET /stats/summary for a
# province-quarter, a province-year and the national year beside the plain SQL aggregate, in
# three states: the first reads after the roll-ups are rebuilt from the loaded register, after
# BENCH_CREATE_FOR of visit creates at BENCH_CREATE_RATE a second (measured as soon as they
# stop), and steady (the register vacuumed and analysed). The loaded register is kept as a bulk load
# leaves it (database tcd_bench_N, file data/bench/bench_N.db) and each run measures a copy;
# BENCH_FLAGS=-reload regenerates it.
BENCH_VISITS ?= 1000000
BENCH_CREATE_FOR ?= 10m
BENCH_CREATE_RATE ?= 50
.PHONY: bench-stats
bench-stats:
	BENCH_VISITS=$(BENCH_VISITS) BENCH_CREATE_FOR=$(BENCH_CREATE_FOR) BENCH_CREATE_RATE=$(BENCH_CREATE_RATE) \
		BENCH_PG="$${BENCH_PG-$${TCD_TEST_DATABASE_URL:-}}" go run ./cmd/tcd-bench $(BENCH_FLAGS)

# --- Reliability (issue 6): the long crash/outage tests and the load benchmark. Neither runs in
# CI, which runs the short forms of the crash and outage tests with every `go test ./...`.
.PHONY: bench-load test-long

# LOAD_DURATION (default 60s) is the length of the closed-loop mix; visit creates alone then run
# a quarter of it and the open-loop mix half of it (each at least 10 s). BENCH_DATABASE_URL (else
# TCD_TEST_DATABASE_URL) is the PostgreSQL server that hosts the throwaway database; pgbench must
# be installed.
bench-load:
	go run ./cmd/tcd-load

# 20 SIGKILLs per backend (PostgreSQL when TCD_TEST_DATABASE_URL is set) and 5 database outages.
test-long:
	TCD_TEST_LONG=1 go test -count=1 -timeout 30m -v -run 'TestAcknowledgedWritesSurviveKill|TestDatabaseOutage' ./internal/e2e/

# Scale-out (issue 18), on loopback with throwaway PostgreSQL servers (initdb, pg_basebackup; run as
# the postgres user when root): statistics reads per second through tcd against the primary alone,
# then with 1 and 2 tcd reading from a streaming replica, and the replica's lag while visits are
# created. BENCH_SCALE_VISITS (3000), BENCH_SCALE_SECONDS (10 per measurement),
# BENCH_SCALE_CLIENTS (16).
.PHONY: bench-scale
bench-scale:
	go test ./internal/e2e -run '^$$' -bench '^BenchmarkReadScale$$' -benchtime 1x -timeout 30m

# Duplicate-search quality on a generated, labelled register (dedup.GenerateVariedPersons, bulk
# loaded): precision, recall and F1 of the candidate lists and of the whole-register scan, time
# per lookup, the first lookups after a start, and the recall of every varied record (name in
# another order, i/y spelling, misheard syllable, birth year off by one, no phone) with the
# lookalikes offered; on PostgreSQL, beside it, the plain approach on the same register and lookups
# (a pg_trgm trigram index on the folded name). BENCH_PERSONS=10000,100000 (sizes), BENCH_LOOKUPS=5000; PostgreSQL is
# measured too when BENCH_DATABASE_URL or TCD_TEST_DATABASE_URL is set, alone with
# BENCH_BACKENDS=postgres. BENCH_KEEP=1 keeps each loaded register for the next run (a million
# persons: BENCH_PERSONS=1000000 BENCH_LOOKUPS=500 BENCH_BACKENDS=postgres BENCH_KEEP=1); the
# whole-register scan runs up to 100,000 persons (BENCH_SCAN=1 beyond, 0 never). After a start
# it prints the warm-up's time and heap, and the first lookups beside the same lookups again;
# BENCH_STARTS=4 measures four starts, BENCH_WARM_BYTES bounds the warm set otherwise.
.PHONY: bench-dedup
bench-dedup:
	go test ./internal/registry -run '^$$' -bench '^BenchmarkDedupQuality$$' -benchtime 1x -timeout 3h

# The import of an existing register (issue 17): writes a register of BENCH_IMPORT_ROWS rows as
# GET /exports/register writes one (XLSX), imports it with `tcd import register` into an empty
# register on SQLite and on PostgreSQL (BENCH_PG, else TCD_TEST_DATABASE_URL; empty skips it), and
# prints rows/s, the importing process's peak RSS and total time against the targets (≤ 60 s,
# ≤ 200 MB) and the first GET /stats/summary right after (≤ 10 ms); the import of
# BENCH_IMPORT_BASELINE rows, measured first in the same run, is the baseline of the rows/s ratio.
BENCH_IMPORT_ROWS ?= 100000
BENCH_IMPORT_BASELINE ?= 10000
.PHONY: bench-import
bench-import:
	go build -o bin/tcd ./cmd/tcd
	BENCH_IMPORT_ROWS=$(BENCH_IMPORT_ROWS) BENCH_IMPORT_BASELINE=$(BENCH_IMPORT_BASELINE) \
		BENCH_PG="$${BENCH_PG-$${TCD_TEST_DATABASE_URL:-}}" go run ./cmd/tcd-bench-import -tcd bin/tcd $(BENCH_FLAGS)

# The person matcher's quality at a register too large to scan pair by pair, in memory (the
# blocking and scoring of the database lookups without the database, which takes ten minutes to
# load a million persons): a sample of lookups and every varied record's, by variation.
# DEDUP_QUALITY_PERSONS=1000000 (default 100000; a million take about four minutes).
.PHONY: bench-dedup-memory
bench-dedup-memory:
	go test ./internal/dedup -run '^$$' -bench '^BenchmarkVariedRegisterLookups$$' -benchtime 1x -timeout 2h

# Duplicate cases as a clerk meets them, on a generated, labelled register (dedup.GenerateCaseRegister):
# a sample of later cases opened at visits, precision, recall, recall@1 and recall@5 by kind, false
# offers on look-alikes and ordinary cases (at the cut-off, then at cut-offs from 0.1 to 0.5, the
# same lookups), lookup and visit times, beside a plain pg_trgm query when
# PostgreSQL is there. BENCH_CASES=10000,100000 (sizes), BENCH_PROBES=2000, BENCH_TRAIN=1 scans first
# (which estimates the weights); PostgreSQL via BENCH_DATABASE_URL or TCD_TEST_DATABASE_URL.
.PHONY: bench-case-dedup
bench-case-dedup:
	go test ./internal/registry -run '^$$' -bench '^BenchmarkCaseDuplicates$$' -benchtime 1x -timeout 3h
