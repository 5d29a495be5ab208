package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/documents"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Document is the record of a document issued to a citizen (a receipt, a slip, a notice): what
// it is, its number, whom and what it is about, and what the clerk wrote in it. The PDF itself,
// rendered once when it is issued and never again, is read apart. A document never changes: a
// correction is a new document that replaces it, and the old one is voided.
type Document struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Kind  string `json:"kind" vocab:"document.kind" enums:"receipt,appointment,guidance,transfer,refusal,acceptance"`
	// Number is the document's place in its series, which runs per organisation, year and
	// type (both notices are of the type "Thông báo" and share a series).
	Number    int     `json:"number" example:"5"`
	Reference string  `json:"reference" example:"05/PH-TCD"`
	IssuedOn  string  `json:"issued_on" example:"2024-03-05"`
	VisitID   *string `json:"visit_id" extensions:"x-nullable"`
	CaseID    *string `json:"case_id" extensions:"x-nullable"`
	PersonID  string  `json:"person_id"`
	// Replaces is the document this one corrects (voided when this one was issued).
	Replaces *string `json:"replaces" extensions:"x-nullable"`
	DocumentText
	Size      int64     `json:"size" example:"41234"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (d Document) Ref() (id string, version int) { return d.ID, d.Version }

// DocumentText is what the clerk writes in a document beyond the records it names (the
// citizen, the matter and the board come from the register). Which fields a kind needs:
// docs/documents.md.
type DocumentText struct {
	// Place is the place name before the date; by default the one the organisation's name ends
	// with (… tỉnh Quảng Trị: Quảng Trị), else its parent's.
	Place string `json:"place,omitempty" validate:"max=100" example:"Quảng Trị"`
	// Content is a free paragraph added to the body.
	Content string `json:"content,omitempty" validate:"max=10000"`
	// ReceivedOn is the day the petition or papers came in (receipt, guidance, transfer,
	// acceptance); by default the visit's day.
	ReceivedOn string `json:"received_on,omitempty" validate:"omitempty,date" example:"2024-02-28"`
	// Items are the papers received (receipt), one a line.
	Items []string `json:"items,omitempty" validate:"max=100,dive,max=500"`
	// AppointmentAt is when the citizen is to come back (appointment), in the organisation's
	// local time.
	AppointmentAt string `json:"appointment_at,omitempty" example:"2024-03-12T14:30"`
	Venue         string `json:"venue,omitempty" validate:"max=500"`
	// Addressee is the competent body (guidance, transfer).
	Addressee string `json:"addressee,omitempty" validate:"max=500" example:"Ủy ban nhân dân huyện Hải Lăng"`
	// Ground is the clause of Law 42/2013 Art. 9 a reception is refused under (refusal).
	Ground string `json:"ground,omitempty" validate:"omitempty,vocab" vocab:"document.ground" enums:"incapacitated,disorderly,resolved,other"`
	// Accepted says whether the petition is accepted for resolution (acceptance).
	Accepted *bool `json:"accepted,omitempty"`
	// Reason explains a refusal on the ground "other" or a petition not accepted.
	Reason     string         `json:"reason,omitempty" validate:"max=2000"`
	Signer     DocumentSigner `json:"signer"`
	Recipients []string       `json:"recipients,omitempty" validate:"max=20,dive,max=300"`
}

// DocumentSigner is who signs for the organisation; authority ("KT. Trưởng ban") when a deputy
// signs on the head's behalf.
type DocumentSigner struct {
	Authority string `json:"authority,omitempty" validate:"max=200" example:"KT. Trưởng ban"`
	Title     string `json:"title" validate:"max=200" example:"Phó Trưởng ban"`
	Name      string `json:"name" validate:"max=200" example:"Lê Quang Đức"`
}

// NewDocument is the body of POST /documents: the kind, the visit or case it is about (a
// visit names its case), the citizen (by default the visit's first person), and its text.
type NewDocument struct {
	Kind     string  `json:"kind" validate:"required,vocab" vocab:"document.kind" enums:"receipt,appointment,guidance,transfer,refusal,acceptance"`
	VisitID  *string `json:"visit_id,omitempty"`
	CaseID   *string `json:"case_id,omitempty"`
	PersonID *string `json:"person_id,omitempty"`
	// IssuedOn is the day of issue, by default today; its year chooses the series.
	IssuedOn *string `json:"issued_on,omitempty" validate:"omitempty,date" example:"2024-03-05"`
	// Replaces is the id of a live document of the same kind that this one corrects; it is
	// voided in the same transaction.
	Replaces     *string        `json:"replaces,omitempty"`
	DocumentText `validate:"-"` // validated on its own, so that its errors name its fields as sent
}

type documentRow struct {
	Meta      `gorm:"embedded"`
	Kind      string
	Year      int
	Series    string
	Number    int
	Reference string
	IssuedOn  string
	VisitID   *string
	CaseID    *string
	PersonID  string
	Replaces  *string
	Details   string
	Size      int64
	SHA256    string `gorm:"column:sha256"`
}

func (documentRow) TableName() string { return "documents" }

func toDocument(r *documentRow) Document {
	d := Document{ID: r.ID, OrgID: r.OrgID, Kind: r.Kind, Number: r.Number, Reference: r.Reference, IssuedOn: r.IssuedOn,
		VisitID: r.VisitID, CaseID: r.CaseID, PersonID: r.PersonID, Replaces: r.Replaces, Size: r.Size, SHA256: r.SHA256,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version}
	// written by this service from a DocumentText: it always reads back
	_ = json.Unmarshal([]byte(r.Details), &d.DocumentText)
	return d
}

// documentKind hides a document from whoever may not know the denouncer it names: a document of
// a denunciation is as secret as the visit its citizen came on.
var documentKind = kind[documentRow, *documentRow, Document]{entity: "document", out: each(toDocument),
	hide: func(s *Service, q *gorm.DB, actor auth.Actor) *gorm.DB {
		kept, args := s.keptDenouncer(actor, "d.person_id = documents.person_id AND d.case_id = documents.case_id")
		if kept == "" {
			return q
		}
		return q.Where("NOT "+kept, args...)
	}}

// documentSubject is what a document says of the register: the citizen, the matter and the day
// the citizen came.
type documentSubject struct {
	orgID, caseID, visitDate string
	visitID                  *string
	caseTitle                string
	person                   personRow
}

// IssueDocument renders and records a document. Its number is the next of its series, taken in
// the same transaction as the record, so that concurrent issues never share a number or leave a
// gap; the PDF is rendered with that number before the transaction ends.
func (s *Service) IssueDocument(ctx context.Context, actor auth.Actor, in NewDocument) (Document, error) {
	if err := validate.Struct(in); err != nil {
		return Document{}, err
	}
	if err := validate.Struct(in.DocumentText); err != nil {
		return Document{}, err
	}
	text := tidyText(in.DocumentText)
	issuedOn := derefOr(in.IssuedOn, s.today())
	var out Document
	err := s.store.TxClosing(ctx, func(tx *gorm.DB) (store.Closing, error) {
		subj, err := s.documentSubject(ctx, tx, actor, in)
		if err != nil {
			return nil, err
		}
		if text.ReceivedOn == "" && subj.visitDate != "" && in.Kind != "refusal" && in.Kind != "appointment" {
			text.ReceivedOn = subj.visitDate
		}
		lh, err := orgs.LetterheadOf(ctx, tx, subj.orgID)
		if err != nil {
			return nil, err
		}
		doc, err := printedDocument(in.Kind, issuedOn, lh, subj, text)
		if err != nil {
			return nil, err
		}
		var replaced *documentRow
		if in.Replaces != nil {
			if replaced, err = s.replacedDocument(ctx, tx, actor, *in.Replaces, in.Kind, subj.orgID); err != nil {
				return nil, err
			}
		}
		details, err := json.Marshal(text)
		if err != nil {
			return nil, err
		}
		// The number is taken last: the series' row stays locked from here to the commit.
		return func(tx *gorm.DB) error {
			series := doc.Kind.Symbol()
			year := doc.Date.Year()
			if err := tx.WithContext(ctx).Raw(`INSERT INTO document_series (org_id, year, series, last) VALUES (?, ?, ?, 1)
				ON CONFLICT (org_id, year, series) DO UPDATE SET last = document_series.last + 1 RETURNING last`,
				subj.orgID, year, series).Scan(&doc.Number).Error; err != nil {
				return err
			}
			var pdf bytes.Buffer
			if err := doc.Render(&pdf); err != nil {
				return err
			}
			sum := sha256.Sum256(pdf.Bytes())
			row := &documentRow{Meta: s.newMeta(subj.orgID), Kind: in.Kind, Year: year, Series: series, Number: doc.Number,
				Reference: doc.Reference(), IssuedOn: issuedOn, VisitID: subj.visitID, CaseID: &subj.caseID,
				PersonID: subj.person.ID, Replaces: in.Replaces, Details: string(details), Size: int64(pdf.Len()),
				SHA256: hex.EncodeToString(sum[:])}
			if err := tx.WithContext(ctx).Create(row).Error; err != nil {
				return err
			}
			if err := tx.WithContext(ctx).Table("document_files").Create(map[string]any{"document_id": row.ID, "pdf": pdf.Bytes()}).Error; err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, "create", "document", row.ID, map[string]any{"kind": row.Kind,
				"reference": row.Reference, "issued_on": row.IssuedOn, "visit_id": row.VisitID, "case_id": row.CaseID,
				"person_id": row.PersonID, "replaces": row.Replaces, "sha256": row.SHA256}); err != nil {
				return err
			}
			if replaced != nil {
				if err := s.void(ctx, tx, actor, "document", replaced, "replaced by "+row.Reference); err != nil {
					return err
				}
			}
			out = toDocument(row)
			return nil
		}, nil
	})
	return out, err
}

// tidyText stores the clerk's text NFC with tidy spacing, lists and paragraphs without blank
// lines.
func tidyText(t DocumentText) DocumentText {
	t.Place, t.Venue, t.Addressee, t.Reason = vntext.NFC(t.Place), vntext.NFC(t.Venue), vntext.NFC(t.Addressee), vntext.NFC(t.Reason)
	t.Content = strings.Join(tidyLines(strings.Split(t.Content, "\n")), "\n")
	t.Signer = DocumentSigner{Authority: vntext.NFC(t.Signer.Authority), Title: vntext.NFC(t.Signer.Title), Name: vntext.NFC(t.Signer.Name)}
	t.Items, t.Recipients = tidyLines(t.Items), tidyLines(t.Recipients)
	return t
}

func tidyLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = vntext.NFC(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// documentSubject reads the visit or case a new document is about and its citizen, as the actor
// may see them: a citizen whose link to a denunciation is kept from the actor cannot be named.
func (s *Service) documentSubject(ctx context.Context, tx *gorm.DB, actor auth.Actor, in NewDocument) (documentSubject, error) {
	var subj documentSubject
	var candidates []string // the persons the document may name, the visit's in its order
	switch {
	case in.VisitID != nil && in.CaseID != nil:
		return subj, apperr.Field("case_id", "give a visit_id or a case_id, not both: a visit names its case")
	case in.VisitID != nil:
		v, err := reference[visitRow](ctx, tx, actor, "visit_id", "visit", *in.VisitID)
		if err != nil {
			return subj, err
		}
		subj.orgID, subj.caseID, subj.visitDate, subj.visitID = v.OrgID, v.CaseID, v.Date, &v.ID
		links, err := visitPersons.load(ctx, tx, []string{v.ID})
		if err != nil {
			return subj, err
		}
		candidates = links[v.ID]
	case in.CaseID != nil:
		c, err := reference[caseRow](ctx, tx, actor, "case_id", "case", *in.CaseID)
		if err != nil {
			return subj, err
		}
		subj.orgID, subj.caseID = c.OrgID, c.ID
		if in.PersonID == nil {
			return subj, apperr.Field("person_id", "is required with a case_id: which of the case's citizens the document is for")
		}
		err = tx.WithContext(ctx).Raw(`SELECT vp.person_id FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id
			WHERE v.case_id = ? AND v.voided_at IS NULL AND vp.person_id = ?
			UNION SELECT dr.person_id FROM delegation_representatives dr JOIN delegations g ON g.id = dr.delegation_id
			WHERE g.case_id = ? AND g.voided_at IS NULL AND dr.person_id = ?`, c.ID, *in.PersonID, c.ID, *in.PersonID).Scan(&candidates).Error
		if err != nil {
			return subj, err
		}
	default:
		return subj, apperr.Field("visit_id", "is required (or case_id): the visit or case the document is about")
	}
	if err := tx.WithContext(ctx).Table("cases").Select("title").Where("id = ?", subj.caseID).Scan(&subj.caseTitle).Error; err != nil {
		return subj, err
	}
	personID := ""
	if in.PersonID != nil {
		personID = *in.PersonID
	} else if len(candidates) > 0 {
		personID = candidates[0]
	}
	if personID == "" || !slices.Contains(candidates, personID) {
		if in.PersonID == nil {
			return subj, apperr.Field("person_id", "the visit names no person: say whom the document is for")
		}
		return subj, apperr.Field("person_id", "is not a citizen named in this visit or case")
	}
	if kept, args := s.SecretLinkSQL(actor, "?", "?"); kept != "" {
		var hits []int
		if err := tx.WithContext(ctx).Raw("SELECT 1 WHERE "+kept, append([]any{personID, subj.caseID}, args...)...).Scan(&hits).Error; err != nil {
			return subj, err
		}
		if len(hits) > 0 {
			return subj, apperr.Field("person_id", "is not a citizen named in this visit or case")
		}
	}
	err := tx.WithContext(ctx).Where("id = ?", personID).Take(&subj.person).Error
	return subj, err
}

// replacedDocument is the live document a correction replaces: of the same kind and
// organisation.
func (s *Service) replacedDocument(ctx context.Context, tx *gorm.DB, actor auth.Actor, id, kind, orgID string) (*documentRow, error) {
	row, err := documentKind.find(ctx, s, tx, actor, id, ReadOptions{})
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.Field("replaces", "no live document with id %q", id)
	}
	if err != nil {
		return nil, err
	}
	if row.Kind != kind || row.OrgID != orgID {
		return nil, apperr.Field("replaces", "a correction is a document of the same kind and organisation (%s is a %s)", row.Reference, row.Kind)
	}
	return row, nil
}

// printedDocument is what the PDF prints, checked by the renderer's rules; its errors are named
// as the request names the fields.
func printedDocument(kind, issuedOn string, lh orgs.Letterhead, subj documentSubject, t DocumentText) (*documents.Document, error) {
	var fe apperr.Fields
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fe.Add(field, "must be a date, YYYY-MM-DD")
		}
		return d
	}
	issuer := documents.IssuerOf(lh.Name, lh.ParentName, lh.Code)
	if t.Place != "" {
		issuer.Place = t.Place
	}
	gender := subj.person.Gender
	if gender == "unknown" {
		gender = ""
	}
	doc := &documents.Document{
		Kind:   documents.Kind(kind),
		Issuer: issuer,
		Number: 1, // the series' next, taken when the record is written
		Date:   day("issued_on", issuedOn),
		Person: documents.Person{FullName: subj.person.FullName, Gender: gender, IDNumber: derefOr(subj.person.IDNumber, ""),
			Address: derefOr(subj.person.Address, ""), Phone: derefOr(subj.person.Phone, "")},
		CaseTitle: subj.caseTitle, Content: t.Content, ReceivedOn: day("received_on", t.ReceivedOn), Items: t.Items,
		Venue: t.Venue, Addressee: t.Addressee, Ground: documents.RefusalGround(t.Ground), Accepted: derefOr(t.Accepted, false),
		Reason: t.Reason, Signer: documents.Signer{Authority: t.Signer.Authority, Title: t.Signer.Title, Name: t.Signer.Name},
		Recipients: t.Recipients,
	}
	if t.AppointmentAt != "" {
		at, err := time.Parse("2006-01-02T15:04", t.AppointmentAt)
		if err != nil {
			fe.Add("appointment_at", "must be a local date and time, YYYY-MM-DDTHH:MM")
		}
		doc.AppointmentAt = at
	}
	if kind == "acceptance" && t.Accepted == nil {
		fe.Add("accepted", "required for an acceptance: true or false")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := doc.Validate(); err != nil {
		return nil, renamedFields(err)
	}
	return doc, nil
}

// renamedFields names the renderer's fields as the request does: the issuer's place is the
// request's place, the rest of the issuer and the citizen come from the register.
func renamedFields(err error) error {
	var fe apperr.Fields
	if !addInvalid(&fe, "", err) {
		return err
	}
	e := fe.Err().(*apperr.Error)
	for i, f := range e.Fields {
		switch f.Field {
		case "issuer.place":
			e.Fields[i].Message = "the organisation's name ends with no place name (tỉnh …, huyện …): give the place before the date"
			e.Fields[i].Field = "place"
		case "date":
			e.Fields[i].Field = "issued_on"
		}
	}
	return e
}

// GetDocument reads one document's record.
func (s *Service) GetDocument(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Document, error) {
	return documentKind.get(ctx, s, actor, id, opt)
}

// DocumentFile is the PDF of a document as it was issued.
type DocumentFile struct {
	Document
	PDF []byte
}

// DocumentPDF reads a document's PDF; the read is audited, as the PDF names the citizen.
func (s *Service) DocumentPDF(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (DocumentFile, error) {
	doc, err := s.GetDocument(ctx, actor, id, opt)
	if err != nil {
		return DocumentFile{}, err
	}
	f := DocumentFile{Document: doc}
	if err := s.store.DB.WithContext(ctx).Raw("SELECT pdf FROM document_files WHERE document_id = ?", id).Row().Scan(&f.PDF); err != nil {
		return DocumentFile{}, err
	}
	return f, audit.Record(ctx, s.store.DB, actor, "read", "document", id, nil)
}

// VoidDocument voids a document issued in error; it keeps its number.
func (s *Service) VoidDocument(ctx context.Context, actor auth.Actor, id, reason string) (Document, error) {
	return documentKind.void(ctx, s, actor, id, reason)
}

// DocumentFilter narrows ListDocuments; the json names are the query parameters.
type DocumentFilter struct {
	Kind          string `json:"kind" validate:"omitempty,vocab" vocab:"document.kind" enums:"receipt,appointment,guidance,transfer,refusal,acceptance"`
	VisitID       string `json:"visit_id" validate:"max=100"`
	CaseID        string `json:"case_id" validate:"max=100"`
	PersonID      string `json:"person_id" validate:"max=100"`
	From          string `json:"from" validate:"omitempty,date"` // issued_on, inclusive
	To            string `json:"to" validate:"omitempty,date"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListDocuments lists documents newest first.
func (s *Service) ListDocuments(ctx context.Context, actor auth.Actor, f DocumentFilter) ([]Document, string, error) {
	if err := checkFilter(f, f.From, f.To); err != nil {
		return nil, "", err
	}
	q := whereDates(documentKind.query(ctx, s, actor, f.IncludeVoided), "issued_on", f.From, f.To)
	for col, v := range map[string]string{"kind": f.Kind, "visit_id": f.VisitID, "case_id": f.CaseID, "person_id": f.PersonID} {
		if v != "" {
			q = q.Where("documents."+col+" = ?", v)
		}
	}
	return documentKind.list(ctx, s, actor, q, f.Page)
}
