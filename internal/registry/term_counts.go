package registry

import (
	"context"
	"maps"
	"slices"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/store"
)

// Duplicate search weighs what two records share by how many live records hold it: a term
// counts table per kind of record (person_term_counts, case_term_counts), the term "" counting
// the records themselves. Every person or case written changes some of those counts, and a
// register's writes all change the same few rows (the total, this year, a frequent family
// name). Changed in place, each writer would lock those rows until its commit and every
// concurrent write would queue behind it: at a national register most of 50 visit creates a
// second timed out. So a writer appends its changes to a table of pending changes (the deltas),
// which locks nothing another writer needs; a read adds the pending changes to the counts, and
// tcd serve folds them into the counts every second (FoldTermCounts), so a read sums a few rows
// per term.

// termCounter is one kind of record's counts and its pending changes.
type termCounter struct {
	counts, deltas string // tables
	column         string // the count's column, the same in both
}

var (
	personTerms = termCounter{counts: "person_term_counts", deltas: "person_term_deltas", column: "persons"}
	caseTerms   = termCounter{counts: "case_term_counts", deltas: "case_term_deltas", column: "cases"}
)

// termDelta is a change of d to each of terms.
func termDelta(terms []string, d int64) map[string]int64 {
	out := make(map[string]int64, len(terms))
	for _, t := range terms {
		out[t] = d
	}
	return out
}

// add appends delta to the pending changes, in tx: it lands, or not, with the write it comes from.
func (c termCounter) add(ctx context.Context, tx *gorm.DB, delta map[string]int64) error {
	return c.write(ctx, tx, c.deltas, delta, "")
}

// addToCounts adds delta to the counts themselves: a recount or a fold, never a request's write.
// The rows are locked in the order of the terms, so two folds at once never deadlock.
func (c termCounter) addToCounts(ctx context.Context, tx *gorm.DB, delta map[string]int64) error {
	return c.write(ctx, tx, c.counts, delta,
		" ON CONFLICT (term) DO UPDATE SET "+c.column+" = "+c.counts+"."+c.column+" + excluded."+c.column)
}

// write inserts the non-zero changes of delta into table, in the order of the terms.
func (c termCounter) write(ctx context.Context, tx *gorm.DB, table string, delta map[string]int64, onConflict string) error {
	var rows [][]any
	for _, t := range slices.Sorted(maps.Keys(delta)) {
		if delta[t] != 0 {
			rows = append(rows, []any{t, delta[t]})
		}
	}
	return store.InsertRows(ctx, tx, table, []string{"term", c.column}, rows, onConflict)
}

// read gives the counts of terms, pending changes included; a term never counted is left out.
// Both tables are read in one statement, so a fold committing meanwhile is seen whole or not at all.
func (c termCounter) read(ctx context.Context, db *gorm.DB, terms []string) (map[string]int, error) {
	out := make(map[string]int, len(terms))
	// on PostgreSQL a person lookup's terms (several hundred at a large register) take one
	// round trip
	for chunk := range slices.Chunk(terms, store.RowsPerStatement(db)) {
		if err := c.scan(ctx, db, "WHERE term IN ?", []any{chunk}, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readAll gives every count, pending changes included (a scan of the whole register).
func (c termCounter) readAll(ctx context.Context, db *gorm.DB) (map[string]int, error) {
	out := map[string]int{}
	return out, c.scan(ctx, db, "", nil, out)
}

func (c termCounter) scan(ctx context.Context, db *gorm.DB, where string, args []any, out map[string]int) error {
	var rows []struct {
		Term  string
		Count int
	}
	err := db.WithContext(ctx).Raw(`SELECT term, SUM(n) AS count FROM (
		SELECT term, `+c.column+` AS n FROM `+c.counts+` `+where+`
		UNION ALL SELECT term, `+c.column+` FROM `+c.deltas+` `+where+`) t GROUP BY term`, append(args, args...)...).
		Scan(&rows).Error
	for _, r := range rows {
		out[r.Term] = r.Count
	}
	return err
}

// reset empties the counts and the pending changes, for a recount. The pending changes go
// first, as a fold takes them first: a fold under way makes this wait instead of deadlocking.
func (c termCounter) reset(ctx context.Context, tx *gorm.DB) error {
	db := tx.WithContext(ctx)
	if err := db.Exec("DELETE FROM " + c.deltas).Error; err != nil {
		return err
	}
	return db.Exec("DELETE FROM " + c.counts).Error
}

// foldBatch bounds one fold's transaction: a backlog (a bulk import) is folded over several.
const foldBatch = 20_000

// fold moves the oldest pending changes into the counts, in one transaction, and says whether
// some are left. Replicas folding at once take disjoint changes: a change another fold took
// is gone when its transaction commits.
func (c termCounter) fold(ctx context.Context, st *store.Store) (more bool, err error) {
	var pending bool
	if err := st.DB.WithContext(ctx).Raw("SELECT EXISTS (SELECT 1 FROM " + c.deltas + ")").Scan(&pending).Error; err != nil || !pending {
		return false, err
	}
	err = st.Tx(ctx, func(tx *gorm.DB) error {
		db := tx.WithContext(ctx)
		if st.Dialect == store.Postgres {
			// derived data moved within one transaction: a crash that loses the commit loses
			// both halves, and the changes are folded again
			if err := db.Exec("SET LOCAL synchronous_commit = off").Error; err != nil {
				return err
			}
		}
		var taken []struct {
			Term string
			N    int64
		}
		// the oldest changes as a range of seq, which every plan takes in one pass: as
		// "seq IN (the oldest)", a plan made when the table was last seen empty (vacuumed after
		// a fold, store.TidyAfterBulkWrite) scanned the whole table for each change taken
		if err := db.Raw("DELETE FROM "+c.deltas+" WHERE seq <= (SELECT MAX(seq) FROM (SELECT seq FROM "+c.deltas+
			" ORDER BY seq LIMIT ?) AS oldest) RETURNING term, "+c.column+" AS n", foldBatch).Scan(&taken).Error; err != nil {
			return err
		}
		more = len(taken) == foldBatch
		sum := map[string]int64{}
		for _, t := range taken {
			sum[t.Term] += t.N
		}
		return c.addToCounts(ctx, tx, sum)
	})
	return more, err
}

// FoldTermCounts folds the pending changes of duplicate search's term counts into the counts.
// Reads are exact without it; it keeps them reading a few rows per term.
func (d *Duplicates) FoldTermCounts(ctx context.Context) error {
	for _, c := range []termCounter{personTerms, caseTerms} {
		for more := true; more; {
			var err error
			if more, err = c.fold(ctx, d.reg.store); err != nil {
				return err
			}
		}
	}
	return nil
}
