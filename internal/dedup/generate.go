package dedup

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Labelled is a generated person record with the truth about it: records of one Entity are
// the same citizen entered several times.
type Labelled struct {
	Person
	Entity int
	Role   string // original, duplicate, namesake (same common name, another person), household or lookalike
	// Variation is how a duplicate's name or details were varied beyond everyday noise (one of
	// Variations), or for a lookalike the one change that tells it from the person it looks
	// like; "" for everyday records.
	Variation string
	// LooksLike is, for a lookalike, the entity it looks like.
	LooksLike int
}

// Roles of generated records.
const (
	RoleOriginal  = "original"
	RoleDuplicate = "duplicate"
	RoleNamesake  = "namesake"
	RoleHousehold = "household"
	// RoleLookalike is another citizen born the same year in the same commune, with another
	// phone, whose name differs from someone's by one change of Variation: a true negative.
	RoleLookalike = "lookalike"
)

// Variations of a name or record that GenerateVariedPersons makes on top of everyday noise.
const (
	VariationOrder    = "order"    // the given name written first: Lan Nguyễn Thị
	VariationSpelling = "spelling" // an accepted i/y spelling: Vy / Vi, Lý / Lí, Kỳ / Kì
	VariationHeard    = "heard"    // a syllable misheard the regional way: Lan / Nan, Trang / Chang, Sơn / Xơn
	VariationYear     = "year"     // the birth year off by one
	VariationNoPhone  = "nophone"  // no phone on the later record
)

// Variations lists them in the order reports show them.
var Variations = []string{VariationOrder, VariationSpelling, VariationHeard, VariationYear, VariationNoPhone}

// weighted picks from a list of values by weight.
type weighted struct {
	values []string
	cum    []float64
}

// zipf weighs a list given most common first, the way names are distributed.
func zipf(list string, exponent float64) weighted {
	var w weighted
	total := 0.0
	for i, v := range strings.Split(list, ",") {
		total += 1 / math.Pow(float64(i+1), exponent)
		w.values = append(w.values, strings.TrimSpace(v))
		w.cum = append(w.cum, total)
	}
	for i := range w.cum {
		w.cum[i] /= total
	}
	return w
}

// shares weighs "value:percent" pairs; the rest of 100% is spread over tail (Zipf).
func shares(list string, tail string) weighted {
	var w weighted
	total := 0.0
	for _, p := range strings.Split(list, ",") {
		v, pct, _ := strings.Cut(strings.TrimSpace(p), ":")
		var f float64
		fmt.Sscan(pct, &f)
		total += f / 100
		w.values = append(w.values, v)
		w.cum = append(w.cum, total)
	}
	t := zipf(tail, 1)
	rest := 1 - total
	for i, v := range t.values {
		w.values = append(w.values, v)
		w.cum = append(w.cum, total+rest*t.cum[i])
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	x := r.Float64()
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return w.values[lo]
}

// Name frequencies: family names by their share of the population (Nguyễn about 38%); middle
// and given names most common first.
var (
	familyNames = shares("Nguyễn:38.4,Trần:12.1,Lê:9.5,Phạm:7,Hoàng:4.1,Phan:4.5,Huỳnh:2.1,Vũ:2,Võ:1.9,Đặng:2.1,Bùi:2,Đỗ:1.4,Hồ:1.3,Ngô:1.3,Dương:1",
		"Lý,Đinh,Trương,Lương,Đoàn,Trịnh,Mai,Cao,Đào,Hà,Lâm,Tô,Tạ,Lưu,Phùng,Chu,Triệu,Quách,Thái,Kiều,Nông,Châu,Hứa,Tăng,Thân,Giang,La,Âu,Khổng,Văn")
	maleMiddle         = shares("Văn:38", maleSecondMiddle)
	maleSecondMiddle   = "Đức,Minh,Hữu,Quang,Đình,Công,Thanh,Xuân,Ngọc,Trọng,Quốc,Tiến,Anh,Duy,Mạnh,Hoàng,Thành,Bá,Viết,Khắc,Hồng,Việt,Phú,Tuấn,Kim,Đăng,Gia,Huy,Nhật,Sỹ,Thế,Trung,Vĩnh"
	femaleMiddle       = shares("Thị:52", femaleSecondMiddle)
	femaleSecondMiddle = "Ngọc,Thu,Thanh,Thùy,Kim,Hồng,Mỹ,Minh,Phương,Bích,Xuân,Mai,Diệu,Hoài,Khánh,Quỳnh,Tuyết,Lan,Hải,Ánh,Bảo,Cẩm,Hà,Hoàng,Kiều,Lệ,Mộng,Nguyệt,Như,Tố,Trúc,Vân"
	maleGiven          = zipf("Hùng,Dũng,Tuấn,Minh,Hải,Nam,Long,Sơn,Thành,Cường,Thắng,Hiếu,Trung,Hoàng,Huy,Phong,Quang,Tùng,Việt,Bình,Đức,Anh,An,Khoa,Hòa,Lâm,Lộc,Nghĩa,Phúc,Quân,Tài,Toàn,Vinh,Khánh,Kiên,Tâm,Thịnh,Tiến,Trí,Hưng,Hậu,Dương,Định,Hiệp,Khải,Lực,Mạnh,Nhân,Tú,Thanh,Thuận,Xuân,Chiến,Công,Đạt,Giang,Hoan,Hội,Luân,Lương,Nhật,Quý,Sang,Tân,Thông,Tín,Tường,Vũ,Cảnh,Chung,Đông,Hào,Kỳ,Phương,Sỹ,Thái,Thạch,Thụy,Triều,Khoái,Thuyết,Xuyên,Khuê,Ngoạn,Bảo,Cương,Danh,Điệp,Đoàn,Duy,Hạnh,Hiển,Hợp,Khang,Khiêm,Lân,Linh,Lợi,Mẫn,Ninh,Phát,Quyết,Quyền,Sáng,Thuần,Thức,Trọng,Tuệ,Vĩnh,Vượng,Yên", 0.6)
	femaleGiven        = zipf("Hương,Lan,Hoa,Linh,Trang,Thảo,Hà,Ngọc,Mai,Nga,Hằng,Huyền,Hạnh,Thủy,Phương,Yến,Anh,Loan,Dung,Nhung,Oanh,Hiền,Thúy,Vân,Giang,Hồng,Tuyết,Quyên,Liên,Lý,Trinh,Thơ,Hòa,Diệp,Ánh,Bích,Châu,Diễm,Duyên,Gấm,Hậu,Khuyên,Lệ,Liễu,Mơ,My,Nhàn,Nhi,Quỳnh,Sen,Tâm,Thắm,Thoa,Thư,Trâm,Uyên,Xuân,Xuyến,Khoa,Thụy,Khuê,Ái,Bình,Cúc,Đào,Diệu,Hảo,Hoài,Huệ,Kiều,Lài,Lụa,Minh,Nguyệt,Nhàn,Nương,Phấn,Phượng,Quế,Sương,Tâm,Thanh,Thêu,Thìn,Thục,Tình,Trà,Vui,Xoan", 0.6)
)

// Places of Quảng Trị (districts with some of their communes) for addresses.
var districts = []struct {
	name     string
	communes string
}{
	{"huyện Gio Linh", "Gio Mỹ,Gio An,Gio Bình,Gio Châu,Gio Hải,Gio Mai,Gio Phong,Gio Quang,Gio Sơn,Gio Việt,Linh Hải,Trung Giang,Trung Hải,Trung Sơn"},
	{"huyện Vĩnh Linh", "Vĩnh Thủy,Vĩnh Lâm,Vĩnh Sơn,Vĩnh Long,Vĩnh Hà,Vĩnh Khê,Vĩnh Chấp,Vĩnh Giang,Vĩnh Hòa,Vĩnh Kim,Vĩnh Tú,Vĩnh Thạch"},
	{"huyện Cam Lộ", "Cam Hiếu,Cam Thủy,Cam Thành,Cam Tuyền,Cam Chính,Cam Nghĩa"},
	{"huyện Triệu Phong", "Triệu Ái,Triệu Giang,Triệu Long,Triệu Thành,Triệu Đông,Triệu Trạch,Triệu Phước,Triệu Độ,Triệu Hòa,Triệu Sơn"},
	{"huyện Hải Lăng", "Hải An,Hải Ba,Hải Quế,Hải Dương,Hải Định,Hải Phú,Hải Thượng,Hải Lâm,Hải Sơn,Hải Khê"},
	{"huyện Hướng Hóa", "Tân Hợp,Tân Lập,Tân Long,Tân Thành,Hướng Phùng,Hướng Tân,Húc,Thuận,Thanh,A Dơi"},
	{"thành phố Đông Hà", "phường 1,phường 2,phường 3,phường 5,phường Đông Lễ,phường Đông Lương,phường Đông Giang,phường Đông Thanh"},
	{"huyện Đakrông", "Ba Lòng,Hải Phúc,Mò Ó,Triệu Nguyên,Tà Long,Húc Nghì"},
}

// cccdProvinces are the birth-registration codes used: mostly Quảng Trị (045), then neighbours.
var cccdProvinces = shares("045:80,044:6,046:5,001:3", "038,040,042,048,079")

// GeneratePersons returns n labelled person records, shuffled: originals, duplicates of some
// of them (diacritics dropped, old tone placement, typos, upper case, missing ID number, phone
// or birth year, abbreviated address; but no record lacks both the address and an identity
// document, as the law has it), namesakes (the same common name with another ID number and
// birth year) and household members (same address and phone, another name).
func GeneratePersons(n int, seed uint64) []Labelled { return generatePersons(n, seed, false) }

// GenerateVariedPersons is GeneratePersons with the ways Vietnamese names really vary, each
// made for about 1.6% of the citizens (a later record written with the name in another order,
// another accepted i/y spelling, a syllable misheard, the birth year off by one, or without a
// phone), and lookalikes of about 4%: another citizen of the same year and commune, with
// another phone, whose name differs by one accepted spelling or one misheard syllable. The
// everyday records are those GeneratePersons makes; the variations come from a stream of
// their own.
func GenerateVariedPersons(n int, seed uint64) []Labelled { return generatePersons(n, seed, true) }

func generatePersons(n int, seed uint64, varied bool) []Labelled {
	provinces := (n + personsPerProvince - 1) / personsPerProvince
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x7463640a)), usedIDs: map[string]bool{}, provinces: provinces}
	v := &generator{r: rand.New(rand.NewPCG(seed, 0x76617279)), usedIDs: g.usedIDs, provinces: provinces}
	var out []Labelled
	for entity := 0; len(out) < n; entity++ {
		origEntity := entity
		orig := g.person()
		out = append(out, Labelled{Person: orig, Entity: entity, Role: RoleOriginal})
		var other *string // the citizen's other identity document, the same in every copy
		switch x := g.r.Float64(); {
		case x < 0.03:
			out = append(out, Labelled{Person: g.duplicate(orig, &other), Entity: entity, Role: RoleDuplicate},
				Labelled{Person: g.duplicate(orig, &other), Entity: entity, Role: RoleDuplicate})
		case x < 0.15:
			out = append(out, Labelled{Person: g.duplicate(orig, &other), Entity: entity, Role: RoleDuplicate})
		}
		switch x := g.r.Float64(); {
		case x < 0.05 && isCommonName(orig.FullName):
			entity++
			out = append(out, Labelled{Person: g.namesake(orig), Entity: entity, Role: RoleNamesake})
		case x > 0.97:
			entity++
			out = append(out, Labelled{Person: g.household(orig), Entity: entity, Role: RoleHousehold})
		}
		if varied {
			out = v.vary(out, orig, origEntity, &entity)
		}
	}
	out = out[:n]
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

type generator struct {
	r         *rand.Rand
	usedIDs   map[string]bool
	provinces int // the provinces persons live in (personsPerProvince each)
}

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) person() Person {
	gender := "male"
	if g.chance(0.45) {
		gender = "female"
	}
	year := 1940 + int(math.Round((g.r.Float64()+g.r.Float64()+g.r.Float64())/3*64))
	p := Person{FullName: g.name(gender), Gender: gender, BirthYear: &year}
	switch x := g.r.Float64(); {
	case x < 0.65:
		p.IDNumber = ptr(g.cccd(year, gender))
	case x < 0.77:
		p.IDNumber = ptr(g.cmnd())
	}
	if g.chance(0.6) {
		p.Phone = ptr(g.phone())
	}
	// Form 03 has one column for name and address: clerks nearly always fill both, and always
	// when no identity document was shown (see identified)
	if g.chance(0.95) || p.IDNumber == nil {
		p.Address = ptr(g.address())
	}
	return p
}

// identified gives p the address a citizen must state when they show no identity document:
// the Law on Citizen Reception (Luật Tiếp công dân 2013, Article 7(2)(a)) has whoever comes to
// complain or petition state their name and address or show an identity paper, so a record
// with neither is not one a reception desk writes. The address is the one known (the
// citizen's earlier record's) or, where no record held it, the one they state now.
func (g *generator) identified(p *Person, known *string) {
	if p.IDNumber != nil || p.Address != nil {
		return
	}
	if known != nil {
		p.Address = known
		return
	}
	p.Address = ptr(g.address())
}

func (g *generator) name(gender string) string {
	middle, given := maleMiddle, maleGiven
	if gender == "female" {
		middle, given = femaleMiddle, femaleGiven
	}
	parts := []string{familyNames.pick(g.r)}
	switch x := g.r.Float64(); {
	case x < 0.04:
	case x < 0.2:
		// Nguyễn Thị Thu Hương: a second middle name after the common one
		second := maleSecondMiddle
		if gender == "female" {
			second = femaleSecondMiddle
		}
		parts = append(parts, middle.values[0], zipf(second, 0.6).pick(g.r))
	default:
		parts = append(parts, middle.pick(g.r))
	}
	parts = append(parts, given.pick(g.r))
	return strings.Join(parts, " ")
}

func (g *generator) cccd(year int, gender string) string {
	for {
		d := (year - 1900) / 100 * 2
		if gender == "female" {
			d++
		}
		id := fmt.Sprintf("%s%d%02d%06d", cccdProvinces.pick(g.r), d, year%100, g.r.IntN(1_000_000))
		if !g.usedIDs[id] {
			g.usedIDs[id] = true
			return id
		}
	}
}

func (g *generator) cmnd() string {
	for {
		id := fmt.Sprintf("19%07d", g.r.IntN(10_000_000))
		if !g.usedIDs[id] {
			g.usedIDs[id] = true
			return id
		}
	}
}

func (g *generator) phone() string {
	prefixes := []string{"09", "03", "08", "07"}
	return prefixes[g.r.IntN(len(prefixes))] + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
}

func (g *generator) address() string {
	province := 0
	if g.provinces > 1 {
		province = g.r.IntN(g.provinces)
	}
	di := g.r.IntN(len(districts))
	d := districts[di]
	communes := strings.Split(d.communes, ",")
	ci := g.r.IntN(len(communes))
	c := communes[ci]
	district, provinceName := d.name, "Quảng Trị"
	if province > 0 {
		// another province, laid out as Quảng Trị is, its places named anew
		provinceName = otherProvinces[(province-1)%len(otherProvinces)]
		district = "huyện " + placeName(province, di, -1)
		if strings.HasPrefix(c, "phường") {
			c = "phường " + placeName(province, di, ci)
		} else {
			c = placeName(province, di, ci)
		}
	}
	unit := "xã " + c
	if strings.HasPrefix(c, "phường") {
		unit = c
	}
	return fmt.Sprintf("Thôn %d, %s, %s, tỉnh %s", 1+g.r.IntN(12), unit, district, provinceName)
}

// personsPerProvince is how many persons the generator places in one province. A province's
// register of ten years holds tens of thousands of citizens: a register of a million is a
// national one, spread over ten provinces, not one province holding more citizens than it
// has people (Quảng Trị has about 650,000). Up to this size every person lives in Quảng Trị.
const personsPerProvince = 100_000

// otherProvinces name the provinces beyond Quảng Trị (the 63 before the 2025 merger).
var otherProvinces = strings.Split("Hà Nội,Hải Phòng,Thanh Hóa,Nghệ An,Hà Tĩnh,Quảng Bình,Thừa Thiên Huế,Quảng Nam,"+
	"Quảng Ngãi,Bình Định,Phú Yên,Khánh Hòa,Ninh Thuận,Bình Thuận,Kon Tum,Gia Lai,Đắk Lắk,Đắk Nông,Lâm Đồng,"+
	"Bình Phước,Tây Ninh,Bình Dương,Đồng Nai,Bà Rịa - Vũng Tàu,Long An,Tiền Giang,Bến Tre,Trà Vinh,Vĩnh Long,"+
	"Đồng Tháp,An Giang,Kiên Giang,Hậu Giang,Sóc Trăng,Bạc Liêu,Cà Mau,Hà Giang,Cao Bằng,Bắc Kạn,Tuyên Quang,"+
	"Lào Cai,Yên Bái,Thái Nguyên,Lạng Sơn,Bắc Giang,Phú Thọ,Điện Biên,Lai Châu,Sơn La,Hòa Bình,Quảng Ninh,"+
	"Bắc Ninh,Hải Dương,Hưng Yên,Thái Bình,Hà Nam,Nam Định,Ninh Bình,Vĩnh Phúc,Đà Nẵng,Cần Thơ,Hồ Chí Minh", ",")

// placeSyllables make the names of the places of the other provinces, two at a time, as most
// communes and districts are named (Tân Lập, Vĩnh Hòa).
var placeSyllables = strings.Split("An,Bình,Hòa,Phú,Tân,Thạnh,Long,Mỹ,Thuận,Đông,Tây,Nam,Bắc,Trung,Phước,Hưng,Lộc,"+
	"Thành,Sơn,Hải,Giang,Lâm,Minh,Quang,Vĩnh,Xuân,Hiệp,Nghĩa,Tiến,Thắng,Lợi,Đức,Hợp,Tường,Khánh,Thịnh,Định,Hậu,"+
	"Phong,Điền,Thủy,Kim,Ngọc,Hồng,Cát,Lạc,Yên,Châu,Thọ,Dương", ",")

// placeName names commune ci of district di of a province (ci < 0: the district), the same
// every time it is asked.
func placeName(province, di, ci int) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d", province, di, ci)
	x := h.Sum64()
	n := uint64(len(placeSyllables))
	first, second := x%n, x/n%n
	if second == first {
		second = (second + 1) % n
	}
	return placeSyllables[first] + " " + placeSyllables[second]
}

// duplicate re-enters orig the way another clerk, on another day, would. other is the
// citizen's other identity document (made on first use).
func (g *generator) duplicate(orig Person, other **string) Person {
	p := g.reenter(orig, other)
	p.FullName = g.rewrite(orig.FullName, true)
	return p
}

// rewrite writes a name the way another clerk's keyboard does: tone marks placed the other way,
// a typo (when typos), no diacritics, upper case, spaces doubled.
func (g *generator) rewrite(name string, typos bool) string {
	if g.chance(0.25) {
		name = FlipTonePlacement(name)
	}
	if g.chance(0.2) && typos {
		name = g.typo(name)
	}
	if g.chance(0.35) {
		name = StripDiacritics(name)
	}
	if g.chance(0.15) {
		name = strings.ToUpper(name)
	}
	if g.chance(0.1) {
		name = strings.ReplaceAll(name, " ", "  ") + " "
	}
	return name
}

// reenter copies orig's details but the name the way another clerk would: an identity
// document left out or the other one shown, another phone or none, the birth year guessed,
// the address shortened.
func (g *generator) reenter(orig Person, other **string) Person {
	p := orig
	otherDocument := func() *string {
		if *other == nil {
			if orig.IDNumber != nil && len(*orig.IDNumber) == 12 {
				*other = ptr(g.cmnd())
			} else {
				*other = ptr(g.cccd(*orig.BirthYear, orig.Gender))
			}
		}
		return *other
	}
	switch x := g.r.Float64(); {
	case orig.IDNumber == nil && x < 0.1:
		p.IDNumber = otherDocument()
	case orig.IDNumber == nil:
	case x < 0.6:
	case x < 0.95:
		p.IDNumber = nil
	default:
		// the citizen since swapped the old CMND for a CCCD, or shows the CMND again
		p.IDNumber = otherDocument()
	}
	keepsCCCD := p.IDNumber != nil && len(*p.IDNumber) == 12
	switch x := g.r.Float64(); {
	case x < 0.25:
		p.Phone = nil
	case x < 0.35:
		p.Phone = ptr(g.phone())
	}
	switch x := g.r.Float64(); {
	case x < 0.1:
		p.BirthYear = nil
	case x < 0.17 && !keepsCCCD:
		// an age guessed at the desk
		y := *orig.BirthYear + 1 - 2*g.r.IntN(2)
		p.BirthYear = &y
	}
	if g.chance(0.15) {
		p.Gender = "unknown"
	}
	if orig.Address != nil {
		switch x := g.r.Float64(); {
		case x < 0.05:
			p.Address = nil
		case x < 0.3:
			p.Address = ptr(abbreviate(*orig.Address))
		case x < 0.4:
			_, rest, _ := strings.Cut(*orig.Address, ", ")
			p.Address = &rest
		}
	}
	g.identified(&p, orig.Address)
	return p
}

// shortGiven are given names with two accepted spellings (i/y in an open syllable).
var shortGiven = map[string]weighted{
	"female": zipf("Vy,My,Ly,Vi,Mi,Li,Lý,Mỹ,Thy", 0.6),
	"male":   zipf("Quý,Sỹ,Kỳ,Lý,Hy,Mỹ,Vỹ", 0.6),
}

// vary adds now and then, from its own stream, a later record of orig (entity origEntity)
// varied one of the ways of Variations, or a lookalike of someone; a citizen named with two
// accepted spellings is made for the spelling cases. entity is the last entity used.
func (g *generator) vary(out []Labelled, orig Person, origEntity int, entity *int) []Labelled {
	x := g.r.Float64()
	if x >= 0.12 {
		if x < 0.17 {
			// the citizens named with two accepted spellings who are never varied
			*entity++
			p := g.person()
			p.FullName = withGiven(p.FullName, shortGiven[p.Gender].pick(g.r))
			out = append(out, Labelled{Person: p, Entity: *entity, Role: RoleOriginal})
		}
		return out
	}
	variation := Variations[g.r.IntN(len(Variations))]
	if x >= 0.08 {
		variation = VariationHeard
		if g.chance(0.4) {
			variation = VariationSpelling
		}
	}
	if x >= 0.08 {
		// another citizen, whose given name is one change away from a real given name (Linh /
		// Ninh, Trung / Chung, Vy / Vi), and the one with that name
		pair := lookalikeNames[variation][g.r.IntN(len(lookalikeNames[variation]))]
		*entity++
		orig, origEntity = g.named(pair[0]), *entity
		*entity++
		lookalike := g.lookalike(orig, withGiven(orig.FullName, pair[1]))
		return append(out, Labelled{Person: orig, Entity: origEntity, Role: RoleOriginal},
			Labelled{Person: lookalike, Entity: *entity, Role: RoleLookalike, Variation: variation, LooksLike: origEntity})
	}
	if variation == VariationSpelling {
		// a citizen of their own, named the way that has two accepted spellings
		*entity++
		orig, origEntity = g.person(), *entity
		orig.FullName = withGiven(orig.FullName, shortGiven[orig.Gender].pick(g.r))
		out = append(out, Labelled{Person: orig, Entity: origEntity, Role: RoleOriginal})
	}
	var other *string
	p := g.reenter(orig, &other)
	name := orig.FullName
	switch variation {
	case VariationOrder:
		parts := strings.Fields(name)
		name = strings.Join(append(parts[len(parts)-1:], parts[:len(parts)-1]...), " ")
	case VariationSpelling, VariationHeard:
		var ok bool
		if name, ok = g.respellName(name, variation, false); !ok {
			return out
		}
	case VariationYear:
		y := *orig.BirthYear + 1 - 2*g.r.IntN(2)
		p.BirthYear = &y
		if p.IDNumber != nil && len(*p.IDNumber) == 12 {
			p.IDNumber = nil // a CCCD says the year: shown, it would have been copied
			g.identified(&p, orig.Address)
		}
	case VariationNoPhone:
		p.Phone = nil
	}
	p.FullName = g.rewrite(name, false)
	return append(out, Labelled{Person: p, Entity: origEntity, Role: RoleDuplicate, Variation: variation})
}

// named is a new citizen with the given name given.
func (g *generator) named(given string) Person {
	p := g.person()
	p.FullName = withGiven(p.FullName, given)
	return p
}

func withGiven(name, given string) string {
	parts := strings.Fields(name)
	parts[len(parts)-1] = given
	return strings.Join(parts, " ")
}

// lookalikeNames are the pairs of given names of the lists one change of each kind apart.
var lookalikeNames = func() map[string][][2]string {
	out := map[string][][2]string{}
	for name := range realNames["given"] {
		for variation, kind := range map[string]string{VariationSpelling: SpellingAccepted, VariationHeard: SpellingHeard} {
			for _, r := range respellWord(name, kind) {
				if realNames["given"][r] {
					out[variation] = append(out[variation], [2]string{name, r})
				}
			}
		}
	}
	for _, pairs := range out {
		slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
	}
	return out
}()

// lookalike is another citizen named name, of orig's gender, born the same year in the same
// commune (another village), with a phone of their own.
func (g *generator) lookalike(orig Person, name string) Person {
	p := Person{FullName: name, Gender: orig.Gender, BirthYear: orig.BirthYear, Phone: ptr(g.phone())}
	switch x := g.r.Float64(); {
	case x < 0.65:
		p.IDNumber = ptr(g.cccd(*orig.BirthYear, orig.Gender))
	case x < 0.77:
		p.IDNumber = ptr(g.cmnd())
	}
	p.Address = ptr(g.address())
	if orig.Address != nil {
		if _, commune, ok := strings.Cut(*orig.Address, ", "); ok {
			p.Address = ptr(fmt.Sprintf("Thôn %d, %s", 13+g.r.IntN(5), commune))
		}
	}
	return p
}

// respellName writes one syllable of name another way the spelling table allows: for
// VariationSpelling an accepted i/y spelling, for VariationHeard a misheard initial or final.
// A lookalike's name is a real name: the word written anew is a name of the lists in its place.
func (g *generator) respellName(name, variation string, lookalike bool) (string, bool) {
	kind := SpellingHeard
	if variation == VariationSpelling {
		kind = SpellingAccepted
	}
	words := strings.Fields(name)
	type option struct {
		word int
		as   string
	}
	var options []option
	for i, w := range words {
		for _, r := range respellWord(w, kind) {
			if !lookalike || realNames[namePlace(i, len(words))][r] {
				options = append(options, option{i, r})
			}
		}
	}
	if len(options) == 0 {
		return name, false
	}
	o := options[g.r.IntN(len(options))]
	words[o.word] = o.as
	return strings.Join(words, " "), true
}

// namePlace names the place of word i of n: family, middle or given.
func namePlace(i, n int) string {
	switch {
	case i == n-1:
		return "given"
	case i == 0:
		return "family"
	}
	return "middle"
}

// realNames are the names of the lists, by place.
var realNames = func() map[string]map[string]bool {
	out := map[string]map[string]bool{"family": {}, "middle": {}, "given": {}}
	for place, lists := range map[string][]weighted{"family": {familyNames}, "middle": {maleMiddle, femaleMiddle},
		"given": {maleGiven, femaleGiven, shortGiven["male"], shortGiven["female"]}} {
		for _, l := range lists {
			for _, v := range l.values {
				out[place][v] = true
			}
		}
	}
	return out
}()

// respellWord is word (as written, with its diacritics) with one part written another way of
// kind, each way it can be. Accepted i/y spellings are made only where both are in use for
// names (after h, k, l, m, s, t, v and qu, as in Hy, Kỳ, Lý, Mỹ, Sỹ, Vy, Quý), and đ, which no
// accent confuses with d, is kept.
func respellWord(word, kind string) []string {
	type letter struct {
		base  byte
		runes []rune
	}
	var letters []letter
	dbar := false
	for _, c := range norm.NFD.String(word) {
		lower := unicode.ToLower(c)
		switch {
		case unicode.IsMark(c) && len(letters) > 0:
			letters[len(letters)-1].runes = append(letters[len(letters)-1].runes, c)
		case lower >= 'a' && lower <= 'z':
			letters = append(letters, letter{byte(lower), []rune{c}})
		case lower == 'đ' && len(letters) == 0:
			letters, dbar = append(letters, letter{'d', []rune{c}}), true
		default:
			return nil // digits, foreign letters: leave the word alone
		}
	}
	folded := make([]byte, len(letters))
	for i, l := range letters {
		folded[i] = l.base
	}
	s, ok := splitSyllable(string(folded))
	if !ok || (s.initial == "gi" && strings.HasPrefix(s.vowels, "i") && !strings.HasPrefix(string(folded[2:]), "i")) {
		return nil
	}
	// respell writes letters[from:to] as repl: in the case of the first old letter, with the
	// marks of the old ones (a tone on i or y stays on the y or i)
	respell := func(from, to int, repl string) string {
		var b strings.Builder
		for _, l := range letters[:from] {
			b.WriteString(string(l.runes))
		}
		upper := unicode.IsUpper(letters[from].runes[0])
		var marks []rune
		for _, l := range letters[from:to] {
			marks = append(marks, l.runes[1:]...)
		}
		for i, c := range repl {
			if i == 0 && upper {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
		}
		b.WriteString(string(marks))
		for _, l := range letters[to:] {
			b.WriteString(string(l.runes))
		}
		return norm.NFC.String(b.String())
	}
	var out []string
	add := func(part, v string, from, to int) {
		if eq := rules[part][v]; eq != nil && eq.kind == kind {
			for _, o := range eq.spellings {
				if o != v {
					out = append(out, respell(from, to, o))
				}
			}
		}
	}
	if !dbar {
		add(partInitial, s.initial, 0, len(s.initial))
	}
	add(partFinal, s.final, len(letters)-len(s.final), len(letters))
	if s.final == "" && (kind != SpellingAccepted || twoSpellingInitials[s.initial]) {
		add(partOpen, s.vowels, len(letters)-len(s.vowels), len(letters))
	}
	return out
}

// twoSpellingInitials open the syllables whose i/y names are written both ways.
var twoSpellingInitials = map[string]bool{"h": true, "k": true, "l": true, "m": true, "s": true, "t": true, "v": true, "qu": true}

// namesake is another citizen with the same common name: another ID number, born years apart.
func (g *generator) namesake(orig Person) Person {
	year := *orig.BirthYear + (3+g.r.IntN(13))*(1-2*g.r.IntN(2))
	p := Person{FullName: orig.FullName, Gender: orig.Gender, BirthYear: &year}
	if g.chance(0.7) {
		p.IDNumber = ptr(g.cccd(year, orig.Gender))
	}
	if g.chance(0.6) {
		p.Phone = ptr(g.phone())
	}
	if orig.Address != nil && g.chance(0.5) {
		p.Address = orig.Address
	} else {
		p.Address = ptr(g.address())
	}
	return p
}

// household is someone living with orig: the same address, often the same phone.
func (g *generator) household(orig Person) Person {
	gender := "female"
	if orig.Gender == "female" {
		gender = "male"
	}
	year := *orig.BirthYear + g.r.IntN(7) - 3
	p := Person{FullName: g.name(gender), Gender: gender, BirthYear: &year, Address: orig.Address}
	if orig.Phone != nil && g.chance(0.7) {
		p.Phone = orig.Phone
	}
	if g.chance(0.5) {
		p.IDNumber = ptr(g.cccd(year, gender))
	}
	g.identified(&p, nil)
	return p
}

func isCommonName(full string) bool {
	parts := strings.Fields(full)
	common := map[string]bool{"Nguyễn": true, "Trần": true, "Lê": true, "Phạm": true}
	return common[parts[0]] && (parts[1] == "Văn" || parts[1] == "Thị")
}

// typo makes one keyboard slip in a random word of at least two letters: a letter replaced,
// dropped, doubled, or swapped with the next.
func (g *generator) typo(name string) string {
	words := strings.Fields(name)
	w := g.r.IntN(len(words))
	rs := []rune(words[w])
	if len(rs) < 2 {
		return name
	}
	i := g.r.IntN(len(rs) - 1)
	switch g.r.IntN(4) {
	case 0:
		rs[i+1] = rune("aeiouynhtgcm"[g.r.IntN(12)])
	case 1:
		rs = append(rs[:i+1], rs[i+2:]...)
	case 2:
		rs = append(rs[:i+1], rs[i:]...)
	default:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	words[w] = string(rs)
	return strings.Join(words, " ")
}

// StripDiacritics writes s the way a keyboard without Vietnamese input would: Nguyễn Văn Đức
// becomes Nguyen Van Duc.
func StripDiacritics(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.IsMark(r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FlipTonePlacement moves the tone mark between the old and the new placement of the vowel
// pairs oa, oe and uy at the end of a syllable (Hòa and Hoà, Thủy and Thuỷ).
func FlipTonePlacement(s string) string {
	rs := []rune(norm.NFD.String(s))
	isTone := func(r rune) bool { return strings.ContainsRune(toneMarks, r) }
	ends := func(i int) bool { return i >= len(rs) || !(unicode.IsLetter(rs[i]) || unicode.IsMark(rs[i])) }
	// the pair must open the rhyme: in quý and quà the u belongs to the consonant qu
	pair := func(i int, b rune) bool {
		a, b := unicode.ToLower(rs[i]), unicode.ToLower(b)
		afterQ := i > 0 && unicode.ToLower(rs[i-1]) == 'q'
		return !afterQ && ((a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y'))
	}
	for i := 0; i+2 < len(rs); i++ {
		switch {
		case isTone(rs[i+1]) && pair(i, rs[i+2]) && ends(i+3):
			rs[i+1], rs[i+2] = rs[i+2], rs[i+1]
			i += 2
		case isTone(rs[i+2]) && pair(i, rs[i+1]) && ends(i+3):
			rs[i+1], rs[i+2] = rs[i+2], rs[i+1]
			i += 2
		}
	}
	return norm.NFC.String(string(rs))
}

// abbreviate shortens the administrative words the way hurried clerks do.
func abbreviate(address string) string {
	r := strings.NewReplacer("Thôn ", "Th. ", "xã ", "X. ", "huyện ", "H. ", "tỉnh ", "T. ", "phường ", "P. ", "thành phố ", "TP ")
	return r.Replace(address)
}

func ptr[T any](v T) *T { return &v }
