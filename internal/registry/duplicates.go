package registry

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
)

// PersonCandidate is a person who may be the same citizen as the one looked up.
type PersonCandidate struct {
	Person  Person   `json:"person" validate:"required"`
	Score   float64  `json:"score" example:"0.93" validate:"required"`
	Reasons []string `json:"reasons" example:"same CCCD,name matches without diacritics" validate:"required"`
}

// DuplicateQuery tunes a duplicates lookup.
type DuplicateQuery struct {
	MinScore float64 // offer candidates from this score; 0: the record type's cut-off
	Limit    int     // at most this many, best first; 0: defaultDuplicates
	postings int     // cases looked at per title word; 0: postingsPerWord
}

const defaultDuplicates = 20

// orDefaults fills in what q leaves out, offering from cutoff unless q names a score: the
// record type's own (dedup.DefaultThreshold for persons, dedup.DefaultCaseThreshold for cases).
func (q DuplicateQuery) orDefaults(cutoff float64) DuplicateQuery {
	if q.MinScore <= 0 {
		q.MinScore = cutoff
	}
	if q.Limit <= 0 {
		q.Limit = defaultDuplicates
	}
	if q.postings <= 0 {
		q.postings = postingsPerWord
	}
	return q
}

// Duplicates is the register's duplicate search: the candidates offered for a person or a case,
// the whole-register scan, staff's decisions (merge, unmerge, not a duplicate) and the keys and
// term counts lookups find and weigh records by. It reads and writes the register through the
// registry service it belongs to (reg), with the same scopes and audit.
type Duplicates struct {
	reg   *Service
	cache dedupCache
}

// dedupCache holds names, addresses, cases and citizens parsed for matching, and lets one
// scan run at a time.
type dedupCache struct {
	persons  *dedup.Parser
	texts    *lru.Cache[caseVersion, dedup.PreparedCase]
	citizens *lru.Cache[personVersion, dedup.Citizen]
	scanning sync.Mutex
}

// personVersion names one version of a person: a parsed person stays right until the record
// changes, and every change takes a new version.
type personVersion struct {
	seq     int64
	version int
}

// How many parsed names and addresses are kept besides the warm set of a start (WarmPersons,
// which grows the cache to hold it): the names and addresses met since, the least recently
// used leaving first.
const (
	parsedNames     = 50_000
	parsedAddresses = 20_000
)

// parsedCitizens is how many persons parsed as the citizens of cases are kept: a case lookup
// compares the citizens of the same few hundred neighbouring cases that their own lookups do.
const parsedCitizens = 5_000

func newDedupCache() dedupCache {
	texts, err := lru.New[caseVersion, dedup.PreparedCase](parsedCases)
	if err != nil {
		panic(err) // only for a size below one
	}
	citizens, err := lru.New[personVersion, dedup.Citizen](parsedCitizens)
	if err != nil {
		panic(err)
	}
	return dedupCache{persons: dedup.NewParser(parsedNames, parsedAddresses), texts: texts, citizens: citizens}
}

// livePersons reads every person who can have duplicates: live and not merged away.
func livePersons(ctx context.Context, db *gorm.DB) ([]personRow, error) {
	var rows []personRow
	err := db.WithContext(ctx).Where("voided_at IS NULL AND merged_into IS NULL").Order("seq").Find(&rows).Error
	return rows, err
}

func (r *personRow) prepared() dedup.Prepared {
	return dedup.Prepare(dedup.Person{Seq: r.Seq, FullName: r.FullName, Gender: r.Gender, BirthYear: r.BirthYear,
		IDNumber: r.IDNumber, Phone: r.Phone, Address: r.Address})
}

// PersonDuplicates lists the persons within the actor's reach who may be the same citizen as
// person id, best first. The persons disclosed are written to the audit log.
func (d *Duplicates) PersonDuplicates(ctx context.Context, actor auth.Actor, id string, q DuplicateQuery) ([]PersonCandidate, error) {
	out, err := d.personCandidates(ctx, actor, id, q)
	if err != nil {
		return nil, err
	}
	return out, d.auditDisclosed(ctx, actor, id, out)
}

// auditDisclosed writes to the audit log which persons a duplicate lookup about person id showed
// the actor.
func (d *Duplicates) auditDisclosed(ctx context.Context, actor auth.Actor, id string, shown []PersonCandidate) error {
	disclosed := make([]string, len(shown))
	for i, c := range shown {
		disclosed[i] = c.Person.ID
	}
	return audit.Record(ctx, d.reg.store.DB, actor, "read_duplicates", "person", id, map[string]any{"disclosed": disclosed})
}

// personCandidates is PersonDuplicates before the audit.
func (d *Duplicates) personCandidates(ctx context.Context, actor auth.Actor, id string, q DuplicateQuery) ([]PersonCandidate, error) {
	// the person, and every candidate, as the actor may see them: someone known only as a
	// denouncer is not disclosed through a duplicate suggestion either
	row, err := personKind.find(ctx, d.reg, d.reg.store.DB, actor, id, ReadOptions{})
	if err != nil {
		return nil, err
	}
	found, err := d.matchPerson(ctx, d.reg.store.DB, actorScope(actor), row, q.orDefaults(dedup.DefaultThreshold))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(found))
	for i := range found {
		ids[i] = found[i].id
	}
	seen, err := d.visiblePersonIDs(ctx, actor, ids)
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return !seen[id] })
	var rows []personRow
	if err := d.reg.store.DB.WithContext(ctx).Select(personColumns).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	byID := make(map[string]*personRow, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	out := make([]PersonCandidate, 0, len(found))
	for _, f := range found {
		if r := byID[f.id]; r != nil {
			out = append(out, PersonCandidate{Person: r.toPerson(), Score: f.Score, Reasons: f.Reasons})
		}
	}
	return out, nil
}

// visiblePersonIDs says which of ids the actor may see (personKind's hide rule), in one query.
func (d *Duplicates) visiblePersonIDs(ctx context.Context, actor auth.Actor, ids []string) (map[string]bool, error) {
	rows := make([]personRow, len(ids))
	for i, id := range ids {
		rows[i].ID = id
	}
	rows, err := personKind.visible(ctx, d.reg, actor, rows)
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		seen[r.ID] = true
	}
	return seen, err
}

// personColumns are the stored columns of persons, without the generated blocking keys.
const personColumns = "seq, id, org_id, version, created_at, updated_at, voided_at, void_reason, full_name, name_folded, gender, birth_year, id_number, id_kind, phone, address, block_address, merged_into"

// personMatch is a candidate person who scored: seq and id name the record, which matching
// itself never reads whole (see matchPerson).
type personMatch struct {
	seq int64
	id  string
	dedup.Match
}

// scope narrows a query to the organisations a lookup may see; column holds the org_id.
type scope func(q *gorm.DB, column string) *gorm.DB

// actorScope is what the actor's token reaches.
func actorScope(actor auth.Actor) scope {
	return func(q *gorm.DB, column string) *gorm.DB { return orgs.InScope(q, actor, column) }
}

// orgScope is one organisation.
func orgScope(orgID string) scope {
	return func(q *gorm.DB, column string) *gorm.DB { return q.Where(column+" = ?", orgID) }
}

// matchPerson scores the live, unmerged persons sharing a blocking key with row, leaving out
// the records row was merged into and those staff declared distinct from it.
func (d *Duplicates) matchPerson(ctx context.Context, db *gorm.DB, sc scope, row *personRow, q DuplicateQuery) ([]personMatch, error) {
	// parsed afresh, not through the cache: row is the person as the actor may see them
	probe := row.prepared()
	found, err := d.registerCandidates(ctx, db, sc, []*dedup.Prepared{&probe})
	if err != nil {
		return nil, err
	}
	skip, err := excludedFrom(ctx, db, "person", "persons", row.ID, row.MergedInto)
	if err != nil {
		return nil, err
	}
	candidates := slices.DeleteFunc(found[0], func(c candidate) bool { return skip[c.id] })
	st, err := personStats(ctx, db, &probe, candidatesOf(candidates))
	if err != nil {
		return nil, err
	}
	return scorePersons(&probe, candidates, st, q), nil
}

// scorePersons scores probe against its candidates: those at q.MinScore or above, best first,
// at most q.Limit.
func scorePersons(probe *dedup.Prepared, candidates []candidate, st *dedup.PersonStats, q DuplicateQuery) []personMatch {
	var out []personMatch
	for i := range candidates {
		c := &candidates[i]
		if m := dedup.ScorePersons(probe, &c.Prepared, st); m.Score >= q.MinScore {
			out = append(out, personMatch{seq: c.Seq, id: c.id, Match: m})
		}
	}
	sortMatches(out, func(m personMatch) (float64, int64) { return m.Score, m.seq })
	return out[:min(len(out), q.Limit)]
}

// blocksPerStatement bounds the blocks one statement of registerCandidates reads: SQLite
// refuses a compound SELECT of more than 500 parts.
const blocksPerStatement = 250

// registerCandidates reads the live, unmerged persons sharing a blocking key with each probe
// (the probe's own record left out), each once per probe: the candidates of probes[i] are
// out[i]. One index range per block, each bounded on its own: a block too common to separate
// anything (a placeholder phone) cannot crowd out the others. The blocks of many probes (an
// import's batch) are read in one statement, a UNION ALL that names each row's probe: at a
// register of a million, reading keys first and then the records not cached cost a second
// round of reads, and at an import a round trip per probe was a quarter of its time.
//
// A statement reads probes whose blocks have the same shape (blockShape), always as many of
// them, so that its text is one of a few: PostgreSQL plans a statement of 250 subqueries in
// about 100 ms, and a text met before is a statement the driver prepared, which the server
// plans once (at an import of 100,000 rows, planning the candidates' reads had taken 12 s).
// Single lookups share texts the same way.
func (d *Duplicates) registerCandidates(ctx context.Context, db *gorm.DB, sc scope, probes []*dedup.Prepared) ([][]candidate, error) {
	out := make([][]candidate, len(probes))
	seen := make([]map[int64]bool, len(probes))
	blocks := make([][]dedup.Block, len(probes))
	byShape := map[string][]int{}
	var shapes []string
	for i, probe := range probes {
		seen[i] = map[int64]bool{}
		blocks[i] = dedup.PersonBlocks(probe)
		shape := blockShape(blocks[i])
		if byShape[shape] == nil {
			shapes = append(shapes, shape)
		}
		byShape[shape] = append(byShape[shape], i)
	}
	for _, shape := range shapes {
		group := byShape[shape]
		per := max(1, blocksPerStatement/max(1, len(blocks[group[0]])))
		for chunk := range slices.Chunk(group, per) {
			if len(group) > per {
				// the last statement of a shape repeats its last probe, which finds nothing new
				chunk = append(slices.Clone(chunk), slices.Repeat(chunk[len(chunk)-1:], per-len(chunk))...)
			}
			var parts []string
			var args []any
			for _, i := range chunk {
				for _, b := range blocks[i] {
					q := db.WithContext(ctx).Model(&personRow{}).Select(candidateColumns).Where(b.Column+" = ?", b.Value)
					if b.Initials != "" {
						// the expression of the index persons_block_given_initial_idx, word for word
						q = q.Where("substr(name_folded, 1, 1) IN ?", strings.Split(b.Initials, ""))
					}
					switch {
					case b.NoYear:
						q = q.Where("birth_year IS NULL")
					case b.YearFrom != 0:
						q = q.Where("birth_year BETWEEN ? AND ?", b.YearFrom, b.YearTo)
					}
					q = sc(q.Where("voided_at IS NULL AND merged_into IS NULL AND seq <> ?", probes[i].Seq), "org_id")
					parts = append(parts, fmt.Sprintf("SELECT CAST(? AS INTEGER) AS probe, b%d.* FROM (?) AS b%[1]d", len(parts)))
					args = append(args, i, q.Limit(dedup.MaxBlock))
				}
			}
			if err := d.candidates(ctx, db.WithContext(ctx).Raw(strings.Join(parts, " UNION ALL "), args...), out, seen); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// blockShape names what the statement reading blocks looks like whatever their values: the
// columns, how many initials and which years each asks for.
func blockShape(blocks []dedup.Block) string {
	var b strings.Builder
	for _, k := range blocks {
		fmt.Fprintf(&b, "%s/%d/%t/%t;", k.Column, len(k.Initials), k.NoYear, k.YearFrom != 0)
	}
	return b.String()
}

// candidateColumns are what matching reads of a candidate person.
const candidateColumns = "seq, id, full_name, gender, birth_year, id_number, phone, address"

// candidate is a person a lookup compares, parsed for matching.
type candidate struct {
	id string
	dedup.Prepared
}

// candidates runs a query for the probe's index and candidateColumns, and adds each person to
// out[probe] once (seen[probe]), parsed. Scanned by hand: a common name gathers hundreds of
// candidates per lookup, and reading them through gorm's reflection was half the cost of
// matching.
func (d *Duplicates) candidates(ctx context.Context, q *gorm.DB, out [][]candidate, seen []map[int64]bool) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var probe int
		var id string
		var p dedup.Person
		if err := rows.Scan(&probe, &p.Seq, &id, &p.FullName, &p.Gender, &p.BirthYear, &p.IDNumber, &p.Phone, &p.Address); err != nil {
			return err
		}
		if !seen[probe][p.Seq] {
			seen[probe][p.Seq] = true
			out[probe] = append(out[probe], candidate{id: id, Prepared: d.cache.persons.Prepare(p)})
		}
	}
	return rows.Err()
}

// sortMatches orders matches best first, the newest record first among equals.
func sortMatches[T any](ms []T, key func(T) (float64, int64)) {
	slices.SortFunc(ms, func(a, b T) int {
		sa, qa := key(a)
		sb, qb := key(b)
		return cmp.Or(cmp.Compare(sb, sa), cmp.Compare(qb, qa))
	})
}

// excludedFrom are the records never offered as duplicates of record id: the records it was
// merged into (its survivors) and those staff declared distinct from it.
func excludedFrom(ctx context.Context, db *gorm.DB, entity, table, id string, mergedInto *string) (map[string]bool, error) {
	out := map[string]bool{}
	chain, err := survivors(ctx, db, table, mergedInto)
	if err != nil {
		return nil, err
	}
	for _, s := range chain {
		out[s] = true
	}
	var pairs []decisionRow
	err = db.WithContext(ctx).Where("entity = ? AND (low_id = ? OR high_id = ?)", entity, id, id).Find(&pairs).Error
	for _, p := range pairs {
		out[p.LowID], out[p.HighID] = true, true
	}
	return out, err
}

// ScanResult says what the latest whole-register scan found.
type ScanResult struct {
	Type      string    `json:"type" vocab:"dedup.type" enums:"person,case" validate:"required"`
	ScannedAt time.Time `json:"scanned_at" validate:"required" format:"date-time"`
	Records   int       `json:"records" example:"10234" validate:"required"`
	Pairs     int       `json:"pairs" example:"312" validate:"required"`
}

type scanRow struct {
	Entity    string `gorm:"primaryKey"`
	ScannedAt time.Time
	Records   int
	Pairs     int
}

func (scanRow) TableName() string { return "dedup_scans" }

type candidateRow struct {
	Entity  string
	Rank    int64
	LowID   string
	HighID  string
	Score   float64
	Reasons string
}

func (candidateRow) TableName() string { return "dedup_candidates" }

// ScannedPair is a pair found by a scan, as the records' ids.
type ScannedPair struct {
	IDs [2]string
	dedup.Match
}

// dedupEntities names, per type of record, its table.
var dedupEntities = map[string]string{"person": "persons", "case": "cases"}

func checkEntity(entity string) error {
	if _, ok := dedupEntities[entity]; !ok {
		return apperr.FieldAs(apperr.ForbiddenValue, "type", "must be person or case")
	}
	return nil
}

// ScanDuplicates compares every pair of live, unmerged records of one type that share a
// blocking key, across the whole register, and keeps the pairs scoring at least the default
// threshold (less those declared distinct) for review: GET /dedup/candidates lists them. It
// returns the pairs too, best first. One scan runs at a time.
func (d *Duplicates) ScanDuplicates(ctx context.Context, entity string) (ScanResult, []ScannedPair, error) {
	if err := checkEntity(entity); err != nil {
		return ScanResult{}, nil, err
	}
	d.cache.scanning.Lock()
	defer d.cache.scanning.Unlock()
	return d.scanLocked(ctx, entity)
}

// scanLocked is ScanDuplicates for a caller holding d.cache.scanning.
func (d *Duplicates) scanLocked(ctx context.Context, entity string) (ScanResult, []ScannedPair, error) {
	decided, err := decidedPairs(ctx, d.reg.store.DB, entity)
	if err != nil {
		return ScanResult{}, nil, err
	}
	var pairs []ScannedPair
	var records int
	switch entity {
	case "person":
		pairs, records, err = d.scanPersons(ctx, decided)
	default:
		pairs, records, err = d.scanCases(ctx, decided)
	}
	if err != nil {
		return ScanResult{}, nil, err
	}
	res := ScanResult{Type: entity, ScannedAt: d.reg.now(), Records: records, Pairs: len(pairs)}
	err = d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		db := tx.WithContext(ctx)
		if d.reg.store.Dialect == store.Postgres {
			// replicas scan one at a time: the ranks of two scans must not interleave
			if err := db.Exec("SELECT pg_advisory_xact_lock(7267005)").Error; err != nil {
				return err
			}
		}
		if err := db.Where("entity = ?", entity).Delete(&candidateRow{}).Error; err != nil {
			return err
		}
		rows := make([]candidateRow, len(pairs))
		for i, p := range pairs {
			reasons, _ := json.Marshal(p.Reasons)
			// the best pair gets the highest rank: pages run down the ranks, as they do down seqs
			rows[i] = candidateRow{Entity: entity, Rank: int64(len(pairs) - i), LowID: p.IDs[0], HighID: p.IDs[1],
				Score: p.Score, Reasons: string(reasons)}
		}
		// a hundred rows a statement: the SQLite driver binds parameters in quadratic time
		if err := db.CreateInBatches(rows, 100).Error; err != nil {
			return err
		}
		if err := db.Where("entity = ?", entity).Delete(&scanRow{}).Error; err != nil {
			return err
		}
		return db.Create(&scanRow{Entity: entity, ScannedAt: res.ScannedAt, Records: records, Pairs: len(pairs)}).Error
	})
	return res, pairs, err
}

// pairKey is a pair of ids in the order decisions and scans store them.
func pairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

func decidedPairs(ctx context.Context, db *gorm.DB, entity string) (map[[2]string]bool, error) {
	var rows []decisionRow
	err := db.WithContext(ctx).Where("entity = ?", entity).Find(&rows).Error
	out := make(map[[2]string]bool, len(rows))
	for _, r := range rows {
		out[[2]string{r.LowID, r.HighID}] = true
	}
	return out, err
}

func (d *Duplicates) scanPersons(ctx context.Context, decided map[[2]string]bool) ([]ScannedPair, int, error) {
	rows, err := livePersons(ctx, d.reg.store.DB)
	if err != nil {
		return nil, 0, err
	}
	ps := make([]dedup.Prepared, len(rows))
	ids := make(map[int64]string, len(rows))
	st := dedup.NewPersonStats()
	for i := range rows {
		ps[i] = rows[i].prepared()
		st.Add(&ps[i])
		ids[rows[i].Seq] = rows[i].ID
	}
	found := dedup.ScanPersons(ps, st, dedup.DefaultThreshold, func(a, b int64) bool { return decided[pairKey(ids[a], ids[b])] })
	out := make([]ScannedPair, len(found))
	for i, p := range found {
		out[i] = ScannedPair{IDs: pairKey(ids[p.A], ids[p.B]), Match: p.Match}
	}
	return out, len(rows), nil
}

// DuplicatePair is a pair of records the latest scan found likely to be one.
type DuplicatePair struct {
	Score   float64  `json:"score" example:"0.97" validate:"required"`
	Reasons []string `json:"reasons" example:"same phone,name matches without diacritics" validate:"required"`
	Persons []Person `json:"persons,omitempty"` // type=person: the two persons
	Cases   []Case   `json:"cases,omitempty"`   // type=case: the two cases
}

// ListDuplicatePairs pages through the pairs of the latest scan of one type, best first, that
// still stand: both records live, unmerged and within the actor's reach, and not declared
// distinct since. Without any scan yet, it runs one.
func (d *Duplicates) ListDuplicatePairs(ctx context.Context, actor auth.Actor, entity string, p page.Request) ([]DuplicatePair, string, ScanResult, error) {
	if err := checkEntity(entity); err != nil {
		return nil, "", ScanResult{}, err
	}
	db := d.reg.store.DB.WithContext(ctx)
	var scans []scanRow
	if err := db.Where("entity = ?", entity).Find(&scans).Error; err != nil {
		return nil, "", ScanResult{}, err
	}
	var scan ScanResult
	if len(scans) == 0 {
		var err error
		if scan, _, err = d.ScanDuplicates(ctx, entity); err != nil {
			return nil, "", ScanResult{}, err
		}
	} else {
		scan = ScanResult{Type: entity, ScannedAt: scans[0].ScannedAt, Records: scans[0].Records, Pairs: scans[0].Pairs}
	}
	table := dedupEntities[entity]
	q := db.Table("dedup_candidates AS c").Select("c.*").
		Joins("JOIN "+table+" a ON a.id = c.low_id").Joins("JOIN "+table+" b ON b.id = c.high_id").
		Where("c.entity = ? AND a.voided_at IS NULL AND a.merged_into IS NULL AND b.voided_at IS NULL AND b.merged_into IS NULL", entity).
		Where("NOT EXISTS (SELECT 1 FROM dedup_decisions d WHERE d.entity = c.entity AND d.low_id = c.low_id AND d.high_id = c.high_id)")
	q = orgs.InScope(orgs.InScope(q, actor, "a.org_id"), actor, "b.org_id")
	var rows []candidateRow
	next, err := page.FetchOn(q, "c.rank", p, &rows, func(i int) int64 { return rows[i].Rank })
	if err != nil {
		return nil, "", scan, err
	}
	ids := make([]string, 0, 2*len(rows))
	for _, r := range rows {
		ids = append(ids, r.LowID, r.HighID)
	}
	out := make([]DuplicatePair, len(rows))
	for i, r := range rows {
		out[i] = DuplicatePair{Score: r.Score}
		_ = json.Unmarshal([]byte(r.Reasons), &out[i].Reasons)
	}
	switch entity {
	case "person":
		byID, err := personsByID(ctx, db, ids)
		if err != nil {
			return nil, "", scan, err
		}
		seen, err := d.visiblePersonIDs(ctx, actor, ids)
		if err != nil {
			return nil, "", scan, err
		}
		kept := out[:0]
		disclosed := ids[:0]
		for i, r := range rows {
			// a pair with someone the reader may not see (a denouncer) is not shown at all
			if seen[r.LowID] && seen[r.HighID] {
				out[i].Persons = []Person{byID[r.LowID], byID[r.HighID]}
				kept = append(kept, out[i])
				disclosed = append(disclosed, r.LowID, r.HighID)
			}
		}
		err = audit.Record(ctx, d.reg.store.DB, actor, "read_duplicates", "person", "", map[string]any{"disclosed": disclosed})
		return kept, next, scan, err
	default:
		byID, err := casesByID(ctx, db, ids)
		if err != nil {
			return nil, "", scan, err
		}
		secret, err := d.reg.secretCases(ctx, db, actor, ids)
		if err != nil {
			return nil, "", scan, err
		}
		kept := out[:0]
		for i, r := range rows {
			// the scan weighed citizens in common, and its reasons name them: a pair with a case
			// that keeps its denouncers from the reader is not shown
			if !secret[r.LowID] && !secret[r.HighID] {
				out[i].Cases = []Case{byID[r.LowID], byID[r.HighID]}
				kept = append(kept, out[i])
			}
		}
		return kept, next, scan, nil
	}
}

func personsByID(ctx context.Context, db *gorm.DB, ids []string) (map[string]Person, error) {
	var rows []personRow
	err := db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error
	out := make(map[string]Person, len(rows))
	for i := range rows {
		out[rows[i].ID] = rows[i].toPerson()
	}
	return out, err
}

func casesByID(ctx context.Context, db *gorm.DB, ids []string) (map[string]Case, error) {
	var rows []caseRow
	if err := db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	seqs := make([]int64, len(rows))
	for i := range rows {
		seqs[i] = rows[i].Seq
	}
	figures, err := caseVisitFigures(ctx, db, seqs)
	out := make(map[string]Case, len(rows))
	for i := range rows {
		out[rows[i].ID] = rows[i].toCase(figures[rows[i].Seq])
	}
	return out, err
}

// Labels names records of one type for people reading a list of pairs: a person's name and
// birth year, a case's code and title.
func (d *Duplicates) Labels(ctx context.Context, entity string, ids []string) (map[string]string, error) {
	if err := checkEntity(entity); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	db := d.reg.store.DB.WithContext(ctx)
	if entity == "person" {
		byID, err := personsByID(ctx, db, ids)
		for id, p := range byID {
			out[id] = p.FullName
			if p.BirthYear != nil {
				out[id] += " (" + strconv.Itoa(*p.BirthYear) + ")"
			}
		}
		return out, err
	}
	var rows []caseRow
	err := db.Select("id", "code", "title").Where("id IN ?", ids).Find(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.Code + " " + r.Title
	}
	return out, err
}
