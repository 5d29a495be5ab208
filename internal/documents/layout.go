package documents

import (
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// margins of the text area in millimetres.
type margins struct{ left, top, right, bottom float64 }

// documentMargins are those of Decree 30/2020 Appendix I for A4 documents (top and bottom 20-25,
// left 30-35, right 15-20 mm), at their narrowest.
var documentMargins = margins{left: 30, top: 20, right: 15, bottom: 20}

// page wraps a PDF under construction with the few typesetting steps the documents use. fpdf
// keeps the first error and ignores the calls after it; output returns that error.
type page struct {
	pdf   *fpdf.Fpdf
	left  float64 // x of the text area
	width float64 // width of the text area
}

func newPage(orientation string, date time.Time, m margins) *page {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetMargins(m.left, m.top, m.right)
	pdf.SetAutoPageBreak(true, m.bottom)
	// fixed dates and a sorted catalogue make the bytes a function of the content alone
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetCreator("tcd", false)
	addFonts(pdf)
	pdf.AddPage()
	w, _ := pdf.GetPageSize()
	return &page{pdf: pdf, left: m.left, width: w - m.left - m.right}
}

func (p *page) output(w io.Writer) error {
	return p.pdf.Output(w)
}

// pt is the height in millimetres of a line of text of size points.
func pt(size float64) float64 { return size * 25.4 / 72 }

// lineHeight is the baseline distance the documents use: a little over single spacing, within
// Decree 30's "from single to 1.5 lines".
func lineHeight(size float64) float64 { return pt(size) * 1.25 }

// text is what every string goes through before it reaches the PDF: NFC, so that a name typed
// with combining marks prints (and extracts) as the precomposed letters the fonts hold.
func text(s string) string { return norm.NFC.String(s) }

// centered writes s centred in the column [x, x+w] from y, wrapping it, and returns the y below.
func (p *page) centered(x, y, w float64, s, style string, size float64) float64 {
	p.pdf.SetFont(family, style, size)
	p.pdf.SetXY(x, y)
	p.pdf.MultiCell(w, lineHeight(size), text(s), "", "C", false)
	return p.pdf.GetY()
}

// rule draws a horizontal line of length l centred in the column [x, x+w] at y.
func (p *page) rule(x, w, y, l float64) {
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(x+(w-l)/2, y, x+(w+l)/2, y)
}

// widthOf is the printed width of s in the given font.
func (p *page) widthOf(s, style string, size float64) float64 {
	p.pdf.SetFont(family, style, size)
	return p.pdf.GetStringWidth(text(s))
}

// Sizes in points, within the ranges of Decree 30/2020 Appendix I.
const (
	sizeHeader     = 12.5 // issuer and national motto
	sizeMotto      = 13
	sizeNumber     = 13 // "Số:" and the place and date
	sizeTitle      = 14
	sizeBody       = 13
	sizeRecipients = 11
	sizeSigner     = 13
)

// letterhead prints the two header columns of Decree 30/2020: on the left the issuer and below
// it the number line; on the right the national name and motto (ruled below) and below it the
// place and date, level with the number. It leaves the cursor under both.
func (p *page) letterhead(iss Issuer, number, dateLine string, leftWidth float64) {
	top := p.pdf.GetY()
	x, rx, rw := p.left, p.left+leftWidth, p.width-leftWidth
	leftBottom := p.issuer(iss, x, top, leftWidth)
	ry := p.centered(rx, top, rw, nationalName, bold, sizeHeader)
	ry = p.centered(rx, ry, rw, motto, bold, sizeMotto)
	p.rule(rx, rw, ry+0.5, p.widthOf(motto, bold, sizeMotto))
	y := max(leftBottom, ry+0.5) + 3
	p.centered(x, y, leftWidth, number, regular, sizeNumber)
	end := p.centered(rx, y, rw, dateLine, italic, sizeNumber)
	p.pdf.SetXY(p.left, end+6)
}

// issuer prints the issuer's block in the column [x, x+w] from y: its parent body, its name in
// bold, and under the name a rule a third to a half of its length (Decree 30/2020). It returns
// the y below the rule.
func (p *page) issuer(iss Issuer, x, y, w float64) float64 {
	if strings.TrimSpace(iss.Parent) != "" {
		y = p.centered(x, y, w, strings.ToUpper(iss.Parent), regular, sizeHeader)
	}
	name := strings.ToUpper(iss.Name)
	y = p.centered(x, y, w, name, bold, sizeHeader)
	p.rule(x, w, y+0.8, min(p.widthOf(name, bold, sizeHeader), w)*0.4)
	return y + 0.8
}

const (
	nationalName = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	motto        = "Độc lập - Tự do - Hạnh phúc"
)

// placeDate is the place and date line of Decree 30/2020: "Quảng Trị, ngày 05 tháng 3 năm
// 2024", days below 10 and the months January and February with a leading zero.
func placeDate(place string, t time.Time) string {
	month := strconv.Itoa(int(t.Month()))
	if t.Month() <= time.February {
		month = "0" + month
	}
	return place + ", ngày " + twoDigits(t.Day()) + " tháng " + month + " năm " + strconv.Itoa(t.Year())
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// shortDate is a date inside the body text: 05/03/2024.
func shortDate(t time.Time) string {
	return t.Format("02/01/2006")
}

// title prints the document's type in capitals and, below it, what it is about, ruled below.
func (p *page) title(name, about string) {
	y := p.centered(p.left, p.pdf.GetY(), p.width, name, bold, sizeTitle)
	if about != "" {
		y = p.centered(p.left, y, p.width, about, bold, sizeTitle)
		p.rule(p.left, p.width, y+0.8, min(p.widthOf(about, bold, sizeTitle), p.width)*0.4)
		y += 0.8
	}
	p.pdf.SetXY(p.left, y+5)
}

// bodyIndent is the first-line indent of a paragraph (Decree 30: 1 to 1.27 cm).
const bodyIndent = 10

// paragraph prints s justified, its first line indented, and a little space after it.
func (p *page) paragraph(s string) {
	p.lines(s, bodyIndent, true)
}

// line prints s unjustified, indented like a paragraph: for "label: value" lines.
func (p *page) line(s string) {
	p.lines(s, bodyIndent, false)
}

// lines breaks s into lines that fit the text area (the first indent millimetres narrower) and
// prints them; justify spreads every line but the last to the full width. Line breaks in s start
// new paragraphs.
func (p *page) lines(s string, indent float64, justify bool) {
	p.pdf.SetFont(family, regular, sizeBody)
	h := lineHeight(sizeBody)
	for _, para := range strings.Split(text(s), "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			continue
		}
		var rows []string
		avail := p.width - indent
		cur := words[0]
		for _, word := range words[1:] {
			if p.pdf.GetStringWidth(cur+" "+word) <= avail-2*p.pdf.GetCellMargin() {
				cur += " " + word
				continue
			}
			rows = append(rows, cur)
			cur, avail = word, p.width
		}
		rows = append(rows, cur)
		for i, row := range rows {
			x, w := p.left, p.width
			if i == 0 {
				x, w = p.left+indent, p.width-indent
			}
			align := "L"
			// fpdf justifies by spreading the spaces, so a line needs one to spread
			if justify && i < len(rows)-1 && strings.Contains(row, " ") {
				align = "J"
			}
			p.pdf.SetX(x)
			p.pdf.CellFormat(w, h, row, "", 2, align, false, 0, "")
		}
		p.pdf.SetY(p.pdf.GetY() + 1.5)
	}
}

// signatureBlock is one column of the signatures: who signs, and the name under the space left
// for the signature and the seal.
type signatureBlock struct {
	authority string // "KT. TRƯỞNG BAN", or empty
	title     string
	note      string // a line in italics under the title, e.g. "(Ký, ghi rõ họ tên)"
	name      string
}

// signatureSpace is the height left blank for a hand signature and the seal.
const signatureSpace = 24

func (p *page) signature(x, y, w float64, b signatureBlock) float64 {
	if b.authority != "" {
		y = p.centered(x, y, w, strings.ToUpper(b.authority), bold, sizeSigner)
	}
	y = p.centered(x, y, w, strings.ToUpper(b.title), bold, sizeSigner)
	if b.note != "" {
		y = p.centered(x, y, w, b.note, italic, sizeSigner)
	}
	return p.centered(x, y+signatureSpace, w, b.name, bold, sizeSigner)
}

// recipients prints "Nơi nhận:" and the list, each item on a line of its own, the archive last.
func (p *page) recipients(x, y, w float64, list []string) float64 {
	p.pdf.SetFont(family, boldItalic, 12)
	p.pdf.SetXY(x, y)
	p.pdf.CellFormat(w, lineHeight(12), text("Nơi nhận:"), "", 2, "L", false, 0, "")
	p.pdf.SetFont(family, regular, sizeRecipients)
	items := append(append([]string{}, list...), "Lưu: VT")
	for i, it := range items {
		end := ";"
		if i == len(items)-1 {
			end = "."
		}
		p.pdf.SetX(x)
		p.pdf.MultiCell(w, lineHeight(sizeRecipients), text("- "+strings.TrimRight(strings.TrimSpace(it), ";.")+end), "", "L", false)
	}
	return p.pdf.GetY()
}

// footerHeight is about how much room the signatures need; a footer that would not fit on the
// page starts a new one rather than part the signer from his title.
const footerHeight = 55

// ensureRoom starts a new page unless h millimetres are left above the bottom margin.
func (p *page) ensureRoom(h float64) {
	_, ph := p.pdf.GetPageSize()
	_, _, _, bottom := p.pdf.GetMargins()
	if p.pdf.GetY()+h > ph-bottom {
		p.pdf.AddPage()
	}
}
