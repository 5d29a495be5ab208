package dedup

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// Case is what matching needs of a case (as stored: NFC text).
type Case struct {
	Seq        int64
	Title      string
	Summary    *string
	Category   string
	Field      string
	Respondent *string
}

// PreparedCase is a case parsed once for many comparisons, with what links it to others.
type PreparedCase struct {
	Case
	Title      []string // distinct folded words and word pairs
	Summary    []string
	Respondent []string
	// People are the citizens who came about the case, by identity (the same key for a person,
	// the persons merged with them and the persons matched as likely the same), with their names.
	People map[string]string
	// Delegations that came about the case, by id, with their names.
	Delegations map[string]string

	// the weights of Title and Summary against the statistics they were last scored with
	weighedBy        *CaseStats
	titleW, summaryW weights
}

// weights are, per term of a text: its IDF cubed when the other text lacks it (alone) and when
// it has it too (shared, the pair itself left out of the count), and its IDF as a contradicted
// specific (conflict: words only, not pairs, since a clerk's rewording breaks pairs).
type weights struct {
	alone, shared, conflict []float64
}

func weigh(terms []string, st *Stats) weights {
	w := weights{alone: make([]float64, len(terms)), shared: make([]float64, len(terms)), conflict: make([]float64, len(terms))}
	for i, t := range terms {
		alone, shared := st.PairIDF(t, 1), st.PairIDF(t, 2)
		w.alone[i], w.shared[i] = alone*alone*alone, shared*shared*shared
		if !strings.Contains(t, " ") {
			w.conflict[i] = alone
		}
	}
	return w
}

// weigh readies c's weights for scoring against st: once per case and statistics, not once
// per pair.
func (c *PreparedCase) weigh(st *CaseStats) {
	if c.weighedBy != st {
		c.titleW, c.summaryW, c.weighedBy = weigh(c.Title, st.Words), weigh(c.Summary, st.Words), st
	}
}

// PrepareCase parses c for matching.
func PrepareCase(c Case) PreparedCase {
	out := PreparedCase{Case: c, Title: terms(c.Title)}
	if c.Summary != nil {
		out.Summary = terms(*c.Summary)
	}
	if c.Respondent != nil {
		out.Respondent = words(*c.Respondent)
	}
	return out
}

// words are the distinct folded words of s, abbreviations spelled out, sorted for merging.
func words(s string) []string {
	var out []string
	for _, w := range vntext.Tokens(s) {
		if full, ok := agencyAbbreviations[w]; ok {
			out = append(out, full...)
		} else {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// terms are the distinct words and word pairs of a text, sorted. Pairs carry what words alone
// do not: "Xuân Dũng" names one person where "Xuân" and "Dũng" are in many titles.
func terms(s string) []string {
	var out []string
	var prev string
	for _, w := range vntext.Tokens(s) {
		if prev != "" {
			out = append(out, prev+" "+w)
		}
		out = append(out, w)
		prev = w
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// agencyAbbreviations spell out what clerks shorten in agency names: UBND is Ủy ban nhân dân.
var agencyAbbreviations = map[string][]string{
	"ubnd": {"uy", "ban", "nhan", "dan"}, "hdnd": {"hoi", "dong", "nhan", "dan"}, "ub": {"uy", "ban"},
	"tnmt": {"tai", "nguyen", "moi", "truong"}, "ldtbxh": {"lao", "dong", "thuong", "binh", "xa", "hoi"},
}

// CaseStats are the register's word frequencies for case matching: "đất" and "khiếu nại" are in
// every other title, a plot number or a project name in few; a district's people's committee
// answers many cases, a commune's few.
type CaseStats struct {
	Words       *Stats
	Respondents *Stats
}

// NewCaseStats returns empty statistics.
func NewCaseStats() *CaseStats { return &CaseStats{Words: NewStats(0.01), Respondents: NewStats(0.01)} }

// Add counts one case of the register.
func (s *CaseStats) Add(c *PreparedCase) {
	s.Words.Add(slices.Concat(c.Title, c.Summary))
	if len(c.Respondent) > 0 {
		s.Respondents.Add([]string{respondentTerm(c.Respondent)})
	} else {
		s.Respondents.Add(nil)
	}
}

// caseLinks is what links two cases beyond their text.
type caseLinks struct {
	sharedPersons    []string // names of the citizens who came about both
	bothHavePersons  bool     // so that sharing none says something
	sharedDelegation string
}

func linksOf(a, b *PreparedCase) caseLinks {
	var l caseLinks
	for k, name := range a.People {
		if _, ok := b.People[k]; ok {
			l.sharedPersons = append(l.sharedPersons, name)
		}
	}
	slices.Sort(l.sharedPersons)
	l.bothHavePersons = len(a.People) > 0 && len(b.People) > 0
	for k, name := range a.Delegations {
		if _, ok := b.Delegations[k]; ok {
			l.sharedDelegation = name
		}
	}
	return l
}

// Log-likelihood ratios of the case evidence. The same citizen is strong evidence but not
// enough: a citizen comes about several matters, so the text must agree too.
const (
	casePrior           = -3.5
	llrSharedPerson     = 3.0
	llrNoSharedPerson   = -2.5
	llrSharedDelegation = 5.0
	maxRespondentLLR    = 3.0
	llrSimilarResp      = 0.5
	llrOtherRespondent  = -1.5
	llrSameCategory     = 0.5
	llrOtherCategory    = -1.0
	llrSameField        = 1.0
	llrOtherField       = -2.5
	// title similarity s weighs titleSlope·(s - 1/2), within [titleMin, titleMax]
	titleSlope, titleMin, titleMax       = 10.0, -4.0, 6.0
	summarySlope, summaryMin, summaryMax = 4.0, -2.0, 2.0
	// how much a contradicting specific weighs, per unit of its IDF, and at most: clerks
	// reword, so words on both sides differ even between copies of one matter
	conflictWeight = 0.5
	maxConflict    = 4.0
)

// ScoreCases weighs the evidence that a and b are the same matter.
func ScoreCases(a, b *PreparedCase, st *CaseStats) Match {
	var v verdict
	links := linksOf(a, b)
	if links.sharedDelegation != "" {
		v.add(llrSharedDelegation, "same delegation: "+links.sharedDelegation)
	}
	switch {
	case len(links.sharedPersons) > 0:
		v.add(llrSharedPerson, "same citizen: "+joinNames(links.sharedPersons))
	case links.bothHavePersons && links.sharedDelegation == "":
		// a delegation is a group with one content whose members come in turns: other
		// people are no evidence against it
		v.add(llrNoSharedPerson, "")
	}
	if len(a.Respondent) > 0 && len(b.Respondent) > 0 {
		switch {
		case slices.Equal(a.Respondent, b.Respondent):
			// answering for a district is common, for one commune's plot rare
			v.add(math.Min(st.Respondents.PairIDF(respondentTerm(a.Respondent), 2)-cleanCopy, maxRespondentLLR), "same respondent: "+*a.Case.Respondent)
		case compareTexts(a.Respondent, b.Respondent, weigh(a.Respondent, st.Words), weigh(b.Respondent, st.Words)).sim >= 0.5:
			v.add(llrSimilarResp, "similar respondent: "+*a.Case.Respondent+" / "+*b.Case.Respondent)
		default:
			v.add(llrOtherRespondent, "different respondent")
		}
	}
	if a.Category == b.Category {
		v.add(llrSameCategory, "")
	} else {
		v.add(llrOtherCategory, "different category: "+a.Category+" / "+b.Category)
	}
	if a.Field == b.Field {
		v.add(llrSameField, "")
	} else {
		v.add(llrOtherField, "different field: "+a.Field+" / "+b.Field)
	}
	a.weigh(st)
	b.weigh(st)
	title := compareTexts(a.Title, b.Title, a.titleW, b.titleW)
	v.add(clamp(titleSlope*(title.sim-0.5), titleMin, titleMax), fmt.Sprintf("title similarity %.2f", title.sim))
	if title.conflict > 0 {
		v.add(-math.Min(title.conflict, maxConflict), "")
	}
	if len(a.Summary) > 0 && len(b.Summary) > 0 {
		summary := compareTexts(a.Summary, b.Summary, a.summaryW, b.summaryW)
		llr := clamp(summarySlope*(summary.sim-0.5), summaryMin, summaryMax) - math.Min(summary.conflict, maxConflict)/2
		if llr > 0 {
			v.add(llr, fmt.Sprintf("summary similarity %.2f", summary.sim))
		} else {
			v.add(llr, "")
		}
	}
	return v.match(casePrior)
}

// textMatch is how two texts compare.
type textMatch struct {
	// sim says how far they share their specifics: the share of each text's terms the other
	// has too, weighted by the cube of their IDF so that a plot number, a commune or a name
	// counts for much and "khiếu nại" or "đất" for little, averaged over both directions.
	// Titles built on one pattern ("Đề nghị giải quyết chế độ ... cho thân nhân liệt sĩ X")
	// share most of their words and differ in exactly these.
	sim float64
	// conflict weighs the specifics in which they contradict each other: words each has and
	// the other lacks (by IDF, the lighter side counts). "thôn 5, xã Thuận" against "thôn 5,
	// xã Vĩnh Chấp" is a conflict; a word one clerk left out is not, the other side lacking none.
	conflict float64
}

// compareTexts walks the sorted terms of two texts once.
func compareTexts(a, b []string, aw, bw weights) textMatch {
	if len(a) == 0 || len(b) == 0 {
		return textMatch{}
	}
	var hit, allA, allB, onlyA, onlyB float64
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			allA += aw.alone[i]
			onlyA += aw.conflict[i]
			i++
		case i == len(a) || b[j] < a[i]:
			allB += bw.alone[j]
			onlyB += bw.conflict[j]
			j++
		default:
			hit += aw.shared[i]
			i, j = i+1, j+1
		}
	}
	return textMatch{sim: (hit/(hit+allA) + hit/(hit+allB)) / 2, conflict: math.Min(onlyA, onlyB) * conflictWeight}
}

func respondentTerm(words []string) string { return strings.Join(words, " ") }

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func joinNames(names []string) string {
	if len(names) > 3 {
		return fmt.Sprintf("%s, %s, %s and %d more", names[0], names[1], names[2], len(names)-3)
	}
	out := names[0]
	for _, n := range names[1:] {
		out += ", " + n
	}
	return out
}

// titleKeys is how many of a title's rarest words serve as its blocking keys.
const titleKeys = 4

// ScanCases compares the pairs of cases that share a citizen or a delegation, or two of their
// rarest title words, and returns those scoring at least threshold, best first. skip(a, b)
// leaves out pairs already decided.
func ScanCases(cs []PreparedCase, st *CaseStats, threshold float64, skip func(a, b int64) bool) []Pair {
	index := map[string][]int32{}
	keys := make([][]string, len(cs))
	for i := range cs {
		keys[i] = caseKeys(&cs[i], st)
		for _, k := range keys[i] {
			index[k] = append(index[k], int32(i))
		}
	}
	var out []Pair
	shared := map[int32]int{}
	for i := range cs {
		clear(shared)
		for _, k := range keys[i] {
			if block := index[k]; len(block) <= MaxBlock {
				for _, j := range block {
					switch {
					case int(j) <= i:
					case k[0] == 'w':
						shared[j]++
					default:
						// a citizen or delegation in common is enough to compare
						shared[j] += 2
					}
				}
			}
		}
		for j, n := range shared {
			a, b := &cs[i], &cs[j]
			if n < 2 || (skip != nil && skip(a.Seq, b.Seq)) {
				continue
			}
			if m := ScoreCases(a, b, st); m.Score >= threshold {
				out = append(out, Pair{A: a.Seq, B: b.Seq, Match: m})
			}
		}
	}
	SortPairs(out)
	return out
}

// caseKeys are a case's blocking keys: its citizens, its delegations and its rarest words.
func caseKeys(c *PreparedCase, st *CaseStats) []string {
	var keys []string
	for k := range c.People {
		keys = append(keys, "p"+k)
	}
	for k := range c.Delegations {
		keys = append(keys, "d"+k)
	}
	// words, not pairs: a clerk's rewording breaks pairs
	ws := slices.DeleteFunc(slices.Clone(c.Title), func(w string) bool { return strings.Contains(w, " ") })
	slices.SortFunc(ws, func(x, y string) int { return cmp.Or(cmp.Compare(st.Words.IDF(y), st.Words.IDF(x)), cmp.Compare(x, y)) })
	for _, w := range ws[:min(len(ws), titleKeys)] {
		keys = append(keys, "w"+w)
	}
	return keys
}
