package stats

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/store"
)

// The roll-ups (migration 00003) hold per organisation, day or month, and bucket the sessions
// held, the visits, persons and the set of surviving cases, and per surviving case and
// organisation its first day. Triggers queue what every write touches; refresh recomputes exactly
// those days, months and roots from the register before a statistic is read, so the roll-ups
// are a cache that is never stale, and writers need not know they exist.

// bucketFirst is the stats_days row of the cases first received that day.
const bucketFirst = "first"

// bucketOf names the roll-up row of a visit: its session kind and host role.
func bucketOf(kind, hostRole string) string { return kind + ":" + hostRole }

// fullRebuildAt is the queue length (marks, before duplicates are merged) from which one pass
// over the whole register is cheaper than recomputing day by day: after a bulk load, or on the
// first request after the migration.
var fullRebuildAt = 20_000

// batchSize bounds the rows (or values) of one statement: the SQLite driver binds parameters
// in time quadratic in their number, so a few hundred per statement is fastest there.
const batchSize = 100

// mergeLimit is the most queued new visits a read on PostgreSQL adds to the roll-ups in memory
// rather than wait for a refresh: a few hundred visits are one query and a few lookups of
// their cases' first days; a longer queue is folded into the roll-ups by the read that finds it.
const mergeLimit = 300

// queued is what the queued new visits change in the roll-ups, for a read that does not wait
// for a refresh: additions to stats_days rows (by day), and cases whose first day moved earlier.
type queued struct {
	additions []rollup
	moved     []first
}

// withFreshRollups calls read with a database handle whose roll-ups, together with pending, are
// exactly the register as of the call. Under a steady stream of new visits, a refresh before
// every read made readers queue behind one another's refreshes (each a write transaction),
// hundreds of milliseconds under load. On PostgreSQL, when all that is queued is a few new
// visits, read runs in one repeatable-read snapshot that also reads the queue, and adds the
// visits as a refresh would, without writing; otherwise, and on SQLite (where a transaction
// would take the write lock), the roll-ups are refreshed first and pending is empty. A read
// routed to a replica takes its snapshot there; one that needs a refresh reads on the primary
// where it refreshed, as the replica may not have replayed the refresh yet.
func (s *Service) withFreshRollups(ctx context.Context, read func(db *gorm.DB, pending queued) error) error {
	if s.store.Dialect == store.Postgres {
		merged := false
		err := s.store.Reader(ctx).Transaction(func(tx *gorm.DB) error {
			pending, ok, err := queuedChanges(tx)
			if err != nil || !ok {
				return err
			}
			merged = true
			return read(tx, pending)
		}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil || merged {
			return err
		}
	}
	ctx = store.OnPrimary(ctx)
	if err := s.refresh(ctx); err != nil {
		return err
	}
	return read(s.store.DB.WithContext(ctx), queued{})
}

// queuedChanges is what the queued new visits change, read in tx's snapshot; ok is false when
// the roll-ups need a refresh instead: marks other than new visits are queued, more than
// mergeLimit visits are, or a case becomes shared between organisations.
func queuedChanges(tx *gorm.DB) (pending queued, ok bool, err error) {
	var refreshFirst bool
	if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM stats_dirty_days) OR EXISTS (SELECT 1 FROM stats_dirty_roots)`).
		Scan(&refreshFirst).Error; err != nil || refreshFirst {
		return queued{}, false, err
	}
	// The queue's entries alone, at most one more than can be merged, then their visits by
	// primary key: no statement joins the queue, so none is planned from the queue's statistics.
	// Those lag far behind a queue that fills and empties in bulk: after a load and its rebuild
	// the planner took the empty queue for a million rows and hashed every case on each read.
	var seqs []int64
	if err := tx.Raw("SELECT visit_seq FROM stats_new_visits LIMIT ?", mergeLimit+1).Scan(&seqs).Error; err != nil || len(seqs) > mergeLimit {
		return queued{}, false, err
	}
	visits, err := visitsBySeq(tx, seqs)
	if err != nil {
		return queued{}, false, err
	}
	roots := map[int64]struct{}{}
	created, moved, err := settleFirsts(tx, visits, roots)
	if err != nil || len(roots) > 0 {
		return queued{}, false, err
	}
	return queued{additions: newVisitRollups(visits, created, nil), moved: moved}, true, nil
}

// Refresh brings the roll-ups up to date with the register now, and now and then tidies the
// statistics tables (see tidy.go). tcd serve calls it every second (see app), so that the queue
// a statistics read adds in memory stays short and a read seldom finds one long enough to wait
// for a refresh of its own.
func (s *Service) Refresh(ctx context.Context) error {
	if err := s.refresh(ctx); err != nil {
		return err
	}
	return s.tidyIfDue(ctx)
}

// refresh brings the roll-ups up to date with the register. Refreshes are serialised (one
// process at a time per database); the queue is taken with DELETE … RETURNING in the same
// transaction that rewrites the roll-ups, so a failure leaves the marks for the next attempt and
// marks committed meanwhile wait for the next refresh.
func (s *Service) refresh(ctx context.Context) error {
	var pending bool
	if err := s.store.DB.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM stats_dirty_days) OR EXISTS (SELECT 1 FROM stats_dirty_roots)
		OR EXISTS (SELECT 1 FROM stats_new_visits)`).
		Scan(&pending).Error; err != nil || !pending {
		return err
	}
	arrived := s.refreshes.Load()
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	if s.lastGood > arrived {
		return nil // a refresh that began after this reader arrived has completed
	}
	gen := s.refreshes.Add(1)
	rebuilt, err := s.rewriteRollups(ctx)
	if err != nil {
		return err
	}
	s.lastGood = gen
	if rebuilt {
		s.tidyAfterRebuild(ctx)
	}
	return nil
}

// rewriteRollups takes the queued marks and rewrites the roll-ups they touch, in one transaction;
// rebuilt says whether that was all of them.
func (s *Service) rewriteRollups(ctx context.Context) (rebuilt bool, err error) {
	// Detached from the request: a refresh after a bulk load can outlast one request's timeout,
	// and cancelling it would only make the next request start the same work again.
	ctx = context.WithoutCancel(ctx)
	rewrite := func(tx *gorm.DB) error {
		if s.store.Dialect == store.Postgres {
			// The store bounds statements for requests; rebuilding a national register's
			// roll-ups is one-off work that may take longer. The roll-ups are derived from the
			// register and the marks they consume are in the same transaction, so a crash that
			// loses this commit loses both and the next refresh does the work again: no reader
			// needs to wait for the commit's flush. The table lock serialises refreshes (reads
			// of the roll-ups go on) and, taken before any query, comes before the snapshot.
			if err := tx.Exec(`SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0;
				SET LOCAL synchronous_commit = off; LOCK TABLE stats_days IN EXCLUSIVE MODE`).Error; err != nil {
				return err
			}
		}
		// After a bulk load the queue holds millions of marks: counted up to the threshold,
		// dropped, and the whole register rolled up in one pass.
		var queued int
		if err := tx.Raw(`SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM stats_dirty_days LIMIT ?) d) +
			(SELECT COUNT(*) FROM (SELECT 1 FROM stats_dirty_roots LIMIT ?) r) +
			(SELECT COUNT(*) FROM (SELECT 1 FROM stats_new_visits LIMIT ?) n)`, fullRebuildAt, fullRebuildAt, fullRebuildAt).
			Scan(&queued).Error; err != nil {
			return err
		}
		if rebuilt = queued >= fullRebuildAt; rebuilt {
			for _, queue := range []string{"stats_dirty_days", "stats_dirty_roots", "stats_new_visits"} {
				if err := tx.Exec("DELETE FROM " + queue).Error; err != nil {
					return err
				}
			}
			return rebuild(tx)
		}
		roots, err := takeRoots(tx)
		if err != nil {
			return err
		}
		days, err := takeDays(tx)
		if err != nil {
			return err
		}
		// taken first, then read: a visit queued meanwhile stays queued for the next refresh
		var seqs []int64
		if err := tx.Raw("DELETE FROM stats_new_visits RETURNING visit_seq").Scan(&seqs).Error; err != nil {
			return err
		}
		visits, err := visitsBySeq(tx, seqs)
		if err != nil {
			return err
		}
		firsts, moved, err := settleFirsts(tx, visits, roots)
		if err != nil {
			return err
		}
		for _, m := range moved { // recomputed with their days, which is rare enough
			roots[m.RootSeq] = struct{}{}
		}
		if err := insertFirsts(tx, firsts); err != nil {
			return err
		}
		touched, err := refreshFirsts(tx, roots)
		if err != nil {
			return err
		}
		for d := range touched {
			days[d] = struct{}{}
		}
		if err := refreshDays(tx, days); err != nil {
			return err
		}
		added := newVisitRollups(visits, firsts, days)
		if err := addRollups(tx, "stats_days", "date", added); err != nil {
			return err
		}
		// the months of the days recomputed are recomputed from their days, which hold the
		// additions by now; the others take the additions as the days did
		months := monthsOfDays(days)
		if err := refreshMonths(tx, months); err != nil {
			return err
		}
		return addRollups(tx, "stats_months", "month", slices.DeleteFunc(foldRollups(added, monthKeys), func(r rollup) bool {
			_, recomputed := months[day{r.org, r.key}]
			return recomputed
		}))
	}
	// Every statement must see the register as of one moment: a visit committed between the
	// statement that takes its queue mark and one that recomputes its day would otherwise be
	// counted by the recompute and again by the mark a later refresh takes (or the reverse:
	// recomputed without it, its mark taken and dropped). PostgreSQL gives the transaction one
	// snapshot (repeatable read); on SQLite the refresh holds the write lock throughout.
	if s.store.Dialect == store.Postgres {
		err = s.store.DB.WithContext(ctx).Transaction(rewrite, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	} else {
		err = s.store.Tx(ctx, rewrite)
	}
	return rebuilt, err
}

type day struct{ org, date string }

func takeRoots(tx *gorm.DB) (map[int64]struct{}, error) {
	rows, err := tx.Raw("DELETE FROM stats_dirty_roots RETURNING root_seq").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]struct{}{}
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out[r] = struct{}{}
	}
	return out, rows.Err()
}

func takeDays(tx *gorm.DB) (map[day]struct{}, error) {
	rows, err := tx.Raw("DELETE FROM stats_dirty_days RETURNING org_id, date").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[day]struct{}{}
	for rows.Next() {
		var d day
		if err := rows.Scan(&d.org, &d.date); err != nil {
			return nil, err
		}
		out[d] = struct{}{}
	}
	return out, rows.Err()
}

// newVisit is a visit queued by its insert, as the roll-ups count it.
type newVisit struct {
	OrgID, Date, Kind, HostRole string
	Headcount                   int
	RootSeq                     int64
}

// newVisitQuery reads the live visits among some seqs as the roll-ups count them.
const newVisitQuery = `SELECT v.org_id, v.date, v.kind, COALESCE(s.host_role, '') AS host_role, v.headcount, c.root_seq
FROM visits v JOIN cases c ON c.seq = v.case_seq JOIN sessions s ON s.id = v.session_id
WHERE v.voided_at IS NULL AND v.seq IN ?`

// visitsBySeq reads the visits with the given seqs (queued by their insert) that are still live,
// by date, a batch of primary keys a statement.
func visitsBySeq(tx *gorm.DB, seqs []int64) ([]newVisit, error) {
	var out []newVisit
	for start := 0; start < len(seqs); start += batchSize {
		var batch []newVisit
		if err := tx.Raw(newVisitQuery, seqs[start:min(start+batchSize, len(seqs))]).Scan(&batch).Error; err != nil {
			return nil, err
		}
		out = append(out, batch...)
	}
	slices.SortFunc(out, func(a, b newVisit) int { return cmp.Compare(a.Date, b.Date) })
	return out, nil
}

// first is a stats_firsts row: the day a surviving case was first received by an organisation.
type first struct {
	RootSeq          int64
	OrgID, FirstDate string
}

// settleFirsts settles what the new visits (by date) do to the first days of their cases. Most
// come back about a case the organisation already received earlier, which changes nothing. A
// case received for the first time by one organisation, and by no other, is created: it needs
// its stats_firsts row and its day's "first" roll-up. A case its one organisation now received
// on an earlier day than the one known is moved (to that day). Anything else (a case other
// organisations also received) adds the root to roots, whose first days are recomputed from the
// visits, and the days they touch with them.
func settleFirsts(tx *gorm.DB, visits []newVisit, roots map[int64]struct{}) (created, moved []first, err error) {
	earliest := map[int64]first{} // per root: the organisation and day of its first new visit
	orgs := map[int64]map[string]bool{}
	for _, v := range visits {
		if _, recomputed := roots[v.RootSeq]; recomputed {
			continue
		}
		if orgs[v.RootSeq] == nil {
			orgs[v.RootSeq] = map[string]bool{}
			earliest[v.RootSeq] = first{RootSeq: v.RootSeq, OrgID: v.OrgID, FirstDate: v.Date}
		}
		orgs[v.RootSeq][v.OrgID] = true
	}
	list := slices.Sorted(maps.Keys(earliest))
	known := map[int64][]first{}
	for start := 0; start < len(list); start += batchSize {
		var rows []first
		if err := tx.Raw("SELECT root_seq, org_id, first_date FROM stats_firsts WHERE root_seq IN ?", list[start:min(start+batchSize, len(list))]).
			Scan(&rows).Error; err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			known[r.RootSeq] = append(known[r.RootSeq], r)
		}
	}
	for _, root := range list {
		f, had := earliest[root], known[root]
		switch {
		case len(orgs[root]) > 1 || len(had) > 1 || (len(had) == 1 && had[0].OrgID != f.OrgID):
			roots[root] = struct{}{}
		case len(had) == 0:
			created = append(created, f)
		case had[0].FirstDate > f.FirstDate:
			moved = append(moved, f)
		}
	}
	return created, moved, nil
}

// insertFirsts writes the stats_firsts rows of cases first received by one organisation alone.
func insertFirsts(tx *gorm.DB, created []first) error {
	for start := 0; start < len(created); start += batchSize {
		batch := created[start:min(start+batchSize, len(created))]
		args := make([]any, 0, 3*len(batch))
		for _, f := range batch {
			args = append(args, f.RootSeq, f.OrgID, f.FirstDate)
		}
		if err := tx.Exec("INSERT INTO stats_firsts (root_seq, org_id, first_date, shared) VALUES "+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, FALSE), ", len(batch)), ", "), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// newVisitRollups makes the additions the new visits and first received cases bring to the
// stats_days rows of their days, leaving out the days recomputed whole (which read them from
// the register).
func newVisitRollups(visits []newVisit, firsts []first, recomputed map[day]struct{}) []rollup {
	var additions []rollup
	add := func(org, date, bucket string) *rollup {
		if _, whole := recomputed[day{org, date}]; whole {
			return nil
		}
		additions = append(additions, rollup{org: org, key: date, bucket: bucket, roots: roaring.New()})
		return &additions[len(additions)-1]
	}
	for _, v := range visits {
		if r := add(v.OrgID, v.Date, bucketOf(v.Kind, v.HostRole)); r != nil {
			r.visits, r.persons = 1, v.Headcount
			r.roots.Add(uint32(v.RootSeq))
			if v.Headcount >= 2 {
				r.groups = appendGroup(nil, v.Headcount, uint32(v.RootSeq))
			}
		}
	}
	for _, f := range firsts {
		if r := add(f.OrgID, f.FirstDate, bucketFirst); r != nil {
			r.roots.Add(uint32(f.RootSeq))
		}
	}
	return additions
}

// addRollups adds rows to the rows of table (stats_days, keyed by date, or stats_months, by
// month) with the same organisation, key and bucket: per batch of keys, the kept rows are read,
// summed with the additions and written back. Reading a day's or a month's few rows this way
// costs far less than recomputing them from what they are made of.
func addRollups(tx *gorm.DB, table, keyColumn string, additions []rollup) error {
	byKey := map[day][]rollup{} // day.date holds the key
	for _, r := range additions {
		byKey[day{r.org, r.key}] = append(byKey[day{r.org, r.key}], r)
	}
	keys := make([][]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, []string{k.org, k.date})
	}
	for start := 0; start < len(keys); start += batchSize {
		batch := keys[start:min(start+batchSize, len(keys))]
		with, args := withValues("k (org_id, rollup_key)", batch)
		rows, err := readRollups(tx, with+` SELECT r.org_id, r.`+keyColumn+` AS rollup_key, r.bucket, r.sessions, r.visits, r.persons, r.roots,
			r.group_visits FROM k CROSS JOIN `+table+` r WHERE r.org_id = k.org_id AND r.`+keyColumn+` = k.rollup_key`, args...)
		if err != nil {
			return err
		}
		for _, k := range batch {
			rows = append(rows, byKey[day{k[0], k[1]}]...)
		}
		if err := tx.Exec(with+" DELETE FROM "+table+" WHERE (org_id, "+keyColumn+") IN (SELECT org_id, rollup_key FROM k)", args...).Error; err != nil {
			return err
		}
		if err := insertRollups(tx, table, keyColumn, foldRollups(rows, func(key string) []string { return []string{key} })); err != nil {
			return err
		}
	}
	return nil
}

// firstsQuery recomputes stats_firsts rows from the live visits; %s narrows it to some roots.
const firstsQuery = `INSERT INTO stats_firsts (root_seq, org_id, first_date, shared)
SELECT c.root_seq, v.org_id, MIN(v.date), FALSE
FROM visits v JOIN cases c ON c.seq = v.case_seq
WHERE v.voided_at IS NULL %s
GROUP BY c.root_seq, v.org_id`

const sharedQuery = `UPDATE stats_firsts SET shared = TRUE WHERE root_seq IN (
	SELECT root_seq FROM stats_firsts WHERE TRUE %s GROUP BY root_seq HAVING COUNT(*) > 1)`

// refreshFirsts recomputes the first days of the given roots and returns every day whose
// "first" row they affect, before and after.
func refreshFirsts(tx *gorm.DB, roots map[int64]struct{}) (map[day]struct{}, error) {
	touched := map[day]struct{}{}
	list := make([]int64, 0, len(roots))
	for r := range roots {
		list = append(list, r)
	}
	collect := func(batch []int64) error {
		var rows []struct{ OrgID, FirstDate string }
		if err := tx.Raw("SELECT org_id, first_date FROM stats_firsts WHERE root_seq IN ?", batch).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			touched[day{r.OrgID, r.FirstDate}] = struct{}{}
		}
		return nil
	}
	for start := 0; start < len(list); start += batchSize {
		batch := list[start:min(start+batchSize, len(list))]
		if err := collect(batch); err != nil {
			return nil, err
		}
		if err := tx.Exec("DELETE FROM stats_firsts WHERE root_seq IN ?", batch).Error; err != nil {
			return nil, err
		}
		if err := tx.Exec(fmt.Sprintf(firstsQuery, "AND c.root_seq IN ?"), batch).Error; err != nil {
			return nil, err
		}
		if err := tx.Exec(fmt.Sprintf(sharedQuery, "AND root_seq IN ?"), batch).Error; err != nil {
			return nil, err
		}
		if err := collect(batch); err != nil {
			return nil, err
		}
	}
	return touched, nil
}

// dayQuery reads what a day's roll-up rows are made of, tagged: each live visit with its
// bucket and surviving case, each live session held, and the unshared cases first received
// that day. %[1]s is empty for the whole register, or a WITH clause naming the days d(org_id,
// date) and %[2]s then joins them in; CROSS JOIN makes SQLite walk the few days and search each
// table by its (organisation, date) index rather than scan it.
const dayQuery = `%[1]s
SELECT 'v', v.org_id, v.date, v.kind, COALESCE(s.host_role, ''), v.headcount, c.root_seq
FROM %[2]s visits v JOIN cases c ON c.seq = v.case_seq JOIN sessions s ON s.id = v.session_id
WHERE v.voided_at IS NULL %[3]s
UNION ALL
SELECT 's', s.org_id, s.date, s.kind, COALESCE(s.host_role, ''), 0, 0 FROM %[2]s sessions s
WHERE s.voided_at IS NULL %[4]s
UNION ALL
SELECT 'f', f.org_id, f.first_date, '', '', 0, f.root_seq FROM %[2]s stats_firsts f
WHERE NOT f.shared %[5]s
ORDER BY 2, 3`

// withValues is a WITH clause naming rows of text values as table (e.g. "d (org_id, date)"), and
// the arguments it binds, so that one statement can delete or read a whole batch of days or
// months by joining it. The casts type the parameters for PostgreSQL.
func withValues(table string, rows [][]string) (string, []any) {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("CAST(? AS TEXT), ", len(rows[0])), ", ") + ")"
	args := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		for _, v := range r {
			args = append(args, v)
		}
	}
	return "WITH " + table + " AS (VALUES " + strings.TrimSuffix(strings.Repeat(tuple+", ", len(rows)), ", ") + ")", args
}

// refreshDays rewrites the stats_days rows of the given days.
func refreshDays(tx *gorm.DB, days map[day]struct{}) error {
	rows := make([][]string, 0, len(days))
	for d := range days {
		rows = append(rows, []string{d.org, d.date})
	}
	for start := 0; start < len(rows); start += batchSize {
		with, args := withValues("d (org_id, date)", rows[start:min(start+batchSize, len(rows))])
		if err := tx.Exec(with+" DELETE FROM stats_days WHERE (org_id, date) IN (SELECT org_id, date FROM d)", args...).Error; err != nil {
			return err
		}
		q := fmt.Sprintf(dayQuery, with, "d CROSS JOIN",
			"AND v.org_id = d.org_id AND v.date = d.date", "AND s.org_id = d.org_id AND s.date = d.date",
			"AND f.org_id = d.org_id AND f.first_date = d.date")
		built, err := buildDays(tx, q, args...)
		if err != nil {
			return err
		}
		if err := insertRollups(tx, "stats_days", "date", built); err != nil {
			return err
		}
	}
	return nil
}

// readRollups reads the roll-up rows query selects: org_id, rollup_key (the day or month),
// bucket, the figures, bitmap and groups.
func readRollups(tx *gorm.DB, query string, args ...any) ([]rollup, error) {
	var found []struct {
		OrgID, RollupKey, Bucket  string
		Sessions, Visits, Persons int
		Roots, GroupVisits        []byte
	}
	if err := tx.Raw(query, args...).Scan(&found).Error; err != nil {
		return nil, err
	}
	out := make([]rollup, len(found))
	for i, row := range found {
		bm := roaring.New()
		if err := bm.UnmarshalBinary(row.Roots); err != nil {
			return nil, err
		}
		out[i] = rollup{org: row.OrgID, key: row.RollupKey, bucket: row.Bucket, sessions: row.Sessions, visits: row.Visits,
			persons: row.Persons, roots: bm, groups: row.GroupVisits}
	}
	return out, nil
}

// monthsOfDays returns the calendar and statutory months of days, as days whose date is the month
// key.
func monthsOfDays(days map[day]struct{}) map[day]struct{} {
	months := map[day]struct{}{}
	for d := range days {
		for _, m := range monthKeys(d.date) {
			months[day{d.org, m}] = struct{}{}
		}
	}
	return months
}

// refreshMonths rewrites the stats_months rows of the given months (calendar and statutory
// month keys), from their stats_days rows. Per batch of months, one statement reads the day rows
// of every month (CROSS JOIN: SQLite walks the months and searches stats_days by organisation and
// date for each) and one deletes the months' rows; calendar and statutory months overlap, so a
// day row may come once per month it belongs to, tagged with that month.
func refreshMonths(tx *gorm.DB, months map[day]struct{}) error {
	rows := make([][]string, 0, len(months))
	for m := range months {
		r, err := monthRange(m.date)
		if err != nil {
			return err
		}
		rows = append(rows, []string{m.org, m.date, r.FromDate(), r.ToDate()})
	}
	for start := 0; start < len(rows); start += batchSize {
		with, args := withValues("m (org_id, month, from_date, to_date)", rows[start:min(start+batchSize, len(rows))])
		built, err := readRollups(tx, with+` SELECT m.org_id, m.month AS rollup_key, d.bucket, d.sessions, d.visits, d.persons, d.roots, d.group_visits
			FROM m CROSS JOIN stats_days d WHERE d.org_id = m.org_id AND d.date >= m.from_date AND d.date <= m.to_date`, args...)
		if err != nil {
			return err
		}
		if err := tx.Exec(with+" DELETE FROM stats_months WHERE (org_id, month) IN (SELECT org_id, month FROM m)", args...).Error; err != nil {
			return err
		}
		// the rows read are keyed by their month already
		if err := insertRollups(tx, "stats_months", "month", foldRollups(built, func(month string) []string { return []string{month} })); err != nil {
			return err
		}
	}
	return nil
}

// rebuild recomputes every roll-up from the register.
func rebuild(tx *gorm.DB) error {
	for _, stmt := range []string{"DELETE FROM stats_firsts", fmt.Sprintf(firstsQuery, ""), fmt.Sprintf(sharedQuery, ""),
		"DELETE FROM stats_days", "DELETE FROM stats_months"} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	days, err := buildDays(tx, fmt.Sprintf(dayQuery, "", "", "", "", ""))
	if err != nil {
		return err
	}
	if err := insertRollups(tx, "stats_days", "date", days); err != nil {
		return err
	}
	return insertRollups(tx, "stats_months", "month", foldRollups(days, monthKeys))
}

// rollup is one row of stats_days (key is the date) or stats_months (key is the month).
type rollup struct {
	org, key, bucket          string
	sessions, visits, persons int
	roots                     *roaring.Bitmap
	groups                    []byte // see appendGroup
}

// appendGroup records a visit of two or more people: its headcount and surviving case, packed
// as two little-endian uint32. Delegation thresholds are a query parameter, and such visits are a
// few percent of all, so keeping them whole costs little and answers any threshold.
func appendGroup(b []byte, headcount int, root uint32) []byte {
	return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(b, uint32(headcount)), root)
}

// eachGroup calls fn for every packed visit of b.
func eachGroup(b []byte, fn func(headcount int, root uint32)) {
	for ; len(b) >= 8; b = b[8:] {
		fn(int(binary.LittleEndian.Uint32(b)), binary.LittleEndian.Uint32(b[4:]))
	}
}

// buildDays runs a dayQuery and folds its rows (ordered by organisation and day) into
// stats_days rows. They are inserted once the query is read, since the connection cannot
// interleave statements; a national register's roll-up is a few tens of megabytes.
func buildDays(tx *gorm.DB, query string, args ...any) ([]rollup, error) {
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out     []rollup
		cur     day
		buckets = map[string]*rollup{}
	)
	flush := func() {
		for _, r := range buckets {
			out = append(out, *r)
		}
		clear(buckets)
	}
	for rows.Next() {
		var (
			what, kind, hostRole string
			d                    day
			headcount            int
			root                 int64
		)
		if err := rows.Scan(&what, &d.org, &d.date, &kind, &hostRole, &headcount, &root); err != nil {
			return nil, err
		}
		if root < 0 || root > math.MaxUint32 {
			return nil, fmt.Errorf("case seq %d does not fit the 32-bit roll-up bitmaps", root)
		}
		if d != cur {
			flush()
			cur = d
		}
		b := bucketFirst
		if what != "f" {
			b = bucketOf(kind, hostRole)
		}
		r := buckets[b]
		if r == nil {
			r = &rollup{org: d.org, key: d.date, bucket: b, roots: roaring.New()}
			buckets[b] = r
		}
		switch what {
		case "s":
			r.sessions++
		case "v":
			r.visits++
			r.persons += headcount
			r.roots.Add(uint32(root))
			if headcount >= 2 {
				r.groups = appendGroup(r.groups, headcount, uint32(root))
			}
		case "f":
			r.roots.Add(uint32(root))
		}
	}
	flush()
	return out, rows.Err()
}

// foldRollups sums roll-up rows into the rows keysOf names for each row's key: a day's into its
// months, or rows of the same day (kept and added) into one per bucket.
func foldRollups(days []rollup, keysOf func(date string) []string) []rollup {
	type key struct{ org, month, bucket string }
	acc := map[key]*rollup{}
	parts := map[key][]*roaring.Bitmap{}
	for _, d := range days {
		for _, m := range keysOf(d.key) {
			k := key{d.org, m, d.bucket}
			r := acc[k]
			if r == nil {
				r = &rollup{org: d.org, key: m, bucket: d.bucket}
				acc[k] = r
			}
			r.sessions += d.sessions
			r.visits += d.visits
			r.persons += d.persons
			r.groups = append(r.groups, d.groups...)
			parts[k] = append(parts[k], d.roots)
		}
	}
	out := make([]rollup, 0, len(acc))
	for k, r := range acc {
		r.roots = roaring.FastOr(parts[k]...)
		out = append(out, *r)
	}
	return out
}

// insertRollups writes rows into stats_days or stats_months (keyColumn date or month).
func insertRollups(tx *gorm.DB, table, keyColumn string, rows []rollup) error {
	for start := 0; start < len(rows); start += batchSize {
		batch := rows[start:min(start+batchSize, len(rows))]
		args := make([]any, 0, 8*len(batch))
		for _, r := range batch {
			r.roots.RunOptimize()
			bytes, err := r.roots.ToBytes()
			if err != nil {
				return err
			}
			args = append(args, r.org, r.key, r.bucket, r.sessions, r.visits, r.persons, bytes, append([]byte{}, r.groups...))
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(batch)), ", ")
		if err := tx.Exec("INSERT INTO "+table+" (org_id, "+keyColumn+", bucket, sessions, visits, persons, roots, group_visits) VALUES "+values,
			args...).Error; err != nil {
			return err
		}
	}
	return nil
}
