package registry

import (
	"cmp"
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/imports"
)

// Import statuses of a row: its visit was recorded with new persons only (created) or with one
// matched to a person already in the register (linked), it was imported before (skipped), or
// it cannot be (error).
const (
	ImportCreated = "created"
	ImportLinked  = "linked"
	ImportSkipped = "skipped"
	ImportError   = "error"
)

// ImportedRow is what became of one row of a register file.
type ImportedRow struct {
	Row     int                 `json:"row"`
	Status  string              `json:"status" vocab:"import.status" enums:"created,linked,skipped,error"`
	VisitID string              `json:"visit_id,omitempty"`
	Errors  []imports.CellError `json:"errors"`
}

// ImportTotals counts the rows of an import by status.
type ImportTotals struct {
	Rows    int `json:"rows"`
	Created int `json:"created"`
	Linked  int `json:"linked"`
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
}

// Add counts one row.
func (t *ImportTotals) Add(r ImportedRow) {
	t.Rows++
	switch r.Status {
	case ImportCreated:
		t.Created++
	case ImportLinked:
		t.Linked++
	case ImportSkipped:
		t.Skipped++
	default:
		t.Errors++
	}
}

// errDryRun rolls back the transaction of a row a dry run imported.
var errDryRun = errors.New("dry run")

// ImportOrg is the organisation a register is imported into: one the actor reaches (or its
// own, or the default one when orgID is "").
func (s *Service) ImportOrg(ctx context.Context, actor auth.Actor, orgID string) (string, error) {
	var requested *string
	if orgID != "" {
		requested = &orgID
	}
	return s.ownerOrg(ctx, s.store.DB, actor, requested)
}

// defaultImportBatch is how many rows of a register one transaction imports. A transaction per
// row measured about 100 rows a second (make bench-import): each commit waits for the disk, and
// SQLite has a single writer. A batch shares one commit between its rows and is written in bulk
// (writeBulk); a batch the database refuses is imported again row by row (importRow), each row
// under a savepoint of its own, so that the row it refuses fails alone. Config.ImportBatch sets
// another, so that tests can cross batch boundaries with a small file.
const defaultImportBatch = 1000

// importRow records, in tx and under a savepoint of its own, the visit one row of a register
// describes, with the row's fingerprint, so that the same row is never imported twice: on the
// day's regular session (opened if the organisation has none that day), about the
// organisation's case of the same category, title and content (opened if none), with its
// persons matched to the register's by ID number, else by the duplicate matcher, else
// registered. A row the register's rules refuse, or the database refuses, is rolled back to its
// savepoint and reported with its errors (also on the row, for the failed-rows file); a dry run
// does all of it and rolls the row back likewise, so that it writes nothing. prepareBulk and
// writeBulk do the same for a whole batch at once; this is their replay when the database
// refuses the batch.
func (s *Service) importRow(ctx context.Context, tx *gorm.DB, actor auth.Actor, orgID string, cases *caseOpener, row *imports.Row, dryRun bool) (ImportedRow, error) {
	out := ImportedRow{Row: row.Line, Errors: row.Errors}
	if len(row.Errors) > 0 {
		out.Status = ImportError
		return out, nil
	}
	out.Errors = []imports.CellError{}
	var done int
	err := tx.WithContext(ctx).Table("import_rows").Select("1").
		Where("org_id = ? AND fingerprint = ?", orgID, row.Fingerprint).Limit(1).Scan(&done).Error
	if err != nil {
		return out, err
	}
	if done == 1 {
		out.Status = ImportSkipped
		return out, nil
	}
	opened := len(cases.opened)
	err = tx.Transaction(func(tx *gorm.DB) error {
		in, linked, err := s.importedVisit(ctx, tx, actor, orgID, &row.Visit)
		if err != nil {
			return err
		}
		v, _, err := s.createVisit(ctx, tx, actor, cases, in)
		if err != nil {
			return err
		}
		out.VisitID, out.Status = v.ID, ImportCreated
		if linked {
			out.Status = ImportLinked
		}
		if err := tx.WithContext(ctx).Table("import_rows").Create(map[string]any{"org_id": orgID, "fingerprint": row.Fingerprint,
			"visit_id": v.ID, "imported_at": s.now()}).Error; err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return audit.Record(ctx, tx, actor, "import", "visit", v.ID, map[string]any{"row": row.Line, "fingerprint": row.Fingerprint})
	})
	if err != nil {
		// the cases the row opened went with its savepoint: the batch does not number them
		cases.opened = cases.opened[:opened]
	}
	switch {
	case errors.Is(err, errDryRun):
		out.VisitID = ""
	case apperr.CodeOf(err) == apperr.Invalid:
		// the register's own rules refused the row (an ID number, a headcount below the
		// persons listed): reported on the row, the import goes on
		refuse(&out, row, err)
	case err != nil && ctx.Err() == nil:
		// the database refused the row (a constraint no check above knows of): reported on the
		// row, whose savepoint took back what it wrote; a database gone fails the next statement
		refuse(&out, row, apperr.Field("", "the register could not store the row: %s", err))
	case err != nil:
		return out, err
	}
	return out, nil
}

// refuse reports row as failed with the fields of err, an invalid input's error (also on the
// row, for the failed-rows file).
func refuse(out *ImportedRow, row *imports.Row, err error) {
	var e *apperr.Error
	errors.As(err, &e)
	for _, f := range e.Fields {
		out.Errors = append(out.Errors, imports.CellError{Line: row.Line, Field: f.Field, Message: f.Message})
	}
	row.Errors = out.Errors
	out.Status, out.VisitID = ImportError, ""
}

// importedVisit is the visit a row describes, as POST /visits would take it; linked says
// whether a person of it was found in the register.
func (s *Service) importedVisit(ctx context.Context, tx *gorm.DB, actor auth.Actor, orgID string, v *imports.Visit) (NewVisit, bool, error) {
	session, err := s.importSession(ctx, tx, actor, orgID, v.Date)
	if err != nil {
		return NewVisit{}, false, err
	}
	in := NewVisit{SessionID: session, Headcount: &v.Headcount, Outcome: optText(&v.Outcome), Note: optText(&v.Note)}
	if v.Outcome == "transferred" {
		in.TransferredTo = optText(&v.OutcomeDetail)
	}
	var caseID string
	q := tx.WithContext(ctx).Table("cases").Select("id").Where("org_id = ? AND voided_at IS NULL AND merged_into IS NULL AND category = ? AND title = ?",
		orgID, v.Category, v.CaseTitle)
	if v.Content == "" {
		q = q.Where("summary IS NULL")
	} else {
		q = q.Where("summary = ?", v.Content)
	}
	if err := q.Order("seq").Limit(1).Scan(&caseID).Error; err != nil {
		return NewVisit{}, false, err
	}
	if caseID != "" {
		in.CaseID = &caseID
	} else {
		in.Case = &NewCase{OrgID: &orgID, Title: v.CaseTitle, Summary: optText(&v.Content), Category: v.Category, Field: "other",
			PreviouslyHandledBy: optText(&v.PreviouslyHandledBy), Status: v.Status}
	}
	linked := false
	for _, p := range v.Persons {
		id, err := s.knownPerson(ctx, tx, actor, orgID, p)
		if err != nil {
			return NewVisit{}, false, err
		}
		if id != "" {
			in.PersonIDs = append(in.PersonIDs, id)
			linked = true
			continue
		}
		in.Persons = append(in.Persons, NewPerson{OrgID: &orgID, FullName: p.FullName, Gender: p.Gender,
			IDNumber: optText(&p.IDNumber), Address: optText(&p.Address)})
	}
	return in, linked, nil
}

// importSession is the organisation's first live regular session of the day, opened if none:
// the register's rows do not say which session a visit was at.
func (s *Service) importSession(ctx context.Context, tx *gorm.DB, actor auth.Actor, orgID, date string) (string, error) {
	var id string
	err := tx.WithContext(ctx).Table("sessions").Select("id").Where("org_id = ? AND date = ? AND kind = 'regular' AND voided_at IS NULL", orgID, date).
		Order("seq").Limit(1).Scan(&id).Error
	if err != nil || id != "" {
		return id, err
	}
	row := &sessionRow{Meta: s.newMeta(orgID), Kind: "regular", Date: date}
	if err := tx.WithContext(ctx).Create(row).Error; err != nil {
		return "", err
	}
	return row.ID, audit.Record(ctx, tx, actor, "create", "session", row.ID, map[string]any{"kind": row.Kind, "date": row.Date})
}

// knownPerson finds the register's person an imported one is: the live person with the same ID
// number in the organisation, else the duplicate matcher's best candidate in it at or above its
// threshold; "" when none.
func (s *Service) knownPerson(ctx context.Context, tx *gorm.DB, actor auth.Actor, orgID string, p imports.Person) (string, error) {
	var id string
	if p.IDNumber != "" {
		err := tx.WithContext(ctx).Table("persons").Select("id").
			Where("org_id = ? AND id_number = ? AND voided_at IS NULL AND merged_into IS NULL", orgID, p.IDNumber).Order("seq").Limit(1).Scan(&id).Error
		return id, err
	}
	found, err := s.dups.matchPerson(ctx, tx, orgScope(orgID), importProbe(p), DuplicateQuery{Limit: 1}.orDefaults(dedup.DefaultThreshold))
	if err != nil || len(found) == 0 {
		return "", err
	}
	return found[0].id, nil
}

// ImportRegister imports every row p reads into organisation orgID, calling each with the row
// and what became of it, in the order of the file. The rows are imported Config.ImportBatch at a time,
// each batch in one transaction, in bulk: prepared (prepareBulk) while the batch before is
// written, and written (writeBulk) while the batch after is prepared. A batch the database
// refuses is rolled back and imported again row by row (importRows), so that only the row it
// refuses fails. Each is called once its batch is committed, so that a row reported imported is
// in the register. A failure of the database that the replay meets outside a row ends the
// import: the batches before stay, and a second run skips them.
func (s *Service) ImportRegister(ctx context.Context, actor auth.Actor, orgID string, p *imports.Parser, dryRun bool,
	each func(*imports.Row, ImportedRow) error) (ImportTotals, error) {
	var totals ImportTotals
	report := func(rows []*imports.Row, done []ImportedRow) error {
		for i, row := range rows {
			totals.Add(done[i])
			if err := each(row, done[i]); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, stop := context.WithCancel(ctx)
	batch := cmp.Or(s.cfg.ImportBatch, defaultImportBatch)
	read := readAhead(ctx, p, batch)
	defer func() {
		// the parser is the caller's again only once the reading goroutine has let it go
		stop()
		for range read {
		}
	}()
	// ahead is the batch prepared and not yet written, and its rows
	var ahead *bulkImport
	var aheadRows []*imports.Row
	var fault error // the file's, which ends it
	for next := range read {
		var following *bulkImport
		var err error
		if ahead == nil {
			following, err = s.prepareBulk(ctx, actor, orgID, next.rows, nil)
		} else {
			var done []ImportedRow
			done, following, err = s.writeWhilePreparing(ctx, ahead, aheadRows, next.rows, dryRun)
			if done != nil {
				// committed, even when the batch after could not be prepared
				err = errors.Join(report(aheadRows, done), err)
			}
		}
		if err != nil {
			return totals, err
		}
		// the rows read before the file's fault are imported as they would have been
		ahead, aheadRows, fault = following, next.rows, next.err
	}
	if ahead != nil {
		done, _, err := s.writeBatch(ctx, ahead, aheadRows, dryRun, func() {})
		if err == nil {
			err = report(aheadRows, done)
		}
		if err != nil {
			return totals, errors.Join(fault, err)
		}
	}
	return totals, fault
}

// writeWhilePreparing writes ahead, a batch of rows prepared, while it prepares the rows after
// them (following) in a goroutine of its own; done is nil when ahead was not written: the batches depend on each other only through
// what the batch before adds to the register, which following takes from ahead in memory
// (prepareBulk). Ahead is committed only once following is prepared, so that following's reads
// see the register without it, whatever the timing. A dry run commits nothing, and following is
// prepared against the register alone, as the batches of a dry run are. When ahead could not
// be written in bulk but was imported row by row, following is prepared again afterwards,
// against the register those rows made.
func (s *Service) writeWhilePreparing(ctx context.Context, ahead *bulkImport, aheadRows, rows []*imports.Row, dryRun bool) ([]ImportedRow, *bulkImport, error) {
	var before *additions
	if !dryRun {
		before = ahead.additions()
	}
	var following *bulkImport
	var prepareErr error
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		following, prepareErr = s.prepareBulk(ctx, ahead.actor, ahead.orgID, rows, before)
	}()
	done, inBulk, err := s.writeBatch(ctx, ahead, aheadRows, dryRun, func() { <-prepared })
	<-prepared
	if err != nil {
		return nil, nil, err
	}
	if !inBulk {
		following, prepareErr = s.prepareBulk(ctx, ahead.actor, ahead.orgID, rows, nil)
	}
	return done, following, prepareErr
}

// writeBatch writes b, the prepared batch of rows, in bulk (writeBulk; ready as there), or,
// when the database refuses the batch, imports its rows again row by row (importRows); inBulk
// says which. The persons' term counts are then folded and the register tidied for the batches
// after.
func (s *Service) writeBatch(ctx context.Context, b *bulkImport, rows []*imports.Row, dryRun bool, ready func()) (done []ImportedRow, inBulk bool, err error) {
	done, err = s.writeBulk(ctx, b, dryRun, ready)
	inBulk = err == nil
	if err != nil && ctx.Err() == nil {
		done, err = s.importRows(ctx, b.actor, b.orgID, rows, dryRun)
	}
	if err != nil {
		return nil, inBulk, err
	}
	if !dryRun {
		// the duplicate matcher reads the persons' term counts with their pending changes,
		// which tcd serve folds every second and a long import would pile up meanwhile
		if err := s.dups.FoldTermCounts(ctx); err != nil {
			return nil, inBulk, err
		}
	}
	// the batches after plan with the register as it has grown (store.TidyAfterBulkWrite); the
	// batch is committed whatever becomes of it, and a tidying that fails (a VACUUM of a large
	// table past the statement timeout) is tried again after the next batch
	if err := s.store.TidyAfterBulkWrite(ctx); err != nil && ctx.Err() != nil {
		return nil, inBulk, err
	}
	return done, inBulk, nil
}

// rowBatch is a batch of a register's rows, and the fault of the file that ended it, if any.
type rowBatch struct {
	rows []*imports.Row
	err  error
}

// readAhead reads p's rows size at a time in a goroutine of its own, a batch ahead of the
// import, so that the file's next batch is parsed while the database writes the one before:
// parsing an XLSX is a fifth of an import's CPU, and on PostgreSQL the import otherwise waits
// for the server meanwhile. The channel is closed after the last batch, after the file's fault,
// or once ctx is done.
func readAhead(ctx context.Context, p *imports.Parser, size int) <-chan rowBatch {
	out := make(chan rowBatch, 1)
	go func() {
		defer close(out)
		send := func(b rowBatch) bool {
			select {
			case out <- b:
				return true
			case <-ctx.Done():
				return false
			}
		}
		batch := make([]*imports.Row, 0, size)
		for row, err := range p.Rows() {
			if err != nil {
				send(rowBatch{rows: batch, err: err})
				return
			}
			batch = append(batch, row)
			if len(batch) == size {
				if !send(rowBatch{rows: batch}) {
					return
				}
				batch = make([]*imports.Row, 0, size)
			}
		}
		if len(batch) > 0 {
			send(rowBatch{rows: batch})
		}
	}()
	return out
}

// importRows imports rows in one transaction, row by row (importRow).
func (s *Service) importRows(ctx context.Context, actor auth.Actor, orgID string, rows []*imports.Row, dryRun bool) ([]ImportedRow, error) {
	return inTxOpeningCases(ctx, s, actor, func(tx *gorm.DB, cases *caseOpener) ([]ImportedRow, error) {
		done := make([]ImportedRow, 0, len(rows))
		for _, row := range rows {
			out, err := s.importRow(ctx, tx, actor, orgID, cases, row, dryRun)
			if err != nil {
				return nil, err
			}
			done = append(done, out)
		}
		return done, nil
	})
}
