//go:build unix

package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/store"
)

// BenchmarkDedupQuality loads a generated, labelled register of persons
// (dedup.GenerateVariedPersons) through the register's own rules, then measures what staff
// would get: the precision and recall of the candidate lists at the default threshold (GET
// /persons/{id}/duplicates) of a random sample and of the whole-register scan, the time per
// lookup, and the recall of every varied record's lookup by variation with the share of
// lookalikes (one-change negatives) offered. It is a quality benchmark, not a timed
// test: `make bench-dedup` runs it once per register size (cases: BenchmarkCaseDuplicates).
//
//	BENCH_PERSONS       register sizes, comma-separated (default 10000,100000)
//	BENCH_LOOKUPS       lookups sampled per kind (default 5000)
//	BENCH_DATABASE_URL  PostgreSQL to measure too (else TCD_TEST_DATABASE_URL); a scratch
//	                    database is made on it and dropped afterwards
//	BENCH_BACKENDS      postgres: PostgreSQL alone (a register of a million persons)
//	BENCH_KEEP          1: keep each loaded register (database tcd_dedup_persons_N, file
//	                    tcd_dedup_persons_N.db in the temporary directory) and measure it
//	                    again on the next run instead of loading it anew (a million persons
//	                    take about ten minutes to load); migrations newer than it are applied
//	BENCH_PLAIN_LOOKUPS lookups of the plain pg_trgm approach (default 1000, 100 beyond
//	                    100,000 persons)
//	BENCH_WARM_BYTES    the bytes a start's warm set may hold (Config.WarmBytes; default that of
//	                    the service at the default memory limit)
//	BENCH_STARTS        starts measured, five first lookups each (default 1)
//	BENCH_SCAN          0: leave out the whole-register scan; 1: scan beyond 100,000 persons
//	                    too (by default a larger register is not scanned: it takes hours)
func BenchmarkDedupQuality(b *testing.B) {
	sizes := benchSizes(b, "BENCH_PERSONS", []int{10000, 100000})
	lookups := 5000
	if v := os.Getenv("BENCH_LOOKUPS"); v != "" {
		lookups, _ = strconv.Atoi(v)
	}
	pgURL := os.Getenv("BENCH_DATABASE_URL")
	if pgURL == "" {
		pgURL = os.Getenv("TCD_TEST_DATABASE_URL")
	}
	for i := 0; i < b.N; i++ {
		fmt.Printf("%-8s %8s %-7s %7s %9s %6s %6s %8s %8s %8s %9s %9s %6s %6s\n", "backend", "persons", "kind", "lookups",
			"precision", "recall", "F1", "p50", "p99", "cpu/op", "records", "scan", "scan P", "scan R")
		keep := os.Getenv("BENCH_KEEP") == "1"
		for _, n := range sizes {
			if os.Getenv("BENCH_BACKENDS") != "postgres" {
				dir := b.TempDir()
				if keep {
					dir = os.TempDir()
				}
				runQuality(b, "sqlite", "sqlite:"+filepath.Join(dir, fmt.Sprintf("tcd_dedup_persons_%d.db", n)), n, lookups)
			}
			if pgURL != "" {
				if keep {
					runQuality(b, "postgres", keptPostgres(b, pgURL, fmt.Sprintf("tcd_dedup_persons_%d", n)), n, lookups)
					continue
				}
				url, drop := scratchPostgres(b, pgURL)
				runQuality(b, "postgres", url, n, lookups)
				drop()
			}
		}
	}
}

// openBenchRegister opens and migrates the database at url, with its default organisation, for
// a benchmark's register. The caller closes the store.
func openBenchRegister(b *testing.B, url string) (*store.Store, *Service, orgs.Org) {
	ctx := context.Background()
	st, err := store.Open(ctx, url, store.Options{MaxOpenConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.MigrateUp(ctx); err != nil {
		b.Fatal(err)
	}
	org, err := orgs.NewService(st).EnsureDefault(ctx, "BENCH", "Ban Tiếp công dân tỉnh Quảng Trị")
	if err != nil {
		b.Fatal(err)
	}
	warm, _ := strconv.ParseInt(os.Getenv("BENCH_WARM_BYTES"), 10, 64)
	return st, NewService(st, Config{DelegationMin: 5, DefaultOrgID: org.ID, WarmBytes: warm}), org
}

func runQuality(b *testing.B, backend, url string, n, lookups int) {
	ctx := context.Background()
	st, s, org := openBenchRegister(b, url)

	people := dedup.GenerateVariedPersons(n, 1)
	loadStart := time.Now()
	persons := keptPersons(b, st, n)
	if persons == nil {
		persons = bulkLoadPersons(b, s, org.ID, people)
		fmt.Printf("%s: %d persons loaded and counted in %.0fs\n", backend, n, time.Since(loadStart).Seconds())
	} else {
		fmt.Printf("%s: %d persons kept from an earlier run, read in %.0fs\n", backend, n, time.Since(loadStart).Seconds())
	}
	if st.Dialect == store.Postgres {
		// the planner statistics autovacuum keeps in a running register, not those of a
		// database filled a minute ago
		if err := st.DB.Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}

	// persons: lookups of a sample, against the labels
	ev, varied := dedup.NewEvaluator(), dedup.NewEvaluator()
	for i, p := range people {
		ev.Label(persons[i].Seq, p)
		varied.Label(persons[i].Seq, p)
	}
	lookup := func(ev *dedup.Evaluator, i int) time.Duration {
		start := time.Now()
		found, err := s.dups.matchPerson(ctx, st.DB, actorScope(auth.System), &persons[i], DuplicateQuery{}.orDefaults(dedup.DefaultThreshold))
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		var seqs []int64
		for _, f := range found {
			seqs = append(seqs, f.seq)
		}
		ev.List(persons[i].Seq, seqs)
		return took
	}
	rng := rand.New(rand.NewPCG(2, 2))
	sample := rng.Perm(len(persons))[:min(lookups, len(persons))]
	var took []time.Duration
	cpu := cpuTime()
	for _, i := range sample {
		took = append(took, lookup(ev, i))
	}
	cpu = (cpuTime() - cpu) / time.Duration(len(took))
	fmt.Printf("%s: %d sampled lookups, p50 %s, p99 %s, cpu/op %s\n", backend, len(took), ms(pct(took, 50)), ms(pct(took, 99)), ms(cpu))
	// a start: a new service on a new connection pool, nothing parsed or cached; its first
	// lookup reads what every lookup reads. BENCH_STARTS of them, five other lookups each.
	starts, _ := strconv.Atoi(os.Getenv("BENCH_STARTS"))
	var ratios []float64 // each first lookup's time over the same lookup's again
	// the same of five persons never looked up before, in the service running before each
	// start: what a first lookup of a person costs over its second with no start at all (the
	// database's buffers, not the service's caches)
	var running []float64
	twice := func(i int) float64 {
		first := lookup(dedup.NewEvaluator(), i)
		return float64(first) / float64(lookup(dedup.NewEvaluator(), i))
	}
	for range max(starts, 1) {
		for _, i := range rng.Perm(len(persons))[:5] {
			running = append(running, twice(i))
		}
		st.Close()
		st, s, _ = openBenchRegister(b, url)
		start := time.Now()
		if err := s.dups.IndexPersons(ctx, nil); err != nil {
			b.Fatal(err)
		}
		indexTook := time.Since(start)
		heapBefore := liveHeap()
		if err := s.dups.WarmPersons(ctx, nil); err != nil {
			b.Fatal(err)
		}
		startTook := time.Since(start)
		// what the warm set holds: the live heap it added (the parsed names and addresses, kept
		// by the new service's parser), beside the whole process's
		warmBytes := liveHeap() - heapBefore
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		fmt.Printf("%s: start: index check %s, warm-up %s holding %.1f MB of heap; process peak RSS %d MB (the benchmark's own register in it)\n",
			backend, ms(indexTook), ms(startTook-indexTook), float64(warmBytes)/(1<<20), ru.Maxrss>>10)
		var firsts, firstCPU, again []time.Duration
		var parsed []int64 // names and addresses each first lookup parsed afresh
		firstFive := rng.Perm(len(persons))[:5]
		for _, i := range firstFive {
			misses, cpu := s.dups.cache.persons.Misses(), cpuTime()
			firsts = append(firsts, lookup(dedup.NewEvaluator(), i))
			firstCPU = append(firstCPU, cpuTime()-cpu)
			parsed = append(parsed, s.dups.cache.persons.Misses()-misses)
		}
		// the same lookups once more, everything they read now parsed and cached: what they
		// cost warm, for they are five persons of their own, not the sample's median
		for k, i := range firstFive {
			again = append(again, lookup(dedup.NewEvaluator(), i))
			ratios = append(ratios, float64(firsts[k])/float64(again[k]))
		}
		fmt.Printf("%s: after a start (counts current, common names parsed: %s), the first lookups took %v (%.1f× the steady p50 %s; this process's CPU %v), parsing %v names and addresses afresh; the same lookups again %v\n",
			backend, ms(startTook), firsts, float64(slices.Max(firsts))/float64(pct(took, 50)), ms(pct(took, 50)), firstCPU, parsed, again)
	}
	defer st.Close()
	slices.Sort(ratios)
	slices.Sort(running)
	fmt.Printf("%s: the first lookups after %d starts took %.2f× (median; max %.2f×) what the same lookups took again; in a running service, a person's first lookup %.2f× (max %.2f×) its second\n",
		backend, max(starts, 1), ratios[len(ratios)/2], ratios[len(ratios)-1], running[len(running)/2], running[len(running)-1])
	// every varied record and lookalike, up to BENCH_LOOKUPS of each
	looked := map[string]int{}
	for i, p := range people {
		if kind := p.Role + " " + p.Variation; p.Variation != "" && looked[kind] < lookups {
			looked[kind]++
			lookup(varied, i)
		}
	}
	var scan ScanResult
	var scanQ dedup.Quality
	var scanTook time.Duration
	if scanning := os.Getenv("BENCH_SCAN"); scanning == "1" || scanning == "" && n <= 100_000 {
		start := time.Now()
		var pairs []ScannedPair
		var err error
		scan, pairs, err = s.dups.ScanDuplicates(ctx, "person")
		if err != nil {
			b.Fatal(err)
		}
		scanTook = time.Since(start)
		scanQ = ev.Pairs(seqPairs(pairs, idSeqs(persons)))
	}
	printQuality(backend, n, "person", ev.Quality(), took, cpu, scan, scanTook, scanQ)
	fmt.Printf("lookups of the varied records and lookalikes (%s, %d persons):\n", backend, n)
	for _, line := range dedup.VariationReport(varied.Quality()) {
		fmt.Println(line)
	}
	if st.Dialect != store.Postgres {
		return
	}
	// the first of the same sample: a trigram lookup among a million names takes far longer
	plainSample := sample[:min(len(sample), plainLookups(n))]
	for _, cutoff := range plainCutoffs {
		p := plainPersonQuality(b, st, people, persons, plainSample, cutoff)
		fmt.Printf("%-8s %8d %-7s %7d %9.3f %6.3f %6.3f %8s %8s   (plain pg_trgm, similarity >= %.1f; tcd's p50 is %.2fx its p50)\n",
			"pg_trgm", n, "person", p.q.Lists, p.q.Precision, p.q.Recall, p.q.F1, ms(pct(p.took, 50)), ms(pct(p.took, 99)),
			p.cutoff, float64(pct(took, 50))/float64(max(pct(p.took, 50), 1)))
	}
}

// plainLookups bounds the plain approach's lookups, taken from the start of tcd's sample: a
// thousand, or a hundred beyond 100,000 persons, where each takes about a second
// (BENCH_PLAIN_LOOKUPS sets it).
func plainLookups(persons int) int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_PLAIN_LOOKUPS")); err == nil {
		return n
	}
	if persons > 100_000 {
		return 100
	}
	return 1000
}

// plainCutoffs are the similarity thresholds the plain approach is measured at: pg_trgm's own
// default, and a stricter one such as a deployment tunes to for fewer false candidates.
var plainCutoffs = []float64{trigramCutoff, 0.6}

// plainQuality is the plain approach's quality and time on the same sampled lookups as tcd's.
type plainQuality struct {
	cutoff float64
	q      dedup.Quality
	took   []time.Duration
}

// plainPersonQuality measures the plain approach to duplicate persons: a pg_trgm index on the
// folded name, as SORMAS uses for its person search (persons_name_trgm_idx, which the register
// has anyway). The candidates are the persons whose name's trigram similarity reaches cutoff,
// gender and birth year agreeing where both are known, best first, as many as tcd offers. The threshold is the session's
// pg_trgm.similarity_threshold, so that the index itself applies it.
func plainPersonQuality(b *testing.B, st *store.Store, people []dedup.Labelled, persons []personRow, sample []int, cutoff float64) plainQuality {
	ctx := context.Background()
	ev := dedup.NewEvaluator()
	for i, p := range people {
		ev.Label(persons[i].Seq, p)
	}
	out := plainQuality{cutoff: cutoff}
	err := st.Pinned(ctx, func(db *gorm.DB) error {
		if err := db.Exec(fmt.Sprintf("SET pg_trgm.similarity_threshold = %g", cutoff)).Error; err != nil {
			return err
		}
		defer db.Exec("RESET pg_trgm.similarity_threshold")
		for _, i := range sample {
			p := &persons[i]
			start := time.Now()
			var seqs []int64
			err := db.WithContext(ctx).Raw(`SELECT seq FROM persons
				WHERE name_folded % ? AND seq <> ? AND voided_at IS NULL AND merged_into IS NULL
				AND (gender = ? OR gender = 'unknown' OR ? = 'unknown')
				AND (birth_year IS NULL OR CAST(? AS integer) IS NULL OR birth_year = ?)
				ORDER BY similarity(name_folded, ?) DESC, seq LIMIT ?`,
				p.NameFolded, p.Seq, p.Gender, p.Gender, p.BirthYear, p.BirthYear, p.NameFolded, defaultDuplicates).Scan(&seqs).Error
			if err != nil {
				return err
			}
			out.took = append(out.took, time.Since(start))
			ev.List(p.Seq, seqs)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	out.q = ev.Quality()
	return out
}

// bulkLoadPersons writes the generated persons the way a bulk import of a register would: each
// through the person rules (checkPerson), many rows a statement and ten thousand a
// transaction, without an audit entry each; the counts person matching reads are then made
// once, as a start makes them for a register without them. It returns the rows in the order
// given.
func bulkLoadPersons(b *testing.B, s *Service, orgID string, people []dedup.Labelled) []personRow {
	ctx := context.Background()
	rows := make([]personRow, len(people))
	for i, p := range people {
		rows[i] = personRow{Meta: s.newMeta(orgID), FullName: p.FullName, Gender: p.Gender, BirthYear: p.BirthYear,
			IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address}
		if err := s.checkPerson(&rows[i]); err != nil {
			b.Fatalf("person %d %+v: %v", i, p.Person, err)
		}
	}
	perStatement := 1000
	if s.store.Dialect == store.SQLite {
		perStatement = 100 // the SQLite driver binds parameters in quadratic time
	}
	for chunk := range slices.Chunk(rows, 10_000) {
		if err := s.store.Tx(ctx, func(tx *gorm.DB) error { return tx.WithContext(ctx).CreateInBatches(chunk, perStatement).Error }); err != nil {
			b.Fatal(err)
		}
	}
	if rows[len(rows)-1].Seq == 0 {
		b.Fatal("the insert did not give the rows their seq")
	}
	if err := s.dups.IndexPersons(ctx, nil); err != nil {
		b.Fatal(err)
	}
	return rows
}

// loadPersons registers the generated persons through the person rules, a thousand per
// transaction, and returns their ids and rows in the order given.
func loadPersons(b *testing.B, s *Service, orgID string, people []dedup.Labelled) ([]string, []personRow) {
	ctx := context.Background()
	ids := make([]string, len(people))
	rows := make([]personRow, len(people))
	for lo := 0; lo < len(people); lo += 1000 {
		err := s.store.Tx(ctx, func(tx *gorm.DB) error {
			for i := lo; i < min(lo+1000, len(people)); i++ {
				p := people[i]
				row, err := s.createPerson(ctx, tx, auth.System, orgID, NewPerson{FullName: p.FullName, Gender: p.Gender,
					BirthYear: p.BirthYear, IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address})
				if err != nil {
					return fmt.Errorf("person %d %+v: %w", i, p.Person, err)
				}
				ids[i], rows[i] = row.ID, *row
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return ids, rows
}

func idSeqs(rows []personRow) map[string]int64 {
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Seq
	}
	return out
}

func seqPairs(pairs []ScannedPair, seqOf map[string]int64) []dedup.Pair {
	out := make([]dedup.Pair, len(pairs))
	for i, p := range pairs {
		out[i] = dedup.Pair{A: seqOf[p.IDs[0]], B: seqOf[p.IDs[1]], Match: p.Match}
	}
	return out
}

func printQuality(backend string, n int, kind string, q dedup.Quality, took []time.Duration, cpu time.Duration, scan ScanResult, scanTook time.Duration, sq dedup.Quality) {
	fmt.Printf("%-8s %8d %-7s %7d %9.3f %6.3f %6.3f %8s %8s %8s %9d %8.1fs %6.3f %6.3f\n", backend, n, kind, q.Lists,
		q.Precision, q.Recall, q.F1, ms(pct(took, 50)), ms(pct(took, 99)), ms(cpu), scan.Records, scanTook.Seconds(), sq.Precision, sq.Recall)
}

// cpuTime is the CPU time this process has used so far, as the kernel counts it (the embedded
// SQLite included): on a shared machine it says what a lookup costs where wall-clock time says
// how busy the machine was. PostgreSQL's own work is not in it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// keptPostgres is the database name on the server at adminURL, made when missing: a register
// kept between runs (BENCH_KEEP).
func keptPostgres(b *testing.B, adminURL, name string) string {
	ctx := context.Background()
	admin, err := store.Open(ctx, adminURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.DB.Raw("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists).Error; err != nil {
		b.Fatal(err)
	}
	if !exists {
		if err := admin.DB.Exec("CREATE DATABASE " + name).Error; err != nil {
			b.Fatal(err)
		}
	}
	return databaseURL(adminURL, name)
}

// keptPersons are the persons of a register an earlier run loaded and kept, in the order they
// were generated (their seq), or nil when the register holds not exactly n of them (a new or
// unfinished one, which is then loaded anew: the load removes nothing).
func keptPersons(b *testing.B, st *store.Store, n int) []personRow {
	var count int64
	if err := st.DB.Model(&personRow{}).Count(&count).Error; err != nil {
		b.Fatal(err)
	}
	if count == 0 {
		return nil
	}
	if count != int64(n) {
		b.Fatalf("the kept register holds %d persons, not %d: drop it (or remove its file) to load it anew", count, n)
	}
	var rows []personRow
	if err := st.DB.Order("seq").FindInBatches(&[]personRow{}, 50_000, func(tx *gorm.DB, _ int) error {
		rows = append(rows, *tx.Statement.Dest.(*[]personRow)...)
		return nil
	}).Error; err != nil {
		b.Fatal(err)
	}
	return rows
}

// scratchPostgres makes an empty database on the server at adminURL, and a function that drops it.
func scratchPostgres(b *testing.B, adminURL string) (string, func()) {
	ctx := context.Background()
	admin, err := store.Open(ctx, adminURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("tcd_dedup_bench_%d", time.Now().UnixNano())
	if err := admin.DB.Exec("CREATE DATABASE " + name).Error; err != nil {
		b.Fatal(err)
	}
	return databaseURL(adminURL, name), func() {
		if a, err := store.Open(ctx, adminURL, store.Options{MaxOpenConns: 1}); err == nil {
			a.DB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	}
}

// databaseURL is adminURL naming database name instead of its own.
func databaseURL(adminURL, name string) string {
	scheme, rest, _ := strings.Cut(adminURL, "://")
	hostPart, query, hasQuery := strings.Cut(rest, "?")
	host, _, _ := strings.Cut(hostPart, "/")
	url := scheme + "://" + host + "/" + name
	if hasQuery {
		url += "?" + query
	}
	return url
}
