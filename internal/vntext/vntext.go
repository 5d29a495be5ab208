// Package vntext normalises Vietnamese text: NFC with tidy spacing for storing
// names as typed, and a lower-case, diacritic-free fold for search keys.
package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode NFC with surrounding whitespace trimmed and every
// run of Unicode whitespace replaced by one ASCII space.
func NFC(s string) string {
	if !utf8.ValidString(s) {
		// Stored names must be valid text whatever a client sent.
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// Collapsing after composing is safe: no whitespace character takes part
	// in a canonical composition, so replacing one by U+0020 or trimming it
	// cannot make the result non-NFC.
	return collapseSpace(norm.NFC.String(s))
}

func collapseSpace(s string) string {
	if spacingIsClean(s) {
		return s
	}
	var w writer
	w.b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) {
			w.pending = true
		} else {
			w.emit(r)
		}
	}
	return w.b.String()
}

// spacingIsClean lets already tidy strings, the common case, through without
// allocating.
func spacingIsClean(s string) bool {
	prevSpace := true // a leading space is as bad as a double one
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case unicode.IsSpace(r):
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

// Fold returns the search key of s: lower case, every diacritic removed
// (tones, ă â ê ô ơ ư, and đ to d), letters and digits kept, and everything
// else turned into single spaces between words.
//
// The key is the same whichever normalisation form or tone placement the
// input uses, since canonically equivalent strings fold alike.
func Fold(s string) string {
	if isFolded(s) {
		return s
	}
	var w writer
	w.b.Grow(len(s))
	var slow []rune
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		v := foldSlow
		if r < tableSize {
			v = table[r]
		}
		switch v {
		case foldDrop:
		case foldSep:
			w.pending = true
		case foldSlow:
			slow = foldRune(slow[:0], r)
			for _, f := range slow {
				if f == foldSep {
					w.pending = true
				} else {
					w.emit(f)
				}
			}
		default:
			w.emit(v)
		}
	}
	return w.b.String()
}

// writer joins words with single spaces, never leading or trailing.
type writer struct {
	b       strings.Builder
	pending bool // a separator was seen since the last rune written
}

func (w *writer) emit(r rune) {
	if w.pending && w.b.Len() > 0 {
		w.b.WriteByte(' ')
	}
	w.pending = false
	if r < utf8.RuneSelf {
		w.b.WriteByte(byte(r))
	} else {
		w.b.WriteRune(r)
	}
}

// Tokens returns the words of Fold(s).
func Tokens(s string) []string {
	return strings.Fields(Fold(s))
}

// isFolded spots input that is already a key (queries typed without
// diacritics, keys being re-folded), so that it costs no allocation.
func isFolded(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	return !prevSpace || s == ""
}

// Values of table entries that are not a folded rune.
const (
	foldDrop rune = -1 // combining marks and invisible format characters
	foldSep  rune = -2 // whitespace, punctuation, symbols, controls
	foldSlow rune = -3 // no single-rune answer: compute with foldRune
)

// tableSize covers Latin, the combining diacritics and Latin Extended
// Additional (U+1E00-U+1EFF), where every Vietnamese letter lives, so that
// Vietnamese text never reaches the decomposer at run time.
const tableSize = 0x2000

var table [tableSize]rune

func init() {
	var buf []rune
	for r := rune(0); r < tableSize; r++ {
		buf = foldRune(buf[:0], r)
		switch {
		case len(buf) == 0:
			table[r] = foldDrop
		case len(buf) == 1:
			table[r] = buf[0]
		default:
			table[r] = foldSlow
		}
	}
}

// foldRune appends to dst the fold of r: lower-cased letters and digits of its
// canonical decomposition, foldSep for each separator, nothing for marks.
// Decomposing a single rune and dropping the marks is equivalent to folding
// the NFD of the whole string, because canonical reordering only moves
// combining marks (checked by TestCanonicalReorderingOnlyMovesMarks).
func foldRune(dst []rune, r rune) []rune {
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], r)
	var dec [4 * utf8.UTFMax]byte
	d := norm.NFD.Append(dec[:0], enc[:n]...)
	for len(d) > 0 {
		c, size := utf8.DecodeRune(d)
		d = d[size:]
		switch {
		case unicode.IsMark(c) || unicode.Is(unicode.Cf, c):
			// Format characters (soft hyphen, zero-width space, BOM) are
			// invisible, so a name pasted with one must still match.
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			dst = append(dst, dLike(unicode.ToLower(c)))
		default:
			dst = append(dst, foldSep)
		}
	}
	return dst
}

// dLike maps đ and its look-alikes to d. Ð/ð (eth) is what Windows-1258 text
// decoded as Latin-1 shows for Đ/đ, and Ɖ/ɖ is a common wrong pick from
// character maps; both turn up in legacy Vietnamese data.
func dLike(r rune) rune {
	switch r {
	case 'đ', 'ð', 'ɖ':
		return 'd'
	}
	return r
}
