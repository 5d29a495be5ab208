package documents

import (
	_ "embed"

	"codeberg.org/go-pdf/fpdf"
)

// The documents are set in Liberation Serif, which has the metrics of Times New Roman (the face
// Decree 30/2020 prescribes), every Vietnamese letter precomposed, and the SIL Open Font License,
// which allows bundling the fonts in a program (fonts/LICENSE). The files are Debian's
// fonts-liberation2 2.1.5, unmodified; together they add about 1.5 MB to the binary, and each PDF
// embeds only the glyphs it uses.
var (
	//go:embed fonts/LiberationSerif-Regular.ttf
	serifRegular []byte
	//go:embed fonts/LiberationSerif-Bold.ttf
	serifBold []byte
	//go:embed fonts/LiberationSerif-Italic.ttf
	serifItalic []byte
	//go:embed fonts/LiberationSerif-BoldItalic.ttf
	serifBoldItalic []byte
)

// family is the name the fonts are registered under in each PDF.
const family = "serif"

// Font styles as fpdf names them.
const (
	regular    = ""
	bold       = "B"
	italic     = "I"
	boldItalic = "BI"
)

// addFonts registers the four faces with a new PDF.
func addFonts(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(family, regular, serifRegular)
	pdf.AddUTF8FontFromBytes(family, bold, serifBold)
	pdf.AddUTF8FontFromBytes(family, italic, serifItalic)
	pdf.AddUTF8FontFromBytes(family, boldItalic, serifBoldItalic)
}
