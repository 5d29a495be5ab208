package dedup

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// spelling.tsv is the one table of the ways a name syllable may be written differently and
// still be one name: accepted spellings (i/y) and the letters regional accents make a clerk
// hear alike (l/n, d/gi/r, ch/tr, s/x; final n/ng and t/c). Everything name matching does with
// such variants (blocking pairs that differ by one, weighing them) is read from it.
//
//go:embed spelling.tsv
var spellingTSV []byte

// Kinds of spelling equivalences.
const (
	SpellingAccepted = "spelling" // one sound, two accepted spellings: the same name
	SpellingHeard    = "hearing"  // alike in a regional accent: weighed by how common each is
)

// Parts of a syllable an equivalence applies to.
const (
	partInitial = "initial"
	partFinal   = "final"
	partOpen    = "open" // the whole rhyme of a syllable without final consonant
)

// equivalence is one line of the table: spellings interchangeable in one part of a syllable.
type equivalence struct {
	kind, part string
	spellings  []string // the first is the canonical one, used in keys
}

// spellingRules indexes the table: per part, the equivalence each spelling belongs to.
type spellingRules map[string]map[string]*equivalence

var rules = mustParseSpelling(spellingTSV)

func mustParseSpelling(tsv []byte) spellingRules {
	out := spellingRules{partInitial: {}, partFinal: {}, partOpen: {}}
	sc := bufio.NewScanner(bytes.NewReader(tsv))
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 4 || (f[0] != SpellingAccepted && f[0] != SpellingHeard) || out[f[1]] == nil || f[3] == "" {
			panic(fmt.Sprintf("spelling.tsv line %d: want kind, part, spellings and source", line))
		}
		eq := &equivalence{kind: f[0], part: f[1], spellings: strings.Split(f[2], "|")}
		for _, s := range eq.spellings {
			if out[eq.part][s] != nil {
				panic(fmt.Sprintf("spelling.tsv line %d: %q is in two equivalences", line, s))
			}
			out[eq.part][s] = eq
		}
	}
	return out
}

// syllable is a folded word split the way Vietnamese spelling builds it: an initial consonant
// (possibly none), the vowels, a final consonant (possibly none).
type syllable struct {
	initial, vowels, final string
}

// initials are the consonants a syllable can open with, longest first so that "ngh" is not
// read as "n".
var initials = []string{"ngh", "ng", "nh", "ch", "tr", "th", "ph", "kh", "gh", "gi", "qu",
	"b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x"}

var finals = map[string]bool{"": true, "c": true, "ch": true, "m": true, "n": true, "ng": true, "nh": true, "p": true, "t": true}

func isVowel(b byte) bool { return strings.IndexByte("aeiouy", b) >= 0 }

// splitSyllable reads a folded word as a syllable; ok is false for words spelling cannot
// build (foreign names, initials, digits), which are then only ever equal to themselves.
func splitSyllable(w string) (s syllable, ok bool) {
	rest := w
	for _, c := range initials {
		if strings.HasPrefix(w, c) {
			s.initial, rest = c, w[len(c):]
			break
		}
	}
	if s.initial == "gi" && (rest == "" || !isVowel(rest[0])) {
		rest = "i" + rest // gìn is gi + in: the i is shared
	}
	i := 0
	for i < len(rest) && isVowel(rest[i]) {
		i++
	}
	s.vowels, s.final = rest[:i], rest[i:]
	return s, s.vowels != "" && finals[s.final]
}

func (s syllable) String() string {
	if s.initial == "gi" && strings.HasPrefix(s.vowels, "i") {
		return "g" + s.vowels + s.final
	}
	return s.initial + s.vowels + s.final
}

// respelled is s with every part the equivalences of the given kinds cover written the
// canonical way.
func (s syllable) canonical(kinds ...string) syllable {
	take := func(part, v string) string {
		if eq := rules[part][v]; eq != nil && slices.Contains(kinds, eq.kind) {
			return eq.spellings[0]
		}
		return v
	}
	s.initial = take(partInitial, s.initial)
	s.final = take(partFinal, s.final)
	if s.final == "" {
		s.vowels = take(partOpen, s.vowels)
	}
	return s
}

// SpellingKey is a folded word with its accepted spellings made one (vy and vi: "vi"):
// two words with the same key are the same name written two accepted ways.
func SpellingKey(w string) string {
	s, ok := splitSyllable(w)
	if !ok {
		return w
	}
	return s.canonical(SpellingAccepted).String()
}

// HearingKey is a folded word with every equivalence of the table made one (linh, ninh: "linh";
// trang, chang, tran, chan: "chan"): words that may be one name misheard.
func HearingKey(w string) string {
	s, ok := splitSyllable(w)
	if !ok {
		return w
	}
	return s.canonical(SpellingAccepted, SpellingHeard).String()
}

// Respellings are the folded words with w's HearingKey, w first: the spellings a clerk may
// have written for it. Blocking looks each of them up.
func Respellings(w string) []string {
	s, ok := splitSyllable(w)
	if !ok {
		return []string{w}
	}
	alternatives := func(part, v string) []string {
		if eq := rules[part][v]; eq != nil {
			return eq.spellings
		}
		return []string{v}
	}
	out := []string{w}
	for _, ini := range alternatives(partInitial, s.initial) {
		for _, fin := range alternatives(partFinal, s.final) {
			vowels := []string{s.vowels}
			if fin == "" {
				vowels = alternatives(partOpen, s.vowels)
			}
			for _, v := range vowels {
				if r := (syllable{ini, v, fin}).String(); !slices.Contains(out, r) {
					out = append(out, r)
				}
			}
		}
	}
	return out
}
