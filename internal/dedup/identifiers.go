package dedup

import (
	"slices"
	"strconv"
	"strings"
)

// Kinds of identifiers a case text names: what makes one matter this matter and no other.
const (
	IdentDocument = "document" // "Quyết định số 1234/QĐ-UBND": qd 1234
	IdentJudgment = "judgment" // "bản án số 45/2019/DS-PT": 45/2019/ds-pt
	IdentParcel   = "parcel"   // "thửa số 45, tờ bản đồ số 12": 45/12 (45/ without the sheet)
	IdentProject  = "project"  // "dự án đường tránh Đông Hà": duong tranh dong ha
	IdentCommune  = "commune"  // "xã Gio Mỹ": xa gio my
	IdentVillage  = "village"  // "thôn 3": thon 3
	IdentMoney    = "money"    // "120 triệu đồng": 120000000
	IdentArea     = "area"     // "450 m2": 450
	IdentPerson   = "person"   // "hộ ông Nguyễn Văn An", "liệt sĩ Lê Văn Tám": nguyen van an
)

// identKeyPrefix is how each kind of identifier is stored among a case's keys and counted.
var identKeyPrefix = map[string]string{IdentDocument: "d:", IdentJudgment: "j:", IdentParcel: "p:", IdentProject: "pj:",
	IdentCommune: "pl:", IdentVillage: "vl:", IdentMoney: "mn:", IdentArea: "ar:", IdentPerson: "np:"}

// Identifier is one thing a text names.
type Identifier struct {
	Kind  string
	Value string
}

// Key is the identifier as stored and counted.
func (id Identifier) Key() string { return identKeyPrefix[id.Kind] + id.Value }

// docTypes are the canonical document kinds (vocabulary.tsv) a number can belong to.
var docTypes = map[string]bool{"qd": true, "tb": true, "kl": true, "nq": true, "cv": true, "bc": true}

// courtCodes mark a judgment's number: DS (civil), HS (criminal), HC (administrative), KDTM,
// HNGĐ, LĐ, and ST/PT (first instance, appeal).
var courtCodes = map[string]bool{"ds": true, "hs": true, "hc": true, "kdtm": true, "hngd": true, "ld": true, "st": true, "pt": true}

// nameEnds stop a name read after "ông", "dự án" or "xã": the words that follow a name in a
// sentence, never inside one.
var nameEnds = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`la khong tai cua cho va o de thi ma do nhung chua duoc bi den nay tu theo voi khi da
		dang nam thang ngay so ve viec tren trong gay thuoc qua lien ke ngheo xung quanh gia dinh dan nguoi co
		nop xay lan sang yeu cau tham o chi tien ho tro thu hoi boi thuong tinh lai gia`) {
		nameEnds[w] = true
	}
}

// extraction reads identifiers off normalised tokens.
type extraction struct {
	ts  []token
	ids []Identifier
}

func (e *extraction) add(kind, value string) {
	if value != "" {
		e.ids = append(e.ids, Identifier{kind, value})
	}
}

func (e *extraction) is(i int, folds ...string) bool {
	return i < len(e.ts) && e.ts[i].kind != tokPunct && slices.Contains(folds, e.ts[i].fold)
}

func (e *extraction) number(i int) bool { return i < len(e.ts) && e.ts[i].kind == tokNumber }

func (e *extraction) punct(i int, p string) bool {
	return i < len(e.ts) && e.ts[i].kind == tokPunct && e.ts[i].text == p
}

// skipSo passes over an optional "số" (and "đất" in "thửa đất số").
func (e *extraction) skipSo(i int) int {
	for e.is(i, "so", "dat") {
		i++
	}
	return i
}

// name reads up to max words of a name from i: words that are not numbers, punctuation,
// vocabulary terms or words that end a name.
func (e *extraction) name(i, max int) (string, int) {
	var words []string
	j := i
	for ; j < len(e.ts) && len(words) < max; j++ {
		t := e.ts[j]
		if t.kind != tokWord || t.fold == "" || t.vocab == vocabTerm || t.vocab == vocabUnit || t.vocab == vocabBoilerplate || nameEnds[t.fold] {
			break
		}
		words = append(words, t.fold)
	}
	return strings.Join(words, " "), j
}

// extractIdentifiers reads the identifiers of normalised tokens.
func extractIdentifiers(ts []token) []Identifier {
	e := &extraction{ts: ts}
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		switch {
		case t.kind == tokNumber && e.punct(i+1, "/"):
			i = e.slashNumber(i)
		case t.kind == tokNumber:
			e.amount(i)
		case t.fold == "thua" && t.vocab == vocabTerm:
			i = e.parcel(i)
		case t.fold == "duan" && t.vocab == vocabTerm:
			if v, j := e.name(i+1, 6); strings.Contains(v, " ") {
				e.add(IdentProject, v)
				i = j - 1
			}
		case t.vocab == vocabUnit:
			i = e.place(i)
		case (t.fold == "ong" || t.fold == "ba" || t.fold == "ho" || t.fold == "cu") && t.vocab == vocabStop, t.fold == "lietsi":
			j := i + 1
			for e.is(j, "ong", "ba") {
				j++
			}
			if v, end := e.name(j, 4); strings.Count(v, " ") >= 1 {
				e.add(IdentPerson, v)
				i = end - 1
			}
		case docTypes[t.fold] && t.vocab == vocabTerm:
			e.documentBefore(i)
		}
	}
	slices.SortFunc(e.ids, func(a, b Identifier) int { return strings.Compare(a.Key(), b.Key()) })
	return slices.Compact(e.ids)
}

// slashNumber reads "1234/QĐ-UBND", "45/2019/DS-PT" or "12/2020/QĐ-UBND" from i; a date
// ("12/3/2020") names nothing. The number's parts are joined by separators: the word after a
// space is the sentence going on ("bản án số 45/2019/DS-PT về tranh chấp thừa kế").
func (e *extraction) slashNumber(i int) int {
	var nums, codes []string
	j := i
	separated := true // the token before was a separator (or this is the number's start)
	for ; j < len(e.ts); j++ {
		t := e.ts[j]
		switch {
		case t.kind == tokPunct && (t.text == "/" || t.text == "-" || t.text == "&"):
			separated = true
			continue
		case !separated:
			goto done
		case t.kind == tokNumber && len(codes) == 0:
			nums = append(nums, t.fold)
		case t.kind == tokWord && t.fold != "":
			codes = append(codes, t.fold)
		default:
			goto done
		}
		separated = false
	}
done:
	if len(codes) == 0 {
		return j - 1
	}
	if slices.ContainsFunc(codes, func(c string) bool { return courtCodes[c] }) {
		e.add(IdentJudgment, strings.Join(nums, "/")+"/"+strings.Join(codes, "-"))
		return j - 1
	}
	if docTypes[codes[0]] {
		e.add(IdentDocument, codes[0]+" "+nums[0])
	}
	return j - 1
}

// documentBefore reads "quyết định [thu hồi đất] số 1234" from the document kind at i.
func (e *extraction) documentBefore(i int) {
	for j := i + 1; j < len(e.ts) && j <= i+7; j++ {
		if e.ts[j].kind == tokPunct {
			return
		}
		if e.number(j) && !e.punct(j+1, "/") && (j == i+1 || e.is(j-1, "so")) {
			e.add(IdentDocument, e.ts[i].fold+" "+e.ts[j].fold)
			return
		}
	}
}

// parcel reads "thửa [đất] [số] 45[,] [tờ bản đồ [số] 12]" from i.
func (e *extraction) parcel(i int) int {
	j := e.skipSo(i + 1)
	if !e.number(j) {
		return i
	}
	plot, end := e.ts[j].fold, j+1
	k := end
	if e.punct(k, ",") {
		k++
	}
	sheet := ""
	if e.is(k, "tobando") {
		if m := e.skipSo(k + 1); e.number(m) {
			sheet, end = e.ts[m].fold, m+1
		}
	}
	e.add(IdentParcel, plot+"/"+sheet)
	return end - 1
}

// place reads "thôn 3", "xã Gio Mỹ", "phường 5" from the unit at i.
func (e *extraction) place(i int) int {
	unit := e.ts[i].fold
	kind := IdentCommune
	switch unit {
	case "thon", "xom", "khu", "to": // "to dan pho", "khu pho" are units of several tokens
		kind = IdentVillage
	case "xa", "phuong", "thi":
	default:
		return i // districts and provinces: a respondent's, not a matter's
	}
	j := i
	for j < len(e.ts) && e.ts[j].vocab == vocabUnit {
		j++
	}
	if e.punct(j, ".") {
		j++
	}
	var v string
	end := j
	if e.number(j) {
		v, end = e.ts[j].fold, j+1
	} else {
		v, end = e.name(j, 2)
	}
	if v == "" {
		return i
	}
	words := make([]string, 0, 4)
	for _, t := range e.ts[i:j] {
		if t.kind == tokWord {
			words = append(words, t.fold)
		}
	}
	e.add(kind, strings.Join(words, " ")+" "+v)
	return end - 1
}

// amount reads "120 triệu đồng", "1.200.000 đồng" or "450 m2" from the number at i.
func (e *extraction) amount(i int) {
	n, err := strconv.ParseInt(e.ts[i].fold, 10, 64)
	if err != nil {
		return
	}
	j := i + 1
	scale := map[string]int64{"trieu": 1_000_000, "ty": 1_000_000_000, "nghin": 1000, "ngan": 1000}
	switch {
	case e.is(j, "m2"):
		e.add(IdentArea, e.ts[i].fold)
	case j < len(e.ts) && scale[e.ts[j].fold] > 0:
		end := j + 1
		if e.is(end, "dong") {
			end++
		}
		e.add(IdentMoney, strconv.FormatInt(n*scale[e.ts[j].fold], 10))
	case e.is(j, "dong") && n >= 1000:
		e.add(IdentMoney, e.ts[i].fold)
	}
}

// CaseText is a case text as matching reads it: what it names, and its words.
type CaseText struct {
	Identifiers []Identifier
	Words       []string // distinct, sorted: words and numbers, vocabulary read, stop words left out
}

// ReadText reads a title or summary.
func ReadText(s string) CaseText {
	ts := vocab.normalize(tokenize(s))
	ids := extractIdentifiers(ts)
	var words []string
	for _, t := range ts {
		// the identifiers' words stay: two texts sharing their specifics (a commune, a name)
		// are more alike than two sharing a pattern
		if t.kind == tokPunct || t.fold == "" || t.vocab == vocabStop || (t.kind == tokWord && len(t.fold) < 2) {
			continue
		}
		words = append(words, t.fold)
	}
	slices.Sort(words)
	return CaseText{Identifiers: ids, Words: slices.Compact(words)}
}
