package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/imports"
	"github.com/tcd-registry/tcd/internal/store"
)

// A batch of a register's rows is imported in bulk: what the batch's rows name (their
// fingerprints, sessions, cases and persons with an ID number) is read in a few queries, each
// row is resolved and checked in Go by the rules createVisit applies, and the batch's records
// are written at its end with a few multi-row statements per table: the same records, index
// keys, term counts and audit entries as importRow's createVisit row by row, without the
// statements, savepoints and audit lines of every row (about 4 ms of CPU a row, make
// bench-import). Rows see the rows before them as row by row: a person registered by an earlier
// row of the batch is found by their ID number, or by the duplicate matcher among the register
// and the batch's persons not yet written (batchMatcher).

// importedCase is what an imported row finds its case by: the organisation's live case of the
// same category, title and content (none: no summary), compared as stored.
type importedCase struct {
	category, title, summary string
	noSummary                bool
}

func importedCaseOf(category, title string, summary *string) importedCase {
	return importedCase{category: category, title: title, summary: derefOr(summary, ""), noSummary: summary == nil}
}

// batchVisit is a visit of the batch, written at its end.
type batchVisit struct {
	row         *visitRow
	kase        *caseRow
	opened      bool // the row opened its case
	personIDs   []string
	fingerprint string
}

// bulkImport is one batch imported in bulk: resolved against the register (read and add, on
// connections of their own) and then written in one transaction (write).
type bulkImport struct {
	s     *Service
	ctx   context.Context
	db    *gorm.DB // what the batch reads the register with
	actor auth.Actor
	orgID string

	done     map[string]bool           // fingerprints imported before, or earlier in the batch
	sessions map[string]string         // date → the organisation's first live regular session
	cases    map[importedCase]*caseRow // the organisation's first live case by what rows match
	byNumber map[string]string         // ID number → the organisation's first live person with it
	persons  map[string]*personRow     // persons of the batch's visits by id, as far as read
	matcher  *batchMatcher             // persons without an ID number

	results     []ImportedRow // what became of each row, in the order of the batch
	newSessions []*sessionRow
	newCases    []*caseRow
	newPersons  []*personRow
	rows        int // the most rows a statement writes or names (store.RowsPerStatement)
	visits      []batchVisit
	audit       []audit.Line
}

// additions are what a batch adds to the register, as the batch after it takes them while the
// batch is written and not yet committed: copies of its slices, whose elements the writing sets.
type additions struct {
	fingerprints []string
	sessions     []*sessionRow
	cases        []*caseRow
	registered   []*personRow // the persons it registers, with an ID number or not
	persons      *pendingPersons
}

func (b *bulkImport) additions() *additions {
	a := &additions{sessions: slices.Clone(b.newSessions), cases: slices.Clone(b.newCases), registered: slices.Clone(b.newPersons),
		persons: b.matcher.own}
	for _, v := range b.visits {
		a.fingerprints = append(a.fingerprints, v.fingerprint)
	}
	return a
}

// prepareBulk resolves and checks rows as importRow and createVisit would, without writing any:
// against the register as committed and, when before is not nil, what the batch before them
// adds, which is being written meanwhile and is not committed until this one is prepared
// (ImportRegister). An error is the database's (or the context's).
func (s *Service) prepareBulk(ctx context.Context, actor auth.Actor, orgID string, rows []*imports.Row, before *additions) (*bulkImport, error) {
	db := s.store.DB.WithContext(ctx)
	var earlier *pendingPersons
	if before != nil {
		earlier = before.persons
	}
	b := &bulkImport{s: s, ctx: ctx, db: db, actor: actor, orgID: orgID, done: map[string]bool{}, sessions: map[string]string{},
		cases: map[importedCase]*caseRow{}, byNumber: map[string]string{}, persons: map[string]*personRow{}, rows: store.RowsPerStatement(db),
		matcher: newBatchMatcher(ctx, s.dups, db, earlier), results: make([]ImportedRow, 0, len(rows))}
	if err := b.read(rows, before); err != nil {
		return nil, err
	}
	for _, row := range rows {
		out, err := b.add(row)
		if err != nil {
			return nil, err
		}
		b.results = append(b.results, out)
	}
	return b, nil
}

// writeBulk writes b in one transaction, and says what became of each of its rows; ready is
// called before the commit, and the commit waits for it. A dry run writes all of it and rolls it
// back. An error is the database's (or the context's): the batch is rolled back whole.
func (s *Service) writeBulk(ctx context.Context, b *bulkImport, dryRun bool, ready func()) ([]ImportedRow, error) {
	err := s.store.TxClosing(ctx, func(tx *gorm.DB) (store.Closing, error) {
		// inside the batch's transaction: GORM would wrap each insert of more than a hundred
		// rows in a savepoint of its own, whose journal cost SQLite a tenth of the import
		tx = tx.Session(&gorm.Session{SkipDefaultTransaction: true})
		if err := b.write(tx.WithContext(ctx)); err != nil {
			return nil, err
		}
		ready()
		if dryRun {
			return nil, errDryRun
		}
		if len(b.newCases) == 0 {
			return nil, nil
		}
		return func(tx *gorm.DB) error { return s.numberCases(ctx, tx, b.actor, b.newCases) }, nil
	})
	if errors.Is(err, errDryRun) {
		for i := range b.results {
			b.results[i].VisitID = ""
		}
		return b.results, nil
	}
	return b.results, err
}

// chunked calls fn with values, as many at a time as a statement of the batch names.
func chunked[T any](b *bulkImport, values []T, fn func([]T) error) error {
	for chunk := range slices.Chunk(values, b.rows) {
		if err := fn(chunk); err != nil {
			return err
		}
	}
	return nil
}

// read reads what the rows name: which were imported before, and the organisation's sessions
// of their days, cases of their titles, persons of their ID numbers and candidates of their
// persons without one; then takes what the batch before (nil: none) adds to them, which the
// register does not hold yet.
func (b *bulkImport) read(rows []*imports.Row, before *additions) error {
	var fingerprints, dates, titles, numbers []string
	for _, row := range rows {
		if len(row.Errors) > 0 {
			continue
		}
		fingerprints = append(fingerprints, row.Fingerprint)
		dates = append(dates, row.Visit.Date)
		titles = append(titles, row.Visit.CaseTitle)
		for _, p := range row.Visit.Persons {
			if p.IDNumber != "" {
				numbers = append(numbers, p.IDNumber)
			}
		}
	}
	db := b.db
	err := chunked(b, fingerprints, func(chunk []string) error {
		var found []string
		err := db.Table("import_rows").Where("org_id = ? AND fingerprint IN ?", b.orgID, chunk).Pluck("fingerprint", &found).Error
		for _, f := range found {
			b.done[f] = true
		}
		return err
	})
	if err != nil {
		return err
	}
	// The first of each by seq, as importSession, importedVisit and knownPerson take it, sorted
	// here: with ORDER BY seq, SQLite's planner may walk the organisation's index (org_id, seq),
	// which yields seq order, through every case or person of the organisation, instead of
	// looking the batch's values up (at 100,000 rows a quarter of the import's time).
	err = chunked(b, distinct(dates), func(chunk []string) error {
		var found []*sessionRow
		err := db.Select("seq, id, date").Where("org_id = ? AND date IN ? AND kind = 'regular' AND voided_at IS NULL", b.orgID, chunk).
			Find(&found).Error
		sortBySeq(found)
		for _, r := range found {
			if b.sessions[r.Date] == "" {
				b.sessions[r.Date] = r.ID
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	err = chunked(b, distinct(titles), func(chunk []string) error {
		var found []*caseRow
		err := db.Where("org_id = ? AND voided_at IS NULL AND merged_into IS NULL AND title IN ?", b.orgID, chunk).Find(&found).Error
		sortBySeq(found)
		for _, r := range found {
			b.addCase(r)
		}
		return err
	})
	if err != nil {
		return err
	}
	err = chunked(b, distinct(numbers), func(chunk []string) error {
		var found []*personRow
		err := db.Select(personColumns).Where("org_id = ? AND id_number IN ? AND voided_at IS NULL AND merged_into IS NULL", b.orgID, chunk).
			Find(&found).Error
		sortBySeq(found)
		for _, r := range found {
			b.addPerson(r)
		}
		return err
	})
	if err != nil {
		return err
	}
	if before != nil {
		// what the batch before adds comes after all the register holds, as its seqs will
		for _, f := range before.fingerprints {
			b.done[f] = true
		}
		for _, r := range before.sessions {
			if b.sessions[r.Date] == "" {
				b.sessions[r.Date] = r.ID
			}
		}
		for _, r := range before.cases {
			b.addCase(r)
		}
		for _, r := range before.registered {
			b.addPerson(r)
		}
	}
	var unnumbered []imports.Person
	for _, row := range rows {
		if len(row.Errors) > 0 || b.done[row.Fingerprint] {
			continue
		}
		for _, p := range row.Visit.Persons {
			if p.IDNumber == "" {
				unnumbered = append(unnumbered, p)
			}
		}
	}
	return b.matcher.read(b.orgID, unnumbered)
}

func sortBySeq[T model](rows []T) {
	slices.SortFunc(rows, func(x, y T) int { return cmp.Compare(x.meta().Seq, y.meta().Seq) })
}

func distinct(values []string) []string {
	slices.Sort(values)
	return slices.Compact(values)
}

// addCase makes r a case rows find, unless one before it matches the same.
func (b *bulkImport) addCase(r *caseRow) {
	k := importedCaseOf(r.Category, r.Title, r.Summary)
	if b.cases[k] == nil {
		b.cases[k] = r
	}
}

// addPerson makes r a person rows find by their ID number, unless one before it has it.
func (b *bulkImport) addPerson(r *personRow) {
	b.persons[r.ID] = r
	if r.IDNumber != nil && b.byNumber[*r.IDNumber] == "" {
		b.byNumber[*r.IDNumber] = r.ID
	}
}

// add resolves and checks one row as importRow and createVisit would, and keeps what it adds
// to the register for the batch's end; a row the register's rules refuse adds nothing and is
// reported with its errors (also on the row, for the failed-rows file).
func (b *bulkImport) add(row *imports.Row) (ImportedRow, error) {
	out := ImportedRow{Row: row.Line, Errors: row.Errors}
	if len(row.Errors) > 0 {
		out.Status = ImportError
		return out, nil
	}
	out.Errors = []imports.CellError{}
	if b.done[row.Fingerprint] {
		out.Status = ImportSkipped
		return out, nil
	}
	v := &row.Visit
	// the persons are looked up first, as importedVisit does before createVisit writes any
	var personIDs []string
	var unknown []imports.Person
	for _, p := range v.Persons {
		id, err := b.knownPerson(p)
		if err != nil {
			return out, err
		}
		if id != "" {
			personIDs = append(personIDs, id)
		} else {
			unknown = append(unknown, p)
		}
	}
	linked := len(personIDs) > 0

	var fe apperr.Fields
	note := func(prefix string, err error) error {
		if addInvalid(&fe, prefix, err) {
			return nil
		}
		return err
	}
	b.s.notFuture(&fe, "session_id", "the session's date", v.Date)
	visit := &visitRow{Meta: b.s.newMeta(b.orgID), Kind: "regular", Date: v.Date, Headcount: v.Headcount,
		Outcome: optText(&v.Outcome), Note: optText(&v.Note)}
	if v.Outcome == "transferred" {
		visit.TransferredTo = optText(&v.OutcomeDetail)
	}
	if err := note("", checkVisitText(visit)); err != nil {
		return out, err
	}
	kase := b.cases[importedCase{category: v.Category, title: v.CaseTitle, summary: v.Content, noSummary: v.Content == ""}]
	opened := kase == nil
	if opened {
		var err error
		kase, err = b.s.newCaseRow(b.orgID, NewCase{OrgID: &b.orgID, Title: v.CaseTitle, Summary: optText(&v.Content), Category: v.Category,
			Field: "other", PreviouslyHandledBy: optText(&v.PreviouslyHandledBy), Status: v.Status})
		if err := note("case", err); err != nil {
			return out, err
		}
	}
	// the persons found are live persons of the organisation, as takeIn's references check
	// them; a row naming one twice is refused as a visit naming one twice is
	listedOnce(&fe, "person_ids", "person", personIDs, func(string) bool { return true })
	var registered []*personRow
	for i, p := range unknown {
		r, err := b.s.newPersonRow(b.orgID, NewPerson{OrgID: &b.orgID, FullName: p.FullName, Gender: p.Gender,
			IDNumber: optText(&p.IDNumber), Address: optText(&p.Address)})
		if err := note(fmt.Sprintf("persons[%d]", i), err); err != nil {
			return out, err
		}
		if r != nil {
			registered = append(registered, r)
		}
	}
	if err := fe.Err(); err != nil {
		refuse(&out, row, err)
		return out, nil
	}

	visit.SessionID = b.sessions[v.Date]
	if visit.SessionID == "" {
		session := &sessionRow{Meta: b.s.newMeta(b.orgID), Kind: "regular", Date: v.Date}
		b.newSessions = append(b.newSessions, session)
		b.sessions[v.Date], visit.SessionID = session.ID, session.ID
		b.audit = append(b.audit, audit.Line{Action: "create", Entity: "session", EntityID: session.ID,
			Changes: map[string]any{"kind": session.Kind, "date": session.Date}})
	}
	if opened {
		b.newCases = append(b.newCases, kase)
		b.addCase(kase)
	}
	for _, r := range registered {
		b.newPersons = append(b.newPersons, r)
		b.addPerson(r)
		b.matcher.register(r)
		personIDs = append(personIDs, r.ID)
		b.audit = append(b.audit, audit.Line{Action: "create", Entity: "person", EntityID: r.ID, Changes: r.given()})
	}
	b.visits = append(b.visits, batchVisit{row: visit, kase: kase, opened: opened, personIDs: personIDs, fingerprint: row.Fingerprint})
	b.done[row.Fingerprint] = true
	b.audit = append(b.audit,
		audit.Line{Action: "create", Entity: "visit", EntityID: visit.ID, Changes: map[string]any{"session_id": visit.SessionID,
			"case_id": kase.ID, "person_ids": nonNil(personIDs), "headcount": visit.Headcount, "delegation_id": visit.DelegationID}},
		audit.Line{Action: "import", Entity: "visit", EntityID: visit.ID, Changes: map[string]any{"row": row.Line, "fingerprint": row.Fingerprint}})
	out.VisitID, out.Status = visit.ID, ImportCreated
	if linked {
		out.Status = ImportLinked
	}
	return out, nil
}

// knownPerson is knownPerson for a row of the batch: by the ID number among the persons read
// and registered so far, else by the duplicate matcher among the register and the persons
// registered by the rows before.
func (b *bulkImport) knownPerson(p imports.Person) (string, error) {
	if p.IDNumber != "" {
		return b.byNumber[p.IDNumber], nil
	}
	return b.matcher.known(p)
}

// writePersons writes the persons the batch registered, and their term counts.
func (b *bulkImport) writePersons(tx *gorm.DB) error {
	if len(b.newPersons) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(b.newPersons, b.rows).Error; err != nil {
		return err
	}
	return personTerms.add(b.ctx, tx, b.matcher.own.delta)
}

// write writes the batch: the sessions, persons, cases and visits it adds, the visits' persons,
// the cases' keys and term counts (as indexNewCase and indexVisit), the denouncers, the rows'
// fingerprints and the audit entries, in tx. The new cases are numbered by the transaction's end.
func (b *bulkImport) write(tx *gorm.DB) error {
	if len(b.newSessions) > 0 {
		if err := tx.CreateInBatches(b.newSessions, b.rows).Error; err != nil {
			return err
		}
	}
	if err := b.writePersons(tx); err != nil {
		return err
	}
	if len(b.newCases) > 0 {
		if err := tx.CreateInBatches(b.newCases, b.rows).Error; err != nil {
			return err
		}
	}
	visits := make([]*visitRow, len(b.visits))
	var links, fingerprints [][]any
	var denounced []string
	now := b.s.now()
	for i, v := range b.visits {
		v.row.CaseID, v.row.CaseSeq = v.kase.ID, v.kase.Seq
		visits[i] = v.row
		for j, id := range v.personIDs {
			links = append(links, []any{v.row.ID, id, j})
		}
		fingerprints = append(fingerprints, []any{b.orgID, v.fingerprint, v.row.ID, now})
		// a denunciation's visit records its persons as denouncers (confidential.go)
		if v.kase.Category == denunciation || (!v.opened && v.kase.RootSeq != v.kase.Seq) {
			denounced = append(denounced, v.row.ID)
		}
	}
	if len(visits) > 0 {
		if err := tx.CreateInBatches(visits, b.rows).Error; err != nil {
			return err
		}
		if err := store.InsertRows(b.ctx, tx, "import_rows", []string{"org_id", "fingerprint", "visit_id", "imported_at"}, fingerprints, ""); err != nil {
			return err
		}
	}
	if err := store.InsertRows(b.ctx, tx, visitPersons.table, []string{"visit_id", "person_id", "position"}, links, ""); err != nil {
		return err
	}
	if err := b.indexCases(tx); err != nil {
		return err
	}
	err := chunked(b, denounced, func(ids []string) error {
		return b.s.recordDenouncers(b.ctx, tx, visitsLinks, ids)
	})
	if err != nil {
		return err
	}
	return audit.RecordAll(b.ctx, tx, b.actor, b.orgID, b.audit)
}

// visitsLinks is visitLinks for several visits (recordDenouncers).
const visitsLinks = `SELECT vp.person_id, v.case_id FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id WHERE v.id IN ?`

// indexCases stores the new cases' text keys and the keys the visits give their cases, and
// counts their terms, as indexNewCase and indexVisit do case by case and visit by visit. A
// visit's keys are inserted whether its case holds them or not, and those the case did not hold
// are the ones inserted (ON CONFLICT DO NOTHING RETURNING): reading what the batch's cases held
// first read more of case_keys every batch, as the cases gathered their citizens' keys.
func (b *bulkImport) indexCases(db *gorm.DB) error {
	added := map[caseKeyRow]bool{} // the keys the batch gives its cases
	var keys []caseKeyRow
	delta := map[string]int64{}
	for _, c := range b.newCases {
		p := c.preparedText()
		for _, k := range p.StoredKeys() {
			key := caseKeyRow{CaseSeq: c.Seq, OrgID: c.OrgID, Key: k}
			added[key] = true
			keys = append(keys, key)
		}
		for t, d := range termDelta(append(p.TextTerms(), totalTerm), 1) {
			delta[t] += d
		}
	}
	if len(keys) > 0 {
		if err := db.CreateInBatches(keys, b.rows).Error; err != nil {
			return err
		}
	}
	var unread []string
	for _, v := range b.visits {
		for _, id := range v.personIDs {
			if b.persons[id] == nil {
				unread = append(unread, id)
			}
		}
	}
	err := chunked(b, distinct(unread), func(chunk []string) error {
		var found []*personRow
		err := db.Select(personColumns).Where("id IN ?", chunk).Find(&found).Error
		for _, r := range found {
			b.persons[r.ID] = r
		}
		return err
	})
	if err != nil {
		return err
	}
	var citizens []caseKeyRow
	for _, v := range b.visits {
		var ks []string
		for _, id := range v.personIDs {
			if r := b.persons[id]; r != nil {
				ks = append(ks, r.citizen(r.ID).Keys()...)
			}
		}
		for _, k := range distinct(ks) {
			key := caseKeyRow{CaseSeq: v.kase.Seq, OrgID: v.kase.OrgID, Key: k}
			if !added[key] {
				added[key] = true
				citizens = append(citizens, key)
			}
		}
	}
	err = chunked(b, citizens, func(chunk []caseKeyRow) error {
		values := make([]string, len(chunk))
		args := make([]any, 0, 3*len(chunk))
		for i, k := range chunk {
			values[i] = "(?, ?, ?)"
			args = append(args, k.CaseSeq, k.OrgID, k.Key)
		}
		// scanned by hand: through GORM's reflection, reading the keys back took 2 s of the CPU of an
		// import of 100,000 rows
		rows, err := db.Raw("INSERT INTO case_keys (case_seq, org_id, key) VALUES "+strings.Join(values, ", ")+
			" ON CONFLICT (case_seq, key) DO NOTHING RETURNING key", args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			if err := rows.Scan(&key); err != nil {
				return err
			}
			delta[key]++
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	return caseTerms.add(b.ctx, db, delta)
}
