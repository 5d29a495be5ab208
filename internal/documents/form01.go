package documents

import (
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/stats"
)

// Form01Report is Form 01/TCD ready to print, sign and seal: the figures exactly as the
// statistics laid them out (nothing is counted here), and who reports them.
type Form01Report struct {
	Form   stats.Form01
	Issuer Issuer // the reporting organisation; Symbol is not used
	// Date is the day the form is signed.
	Date time.Time
	// Preparer is who drew the table up (người lập biểu); empty leaves the line to be written by
	// hand, as does an empty Signer.Name.
	Preparer string
	// Signer is the head who signs; an empty Title prints "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ".
	Signer Signer
}

// form01Margins leave the widest table A4 landscape allows, and the left edge for binding.
var form01Margins = margins{left: 15, top: 10, right: 10, bottom: 10}

// Geometry of the table, in millimetres and points.
const (
	form01NameWidth  = 38  // the "Đơn vị" column
	form01HeaderSize = 6.5 // header labels: seven or eight letters a line in a figure column
	form01CellSize   = 8   // organisation names and figures
	form01Padding    = 1.2 // above and below a cell's text
)

// Render writes the form as a PDF on A4 landscape, the header repeated on every page.
func (r *Form01Report) Render(w io.Writer) error {
	var errs apperr.Fields
	required(&errs, field{"issuer.name", r.Issuer.Name}, field{"issuer.place", r.Issuer.Place})
	if r.Date.IsZero() {
		errs.AddAs(apperr.Required, "date", "required")
	}
	if len(r.Form.Columns) == 0 {
		errs.Add("form.columns", "the form has no columns")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	p := newPage(fpdf.OrientationLandscape, r.Date, form01Margins)
	p.pdf.SetAutoPageBreak(false, form01Margins.bottom) // rows break pages here, whole
	p.pdf.SetTitle(text(r.Form.FormNumber+" "+r.Form.Subtitle), true)
	// a statistics form has the reporting unit top left and the form's number top right
	issuerBottom := p.issuer(r.Issuer, p.left, form01Margins.top, 90)
	p.centered(p.left+p.width-70, form01Margins.top, 70, r.Form.FormNumber, bold, sizeNumber)
	y := p.centered(p.left, issuerBottom+4, p.width, r.Form.Title, bold, 13)
	y = p.centered(p.left, y, p.width, r.Form.Subtitle, italic, 12)
	t := newForm01Table(p, r.Form)
	p.pdf.SetY(y + 3)
	t.header()
	for _, row := range r.Form.Rows {
		t.row(row)
	}
	r.footer(p)
	return p.output(w)
}

// form01Table draws the table: the "Đơn vị" column, then one narrow column per figure.
type form01Table struct {
	p            *page
	form         stats.Form01
	colWidth     float64
	levelHeights []float64
}

func newForm01Table(p *page, f stats.Form01) *form01Table {
	t := &form01Table{p: p, form: f, colWidth: (p.width - form01NameWidth) / float64(len(f.Columns))}
	p.pdf.SetCellMargin(0.4)
	// Each header row is as tall as its tallest single-row label; a label reaching down several
	// rows that needs more than they give makes the lowest of them taller.
	t.levelHeights = make([]float64, f.HeaderDepth())
	for i := range t.levelHeights {
		t.levelHeights[i] = 4
	}
	cells := f.HeaderCells()
	for _, c := range cells {
		if c.Level == c.ToLevel {
			t.levelHeights[c.Level] = max(t.levelHeights[c.Level], t.labelHeight(c))
		}
	}
	for _, c := range cells {
		if c.Level != c.ToLevel {
			have := 0.0
			for l := c.Level; l <= c.ToLevel; l++ {
				have += t.levelHeights[l]
			}
			if need := t.labelHeight(c); need > have {
				t.levelHeights[c.ToLevel] += need - have
			}
		}
	}
	return t
}

// labelHeight is the height the header cell's label needs, wrapped to the cell's width.
func (t *form01Table) labelHeight(c stats.Form01HeaderCell) float64 {
	t.p.pdf.SetFont(family, bold, form01HeaderSize)
	n := len(t.p.pdf.SplitText(text(c.Label), t.spanWidth(c.First, c.Last)-2*t.p.pdf.GetCellMargin()))
	return float64(n)*lineHeight(form01HeaderSize) + 2*form01Padding
}

func (t *form01Table) spanWidth(first, last int) float64 {
	return float64(last-first+1) * t.colWidth
}

func (t *form01Table) colX(i int) float64 {
	return t.p.left + form01NameWidth + float64(i)*t.colWidth
}

// box draws a bordered cell with s centred in it, wrapped.
func (t *form01Table) box(x, y, w, h float64, s, style string, size float64) {
	pdf := t.p.pdf
	pdf.Rect(x, y, w, h, "D")
	pdf.SetFont(family, style, size)
	lines := pdf.SplitText(text(s), w-2*pdf.GetCellMargin())
	lh := lineHeight(size)
	pdf.SetXY(x, y+(h-float64(len(lines))*lh)/2)
	for _, l := range lines {
		pdf.SetX(x)
		pdf.CellFormat(w, lh, l, "", 2, "C", false, 0, "")
	}
}

// header draws the header rows and the "MS" row of column numbers under them.
func (t *form01Table) header() {
	pdf := t.p.pdf
	pdf.SetLineWidth(0.2)
	top := pdf.GetY()
	levelY := make([]float64, len(t.levelHeights)+1)
	levelY[0] = top
	for i, h := range t.levelHeights {
		levelY[i+1] = levelY[i] + h
	}
	bottom := levelY[len(t.levelHeights)]
	t.box(t.p.left, top, form01NameWidth, bottom-top, unitLabel, bold, form01CellSize)
	for _, c := range t.form.HeaderCells() {
		t.box(t.colX(c.First), levelY[c.Level], t.spanWidth(c.First, c.Last), levelY[c.ToLevel+1]-levelY[c.Level], c.Label, bold, form01HeaderSize)
	}
	h := lineHeight(form01HeaderSize) + 2*form01Padding
	t.box(t.p.left, bottom, form01NameWidth, h, "MS", bold, form01HeaderSize)
	for i, c := range t.form.Columns {
		t.box(t.colX(i), bottom, t.colWidth, h, strconv.Itoa(c.Number), bold, form01HeaderSize)
	}
	pdf.SetXY(t.p.left, bottom+h)
}

// unitLabel heads the column of organisations, as in the workbook.
const unitLabel = "Đơn vị"

// row draws one organisation's line, on a new page (under the header again) when it does not
// fit. The figures stand level with the first line of the name, so that a text reader sees each
// row as one line.
func (t *form01Table) row(r stats.Form01Row) {
	pdf := t.p.pdf
	style := regular
	name := r.OrgName
	indent := 0.0
	if r.Total {
		style, name = bold, "Tổng cộng"
	} else {
		indent = 2 * float64(min(r.Depth, 5))
	}
	pdf.SetFont(family, style, form01CellSize)
	lines := pdf.SplitText(text(name), form01NameWidth-indent-2*pdf.GetCellMargin())
	lh := lineHeight(form01CellSize)
	h := float64(max(len(lines), 1))*lh + 2*form01Padding
	_, pageHeight := pdf.GetPageSize()
	if pdf.GetY()+h > pageHeight-form01Margins.bottom {
		pdf.AddPage()
		t.header()
	}
	y := pdf.GetY()
	pdf.Rect(t.p.left, y, form01NameWidth, h, "D")
	pdf.SetFont(family, style, form01CellSize) // the header, when drawn again, set its own
	pdf.SetXY(t.p.left+indent, y+form01Padding)
	for _, l := range lines {
		pdf.SetX(t.p.left + indent)
		pdf.CellFormat(form01NameWidth-indent, lh, l, "", 2, "L", false, 0, "")
	}
	for i, v := range r.Values {
		x := t.colX(i)
		pdf.Rect(x, y, t.colWidth, h, "D")
		s := strconv.Itoa(v)
		// a figure wider than its column (a national total) is set smaller rather than cut
		size := float64(form01CellSize)
		for pdf.SetFont(family, style, size); pdf.GetStringWidth(s) > t.colWidth-2*pdf.GetCellMargin() && size > 4; {
			size -= 0.5
			pdf.SetFont(family, style, size)
		}
		pdf.SetXY(x, y+form01Padding)
		pdf.CellFormat(t.colWidth, lh, s, "", 0, "C", false, 0, "")
	}
	pdf.SetXY(t.p.left, y+h)
}

// footer prints who drew the table up on the left, and on the right the place and date over the
// head's signature.
func (r *Form01Report) footer(p *page) {
	p.pdf.SetCellMargin(1)
	p.ensureRoom(footerHeight)
	y := p.pdf.GetY() + 4
	half := p.width / 2
	left := p.signature(p.left, y+lineHeight(sizeNumber), half, signatureBlock{title: "NGƯỜI LẬP BIỂU", note: "(Ký, ghi rõ họ tên)", name: r.Preparer})
	ry := p.centered(p.left+half, y, half, placeDate(r.Issuer.Place, r.Date), italic, sizeNumber)
	signer := signatureBlock{authority: r.Signer.Authority, title: r.Signer.Title, note: "(Ký, ghi rõ họ tên, đóng dấu)", name: r.Signer.Name}
	if strings.TrimSpace(signer.title) == "" {
		signer.title = "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"
	}
	right := p.signature(p.left+half, ry, half, signer)
	p.pdf.SetXY(p.left, max(left, right))
}
