package dedup

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tcd-registry/tcd/internal/idnumber"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Person is what matching needs of a person record (as stored: NFC, normalised numbers).
type Person struct {
	Seq       int64
	FullName  string
	Gender    string // male, female, unknown
	BirthYear *int
	IDNumber  *string
	Phone     *string
	Address   *string
}

// Prepared is a person parsed once for many comparisons.
type Prepared struct {
	Person
	Name    Name
	Folded  string // the name's search key, as persons.name_folded
	ID      idnumber.Number
	Year    int    // the birth year, or the one its CCCD encodes; 0 when unknown
	Sex     string // male or female, from the record or its CCCD; "" when unknown
	Address []string
}

// Prepare parses p for matching.
func Prepare(p Person) Prepared {
	out := Prepared{Person: p, Name: ParseName(p.FullName)}
	out.Folded = out.Name.Joined()
	if p.IDNumber != nil {
		out.ID, _ = idnumber.Parse(*p.IDNumber)
	}
	if p.BirthYear != nil {
		out.Year = *p.BirthYear
	} else if out.ID.Kind == idnumber.CCCD {
		out.Year = out.ID.BirthYear
	}
	switch {
	case p.Gender == "male" || p.Gender == "female":
		out.Sex = p.Gender
	case out.ID.Kind == idnumber.CCCD:
		out.Sex = out.ID.Gender
	}
	if p.Address != nil {
		out.Address = addressTerms(*p.Address)
	}
	return out
}

// addressTerms are the whole address, written out in full, then its word pairs: "gio my" and
// "gio linh" name places where "gio" alone does not, so an address that lost its village or
// was typed differently still shares the commune.
func addressTerms(address string) []string {
	var words []string
	for _, w := range vntext.Tokens(address) {
		if full, ok := adminAbbreviations[w]; ok {
			w = full
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return nil
	}
	out := []string{"=" + strings.Join(words, " ")}
	for i := 0; i+1 < len(words); i++ {
		out = append(out, words[i]+" "+words[i+1])
	}
	// sorted pairs intersect in one merge pass
	slices.Sort(out[1:])
	return out
}

// adminAbbreviations spell out the administrative words clerks shorten (Th. 2, X. Gio Mỹ).
var adminAbbreviations = map[string]string{
	"th": "thon", "x": "xa", "p": "phuong", "h": "huyen", "q": "quan", "t": "tinh",
	"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran",
}

func yearTerms(year int) []string {
	if year == 0 {
		return nil
	}
	return []string{strconv.Itoa(year)}
}

// PersonStats are the register's term frequencies for person matching.
type PersonStats struct {
	Names     *Stats // folded name tokens, given names apart (Name.Terms)
	Addresses *Stats // address word pairs
	Years     *Stats // birth years: sharing 1970 says less than sharing 1931
}

// NewPersonStats returns empty statistics.
func NewPersonStats() *PersonStats {
	// a name word is common (a few in a hundred people share a given name), an address rarer
	return &PersonStats{Names: NewStats(0.05), Addresses: NewStats(0.01), Years: NewStats(0.02)}
}

// Add counts one person of the register.
func (s *PersonStats) Add(p *Prepared) {
	s.Names.Add(p.Name.Terms())
	s.Addresses.Add(p.Address)
	s.Years.Add(yearTerms(p.Year))
}

// duplicateShare is the expected number of duplicates per record (the numerator of the prior
// odds): a citizen who comes back is now and then entered again instead of found.
const duplicateShare = 0.2

// prior is the log-odds that two records drawn from a register of n persons are the same
// person before any evidence: the larger the register, the more a shared name can be chance.
// A register is taken to be at least minRegister large: a new one grows quickly, and a
// handful of records is no reason to trust a name alone.
func prior(n int) float64 {
	return math.Log(duplicateShare) - math.Log(float64(n)+minRegister)
}

const minRegister = 1000

// Log-likelihood ratios of the person evidence. ID numbers are decisive either way. A birth
// year 3 or more years apart, another gender or another given name speak strongly against.
const (
	llrSameID        = 25.0
	llrOtherID       = -25.0
	llrOtherPhone    = -1.0
	llrYearOff1      = 0.5
	llrYearOff2      = -2.0
	llrYearFar       = -8.0
	llrSameSex       = 0.3
	llrOtherSex      = -5.0
	llrOtherGiven    = -4.5
	llrGivenMarks    = -4.0
	llrOtherFamily   = -3.0
	llrFamilyMarks   = -0.5
	llrOtherMiddle   = -3.5
	llrMissingMiddle = -1.5
	// a middle name is half predicted by gender (Văn, Thị): -ln P(gender) comes off its weight
	middleGenderShare = 0.7
	// -ln m: a duplicate repeats a name token 90% of the time
	cleanCopy = 0.1
	// A typo costs typoCost off the weight of the common spelling. It is a typo only when the
	// other spelling is rare: in at most typoRecords other records, or at most 1/typoShare as
	// many as the common one (a slip repeated across a large register). Two real names one
	// letter apart, such as Hằng and Hạnh, are two names.
	typoCost    = 1.5
	typoRecords = 2
	typoShare   = 20
	llrTwoNames = -2.5
)

// samePhone weighs a shared phone number: numbers are personal, so sharing one is about as
// telling as the register is large, less the households that share a phone.
func samePhone(n int) float64 {
	return math.Log(float64(n)+minRegister) - 2
}

// ScorePersons weighs the evidence that a and b are the same person.
func ScorePersons(a, b *Prepared, st *PersonStats) Match {
	var v verdict
	idEvidence(&v, a, b)
	if a.Phone != nil && b.Phone != nil {
		if *a.Phone == *b.Phone {
			v.add(samePhone(st.Names.Records()), "same phone")
		} else {
			v.add(llrOtherPhone, "")
		}
	}
	nameEvidence(&v, a.Name, b.Name, st.Names)
	if a.Year != 0 && b.Year != 0 {
		switch d := abs(a.Year - b.Year); d {
		case 0:
			v.add(st.Years.PairIDF(yearTerms(a.Year)[0], 2)-cleanCopy, "same birth year")
		case 1:
			v.add(llrYearOff1, "birth years 1 apart")
		case 2:
			v.add(llrYearOff2, "born 2 years apart")
		default:
			v.add(llrYearFar, fmt.Sprintf("born %d years apart", d))
		}
	}
	if a.Sex != "" && b.Sex != "" {
		if a.Sex == b.Sex {
			v.add(llrSameSex, "")
		} else {
			v.add(llrOtherSex, "different gender")
		}
	}
	addressEvidence(&v, a.Address, b.Address, st.Addresses)
	return v.match(prior(st.Names.Records()))
}

func idEvidence(v *verdict, a, b *Prepared) {
	if a.ID.Kind == "" || a.ID.Kind != b.ID.Kind {
		// a CMND and the CCCD that replaced it are different numbers of one person
		return
	}
	label := idLabels[a.ID.Kind]
	if a.ID.Value == b.ID.Value {
		v.add(llrSameID, "same "+label)
	} else {
		v.add(llrOtherID, "different "+label)
	}
}

var idLabels = map[idnumber.Kind]string{idnumber.CCCD: "CCCD", idnumber.CMND: "CMND", idnumber.Passport: "passport number"}

// nameEvidence compares names token by token: the given names (last), the family names
// (first), then the middle names in any order. Each agreement weighs the token's IDF.
func nameEvidence(v *verdict, a, b Name, st *Stats) {
	la, lb := len(a.Folded), len(b.Folded)
	if la == 0 || lb == 0 {
		return
	}
	var llr float64
	worst := Same
	var notes []string
	note := func(m TokenMatch, i, j int) {
		if m < worst {
			worst = m
		}
		if m == Typo || m == MarksDiffer {
			notes = append(notes, a.Written[i]+" / "+b.Written[j])
		}
	}

	given := MatchTokens(a, la-1, b, lb-1)
	llr += tokenLLR(given, a, la-1, b, lb-1, st, 0, llrGivenMarks, llrOtherGiven)
	note(given, la-1, lb-1)

	family := Same
	if la >= 2 && lb >= 2 {
		family = MatchTokens(a, 0, b, 0)
		llr += tokenLLR(family, a, 0, b, 0, st, 0, llrFamilyMarks, llrOtherFamily)
		note(family, 0, 0)
	}

	middleLLR, middleNote := middleEvidence(a, b, st, note)
	llr += middleLLR
	v.add(llr, nameReason(given, family, worst, notes, middleNote))
}

// middleEvidence pairs the middle names of a and b, whatever their order.
func middleEvidence(a, b Name, st *Stats, note func(TokenMatch, int, int)) (float64, string) {
	la, lb := len(a.Folded), len(b.Folded)
	if la < 3 && lb < 3 {
		return 0, ""
	}
	var llr float64
	used := map[int]bool{}
	matched := 0
	for i := 1; i < la-1; i++ {
		best, bestJ := Differ, -1
		for j := 1; j < lb-1; j++ {
			if m := MatchTokens(a, i, b, j); !used[j] && m > best {
				best, bestJ = m, j
			}
		}
		if bestJ < 0 {
			continue
		}
		used[bestJ] = true
		matched++
		note(best, i, bestJ)
		llr += tokenLLR(best, a, i, b, bestJ, st, middleGenderShare, llrFamilyMarks, 0)
	}
	ma, mb := max(la-2, 0), max(lb-2, 0)
	switch {
	case matched == 0 && ma > 0 && mb > 0:
		return llr + llrOtherMiddle, "different middle name"
	case ma != mb:
		return llr + llrMissingMiddle*float64(abs(ma-mb)), "a middle name missing on one side"
	case matched < ma:
		return llr + llrOtherMiddle*float64(ma-matched)/float64(ma), "different middle name"
	}
	return llr, ""
}

// tokenLLR weighs how token i of a and token j of b agree. discount is taken off the
// agreement weight; marks and differ are the weights of the disagreements.
func tokenLLR(m TokenMatch, a Name, i int, b Name, j int, st *Stats, discount, marks, differ float64) float64 {
	switch m {
	case Same, Unaccented:
		return math.Max(st.PairIDF(a.Term(i), 2)-discount, 0) - cleanCopy
	case Typo:
		ta, tb := a.Term(i), b.Term(j)
		common, rare := st.OthersDF(ta, 1), st.OthersDF(tb, 1)
		if rare > common {
			common, rare, ta = rare, common, tb
		}
		if rare > max(typoRecords, common/typoShare) {
			return llrTwoNames
		}
		return st.PairIDF(ta, 1) - typoCost
	case MarksDiffer:
		return marks
	}
	return differ
}

// nameReason says in a few words how the names compare.
func nameReason(given, family, worst TokenMatch, notes []string, middle string) string {
	subject, verb := "name", "matches"
	if middle != "" {
		subject, verb = "family and given names", "match"
	}
	var r string
	switch {
	case given == Differ:
		return "different given name"
	case given == MarksDiffer:
		r = "given names differ in diacritics: " + notes[len(notes)-1]
		if family == Differ {
			r += "; different family name"
		}
	case family == Differ:
		r = "same given name, different family name"
	case worst == Same:
		r = "same " + subject
	case worst == Unaccented:
		r = subject + " " + verb + " without diacritics"
	default:
		r = subject + " " + verb + " with a typo: " + strings.Join(notes, ", ")
	}
	if middle != "" {
		r += "; " + middle
	}
	return r
}

// addressEvidence weighs the whole address when both are the same, else the most specific
// place they share: the rarest common word pair, as the commune it names. Sharing only the
// province is evidence against: a returning citizen rarely moves.
func addressEvidence(v *verdict, a, b []string, st *Stats) {
	if len(a) == 0 || len(b) == 0 {
		return
	}
	if a[0] == b[0] {
		v.add(math.Min(st.PairIDF(a[0], 2)-cleanCopy, maxAddressLLR), "same address")
		return
	}
	best := 0.0
	for i, j := 1, 1; i < len(a) && j < len(b); {
		switch c := strings.Compare(a[i], b[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			best = math.Max(best, st.PairIDF(a[i], 2))
			i, j = i+1, j+1
		}
	}
	if best >= specificPlace {
		v.add(math.Min(best-cleanCopy, maxAddressLLR), "similar address")
	} else {
		v.add(-addressDrift, "different address")
	}
}

const (
	maxAddressLLR = 8.0
	// a place named by fewer than 1 in 20 records (a commune, not a district or province)
	specificPlace = 3.0
	// -ln of the chance that a returning citizen gives another commune
	addressDrift = 2.5
)

// GivenKey is the blocking key of a folded name's given name (its last word), the value of the
// generated column persons.block_given.
func GivenKey(folded string) string {
	return folded[strings.LastIndexByte(folded, ' ')+1:]
}

// RestKey is the blocking key that survives a typo in the given name: the family and middle
// names and the given name's initial ("nguyen van h"), the value of persons.block_rest.
func RestKey(folded string) string {
	cut := strings.LastIndexByte(folded, ' ')
	given := folded[cut+1:]
	rest := ""
	if cut >= 0 {
		rest = folded[:cut]
	}
	if given == "" {
		return rest + " "
	}
	return rest + " " + given[:1]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
