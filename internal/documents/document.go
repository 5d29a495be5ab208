// Package documents renders the papers a Reception Board hands to citizens (receipts,
// appointment, guidance and transfer slips, notices of refusal and of acceptance) and Form 01/TCD
// as PDF files, in the process, from plain data: it reads no database and numbers nothing. The
// layout follows the administrative document format of Decree 30/2020/NĐ-CP; the text is set in
// fonts embedded in the binary, so a PDF looks and extracts the same on every machine.
package documents

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// Kind is the kind of a document. The values are stored and part of the API.
type Kind string

const (
	Receipt     Kind = "receipt"     // giấy biên nhận: the petition and papers a citizen handed in
	Appointment Kind = "appointment" // phiếu hẹn: when and where to come back
	Guidance    Kind = "guidance"    // phiếu hướng dẫn: which body is competent for the matter
	Transfer    Kind = "transfer"    // phiếu chuyển đơn: the petition sent on to the competent body
	Refusal     Kind = "refusal"     // thông báo từ chối tiếp (Law 42/2013 Art. 9)
	Acceptance  Kind = "acceptance"  // thông báo thụ lý / không thụ lý
)

// Kinds lists every kind, in the order help texts show them.
var Kinds = []Kind{Receipt, Appointment, Guidance, Transfer, Refusal, Acceptance}

// Symbol is the abbreviation of the kind's document type in its number (Decree 30/2020, Appendix
// III): 12/PH-BTCD is appointment slip 12 of the board abbreviated BTCD. Both notices are of the
// type "thông báo" (TB), so they share one series: a series is per organisation, year and symbol,
// and no two documents of a board ever carry the same number.
func (k Kind) Symbol() string {
	switch k {
	case Receipt:
		return "BN"
	case Appointment:
		return "PH"
	case Guidance:
		return "HD"
	case Transfer:
		return "PC"
	case Refusal, Acceptance:
		return "TB"
	}
	return ""
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k.Symbol() != "" }

// Issuer is the organisation that issues a document, as its header prints it.
type Issuer struct {
	// Parent is the body the issuer belongs to (cơ quan chủ quản), printed above its name, e.g.
	// "Ủy ban nhân dân tỉnh Quảng Trị" (printed in capitals); empty for none.
	Parent string
	// Name is the issuer's own name as a sentence writes it, e.g. "Ban Tiếp công dân tỉnh
	// Quảng Trị"; the header prints it in capitals.
	Name string
	// Symbol is its abbreviation in document numbers, e.g. "BTCD".
	Symbol string
	// Place is the place name before the date (địa danh), e.g. "Quảng Trị".
	Place string
}

// Person is the citizen a document is about or addressed to.
type Person struct {
	FullName string
	Gender   string // "male", "female" or empty: only chooses between "ông", "bà" and "ông/bà"
	IDNumber string
	Address  string
	Phone    string
}

// Signer is who signs for the issuer. Authority is the line above the title when the signer
// signs on behalf of the head (Decree 30/2020 Art. 13: "KT. TRƯỞNG BAN", "TL. …"); empty when
// the head signs.
type Signer struct {
	Authority string
	Title     string // e.g. "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"
	Name      string
}

// RefusalGround is one of the grounds of Law 42/2013 Art. 9 on which a reception may be refused.
type RefusalGround string

const (
	// Art. 9(1): intoxicated, or unable to perceive or control one's acts
	GroundIncapacitated RefusalGround = "incapacitated"
	// Art. 9(2): threatening or insulting, or breaking the rules of the reception place
	GroundDisorderly RefusalGround = "disorderly"
	// Art. 9(3): a matter lawfully resolved, reviewed and explained, raised again and again
	GroundResolved RefusalGround = "resolved"
	// Art. 9(4): another case the law provides for; Reason says which
	GroundOther RefusalGround = "other"
)

// clause is the clause of Art. 9 a ground falls under and the law's words for it.
func (g RefusalGround) clause() (int, string) {
	switch g {
	case GroundIncapacitated:
		return 1, "người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần hoặc một bệnh khác làm mất khả năng nhận thức hoặc khả năng điều khiển hành vi của mình"
	case GroundDisorderly:
		return 2, "người có hành vi đe dọa, xúc phạm cơ quan, tổ chức, đơn vị, người tiếp công dân, người thi hành công vụ hoặc có hành vi khác vi phạm nội quy nơi tiếp công dân"
	case GroundResolved:
		return 3, "người khiếu nại, tố cáo về vụ việc đã giải quyết đúng chính sách, pháp luật, được cơ quan nhà nước có thẩm quyền kiểm tra, rà soát, thông báo bằng văn bản và đã được tiếp, giải thích, hướng dẫn nhưng vẫn cố tình khiếu nại, tố cáo kéo dài"
	case GroundOther:
		return 4, "những trường hợp khác theo quy định của pháp luật"
	}
	return 0, ""
}

// Document is everything one document prints. Which fields a kind needs is checked by Validate.
type Document struct {
	Kind   Kind
	Issuer Issuer
	// Number is the document's place in its series (Kind.Symbol, per organisation and year).
	Number int
	// Date is the day it is issued.
	Date   time.Time
	Person Person
	// CaseTitle says in a line what the matter is (the case's title).
	CaseTitle string
	// Content is what the clerk adds in the body; paragraphs separated by line breaks.
	Content string
	// ReceivedOn is the day the petition or papers came in (receipt, guidance, transfer,
	// acceptance).
	ReceivedOn time.Time
	// Items are the papers received (receipt), one per line of the list.
	Items []string
	// AppointmentAt and Venue are when and where the citizen is to come (appointment).
	AppointmentAt time.Time
	Venue         string
	// Addressee is the competent body: the one the citizen is guided to (guidance) or the
	// petition is transferred to (transfer).
	Addressee string
	// Ground is why a reception is refused (refusal).
	Ground RefusalGround
	// Accepted says whether the petition is accepted for resolution (acceptance).
	Accepted bool
	// Reason explains a refusal on GroundOther or a petition not accepted.
	Reason string
	Signer Signer
	// Recipients are the "Nơi nhận" besides the issuer's archive, which is always listed last.
	Recipients []string
}

// Reference is the document's number as printed: "05/PH-BTCD" (Decree 30/2020 writes numbers
// below 10 with a leading zero).
func (d *Document) Reference() string {
	return fmt.Sprintf("%02d/%s-%s", d.Number, d.Kind.Symbol(), d.Issuer.Symbol)
}

// Validate checks that d has what its kind prints, naming every missing or wrong field.
func (d *Document) Validate() error {
	var errs apperr.Fields
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	if !d.Kind.Valid() {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		errs.AddAs(apperr.ForbiddenValue, "kind", "must be one of %s", strings.Join(names, ", "))
		return errs.Err()
	}
	required(&errs, field{"issuer.name", d.Issuer.Name}, field{"issuer.symbol", d.Issuer.Symbol},
		field{"issuer.place", d.Issuer.Place})
	if d.Number < 1 {
		errs.AddAs(apperr.OutOfRange, "number", "must be at least 1")
	}
	if d.Date.IsZero() {
		errs.AddAs(apperr.Required, "date", "required")
	}
	required(&errs, field{"person.full_name", d.Person.FullName}, field{"signer.title", d.Signer.Title},
		field{"signer.name", d.Signer.Name})
	needsCase := d.Kind != Refusal
	needsReceived := d.Kind == Receipt || d.Kind == Guidance || d.Kind == Transfer || d.Kind == Acceptance
	if needsCase && blank(d.CaseTitle) {
		errs.AddAs(apperr.Required, "case_title", "required for a %s", d.Kind)
	}
	if needsReceived && d.ReceivedOn.IsZero() {
		errs.AddAs(apperr.Required, "received_on", "required for a %s", d.Kind)
	}
	switch d.Kind {
	case Receipt:
		if len(d.Items) == 0 {
			errs.Add("items", "a receipt lists at least one paper received")
		}
		for i, it := range d.Items {
			if blank(it) {
				errs.Add(fmt.Sprintf("items[%d]", i), "empty")
			}
		}
	case Appointment:
		if d.AppointmentAt.IsZero() {
			errs.AddAs(apperr.Required, "appointment_at", "required for an appointment")
		}
		if blank(d.Venue) {
			errs.AddAs(apperr.Required, "venue", "required for an appointment")
		}
	case Guidance, Transfer:
		if blank(d.Addressee) {
			errs.AddAs(apperr.Required, "addressee", "required for a %s: the competent body", d.Kind)
		}
	case Refusal:
		if n, _ := d.Ground.clause(); n == 0 {
			errs.AddAs(apperr.ForbiddenValue, "ground", "must be one of incapacitated, disorderly, resolved, other (Law 42/2013 Art. 9)")
		} else if d.Ground == GroundOther && blank(d.Reason) {
			errs.AddAs(apperr.Required, "reason", "required when the ground is other")
		}
	case Acceptance:
		if !d.Accepted && blank(d.Reason) {
			errs.AddAs(apperr.Required, "reason", "required when the petition is not accepted")
		}
	}
	return errs.Err()
}

// field is a text field of the input, named as the API names it.
type field struct{ name, value string }

// required adds an error for each field that is empty or only white space.
func required(errs *apperr.Fields, fields ...field) {
	for _, f := range fields {
		if strings.TrimSpace(f.value) == "" {
			errs.AddAs(apperr.Required, f.name, "required")
		}
	}
}

// Render writes d as a one- or two-page A4 PDF. The same document always gives the same bytes.
func (d *Document) Render(w io.Writer) error {
	if err := d.Validate(); err != nil {
		return err
	}
	p := newPage(fpdf.OrientationPortrait, d.Date, documentMargins)
	p.pdf.SetTitle(text(d.title()+" "+d.Reference()), true)
	p.letterhead(d.Issuer, "Số: "+d.Reference(), placeDate(d.Issuer.Place, d.Date), letterheadLeft)
	d.body(p)
	return p.output(w)
}
