package export

import (
	"context"
	"database/sql"
	"io"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

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

// registerBatch is how many visits are read before their persons and directives are fetched:
// one query each per batch, and memory bounded by the batch whatever the register's size. A
// variable only so that tests can cross batch boundaries with a small register.
var registerBatch = 1000

// RegisterQuery says which part of the register to export.
type RegisterQuery struct {
	Range period.Range
	OrgID string // the subtree's root; "" means the actor's own subtree
}

// RegisterExport is a register export that was checked and audited; Write reads and writes the
// rows.
type RegisterExport struct {
	s        *Service
	q        RegisterQuery
	sc       scope
	format   Format
	FileName string
	// secret is SQL over a person vp.person_id named about the case v.case_id that holds when
	// the person is a denouncer kept from the reader (Secrecy); "" when the reader sees all
	secret     string
	secretArgs []any
}

// HiddenDenouncer stands in the name and ID columns of a visit whose persons are secret; the
// import of registers reads it as "no persons".
const HiddenDenouncer = "(giữ bí mật thông tin người tố cáo)"

// OpenRegister checks the request and records in the audit log that the actor exported the
// register (it discloses personal data), before a single row is read.
func (s *Service) OpenRegister(ctx context.Context, actor auth.Actor, q RegisterQuery, f Format) (*RegisterExport, error) {
	sc, err := s.scopeOf(ctx, actor, q.OrgID)
	if err != nil {
		return nil, err
	}
	changes := map[string]any{"from": q.Range.FromDate(), "to": q.Range.ToDate(), "basis": string(q.Range.Basis), "format": string(f)}
	if q.OrgID != "" {
		changes["org_id"] = q.OrgID
	}
	if err := audit.Record(ctx, s.store.DB, actor, "export", "register_export", q.Range.Label, changes); err != nil {
		return nil, err
	}
	e := &RegisterExport{s: s, q: q, sc: sc, format: f, FileName: fileName("register", q.Range, sc, f)}
	if s.secrecy != nil {
		e.secret, e.secretArgs = s.secrecy.SecretLinkSQL(actor, "vp.person_id", "v.case_id")
	}
	return e, nil
}

// rowSink receives the register's rows in order; flush marks the end of a batch, where a
// streaming sink pushes what it has out to the reader.
type rowSink interface {
	row(serial int, cells []string) error
	flush() error
	finish() error // writes what remains; the file is complete after it
}

// Write streams the register to w and returns the number of rows. Nothing is written to w
// before the first batch has been read, so a failing query leaves w untouched.
func (e *RegisterExport) Write(ctx context.Context, w io.Writer) (int, error) {
	var sink rowSink = newCSVSink(w, RegisterColumns)
	if e.format == XLSX {
		sink = newXLSXRegisterSink(w, e.q.Range)
	}
	var n int
	err := e.s.bulkRead(ctx, func(db *gorm.DB) error {
		var err error
		n, err = e.s.eachRegisterRow(ctx, db, e, sink)
		return err
	})
	if err != nil {
		return n, err
	}
	return n, sink.finish()
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

// eachRegisterRow reads the register with one cursor and hands the rows to sink batch by batch;
// each batch's persons and directives come from one query apiece.
func (s *Service) eachRegisterRow(ctx context.Context, db *gorm.DB, x *RegisterExport, sink rowSink) (int, error) {
	rows, err := db.Raw(registerSQL, x.q.Range.FromDate(), x.q.Range.ToDate(), x.sc.path+"%").Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	batch := make([]registerEntry, 0, registerBatch)
	serial := 0
	emit := func() error {
		if err := s.writeBatch(ctx, db, x, batch, serial, sink); err != nil {
			return err
		}
		serial += len(batch)
		batch = batch[:0]
		return sink.flush()
	}
	for rows.Next() {
		var e registerEntry
		if err := rows.Scan(&e.id, &e.date, &e.headcount, &e.content, &e.outcome,
			&e.guidanceNumber, &e.transferredTo, &e.transferNumber, &e.note,
			&e.title, &e.category, &e.previouslyHandledBy, &e.status, &e.rootSeq); err != nil {
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
	// Scanned by hand: GORM's reflective Scan costs more than the queries themselves here.
	secret, args := "0", []any{visitIDs}
	if x.secret != "" {
		secret, args = "CASE WHEN "+x.secret+" THEN 1 ELSE 0 END", append(slices.Clone(x.secretArgs), visitIDs)
	}
	rows, err := db.Raw(`SELECT vp.visit_id, p.full_name, p.address, p.id_number, `+secret+`
		FROM visit_persons vp JOIN persons p ON p.id = vp.person_id JOIN visits v ON v.id = vp.visit_id
		WHERE vp.visit_id IN ? ORDER BY vp.visit_id, vp.position`, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var visitID string
		var p registerPerson
		var kept int
		if err := rows.Scan(&visitID, &p.FullName, &p.Address, &p.IDNumber, &kept); err != nil {
			return err
		}
		e := &batch[at[visitID]]
		e.persons = append(e.persons, p)
		// one denouncer kept from the reader hides the whole visit's persons, as the API does
		e.secret = e.secret || kept == 1
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	numbers := make(map[int64][]string, len(roots))
	rows, err = db.Raw(`SELECT c.root_seq, d.number
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

// cells fills the printed columns after STT. Several persons of one visit (a group) are listed
// one per line in the same cell, names and ID numbers in the same order.
func (e *registerEntry) cells(out []string, directives []string) {
	var names, ids strings.Builder
	if e.secret {
		names.WriteString(HiddenDenouncer)
	}
	for i, p := range e.persons {
		if e.secret {
			break
		}
		if i > 0 {
			names.WriteByte('\n')
			ids.WriteByte('\n')
		}
		names.WriteString(p.FullName)
		if p.Address.Valid && p.Address.String != "" {
			names.WriteString(" - ")
			names.WriteString(p.Address.String)
		}
		ids.WriteString(p.IDNumber.String)
	}
	content := e.title
	if e.content.Valid && strings.TrimSpace(e.content.String) != "" {
		content += ": " + e.content.String
	}
	followUp := vocab.CaseStatus.VI(e.status)
	if len(directives) > 0 {
		followUp += "; công văn số " + strings.Join(directives, ", ")
	}
	out[0] = viDate(e.date)
	out[1] = names.String()
	out[2] = strings.TrimRight(ids.String(), "\n")
	out[3] = content
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
