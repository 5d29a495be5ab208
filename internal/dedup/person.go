package dedup

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

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
func Prepare(p Person) Prepared { return prepare(p, ParseName, addressTerms) }

func prepare(p Person, parseName func(string) Name, parseAddress func(string) []string) Prepared {
	out := Prepared{Person: p, Name: parseName(p.FullName)}
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
		out.Address = parseAddress(*p.Address)
	}
	return out
}

// Parser is Prepare with the names and addresses it parsed kept for the next persons who bear
// them. Persons share both far more than they share whole records: a lookup at a register of a
// million reads a few hundred candidates, most of them never met before, but their names
// (Nguyễn Thị Lan) and addresses (a village of the commune) were parsed for earlier lookups,
// and parsing was two fifths of a lookup's CPU there. What it keeps is only read afterwards,
// so persons may share it. Safe for concurrent use.
type Parser struct {
	names     *lru.Cache[string, Name]
	addresses *lru.Cache[string, []string]
	// misses counts the names and addresses parsed afresh, not found kept: what a lookup after
	// a start pays that a warm one does not.
	misses atomic.Int64
	// the sizes NewParser was given, and the caches' sizes now (Warm grows them)
	warming               sync.Mutex
	nameRoom, addressRoom int
	nameCap, addressCap   int
}

// What one parsed name and one parsed address hold in memory, cache entry included, as
// measured on the names and addresses of a generated register of a million persons (819 and
// 320 bytes on average): the warm set of a start is bounded by them.
const (
	ParsedNameBytes    = 850
	ParsedAddressBytes = 350
)

// NewParser keeps up to names names and addresses addresses, the least recently used leaving
// first.
func NewParser(names, addresses int) *Parser {
	n, err := lru.New[string, Name](names)
	if err != nil {
		panic(err) // only for a size below one
	}
	a, err := lru.New[string, []string](addresses)
	if err != nil {
		panic(err)
	}
	return &Parser{names: n, addresses: a, nameRoom: names, addressRoom: addresses, nameCap: names, addressCap: addresses}
}

// Prepare parses p for matching, as the package's Prepare does.
func (c *Parser) Prepare(p Person) Prepared { return prepare(p, c.name, c.address) }

// Warm parses names and addresses ahead of the lookups that will meet them, each list the most
// common first; the most common are kept longest. The cache grows to hold them all with room
// for as many again as it was made for (NewParser), so that the names met later do not push the
// warm ones out at once; it never shrinks.
func (c *Parser) Warm(names, addresses []string) {
	c.warming.Lock()
	defer c.warming.Unlock()
	grow := func(have, want int, resize func(int) int) int {
		if want > have {
			resize(want)
			return want
		}
		return have
	}
	c.nameCap = grow(c.nameCap, c.nameRoom+len(names), c.names.Resize)
	c.addressCap = grow(c.addressCap, c.addressRoom+len(addresses), c.addresses.Resize)
	for _, n := range slices.Backward(names) {
		c.name(n)
	}
	for _, a := range slices.Backward(addresses) {
		c.address(a)
	}
}

// Misses is how many names and addresses the parser has parsed afresh, Warm's included.
func (c *Parser) Misses() int64 { return c.misses.Load() }

func (c *Parser) name(full string) Name { return remembered(c, c.names, full, ParseName) }

func (c *Parser) address(address string) []string {
	return remembered(c, c.addresses, address, addressTerms)
}

func remembered[T any](c *Parser, cache *lru.Cache[string, T], key string, parse func(string) T) T {
	if v, ok := cache.Get(key); ok {
		return v
	}
	c.misses.Add(1)
	v := parse(key)
	cache.Add(key, v)
	return v
}

// addressTerms are the whole address, written out in full, then the word pairs of its village
// and commune, and the district and province it lies in. The pairs let an address that lost
// its village or was typed differently still share the commune: "gio my" names a commune
// where "gio" alone does not. A part's unit word (xã, thôn) pairs with its name only when the
// name is one word (xã Húc, thôn 3): the communes of a district often share a first word (xã
// Gio Mỹ, xã Gio An), and "xa gio" would make them alike. The parts that name a district or a
// province (huyện Gio Linh, tỉnh Quảng Trị) give no pairs (two persons of one district and
// different communes are not alike, a returning citizen rarely moves) but one term together,
// upperPrefix and their words, so that two communes of one name in two districts are told apart.
func addressTerms(address string) []string {
	var all, pairs, upper []string
	for _, part := range strings.Split(address, ",") {
		words := spelledOut(part)
		all = append(all, words...)
		if len(words) == 0 {
			continue
		}
		unit := unitWords(words)
		if upperUnits[strings.Join(words[:unit], " ")] {
			upper = append(upper, strings.Join(words, " "))
			continue
		}
		from := 0
		if len(words) > unit+1 {
			from = unit
		}
		for i := from; i+1 < len(words); i++ {
			pairs = append(pairs, words[i]+" "+words[i+1])
		}
	}
	if len(all) == 0 {
		return nil
	}
	if len(upper) > 0 {
		pairs = append(pairs, upperPrefix+strings.Join(upper, upperSeparator))
	}
	// sorted terms intersect in one merge pass
	slices.Sort(pairs)
	return append([]string{"=" + strings.Join(all, " ")}, pairs...)
}

// PersonAddressKey is the blocking key of an address, the value of persons.block_address: its words
// folded and spelled out ("thon 3 xa gio my huyen gio linh tinh quang tri" for Th. 3, X. Gio
// Mỹ, H. Gio Linh, T. Quảng Trị), as addressTerms reads the whole address. The address as
// typed was the key until December 2026: a clerk who wrote it short, or in capitals, or
// without diacritics, kept a name changed on its first letters, or a record without a birth
// year (which has no name-part keys), from ever being compared with the citizen's record:
// spelled out, 77 more of the 21,005 true pairs of 100,000 generated persons are found (12 of
// them misheard names), and 5 false ones.
func PersonAddressKey(address string) string { return strings.Join(spelledOut(address), " ") }

// spelledOut are the words of an address (or a part of one), folded, the administrative
// words clerks shorten spelled out.
func spelledOut(text string) []string {
	words := vntext.Tokens(text)
	for i, w := range words {
		if full, ok := adminAbbreviations[w]; ok {
			words[i] = full
		}
	}
	return words
}

// upperPrefix marks the term of an address's district and province, whose parts
// upperSeparator joins.
const (
	upperPrefix    = "^"
	upperSeparator = "|"
)

// unitWords is how many words of an address part (folded, spelled out) are its administrative
// unit: two for thị trấn, thị xã, thành phố; one for any other (xã, huyện, thôn, or the first
// word of a part without a unit, which pairs with the next as before).
func unitWords(words []string) int {
	if len(words) >= 2 && twoWordUnits[words[0]+" "+words[1]] {
		return 2
	}
	return 1
}

var (
	twoWordUnits = map[string]bool{"thi tran": true, "thi xa": true, "thanh pho": true}
	// the units of a district or a province
	upperUnits = map[string]bool{"huyen": true, "quan": true, "thi xa": true, "thanh pho": true, "tinh": true}
)

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
// Another phone is weak evidence against (a returning citizen now and then gives another
// number); at -1.5 rather than -1 it keeps a neighbour of the same year whose name is another
// accepted spelling (Vy / Vi) from being offered, and finds every everyday duplicate it did.
const (
	llrSameID     = 25.0
	llrOtherID    = -25.0
	llrOtherPhone = -1.5
	// A birth year one off is an age told at the desk and turned into a year (often counted
	// the traditional way, one more at birth): likely when a record shows no identity document
	// to read the year from, unlikely when both do. On the generated register of 100,000
	// persons, 87% of the true pairs born a year apart lack a document on one side, against
	// 48% of the other pairs compared: ln(0.87/0.48) = +0.6 and ln(0.13/0.52) = -1.4 on the
	// 0.5 a year one off weighed before, whatever the documents.
	llrYearOff1Told       = 1.1
	llrYearOff1Documented = -0.9
	llrYearOff2           = -2.0
	llrYearFar            = -8.0
	llrSameSex            = 0.3
	llrOtherSex           = -5.0
	llrOtherGiven         = -4.5
	llrGivenMarks         = -4.0
	llrOtherFamily        = -3.0
	llrFamilyMarks        = -0.5
	llrOtherMiddle        = -3.5
	llrMissingMiddle      = -1.5
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
	// The same rule weighs a syllable heard the regional way (Lan / Nan): a clerk's ear errs
	// more often than a finger, so it costs less. Where the register holds the spelling heard at
	// most a twentieth as often as the common one, nearly every record of it is someone's
	// common name misheard, and sharing it tells nearly what sharing the common name does (the
	// cost is ln of how often it is written over how often a clerk mishears, both small). At
	// 1.0 the generated register of 100,000 persons found 0.948 of its misheard pairs; at 0.5,
	// 0.959 for 2 more false pairs (of 20,429 offered); at 0, 0.964 for 4 more.
	// Two accepted spellings (Vy / Vi) are one name, and cost a little only.
	heardCost   = 0.5
	spelledCost = 0.2
	// When the register holds both accepted spellings commonly, each citizen has one on their
	// papers, and the other is written by about one clerk in twenty (q = 0.05). Against the
	// weight of the two spellings together (about ln 2 under either one's, when both are
	// about as common) that is ln(1/(2q)) = 2.3. At 3.0 (q = 0.025) the generated register of
	// 100,000 found 0.920 of the later records spelt the other way; at 2.3, 0.935, while the
	// neighbours of the same year and commune with the other spelling offered rose from 1.6%
	// to 3.8%.
	spelledNamesCost = 2.3
	// A name written in another order (the given name first) is what the system that wrote
	// it does, as likely for a duplicate as for anyone else; what it costs is the chance that
	// two citizens' names are each other's rotation, which is small but not nil.
	llrOtherOrder = -0.5
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
			if a.ID.Kind != "" && b.ID.Kind != "" {
				v.add(llrYearOff1Documented, "birth years 1 apart, both with an identity document")
			} else {
				v.add(llrYearOff1Told, "birth years 1 apart")
			}
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
// (first), then the middle names in any order. Each agreement weighs the token's IDF. A name
// written in another order ("Lan Nguyễn Thị" for Nguyễn Thị Lan, as other systems and foreign
// documents export it) is compared in the order that puts a family name first, at a cost.
func nameEvidence(v *verdict, a, b Name, st *Stats) {
	la, lb := len(a.Folded), len(b.Folded)
	if la == 0 || lb == 0 {
		return
	}
	best := compareNames(a, b, st)
	if k := familyAt(a, st); k > 0 && k == familyAt(b, st) {
		// both written in the same other order ("Lan Nguyễn Thị"): the words weigh as in the
		// order that puts the family name first, or Thị would weigh as the rare given name it
		// is not, and two citizens written given name first were one: 12 of the 282 false
		// offers on the generated register of 100,000 persons. The lesser weight, in case the
		// order written was the right one after all.
		if c := compareNames(a.rotated(k), b.rotated(k), st); c.llr < best.llr {
			best = c
		}
	}
	if la >= 2 && lb >= 2 && !best.clean() {
		try := func(c nameComparison) {
			if c.llr+llrOtherOrder > best.llr {
				best = c
				best.llr += llrOtherOrder
				best.reordered = true
			}
		}
		for k := 1; k < max(la, lb); k++ {
			// either side may be the one written in another order
			if k < la && isFamilyName(a.Folded[k], st) {
				try(compareNames(a.rotated(k), b, st))
			}
			if k < lb && isFamilyName(b.Folded[k], st) {
				try(compareNames(a, b.rotated(k), st))
			}
		}
	}
	v.add(best.llr, best.reason())
}

// familyAt is where a name written in another order has its family name: 0 when it opens
// with one (or has none), else the first word after the first that is one.
func familyAt(n Name, st *Stats) int {
	if len(n.Folded) < 2 || len(n.Folded) > maxRotated || isFamilyName(n.Folded[0], st) {
		return 0
	}
	for k := 1; k < len(n.Folded); k++ {
		if isFamilyName(n.Folded[k], st) {
			return k
		}
	}
	return 0
}

// nameComparison is how two names compare in one order.
type nameComparison struct {
	llr           float64
	given, family TokenMatch
	worst         TokenMatch
	notes         []string // the tokens that differ, "a / b"
	middle        string   // how the middle names differ ("" when they agree)
	reordered     bool
}

// clean says the names agree in the order written: the other orders are not worth a look.
func (c nameComparison) clean() bool { return c.worst >= Spelled && c.middle == "" }

func compareNames(a, b Name, st *Stats) nameComparison {
	la, lb := len(a.Folded), len(b.Folded)
	c := nameComparison{worst: Same, family: Same}
	note := func(m TokenMatch, i, j int) {
		c.worst = min(c.worst, m)
		if m != Same && m != Unaccented {
			c.notes = append(c.notes, a.Written[i]+" / "+b.Written[j])
		}
	}
	c.given = MatchTokens(a, la-1, b, lb-1)
	c.llr += tokenLLR(c.given, a, la-1, b, lb-1, st, 0, llrGivenMarks, llrOtherGiven)
	note(c.given, la-1, lb-1)
	if la >= 2 && lb >= 2 {
		c.family = MatchTokens(a, 0, b, 0)
		c.llr += tokenLLR(c.family, a, 0, b, 0, st, 0, llrFamilyMarks, llrOtherFamily)
		note(c.family, 0, 0)
	}
	middleLLR, middle := middleEvidence(a, b, st, note)
	c.llr += middleLLR
	c.middle = middle
	return c
}

// isFamilyName says whether a word can open a name: one of the family names nearly every
// Vietnamese citizen bears (unless the register holds it mostly as a given name), or a word the
// register holds first in names more often than as a given name.
func isFamilyName(folded string, st *Stats) bool {
	first, given := st.OthersDF(familyTerm(folded), 0), st.OthersDF(givenTerm(folded), 0)
	if knownFamilyNames[folded] {
		// Folded, a rare family name can be a common given name (Diêm and Diễm, Hầu and Hậu,
		// Quan and Quân): where the register holds the word as a given name far more often
		// than first in a name, "Diễm Nguyễn Thị" is the given name written first, not a family
		// name Diễm. Read as one, Thị weighed as the rare given name it is not, and two
		// citizens so written were offered as one.
		return given < givenOverFamily*max(first, 1)
	}
	return first >= familyRecords && first > given
}

// knownFamilyNames are the family names (folded) of nearly every Vietnamese citizen: the
// hundred or so that census counts list (Nguyễn, Trần, Lê and Phạm alone are more than two
// thirds), less those far more common as given names (Mai, Hà, Lâm, Giang, Châu), which the
// register's own counts recognise.
var knownFamilyNames = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh
		truong luong doan trinh cao dao to ta luu phung chu trieu quach thai kieu nong hua tang than la au khong
		bach banh cu dam diep dieu giap han hau hong kha khuc lac lai lieu loc lo luc ma mac mach nghiem ong phi
		quan sam tieu thach thieu tong ton trac ung uong vuong vien diem`) {
		knownFamilyNames[f] = true
	}
}

// familyRecords is how many names a word must open before the register takes it for a family
// name; givenOverFamily how many times more often than first in a name the register must hold
// a known family name as a given name to take it for a given name only.
const (
	familyRecords   = 3
	givenOverFamily = 20
)

// reason says in a few words how the names compare.
func (c nameComparison) reason() string {
	r := c.orderedReason()
	if c.reordered {
		if r == "same name" {
			return "same name, written in another order"
		}
		return "name written in another order; " + r
	}
	return r
}

func (c nameComparison) orderedReason() string {
	subject, verb := "name", "matches"
	if c.middle != "" {
		subject, verb = "family and given names", "match"
	}
	var r string
	switch {
	case c.given == Differ:
		return "different given name"
	case c.given == MarksDiffer:
		r = "given names differ in diacritics: " + c.notes[0]
		if c.family == Differ {
			r += "; different family name"
		}
	case c.family == Differ:
		r = "same given name, different family name"
	case c.worst == Same:
		r = "same " + subject
	case c.worst == Unaccented:
		r = subject + " " + verb + " without diacritics"
	case c.worst == Spelled:
		r = subject + " " + verb + ", another accepted spelling: " + strings.Join(c.notes, ", ")
	case c.worst == Heard:
		r = subject + " " + verb + " as heard in a regional accent: " + strings.Join(c.notes, ", ")
	default:
		r = subject + " " + verb + " with a typo: " + strings.Join(c.notes, ", ")
	}
	if c.middle != "" {
		r += "; " + c.middle
	}
	return r
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
	case Spelled, Typo, Heard:
		ta, tb := a.Term(i), b.Term(j)
		common, rare := st.OthersDF(ta, 1), st.OthersDF(tb, 1)
		if rare > common {
			common, rare, ta = rare, common, tb
		}
		bothNames := rare > max(typoRecords, common/typoShare)
		switch {
		case m == Spelled:
			// one name, whichever way written, as common as both spellings together; when the
			// register holds both spellings commonly, families chose one or the other, and
			// which one was written says something
			cost := spelledCost
			if bothNames {
				cost = spelledNamesCost
			}
			return math.Max(st.PairIDFOf([]string{a.Term(i), b.Term(j)}, 2)-discount, 0) - cleanCopy - cost
		case bothNames:
			return llrTwoNames
		}
		cost := typoCost
		if m == Heard {
			cost = heardCost
		}
		return math.Max(st.PairIDF(ta, 1)-discount, 0) - cost
	case MarksDiffer:
		return marks
	}
	return differ
}

// addressEvidence weighs the whole address when both are the same, else the most specific
// place they share: the rarest common word pair, as the commune it names. Sharing only the
// district or province is evidence against: a returning citizen rarely moves. An address
// weighs its rarity, uncapped, as a name does: a cap (it was 8.0) held while the prior falls
// with the register's size, so that at a national register of a million persons the same
// village and year no longer outweighed a name shared by chance.
func addressEvidence(v *verdict, a, b []string, st *Stats) {
	if len(a) == 0 || len(b) == 0 {
		return
	}
	if a[0] == b[0] {
		v.add(st.PairIDF(a[0], 2)-cleanCopy, "same address")
		return
	}
	best := 0.0
	sameVillage := false
	for i, j := 1, 1; i < len(a) && j < len(b); {
		switch c := strings.Compare(a[i], b[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			if !strings.HasPrefix(a[i], upperPrefix) {
				best = math.Max(best, st.PairIDF(a[i], 2))
				sameVillage = sameVillage || isVillage(a[i])
			}
			i, j = i+1, j+1
		}
	}
	if !sameUpper(upperTerm(a), upperTerm(b)) {
		// a commune of the same name in another district or province is another commune
		best, sameVillage = 0, false
	}
	switch {
	case best >= specificPlace && !sameVillage && slices.ContainsFunc(a[1:], isVillage) && slices.ContainsFunc(b[1:], isVillage):
		// a returning citizen gives the same village; another one of the commune is a neighbour
		v.add(best-cleanCopy-villageDrift, "same commune, another village")
	case best >= specificPlace:
		v.add(best-cleanCopy, "similar address")
	default:
		v.add(-addressDrift, "different address")
	}
}

// upperTerm is the term of an address's district and province ("" when it names neither).
func upperTerm(terms []string) string {
	for _, t := range terms[1:] {
		if strings.HasPrefix(t, upperPrefix) {
			return t
		}
	}
	return ""
}

// sameUpper says whether two addresses may lie in one district: no unit (huyện, tỉnh) that
// both name is named differently. Leaving out the district or the province is no difference.
func sameUpper(a, b string) bool {
	if a == "" || b == "" {
		return true
	}
	for _, pa := range strings.Split(a[len(upperPrefix):], upperSeparator) {
		for _, pb := range strings.Split(b[len(upperPrefix):], upperSeparator) {
			ua, ub := upperUnit(pa), upperUnit(pb)
			if ua == ub && pa != pb {
				return false
			}
		}
	}
	return true
}

// upperUnit is the unit words of a district or province part ("huyen", "thanh pho").
func upperUnit(part string) string {
	words := strings.Fields(part)
	return strings.Join(words[:unitWords(words)], " ")
}

const (
	// a place named by fewer than 1 in 20 records (a commune, not a district or province)
	specificPlace = 3.0
	// -ln of the chance that a returning citizen gives another commune: a temporary residence
	// (where a worker lives) instead of the permanent one, or a move away
	addressDrift = 2.5
	// -ln of the chance that a returning citizen gives another village of the same commune,
	// about one in ninety: the two residences of a worker rarely lie in one commune, and a move
	// within it between two visits is rare. At 3.5 (one in thirty) a neighbour born the same
	// year in another village, whose given name is the other accepted spelling of a common one
	// (Vy / Vi), was offered 14 times in 111 on the generated register of 10,000 persons and 17
	// in 224 on 20,000; at 4.5, 5 in 111 and 13 in 224, and no duplicate found before is lost.
	villageDrift = 4.5
)

// isVillage says whether an address word pair names a village or neighbourhood: thôn 3,
// xóm Đông, ấp 2, bản Khe Sanh, tổ 5, khối 4.
func isVillage(pair string) bool {
	unit, _, _ := strings.Cut(pair, " ")
	return villageUnits[unit]
}

var villageUnits = map[string]bool{"thon": true, "xom": true, "ap": true, "ban": true, "to": true, "khoi": true}

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

// PersonTermsVersion names the way CountedTerms reads a person: counts stored another way are
// made again from the register when the service starts.
const PersonTermsVersion = "2"

// Prefixes of the counted terms: name words, address terms, birth years.
const (
	namePrefix    = "n:"
	addressPrefix = "a:"
	yearPrefix    = "y:"
)

// CountedTerms are the terms a live, unmerged person adds to the register's counts (each once),
// which PersonStatsFromCounts reads back.
func CountedTerms(p *Prepared) []string {
	var out []string
	add := func(prefix string, terms []string) {
		for i, t := range terms {
			if !seenBefore(terms, i) {
				out = append(out, prefix+t)
			}
		}
	}
	add(namePrefix, p.Name.Terms())
	add(addressPrefix, p.Address)
	add(yearPrefix, yearTerms(p.Year))
	return out
}

// ScoringTerms are the counted terms that scoring probe against candidates can read: every
// word of every name as a family, middle or given name (names are compared in another order
// too), the probe's address and birth year (what the two share is the probe's).
func ScoringTerms(probe *Prepared, candidates []*Prepared) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, p := range append([]*Prepared{probe}, candidates...) {
		for _, w := range p.Name.Folded {
			add(namePrefix + w)
			add(namePrefix + givenTerm(w))
			add(namePrefix + familyTerm(w))
		}
	}
	for _, t := range probe.Address {
		add(addressPrefix + t)
	}
	for _, t := range yearTerms(probe.Year) {
		add(yearPrefix + t)
	}
	return out
}

// PersonStatsFromCounts are the statistics of a register of total persons in which df counts
// the persons holding each counted term (CountedTerms); terms left out count none.
func PersonStatsFromCounts(total int, df map[string]int) *PersonStats {
	st := NewPersonStats()
	for _, s := range []*Stats{st.Names, st.Addresses, st.Years} {
		s.records = total
	}
	for t, n := range df {
		switch {
		case strings.HasPrefix(t, namePrefix):
			st.Names.df[t[len(namePrefix):]] = n
		case strings.HasPrefix(t, addressPrefix):
			st.Addresses.df[t[len(addressPrefix):]] = n
		case strings.HasPrefix(t, yearPrefix):
			st.Years.df[t[len(yearPrefix):]] = n
		}
	}
	return st
}
