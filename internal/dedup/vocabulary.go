package dedup

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// vocabularyTSV is the table of Vietnamese administrative abbreviations, synonyms, office
// holders and boilerplate that case matching reads texts and respondents through. It is data:
// a new abbreviation is a line, with the source that names the organisation or the term.
//
//go:embed vocabulary.tsv
var vocabularyTSV []byte

// VocabularyVersion changes whenever the table does: what was derived from texts through it
// (the case keys the register stores) must then be derived again.
func VocabularyVersion() string {
	sum := sha256.Sum256(vocabularyTSV)
	return hex.EncodeToString(sum[:6])
}

// Kinds of vocabulary entries.
const (
	vocabTerm        = "term"
	vocabUnit        = "unit"
	vocabPosition    = "position"
	vocabBoilerplate = "boilerplate"
	vocabStop        = "stop"
	vocabNeighbour   = "neighbour"
)

// phrase is one way of writing a vocabulary entry, as tokens.
type phrase struct {
	kind, canonical string
	tokens          []token
}

type vocabulary struct {
	// phrases by the fold of their first token, longest first
	byFirst    map[string][]phrase
	neighbours map[[2]string]bool
}

var vocab = mustParseVocabulary(vocabularyTSV)

func mustParseVocabulary(data []byte) *vocabulary {
	v, err := parseVocabulary(data)
	if err != nil {
		panic(err)
	}
	return v
}

func parseVocabulary(data []byte) (*vocabulary, error) {
	v := &vocabulary{byFirst: map[string][]phrase{}, neighbours: map[[2]string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[3] == "" {
			return nil, fmt.Errorf("vocabulary.tsv line %d: want kind, canonical, variants and source", n)
		}
		kind, canonical := f[0], f[1]
		switch kind {
		case vocabNeighbour:
			v.neighbours[[2]string{canonical, f[2]}] = true
			v.neighbours[[2]string{f[2], canonical}] = true
			continue
		case vocabTerm, vocabUnit, vocabPosition, vocabBoilerplate, vocabStop:
		default:
			return nil, fmt.Errorf("vocabulary.tsv line %d: unknown kind %q", n, kind)
		}
		for _, variant := range strings.Split(f[2], "|") {
			ts := tokenize(variant)
			if len(ts) == 0 {
				return nil, fmt.Errorf("vocabulary.tsv line %d: empty variant", n)
			}
			v.byFirst[ts[0].fold] = append(v.byFirst[ts[0].fold], phrase{kind: kind, canonical: canonical, tokens: ts})
		}
	}
	for k, ps := range v.byFirst {
		// longest first: "tờ bản đồ" before "tờ", "phó chủ tịch" before "chủ tịch"
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && len(ps[j].tokens) > len(ps[j-1].tokens); j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
		v.byFirst[k] = ps
	}
	return v, sc.Err()
}

// Neighbours says whether a clerk may file one matter under either field (land and housing).
func Neighbours(a, b string) bool { return vocab.neighbours[[2]string{a, b}] }

// token is a word, a number or a punctuation mark of a text.
type token struct {
	text  string // lower case, NFC, as written
	fold  string // without diacritics: the key
	kind  byte   // tokWord, tokNumber or tokPunct
	vocab string // the kind of vocabulary entry it stands for, "" if none
}

const (
	tokWord byte = iota
	tokNumber
	tokPunct
)

// plain says whether the token was written without any diacritic (so it may stand for a
// variant that has them).
func (t token) plain() bool { return t.text == t.fold }

// kept are the punctuation marks identifiers are made of: "1234/QĐ-UBND", "TN&MT", "X.",
// and the comma that ends a place or a name.
const kept = "/-&.,;:()"

// numberSeparators are the thousands separators a number is written with ("1.200.000").
var numberSeparators = strings.NewReplacer(".", "", ",", "")

// tokenize splits s into words, numbers ("1.200.000" is one) and the punctuation kept.
func tokenize(s string) []token {
	s = norm.NFC.String(strings.ToLower(s))
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '²':
			j := i
			digits := true
			for j < len(rs) {
				c := rs[j]
				if unicode.IsLetter(c) || unicode.Is(unicode.Mn, c) || c == '²' {
					digits = false
				} else if !unicode.IsDigit(c) && !(digits && (c == '.' || c == ',') && j+1 < len(rs) && unicode.IsDigit(rs[j+1]) && j > i) {
					break
				}
				j++
			}
			text := strings.ReplaceAll(string(rs[i:j]), "²", "2")
			kind := tokWord
			if digits {
				kind = tokNumber
				text = numberSeparators.Replace(text)
			}
			out = append(out, token{text: text, fold: vntext.Fold(text), kind: kind})
			i = j
		case strings.ContainsRune(kept, r):
			out = append(out, token{text: string(r), fold: string(r), kind: tokPunct})
			i++
		default:
			i++
		}
	}
	return out
}

// toneKey is s with its tones moved off the letters and kept in order: "Hoà" and "Hòa" have
// one key (the same tone, placed the old and the new way), "phường" and "phương" two, and so
// have "sổ đỏ" and "sơ đồ".
func toneKey(s string) string {
	var letters, tones []rune
	for _, r := range norm.NFD.String(s) {
		if strings.ContainsRune(toneMarks, r) {
			tones = append(tones, r)
		} else {
			letters = append(letters, r)
		}
	}
	return norm.NFC.String(string(letters)) + "|" + string(tones)
}

// matches says whether written token t may be the vocabulary token v: the same letters and
// tones, or t written without any diacritic.
func matches(t, v token) bool {
	if t.fold != v.fold || t.kind != v.kind {
		return false
	}
	return t.kind != tokWord || t.plain() || t.text == v.text || toneKey(t.text) == toneKey(v.text)
}

// normalize replaces the vocabulary phrases of ts by their canonical tokens, longest match
// first; the kinds in drop are left out altogether. A unit stays a unit ("H." is huyen).
func (v *vocabulary) normalize(ts []token, drop ...string) []token {
	out := make([]token, 0, len(ts))
	for i := 0; i < len(ts); {
		p, ok := v.match(ts[i:])
		if !ok {
			out = append(out, ts[i])
			i++
			continue
		}
		matched := ts[i : i+len(p.tokens)]
		i += len(p.tokens)
		if contains(drop, p.kind) {
			continue
		}
		if p.kind == vocabStop {
			// kept as written: "số" leads to a number, "ông" to a name
			for _, t := range matched {
				t.vocab = vocabStop
				out = append(out, t)
			}
			continue
		}
		if p.kind == vocabBoilerplate {
			// a separator, so that nothing read across it ("dự án X công dân trình bày Y")
			out = append(out, token{kind: tokWord, vocab: p.kind})
			continue
		}
		for _, w := range strings.Fields(p.canonical) {
			out = append(out, token{text: w, fold: w, kind: tokWord, vocab: p.kind})
		}
	}
	return out
}

// match finds the longest vocabulary phrase ts starts with.
func (v *vocabulary) match(ts []token) (phrase, bool) {
	if ts[0].kind == tokNumber {
		return phrase{}, false
	}
outer:
	for _, p := range v.byFirst[ts[0].fold] {
		if len(p.tokens) > len(ts) {
			continue
		}
		for k, pt := range p.tokens {
			if !matches(ts[k], pt) {
				continue outer
			}
		}
		return p, true
	}
	return phrase{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Respondent is an agency as matching reads it: the organisation it names, office holders
// left out ("Chủ tịch UBND huyện Gio Linh" answers for UBND huyện Gio Linh) and abbreviations
// read one way ("UBND H. Gio Linh", "Ủy ban nhân dân huyện Gio Linh").
type Respondent struct {
	Key string // "ubnd huyen gio linh"; "" when nothing is left
}

// ResolveRespondent reads an agency as written by a clerk.
func ResolveRespondent(s string) Respondent {
	var words []string
	for _, t := range vocab.normalize(tokenize(s), vocabPosition) {
		if t.kind != tokPunct && t.fold != "" {
			words = append(words, t.fold)
		}
	}
	return Respondent{Key: strings.Join(words, " ")}
}

// relatedRespondents says whether two resolved agencies may be one: one names it more fully
// than the other ("so ldtbxh" and "so ldtbxh tinh quang tri").
func relatedRespondents(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return strings.HasPrefix(a+" ", b+" ") || strings.HasPrefix(b+" ", a+" ")
}

// AddressKey reads an address for matching households: units spelled out, the province left
// off (a register is one province's), so "Th. 3, X. Gio Mỹ, H. Gio Linh" and "Thôn 3, xã Gio
// Mỹ, huyện Gio Linh, tỉnh Quảng Trị" are one.
func AddressKey(s string) string {
	var words []string
	for _, t := range vocab.normalize(tokenize(s)) {
		if t.vocab == vocabUnit && t.fold == "tinh" {
			break
		}
		if t.kind != tokPunct && t.fold != "" {
			words = append(words, t.fold)
		}
	}
	return strings.Join(words, " ")
}
