package dedup

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestScorePersonsTable(t *testing.T) {
	// the weights of a province-sized register
	_, st, _ := prepareLabelled(GeneratePersons(20000, 3))
	year := func(y int) *int { return &y }
	addr := "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"
	cases := []struct {
		name    string
		a, b    Person
		offered bool
		reason  string
	}{
		{"the same CCCD decides, however the name was typed",
			Person{FullName: "Nguyễn Văn Hùng", BirthYear: year(1975), IDNumber: ptr("045075001234")},
			Person{FullName: "NGUYEN V HUNG", IDNumber: ptr("045075001234")}, true, "same CCCD"},
		{"another CCCD decides against, whatever else agrees",
			Person{FullName: "Nguyễn Văn Hùng", Gender: "male", BirthYear: year(1975), IDNumber: ptr("045075001234"), Address: &addr},
			Person{FullName: "Nguyễn Văn Hùng", Gender: "male", BirthYear: year(1975), IDNumber: ptr("045075009999"), Address: &addr}, false, "different CCCD"},
		{"a CMND and a CCCD are two documents of one citizen: neither for nor against",
			Person{FullName: "Khổng Minh Xuyến", BirthYear: year(1962), IDNumber: ptr("191234567")},
			Person{FullName: "Khổng Minh Xuyến", BirthYear: year(1962), IDNumber: ptr("045062001234")}, true, "same name"},
		{"hard negative: the same common name, another birth year",
			Person{FullName: "Nguyễn Văn Hùng", Gender: "male", BirthYear: year(1975)},
			Person{FullName: "Nguyễn Văn Hùng", Gender: "male", BirthYear: year(1990)}, false, "born 15 years apart"},
		{"a common name and birth year alone are not enough in a large register",
			Person{FullName: "Nguyễn Văn Hùng", Gender: "male", BirthYear: year(1975)},
			Person{FullName: "Nguyen Van Hung", BirthYear: year(1975)}, false, "name matches without diacritics"},
		{"a rare name and birth year are",
			Person{FullName: "Khổng Minh Xuyến", BirthYear: year(1962)},
			Person{FullName: "Khong Minh Xuyen", BirthYear: year(1962)}, true, "name matches without diacritics"},
		{"a common name at the same address and birth year",
			Person{FullName: "Nguyễn Thị Lan", Gender: "female", BirthYear: year(1980), Address: &addr},
			Person{FullName: "NGUYỄN THỊ LAN", BirthYear: year(1980), Address: ptr("Th. 3, X. Gio Mỹ, H. Gio Linh, T. Quảng Trị")}, true, "same address"},
		{"the same phone and name",
			Person{FullName: "Lê Thị Thủy", Phone: ptr("0912345678")},
			Person{FullName: "Le Thi Thuy", Phone: ptr("0912345678")}, true, "same phone"},
		{"a household shares phone and address, not the name",
			Person{FullName: "Lê Văn Tám", Gender: "male", BirthYear: year(1970), Phone: ptr("0912345678"), Address: &addr},
			Person{FullName: "Hoàng Thị Mai", Gender: "female", BirthYear: year(1972), Phone: ptr("0912345678"), Address: &addr}, false, "different given name"},
		{"old and new tone placement are one name",
			Person{FullName: "Lê Thị Thủy", BirthYear: year(1980), Address: &addr},
			Person{FullName: "Lê Thị Thuỷ", BirthYear: year(1980), Address: &addr}, true, "same name"},
		{"a typo in a rare given name",
			Person{FullName: "Trần Thị Thanh Xuyến", BirthYear: year(1980), Address: &addr},
			Person{FullName: "Trần Thị Thanh Xuyếm", BirthYear: year(1980), Address: &addr}, true, "typo: Xuyến / Xuyếm"},
		{"two real names one letter apart are two names",
			Person{FullName: "Lê Thị Hằng", BirthYear: year(1981)},
			Person{FullName: "Lê Thị Hạnh", BirthYear: year(1981)}, false, "typo"},
		{"Hùng and Hưng fold alike but are different names",
			Person{FullName: "Phạm Văn Hùng", BirthYear: year(1970)},
			Person{FullName: "Phạm Văn Hưng", BirthYear: year(1970)}, false, "diacritics: Hùng / Hưng"},
		{"another middle name is another person",
			Person{FullName: "Phan Ngọc Bình", BirthYear: year(1964)},
			Person{FullName: "Phan Quang Bình", BirthYear: year(1964)}, false, "same family and given names; different middle name"},
		{"...unless much else agrees: then staff should look",
			Person{FullName: "Phan Ngọc Bình", BirthYear: year(1964), Address: &addr},
			Person{FullName: "Phan Quang Bình", BirthYear: year(1964), Address: &addr}, true, "different middle name"},
		{"the given name written first is the same name, in another order",
			Person{FullName: "Lan Nguyễn Thị", BirthYear: year(1980), Address: &addr},
			Person{FullName: "Nguyễn Thị Lan", Gender: "female", BirthYear: year(1980), Address: &addr}, true, "same name, written in another order"},
		{"...the family name written last too",
			Person{FullName: "Văn Hùng Trần", BirthYear: year(1970), Phone: ptr("0912345678")},
			Person{FullName: "Tran Van Hung", BirthYear: year(1970), Phone: ptr("0912345678")}, true, "written in another order"},
		{"two citizens both written given name first weigh as their names do: Thị is no rare given name",
			Person{FullName: "Hương Nguyễn Thị", BirthYear: year(1976), Address: &addr},
			Person{FullName: "HƯƠNG NGUYỄN THỊ", BirthYear: year(1976), Address: ptr("Thôn 6, xã Trung Giang, huyện Gio Linh, tỉnh Quảng Trị")}, false, "same name"},
		{"a given name written first that folds like a rare family name (Diễm, Diêm) is still the given name",
			Person{FullName: "DIỄM NGUYỄN THỊ", BirthYear: year(1980), Address: &addr},
			Person{FullName: "Nguyễn Thị Diễm", Gender: "female", BirthYear: year(1980), Address: ptr("Thôn 2, xã Hải Ba, huyện Hải Lăng, tỉnh Quảng Trị")}, false, "same name, written in another order"},
		{"...as a rare name written so still does",
			Person{FullName: "Xuyến Khổng Minh", BirthYear: year(1962)},
			Person{FullName: "Xuyen Khong Minh", BirthYear: year(1962)}, true, "name matches without diacritics"},
		{"two accepted spellings of a two-letter name are one name",
			Person{FullName: "Nguyễn Thị Vy", BirthYear: year(1995), Address: &addr},
			Person{FullName: "Nguyễn Thị Vi", BirthYear: year(1995), Address: &addr}, true, "another accepted spelling: Vy / Vi"},
		{"a short name one letter off is another name",
			Person{FullName: "Lê Văn Vy", BirthYear: year(1995)},
			Person{FullName: "Lê Văn Vũ", BirthYear: year(1995)}, false, "different given name"},
		{"a rare spelling beside a common one is the clerk's ear",
			Person{FullName: "Trần Thị Lan", BirthYear: year(1980), Address: &addr},
			Person{FullName: "Trần Thị Nan", BirthYear: year(1980), Address: &addr}, true, "regional accent: Lan / Nan"},
		{"a given name misheard, where the register holds the common spelling, at the same address",
			Person{FullName: "Nguyễn Văn Hùng", BirthYear: year(1970), Address: &addr},
			Person{FullName: "Nguyễn Văn Hùn", Address: &addr}, true, "regional accent: Hùng / Hùn"},
		{"two common names an accent apart are two names",
			Person{FullName: "Trần Văn Trung", BirthYear: year(1980), Address: &addr},
			Person{FullName: "Trần Văn Chung", BirthYear: year(1980), Address: ptr("Thôn 9, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị")}, false, "regional accent: Trung / Chung"},
		{"a birth year one off with no identity document on one side is an age told at the desk",
			Person{FullName: "Nguyễn Văn Nam", Gender: "male", BirthYear: year(1970), IDNumber: ptr("045070001234"), Address: &addr},
			Person{FullName: "NGUYEN VAN NAM", BirthYear: year(1971), Address: ptr("xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị")}, true, "birth years 1 apart"},
		{"...but the same two years read off identity documents are two citizens' years",
			Person{FullName: "Nguyễn Văn Nam", Gender: "male", BirthYear: year(1970), IDNumber: ptr("045070001234"), Address: &addr},
			Person{FullName: "NGUYEN VAN NAM", BirthYear: year(1971), IDNumber: ptr("191234567"), Address: ptr("xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị")}, false, "birth years 1 apart, both with an identity document"},
		{"another gender is another person",
			Person{FullName: "Trần Minh Anh", Gender: "male", BirthYear: year(1990)},
			Person{FullName: "Trần Minh Anh", Gender: "female", BirthYear: year(1990)}, false, "different gender"},
	}
	for _, c := range cases {
		a, b := Prepare(c.a), Prepare(c.b)
		m := ScorePersons(&a, &b, st)
		if back := ScorePersons(&b, &a, st); back.Score != m.Score {
			t.Errorf("%s: the score depends on the order: %v and %v", c.name, m.Score, back.Score)
		}
		if offered := m.Score >= DefaultThreshold; offered != c.offered || !strings.Contains(strings.Join(m.Reasons, "; "), c.reason) {
			t.Errorf("%s: got %.3f %q, want offered=%v with a reason containing %q", c.name, m.Score, m.Reasons, c.offered, c.reason)
		}
	}
}

// A lookup reads only the counts of ScoringTerms from the database: scores from them must be
// those of the whole register's statistics, for every kind of pair (a name in another order
// reads the counts of every word as a given and a family name).
func TestScoringTermsAreAllScoringReads(t *testing.T) {
	recs := GenerateVariedPersons(4000, 5)
	ps, whole, _ := prepareLabelled(recs)
	counts := map[string]int{}
	for i := range ps {
		for _, term := range CountedTerms(&ps[i]) {
			counts[term]++
		}
	}
	compared := 0
	for _, pair := range ScanPersons(ps, whole, 0.01, nil) {
		a, b := &ps[pair.A-1], &ps[pair.B-1]
		df := map[string]int{}
		for _, term := range ScoringTerms(a, []*Prepared{b}) {
			df[term] = counts[term]
		}
		if got := ScorePersons(a, b, PersonStatsFromCounts(len(ps), df)); got.Score != pair.Score || strings.Join(got.Reasons, ";") != strings.Join(pair.Reasons, ";") {
			t.Fatalf("%s / %s: %v from the counts read, %v from the register", a.FullName, b.FullName, got, pair.Match)
		}
		compared++
	}
	if compared < 500 {
		t.Fatalf("only %d pairs compared", compared)
	}
}

// The word pairs of an address are its village's and commune's: a district (rarer than one
// record in twenty across a national register) must not pass for a commune, nor the first word
// the communes of a district share (Gio Mỹ, Gio An).
func TestAddressPairsNameTheVillageAndCommune(t *testing.T) {
	got := addressTerms("Th. 3, X. Gio Mỹ, H. Gio Linh, T. Quảng Trị")
	want := []string{"=thon 3 xa gio my huyen gio linh tinh quang tri", "^huyen gio linh|tinh quang tri", "gio my", "thon 3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("addressTerms = %q, want %q", got, want)
	}
	ward := addressTerms("Tổ 5, phường Đông Lễ, thành phố Đông Hà, tỉnh Quảng Trị")
	if slices.Contains(ward, "dong ha") || !slices.Contains(ward, "dong le") {
		t.Errorf("a ward's pairs %q, want its own and not its city's", ward)
	}
}

// A commune of one name in two districts is two communes; an address that leaves out the
// district or the province still lies in the commune it names.
func TestCommunesOfOneNameInTwoDistricts(t *testing.T) {
	st := NewStats(0.01)
	for i := range 1000 {
		st.Add(addressTerms(fmt.Sprintf("Thôn %d, xã Định Xuân %d, huyện Cát Lạc, tỉnh Quảng Nam", i%12, i)))
	}
	evidence := func(a, b string) string {
		var v verdict
		addressEvidence(&v, addressTerms(a), addressTerms(b), st)
		return v[0].reason
	}
	home := "Thôn 2, xã Tân Ngọc, huyện Định Hồng, tỉnh Thừa Thiên Huế"
	if got := evidence("Thôn 2, xã Tân Ngọc, huyện Định Hồng", "Thôn 2, xã Tân Ngọc, huyện Định Hồng Nam"); got != "different address" {
		t.Errorf("a district whose name goes on is another district: %q", got)
	}
	for _, c := range []struct{ other, want string }{
		{"Thôn 2, xã Tân Ngọc, huyện Yên Lâm, tỉnh Quảng Bình", "different address"},
		{"xã Tân Ngọc, tỉnh Thừa Thiên Huế", "similar address"},
		{"xã Tân Ngọc, huyện Định Hồng", "similar address"},
		{"Thôn 2, xã Tân Ngọc, huyện Định Hồng Nam, tỉnh Thừa Thiên Huế", "different address"},
		{"Thôn 9, xã Tân Ngọc, huyện Định Hồng, tỉnh Thừa Thiên Huế", "same commune, another village"},
	} {
		if got := evidence(home, c.other); got != c.want {
			t.Errorf("%s / %s: %q, want %q", home, c.other, got, c.want)
		}
	}
}
