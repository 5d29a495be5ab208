package dedup

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// Name is a full name prepared for comparison, token by token.
type Name struct {
	// Folded holds the search keys of the tokens (vntext.Fold): no case, no diacritics.
	Folded []string
	// Marked holds each token's letters with their vowel marks and its tone (wherever the tone
	// mark was placed), or "" when the token was written without any diacritic. It tells Thủy
	// from Thúy and Hùng from Hưng, which fold alike, while Hoà and Hòa stay the same name.
	Marked []string
	// Written holds the tokens as typed, for reasons a person can read.
	Written []string
	// terms are the tokens as counted in the statistics (Term).
	terms []string
	// accents are each marked token's vowel marks, tone and đ (see accent); spelled and heard
	// the tokens' SpellingKey and HearingKey.
	accents, spelled, heard []string
}

// ParseName splits a full name into comparable tokens.
func ParseName(full string) Name {
	folded := vntext.Tokens(full)
	marked, written := markTokens(full)
	if len(marked) != len(folded) {
		// Only exotic input splits differently (a letter outside Fold's alphabet); matching
		// then falls back to the folded tokens alone.
		marked, written = make([]string, len(folded)), folded
	}
	return newName(folded, marked, written)
}

func newName(folded, marked, written []string) Name {
	n := Name{Folded: folded, Marked: marked, Written: written, terms: make([]string, len(folded)),
		accents: make([]string, len(folded)), spelled: make([]string, len(folded)), heard: make([]string, len(folded))}
	copy(n.terms, folded)
	if len(folded) > 0 {
		n.terms[len(folded)-1] = givenTerm(folded[len(folded)-1])
	}
	for i, f := range folded {
		n.accents[i] = accent(marked[i])
		n.spelled[i], n.heard[i] = SpellingKey(f), HearingKey(f)
	}
	return n
}

func givenTerm(folded string) string { return "g:" + folded }

// familyTerm counts a word written first in a name of several: the register's own list of
// family names, beside the closed set of knownFamilyNames.
func familyTerm(folded string) string { return "f:" + folded }

// rotated is the name with its first k tokens moved to the end: "Lan Nguyễn Thị" rotated by 1
// is "Nguyễn Thị Lan".
func (n Name) rotated(k int) Name {
	rot := func(s []string) []string { return append(slices.Clone(s[k:]), s[:k]...) }
	return newName(rot(n.Folded), rot(n.Marked), rot(n.Written))
}

// accent is what a marked token holds beside its letters: its vowel marks, đ, and its tone.
// Two spellings of one name (Lý, Lí; Trang, Chang) agree on it; Đăng and Giăng do not.
func accent(marked string) string {
	var b strings.Builder
	for _, r := range marked {
		if unicode.IsMark(r) || r == 'đ' {
			b.WriteRune(r)
		}
	}
	if marked != "" && marked[len(marked)-1] >= '1' && marked[len(marked)-1] <= '5' {
		b.WriteByte(marked[len(marked)-1])
	}
	return b.String()
}

// Joined is the name's search key, equal to the persons.name_folded column.
func (n Name) Joined() string { return strings.Join(n.Folded, " ") }

// Term is token i as counted in the register's statistics. Given names are counted apart from
// family and middle names: Vân is a rare given name although Văn, which folds alike, is the
// most common middle name.
func (n Name) Term(i int) string { return n.terms[i] }

// Terms are the name's terms for the statistics: its tokens, and its first as a family name.
func (n Name) Terms() []string {
	if len(n.Folded) < 2 {
		return n.terms
	}
	return append(slices.Clone(n.terms), familyTerm(n.Folded[0]))
}

// Tone marks, in the order Vietnamese names the tones (huyền, sắc, hỏi, ngã, nặng). Vowel
// marks (breve, circumflex, horn) belong to the letter and stay in the signature.
const toneMarks = "\u0300\u0301\u0309\u0303\u0323"

// markTokens walks the canonical decomposition of s, splitting where vntext.Fold does, and
// returns per token its marked signature and its written form.
func markTokens(s string) (marked, written []string) {
	var sig, raw strings.Builder
	tone, hasMark := 0, false
	flush := func() {
		if sig.Len() == 0 {
			return
		}
		out := ""
		if hasMark {
			out = sig.String()
			if tone > 0 {
				out += string(rune('0' + tone))
			}
		}
		marked = append(marked, out)
		written = append(written, norm.NFC.String(raw.String()))
		sig.Reset()
		raw.Reset()
		tone, hasMark = 0, false
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.IsMark(r):
			if sig.Len() == 0 {
				continue
			}
			raw.WriteRune(r)
			hasMark = true
			if i := strings.IndexRune(toneMarks, r); i >= 0 {
				tone = i/len("\u0300") + 1
			} else {
				sig.WriteRune(r)
			}
		case unicode.Is(unicode.Cf, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			lower := unicode.ToLower(r)
			if lower == 'đ' || lower == 'ð' || lower == 'ɖ' {
				hasMark = true
				lower = 'đ'
			}
			sig.WriteRune(lower)
			raw.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return marked, written
}

// TokenMatch grades how two name tokens agree, best last.
type TokenMatch int

const (
	Differ TokenMatch = iota // different words
	// Typo: one edit apart (Damerau-Levenshtein 1), the longer of at least 3 letters (Vvũ,
	// Lnh). Shorter names differ by a letter as Vy and Vi do, which spelling.tsv says are one
	// name, or as Vy and Vũ do, which are two: a one-letter slip there is not told from
	// another name.
	Typo
	Heard       // alike in a regional accent (spelling.tsv, hearing): Lan and Nan, Trang and Chang
	MarksDiffer // same letters, other diacritics: Hùng and Hưng are different names
	Spelled     // two accepted spellings of one name (spelling.tsv): Vy and Vi, Lý and Lí
	Unaccented  // same letters, one side typed without diacritics
	Same        // same letters and diacritics, whatever the case or tone placement
)

// MatchTokens compares token i of a with token j of b.
func MatchTokens(a Name, i int, b Name, j int) TokenMatch {
	fa, fb := a.Folded[i], b.Folded[j]
	if fa == fb {
		ma, mb := a.Marked[i], b.Marked[j]
		switch {
		case ma == mb:
			return Same
		case ma == "" || mb == "":
			return Unaccented
		default:
			return MarksDiffer
		}
	}
	// the spelling table, where the diacritics written agree (or one side has none)
	if a.Marked[i] == "" || b.Marked[j] == "" || a.accents[i] == b.accents[j] {
		switch {
		case a.spelled[i] == b.spelled[j]:
			return Spelled
		case a.heard[i] == b.heard[j]:
			return Heard
		}
	}
	if max(len(fa), len(fb)) >= 3 && WithinOneEdit(fa, fb) {
		return Typo
	}
	return Differ
}

// WithinOneEdit reports whether a and b (folded, so ASCII) are at most one insertion,
// deletion, substitution or transposition of adjacent letters apart: the optimal string
// alignment distance is at most 1.
func WithinOneEdit(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return true
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:]
	}
	return false
}
