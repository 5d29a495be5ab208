//go:build unix

package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/store"
)

// BenchmarkCaseDuplicates loads a generated, labelled register of cases
// (dedup.GenerateCaseRegister: originals, the five ways a matter comes back, look-alikes and
// ordinary new matters) through the register's own rules, holding back a sample of the later
// cases of its last tenth; then opens each of those at a visit, in date order, once the cases
// dated before it are in (as on a Board's day: the months after a visit are not in the
// register when it opens its case), the term counts folded as tcd serve folds them, and measures
// what possible_duplicates offers: precision, recall, recall@1 and recall@5 by kind, how often
// look-alikes and ordinary cases are offered anything (at the cut-off, then at the cut-offs
// around it, in a second table), and the time of the lookup and of the visit. On PostgreSQL, a
// plain pg_trgm query (title and summary, with the same respondent or a shared person) is
// measured on the same visits beside it. `make bench-case-dedup`.
//
//	BENCH_CASES         register sizes, comma-separated (default 10000,100000)
//	BENCH_PROBES        later cases opened at visits per size (default 2000)
//	BENCH_TRAIN         1: scan the register first, which estimates the score's weights
//	BENCH_DATABASE_URL  PostgreSQL to measure too (else TCD_TEST_DATABASE_URL)
//	BENCH_BACKENDS      postgres: PostgreSQL alone (a large register takes long to load twice)
//	BENCH_STATEMENTS    1: the lookup's statements by their time, the costliest first
//
// With -cpuprofile, `go tool pprof -tagfocus phase=lookup` shows the lookups apart from the loading.
func BenchmarkCaseDuplicates(b *testing.B) {
	sizes := benchSizes(b, "BENCH_CASES", []int{10000, 100000})
	probes := 2000
	if v := os.Getenv("BENCH_PROBES"); v != "" {
		probes, _ = strconv.Atoi(v)
	}
	pgURL := os.Getenv("BENCH_DATABASE_URL")
	if pgURL == "" {
		pgURL = os.Getenv("TCD_TEST_DATABASE_URL")
	}
	train := os.Getenv("BENCH_TRAIN") == "1"
	for i := 0; i < b.N; i++ {
		for _, n := range sizes {
			if os.Getenv("BENCH_BACKENDS") != "postgres" {
				runCaseQuality(b, "sqlite", "sqlite:"+filepath.Join(b.TempDir(), "cases.db"), n, probes, train)
			}
			if pgURL != "" {
				url, drop := scratchPostgres(b, pgURL)
				runCaseQuality(b, "postgres", url, n, probes, train)
				drop()
			}
		}
	}
}

func benchSizes(b *testing.B, env string, sizes []int) []int {
	if v := os.Getenv(env); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 100 {
				b.Fatalf("%s: %q is not a register size", env, f)
			}
			sizes = append(sizes, n)
		}
	}
	return sizes
}

func runCaseQuality(b *testing.B, backend, url string, n, probes int, train bool) {
	ctx := context.Background()
	st, s, org := openBenchRegister(b, url)
	defer st.Close()
	if err := s.dups.IndexCases(ctx, nil); err != nil {
		b.Fatal(err)
	}
	reg := dedup.GenerateCaseRegister(n, 1)
	cb := &caseBench{tb: b, s: s, orgID: org.ID, sessions: map[string]string{}}
	loadStart := time.Now()
	cb.personIDs, _ = loadPersons(b, s, org.ID, reg.Persons)
	for _, d := range reg.Delegations {
		reps := make([]string, len(d.Representatives))
		for i, r := range d.Representatives {
			reps[i] = cb.personIDs[r]
		}
		created, err := s.CreateDelegation(ctx, auth.System, NewDelegation{Name: d.Name, MemberCount: d.Members, RepresentativeIDs: reps})
		if err != nil {
			b.Fatal(err)
		}
		cb.delegations = append(cb.delegations, created.ID)
	}

	// the later cases held back to be opened at visits: drawn from the register's last tenth,
	// so that every lookup meets at least nine tenths of it; each is opened, in date order,
	// once every case dated before it is in, as on a Board's day (the cases of the months after
	// a visit are not in the register yet when it opens its case)
	var later []int
	for i, c := range reg.Cases {
		if c.Later() && i >= len(reg.Cases)*9/10 {
			later = append(later, i)
		}
	}
	rng := rand.New(rand.NewPCG(3, 3))
	rng.Shuffle(len(later), func(i, j int) { later[i], later[j] = later[j], later[i] })
	opened := slices.Sorted(slices.Values(later[:min(probes, len(later))]))
	tcd, trgm := dedup.NewCaseSweep(), dedup.NewCaseEvaluator()
	loadedUpTo := 0 // reg.Cases before this index are in the register, or held
	loadBefore := func(end int) {
		var bulk []int
		for i := loadedUpTo; i < end; i++ {
			if _, held := slices.BinarySearch(opened, i); !held {
				bulk = append(bulk, i)
			}
		}
		for _, seq := range cb.loadCases(reg, bulk) {
			tcd.Label(seq.seq, reg.Cases[seq.index].Matter)
			trgm.Label(seq.seq, reg.Cases[seq.index].Matter)
		}
		loadedUpTo = end
		// tcd serve folds the pending term counts every second; a lookup after a bulk load
		// with none folded would sum a row per case for the total alone
		if err := s.dups.FoldTermCounts(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if len(opened) > 0 {
		loadBefore(opened[0])
	}
	loaded := time.Since(loadStart)
	if st.Dialect == store.Postgres {
		if err := st.DB.Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}
	trained := "defaults"
	if train {
		start := time.Now()
		if _, _, err := s.dups.ScanDuplicates(ctx, "case"); err != nil {
			b.Fatal(err)
		}
		trained = fmt.Sprintf("trained by a scan in %.1fs", time.Since(start).Seconds())
	}

	trace := &statementTrace{}
	if err := trace.watch(st.DB); err != nil {
		b.Fatal(err)
	}
	var lookups, visits []time.Duration
	var trgmTook []time.Duration
	var lookupCPU time.Duration
	for _, i := range opened {
		loadBefore(i)
		c := reg.Cases[i]
		start := time.Now()
		created, err := s.CreateVisit(ctx, auth.System, cb.newVisit(c))
		visits = append(visits, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		var row caseRow
		if err := st.DB.Where("id = ?", created.CaseID).Take(&row).Error; err != nil {
			b.Fatal(err)
		}
		tcd.Label(row.Seq, c.Matter)
		trgm.Label(row.Seq, c.Matter)
		var found []caseMatch
		trace.during(func() {
			start, cpu := time.Now(), cpuTime()
			pprof.Do(ctx, pprof.Labels("phase", "lookup"), func(ctx context.Context) {
				err = st.Pinned(ctx, func(db *gorm.DB) error {
					found, err = s.dups.matchCase(ctx, db, orgScope(row.OrgID), &row, DuplicateQuery{MinScore: 1e-9, Limit: 5, postings: intakePostings}, nil)
					return err
				})
			})
			lookups, lookupCPU = append(lookups, time.Since(start)), lookupCPU+cpuTime()-cpu
		})
		if err != nil {
			b.Fatal(err)
		}
		var ranked []dedup.Ranked
		var offered []string
		for _, f := range found {
			ranked = append(ranked, dedup.Ranked{Seq: f.row.Seq, Score: f.Score})
			if f.Score >= dedup.DefaultCaseThreshold {
				offered = append(offered, f.row.ID)
			}
		}
		var atVisit []string
		for _, p := range created.PossibleDuplicates {
			atVisit = append(atVisit, p.CaseID)
		}
		if !slices.Equal(offered, atVisit) {
			b.Fatalf("the same lookup gave another list with no write in between: %v at the visit, %v after", atVisit, offered)
		}
		tcd.List(row.Seq, c.Kind, ranked, duplicateMax)
		if st.Dialect == store.Postgres {
			start = time.Now()
			ranked, err := trigramLookup(ctx, st.DB, &row, cb.idsOf(c.Persons))
			trgmTook = append(trgmTook, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			trgm.List(row.Seq, c.Kind, ranked, trigramCutoff, duplicateMax)
		}
	}
	fmt.Printf("\n%s, %d cases (%d persons, %d delegations), %d loaded in %.0fs before the first of %d later cases of the last tenth opened at visits; weights: %s\n",
		backend, len(reg.Cases), len(reg.Persons), len(reg.Delegations), opened[0], loaded.Seconds(), len(opened), trained)
	fmt.Printf("lookup p50 %s p99 %s cpu/op %s (PostgreSQL's own work not included); visit opening a case (with possible_duplicates) p50 %s p99 %s\n",
		ms(pct(lookups, 50)), ms(pct(lookups, 99)), ms(lookupCPU/time.Duration(max(len(lookups), 1))), ms(pct(visits, 50)), ms(pct(visits, 99)))
	fmt.Printf("statements per lookup %.1f\n", float64(trace.count)/float64(max(len(lookups), 1)))
	if os.Getenv("BENCH_STATEMENTS") == "1" {
		trace.print(len(lookups))
	}
	printCaseKinds("tcd", tcd.InForce())
	fmt.Printf("tcd, offered from other scores:\n")
	tcd.Write(os.Stdout, "tcd      ")
	if st.Dialect == store.Postgres {
		fmt.Printf("pg_trgm lookup p50 %s p99 %s\n", ms(pct(trgmTook, 50)), ms(pct(trgmTook, 99)))
		printCaseKinds("pg_trgm", trgm)
	}
}

func printCaseKinds(who string, ev *dedup.CaseEvaluator) {
	fmt.Printf("%-8s %-11s %7s %9s %6s %6s %6s %8s\n", who, "kind", "lookups", "precision", "recall", "R@1", "R@5", "misled")
	for _, q := range append(ev.Kinds(), ev.All(dedup.DuplicateKinds...), ev.All()) {
		fmt.Printf("%-8s %-11s %7d %9.3f %6.3f %6.3f %6.3f %8.3f\n", who, q.Kind, q.Lookups, q.Precision, q.Recall, q.Recall1, q.Recall5, q.FalseOffers)
	}
}

// trigramCutoff is pg_trgm's own default similarity threshold.
const trigramCutoff = 0.3

// trigramLookup is the plain PostgreSQL answer: the cases against the same respondent or with
// a person in common, ranked by the trigram similarity of title and summary.
func trigramLookup(ctx context.Context, db *gorm.DB, c *caseRow, personIDs []string) ([]dedup.Ranked, error) {
	text := c.TitleFolded
	if c.Summary != nil {
		text += " " + strings.ToLower(*c.Summary)
	}
	respondent := ""
	if c.Respondent != nil {
		respondent = strings.ToLower(*c.Respondent)
	}
	var out []dedup.Ranked
	err := db.WithContext(ctx).Raw(`SELECT seq, similarity(title_folded || ' ' || lower(coalesce(summary, '')), ?) AS score
		FROM cases WHERE org_id = ? AND seq <> ? AND voided_at IS NULL AND merged_into IS NULL
		AND (lower(respondent) = ? OR seq IN (SELECT v.case_seq FROM visits v JOIN visit_persons vp ON vp.visit_id = v.id
			WHERE vp.person_id IN ? AND v.voided_at IS NULL))
		ORDER BY score DESC, seq DESC LIMIT 5`, text, c.OrgID, c.Seq, respondent, append(personIDs, "")).Scan(&out).Error
	return out, err
}
