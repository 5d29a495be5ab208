package export

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// RegisterColumns are the columns of the reception register (Sổ tiếp công dân, Form 03 of
// Circular 04/2021/TT-TTCP), in the form's order.
var RegisterColumns = []string{
	"STT",
	"Ngày tiếp",
	"Họ tên - Địa chỉ",
	"Số CCCD/CMND/Hộ chiếu",
	"Nội dung vụ việc",
	"Phân loại đơn / Số người",
	"Cơ quan đã giải quyết",
	"Hướng xử lý",
	"Theo dõi kết quả",
	"Ghi chú",
}

// registerBatch is how many records are read before their persons (and directives) are
// fetched: one query each per batch, and memory bounded by the batch whatever the register's
// size. A variable only so that tests can cross batch boundaries with a small register.
var registerBatch = 1000

// RegisterQuery says which part of the register to export.
type RegisterQuery struct {
	Range period.Range
	OrgID string // the subtree's root; "" means the actor's own subtree
	// Sheet is one part of the register alone (vocab.RegisterSheet); "" is every part, which
	// only a workbook holds: a CSV file is then the visits.
	Sheet string
}

// RegisterExport is a register export that was checked and audited; Write reads and writes the
// rows.
type RegisterExport struct {
	s        *Service
	q        RegisterQuery
	sc       scope
	format   Format
	sheets   []registerSheet
	FileName string
	// secret is SQL over a person l.person_id named in a record o about the case o.case_id that
	// holds when the person is a denouncer kept from the reader (Registry); "" when the reader
	// sees all
	secret     string
	secretArgs []any
	// petitionStatus derives a petition's status as of the export's day
	petitionStatus func(dueOn string, decidedOn *string) (string, error)
}

// HiddenDenouncer stands in the name and ID columns of a visit whose persons are secret; the
// import of registers reads it as "no persons".
const HiddenDenouncer = "(giữ bí mật thông tin người tố cáo)"

// OpenRegister checks the request and records in the audit log that the actor exported the
// register (it discloses personal data), before a single row is read.
func (s *Service) OpenRegister(ctx context.Context, actor auth.Actor, q RegisterQuery, f Format) (*RegisterExport, error) {
	sheets, err := sheetsOf(q.Sheet, f)
	if err != nil {
		return nil, err
	}
	sc, err := s.scopeOf(ctx, actor, q.OrgID)
	if err != nil {
		return nil, err
	}
	changes := map[string]any{"from": q.Range.FromDate(), "to": q.Range.ToDate(), "basis": string(q.Range.Basis), "format": string(f)}
	if q.OrgID != "" {
		changes["org_id"] = q.OrgID
	}
	if q.Sheet != "" {
		changes["sheet"] = q.Sheet
	}
	if err := audit.Record(ctx, s.store.DB, actor, "export", "register_export", q.Range.Label, changes); err != nil {
		return nil, err
	}
	kind := "register"
	if q.Sheet == sheetPetitions {
		kind = "register-petitions"
	}
	e := &RegisterExport{s: s, q: q, sc: sc, format: f, sheets: sheets, FileName: fileName(kind, q.Range, sc, f)}
	e.secret, e.secretArgs = s.registry.SecretLinkSQL(actor, "l.person_id", "o.case_id")
	if e.petitionStatus, err = s.registry.PetitionStatuses(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// The parts of the register (vocab.RegisterSheet).
const (
	sheetVisits    = "visits"
	sheetPetitions = "petitions"
)

// registerSheet is a part of the register: a sheet of the workbook or, alone, a CSV file.
type registerSheet struct {
	key     string // its vocab.RegisterSheet value, whose label names the sheet
	title   string // the sheet's first row
	columns []string
	widths  []float64
	// each reads the part's rows for x and hands them to sink in order, returning how many
	each func(s *Service, ctx context.Context, db *gorm.DB, x *RegisterExport, sink rowSink) (int, error)
}

// registerSheets are the parts of the register in the workbook's order.
var registerSheets = []registerSheet{
	{key: sheetVisits, title: "SỔ TIẾP CÔNG DÂN", columns: RegisterColumns,
		widths: []float64{6, 11, 36, 16, 40, 16, 22, 18, 26, 20}, each: (*Service).eachRegisterRow},
	{key: sheetPetitions, title: "SỔ TIẾP NHẬN, XỬ LÝ ĐƠN", columns: PetitionColumns,
		widths: []float64{6, 16, 11, 20, 36, 16, 9, 11, 40, 12, 11, 30, 11, 16, 20}, each: (*Service).eachPetitionRow},
}

// sheetsOf is what an export of the part named sheet ("" for all) holds in format f: a CSV
// file holds one part, the visits unless another is named.
func sheetsOf(sheet string, f Format) ([]registerSheet, error) {
	switch {
	case sheet == "" && f == CSV:
		sheet = sheetVisits
	case sheet == "":
		return registerSheets, nil
	case !vocab.RegisterSheet.Has(sheet):
		return nil, apperr.FieldAs(apperr.ForbiddenValue, "sheet", "%s", vocab.RegisterSheet.OneOf())
	}
	for _, sh := range registerSheets {
		if sh.key == sheet {
			return []registerSheet{sh}, nil
		}
	}
	return nil, fmt.Errorf("the register has no part %q", sheet)
}

// rowSink receives the register's rows in order; flush marks the end of a batch, where a
// streaming sink pushes what it has out to the reader.
type rowSink interface {
	row(serial int, cells []string) error
	flush() error
	finish() error // writes what remains; the file is complete after it
}

// Write streams the register to w, part after part, and returns the number of rows. Nothing is
// written to w before the first batch has been read, so a failing query leaves w untouched.
func (e *RegisterExport) Write(ctx context.Context, w io.Writer) (int, error) {
	var n int
	err := e.s.bulkRead(ctx, func(db *gorm.DB) error {
		if e.format != XLSX {
			sink := newCSVSink(w, e.sheets[0].columns)
			m, err := e.sheets[0].each(e.s, ctx, db, e, sink)
			n += m
			if err != nil {
				return err
			}
			return sink.finish()
		}
		book := newXLSXRegisterSink(w, e.q.Range, e.sheets)
		for i, sheet := range e.sheets {
			if i > 0 {
				if err := book.next(); err != nil {
					return err
				}
			}
			m, err := sheet.each(e.s, ctx, db, e, book)
			n += m
			if err != nil {
				return err
			}
		}
		return book.finish()
	})
	return n, err
}

// bulkMmap is how much of an SQLite file a bulk read maps into memory.
const bulkMmap = 1 << 30

// bulkRead runs fn with the database handle a long read should use. On SQLite that is one
// connection reading through a memory map: the register's joins touch pages all over the file,
// and with the default small page cache each miss is a pread system call (profiled at a third of
// the export's CPU time; the map takes it to about two thirds of what it was). The cursor and
// the batch queries share that connection, which SQLite allows, and so read one snapshot. On
// PostgreSQL a connection cannot serve a second query while a cursor is open, so fn gets the
// pool.
func (s *Service) bulkRead(ctx context.Context, fn func(db *gorm.DB) error) error {
	db := s.store.DB.WithContext(ctx)
	if s.store.Dialect != store.SQLite {
		return fn(db)
	}
	return db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("PRAGMA mmap_size = " + strconv.Itoa(bulkMmap)).Error; err != nil {
			return err
		}
		// the connection returns to the pool as the store opened it, even after a cancellation
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec("PRAGMA mmap_size = 0")
		return fn(conn)
	})
}

// registerEntry is one visit of the register with what it prints.
type registerEntry struct {
	id        string
	date      string
	headcount int
	content   sql.NullString
	outcome   sql.NullString
	// the handling detail of the outcome: the guidance document, or where the matter went
	guidanceNumber, transferredTo, transferNumber sql.NullString
	note                                          sql.NullString
	title                                         string
	category                                      string
	previouslyHandledBy                           sql.NullString // Form 03's "Cơ quan đã giải quyết"
	status                                        string
	rootSeq                                       int64
	secret                                        bool // the persons are a denouncer's identity the reader may not see
	persons                                       []registerPerson
}

type registerPerson struct {
	FullName string
	Address  sql.NullString
	IDNumber sql.NullString
}

// registerSQL lists the live visits of a period in register order. A visit of a merged case
// prints the case as it was recorded, but the surviving case's classification, the body that
// already handled it and status: the merge decided which case that matter is. Both databases have two ways in: the
// (date, seq) index, which already yields the register's order, and for a small subtree the
// (org_id, date) index of each of its organisations; hence org_id IN (…) even for the whole
// register, where the pattern '%' takes every organisation.
const registerSQL = `SELECT v.id, v.date, v.headcount, v.content, v.outcome,
       v.guidance_number, v.transferred_to, v.transfer_number, v.note,
       c.title, r.category, r.previously_handled_by, r.status, r.seq
FROM visits v
JOIN cases c ON c.seq = v.case_seq
JOIN cases r ON r.seq = c.root_seq
WHERE v.voided_at IS NULL AND v.date >= ? AND v.date <= ?
  AND v.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)
ORDER BY v.date, v.seq`

// eachRegisterRow reads the visits with one cursor and hands them to sink batch by batch.
func (s *Service) eachRegisterRow(ctx context.Context, db *gorm.DB, x *RegisterExport, sink rowSink) (int, error) {
	return inBatches(db, registerSQL, x, sink, func(rows *sql.Rows, e *registerEntry) error {
		return rows.Scan(&e.id, &e.date, &e.headcount, &e.content, &e.outcome,
			&e.guidanceNumber, &e.transferredTo, &e.transferNumber, &e.note,
			&e.title, &e.category, &e.previouslyHandledBy, &e.status, &e.rootSeq)
	}, func(batch []registerEntry, serial int) error {
		return s.writeBatch(ctx, db, x, batch, serial, sink)
	})
}

// inBatches runs query (whose arguments are the period's first and last day and the subtree's
// path pattern) with one cursor, reads its rows with scan into batches of registerBatch entries
// and hands each to write with the number of rows before it, then flushes sink: the rows that
// need more than their own query's columns (persons, directives) get them with one query apiece
// per batch, and memory stays bounded by the batch whatever the register's size.
func inBatches[E any](db *gorm.DB, query string, x *RegisterExport, sink rowSink, scan func(*sql.Rows, *E) error, write func(batch []E, serial int) error) (int, error) {
	rows, err := db.Raw(query, x.q.Range.FromDate(), x.q.Range.ToDate(), x.sc.path+"%").Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	batch := make([]E, 0, registerBatch)
	serial := 0
	emit := func() error {
		if err := write(batch, serial); err != nil {
			return err
		}
		serial += len(batch)
		batch = batch[:0]
		return sink.flush()
	}
	for rows.Next() {
		var e E
		if err := scan(rows, &e); err != nil {
			return serial, err
		}
		batch = append(batch, e)
		if len(batch) == registerBatch {
			if err := emit(); err != nil {
				return serial, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return serial, err
	}
	if len(batch) > 0 {
		if err := emit(); err != nil {
			return serial, err
		}
	}
	return serial, nil
}

// writeBatch fetches the batch's persons (and whether each is a denouncer kept from the reader)
// and directives and writes its rows, numbered from serial+1.
func (s *Service) writeBatch(ctx context.Context, db *gorm.DB, x *RegisterExport, batch []registerEntry, serial int, sink rowSink) error {
	visitIDs := make([]string, len(batch))
	at := make(map[string]int, len(batch))
	roots := make([]int64, 0, len(batch))
	seenRoot := make(map[int64]bool, len(batch))
	for i, e := range batch {
		visitIDs[i] = e.id
		at[e.id] = i
		if !seenRoot[e.rootSeq] {
			seenRoot[e.rootSeq] = true
			roots = append(roots, e.rootSeq)
		}
	}
	err := readPersons(db, x, "visit_persons", "visits", "visit_id", visitIDs, func(visitID string, p registerPerson, kept bool) {
		e := &batch[at[visitID]]
		e.persons = append(e.persons, p)
		// one denouncer kept from the reader hides the whole visit's persons, as the API does
		e.secret = e.secret || kept
	})
	if err != nil {
		return err
	}
	numbers := make(map[int64][]string, len(roots))
	rows, err := db.Raw(`SELECT c.root_seq, d.number
		FROM directives d JOIN cases c ON c.id = d.case_id
		WHERE d.voided_at IS NULL AND c.root_seq IN ? ORDER BY d.issued_on, d.seq`, roots).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var root int64
		var number string
		if err := rows.Scan(&root, &number); err != nil {
			return err
		}
		numbers[root] = append(numbers[root], number)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cells := make([]string, len(RegisterColumns)-1)
	for i := range batch {
		batch[i].cells(cells, numbers[batch[i].rootSeq])
		if err := sink.row(serial+i+1, cells); err != nil {
			return err
		}
	}
	return nil
}

// readPersons reads, in their order, the persons that the link table links to the records of
// owners whose ids are ids (the link's column owner), each with whether it is a denouncer kept
// from the reader, and hands them to add. Scanned by hand: GORM's reflective Scan costs more
// than the queries themselves here.
func readPersons(db *gorm.DB, x *RegisterExport, link, owners, owner string, ids []string, add func(ownerID string, p registerPerson, kept bool)) error {
	secret, args := "0", []any{ids}
	if x.secret != "" {
		secret, args = "CASE WHEN "+x.secret+" THEN 1 ELSE 0 END", append(slices.Clone(x.secretArgs), ids)
	}
	rows, err := db.Raw(`SELECT l.`+owner+`, p.full_name, p.address, p.id_number, `+secret+`
		FROM `+link+` l JOIN persons p ON p.id = l.person_id JOIN `+owners+` o ON o.id = l.`+owner+`
		WHERE l.`+owner+` IN ? ORDER BY l.`+owner+`, l.position`, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ownerID string
		var p registerPerson
		var kept int
		if err := rows.Scan(&ownerID, &p.FullName, &p.Address, &p.IDNumber, &kept); err != nil {
			return err
		}
		add(ownerID, p, kept == 1)
	}
	return rows.Err()
}

// personCells writes persons as the register prints them: "name - address" and the ID numbers,
// one person a line in the same order; a secret record's persons are HiddenDenouncer.
func personCells(persons []registerPerson, secret bool) (names, ids string) {
	if secret {
		return HiddenDenouncer, ""
	}
	var nb, ib strings.Builder
	for i, p := range persons {
		if i > 0 {
			nb.WriteByte('\n')
			ib.WriteByte('\n')
		}
		nb.WriteString(p.FullName)
		if p.Address.Valid && p.Address.String != "" {
			nb.WriteString(" - ")
			nb.WriteString(p.Address.String)
		}
		ib.WriteString(p.IDNumber.String)
	}
	return nb.String(), strings.TrimRight(ib.String(), "\n")
}

// caseContent is the matter as the register prints it: the case's title, then what the record
// adds.
func caseContent(title string, content sql.NullString) string {
	if content.Valid && strings.TrimSpace(content.String) != "" {
		return title + ": " + content.String
	}
	return title
}

// cells fills the printed columns after STT. Several persons of one visit (a group) are listed
// one per line in the same cell, names and ID numbers in the same order.
func (e *registerEntry) cells(out []string, directives []string) {
	followUp := vocab.CaseStatus.VI(e.status)
	if len(directives) > 0 {
		followUp += "; công văn số " + strings.Join(directives, ", ")
	}
	out[0] = viDate(e.date)
	out[1], out[2] = personCells(e.persons, e.secret)
	out[3] = caseContent(e.title, e.content)
	out[4] = vocab.CaseCategory.VI(e.category) + " / " + strconv.Itoa(e.headcount)
	out[5] = e.previouslyHandledBy.String
	out[6] = e.handling()
	out[7] = followUp
	out[8] = e.note.String
}

// handling writes Form 03's handling column: the outcome's label, then for a citizen returned
// with guidance the guidance document's number, and for a transfer the body the matter went to
// and the transfer document's number ("Chuyển đơn đến UBND huyện Hải Lăng, văn bản số
// 45/PC-TCD"). The register's import reads the text after the label back as the detail.
func (e *registerEntry) handling() string {
	if !e.outcome.Valid {
		return ""
	}
	out := vocab.VisitOutcome.VI(e.outcome.String)
	if e.transferredTo.Valid {
		out += " đến " + e.transferredTo.String
	}
	for _, number := range []sql.NullString{e.guidanceNumber, e.transferNumber} {
		if number.Valid {
			out += ", văn bản số " + number.String
		}
	}
	return out
}
