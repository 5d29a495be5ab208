package dedup

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestVocabularyReadsAgenciesOneWay(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"UBND huyện Gio Linh", "Ủy ban nhân dân huyện Gio Linh"},
		{"UBND huyện Gio Linh", "UBND H. Gio Linh"},
		{"UBND huyện Gio Linh", "Chủ tịch UBND huyện Gio Linh"},
		{"UBND huyện Gio Linh", "Phó Chủ tịch Uỷ ban nhân dân huyện Gio Linh"},
		{"UBND huyện Gio Linh", "Chu tich UBND huyen Gio Linh"},
		{"Sở Tài nguyên và Môi trường tỉnh Quảng Trị", "Sở TN&MT tỉnh Quảng Trị"},
		{"Sở Lao động - Thương binh và Xã hội", "Giám đốc Sở LĐ-TB&XH"},
		{"Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH"},
		{"Tòa án nhân dân tỉnh Quảng Trị", "TAND tỉnh Quảng Trị"},
		{"Chi cục Thi hành án dân sự huyện Hải Lăng", "Chi cục THADS huyện Hải Lăng"},
		{"Bảo hiểm xã hội tỉnh Quảng Trị", "BHXH tỉnh Quảng Trị"},
		{"Văn phòng đăng ký đất đai tỉnh Quảng Trị", "VPĐKĐĐ tỉnh Quảng Trị"},
		{"UBND thành phố Đông Hà", "UBND TP. Đông Hà"},
	} {
		if a, b := ResolveRespondent(c.a).Key, ResolveRespondent(c.b).Key; a != b || a == "" {
			t.Errorf("%q and %q name one agency: %q / %q", c.a, c.b, a, b)
		}
	}
	for _, c := range []struct{ a, b string }{
		{"UBND huyện Gio Linh", "UBND xã Gio Linh"},
		{"Chi cục THADS huyện Hải Lăng", "Cục THADS tỉnh Quảng Trị"},
		{"UBND huyện Gio Linh", "HĐND huyện Gio Linh"},
	} {
		if a, b := ResolveRespondent(c.a).Key, ResolveRespondent(c.b).Key; a == b {
			t.Errorf("%q and %q are two agencies, both read %q", c.a, c.b, a)
		}
	}
	if !relatedRespondents(ResolveRespondent("Sở LĐ-TB&XH").Key, ResolveRespondent("Sở Lao động - Thương binh và Xã hội tỉnh Quảng Trị").Key) {
		t.Errorf("an agency named with and without its province is one")
	}
}

func TestVocabularyReadsSynonymsAndKeepsLookAlikesApart(t *testing.T) {
	same := [][2]string{
		{"cấp sổ đỏ", "cấp giấy chứng nhận quyền sử dụng đất"},
		{"cấp sổ đỏ", "cấp GCNQSDĐ"},
		{"đền bù", "bồi thường"},
		{"chính sách BHXH", "chế độ bảo hiểm xã hội"},
		{"Uỷ ban", "Ủy ban"}, // old and new tone placement
	}
	for _, c := range same {
		if a, b := ReadText(c[0]).Words, ReadText(c[1]).Words; !slices.Equal(a, b) {
			t.Errorf("%q and %q read alike: %v / %v", c[0], c[1], a, b)
		}
	}
	for _, c := range [][2]string{
		{"sổ đỏ", "sơ đồ"},          // the same letters without diacritics, two words
		{"phường 5", "phương án 5"}, // a ward and a plan differ by a tone
	} {
		if a, b := ReadText(c[0]), ReadText(c[1]); slices.Equal(a.Words, b.Words) && slices.Equal(a.Identifiers, b.Identifiers) {
			t.Errorf("%q and %q must not read alike: %v", c[0], c[1], a)
		}
	}
	if w := ReadText("Công dân trình bày: đề nghị xem xét giải quyết việc thu hồi đất").Words; slices.Contains(w, "trinh") || slices.Contains(w, "cong") {
		t.Errorf("boilerplate says nothing of the matter: %v", w)
	}
}

func TestIdentifiersOfAMatter(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Không đồng ý Quyết định số 1234/QĐ-UBND ngày 12/3/2020 của UBND huyện", "document:qd 1234"},
		{"Khiếu nại QĐ 1234 về thu hồi đất", "document:qd 1234"},
		{"Không đồng ý quyết định thu hồi đất số 1234 của UBND huyện", "document:qd 1234"},
		{"Kiến nghị xem xét lại bản án dân sự phúc thẩm số 45/2019/DS-PT", "judgment:45/2019/ds-pt"},
		{"Đề nghị kháng nghị bản án số 45/2019/DS-PT về tranh chấp thừa kế", "judgment:45/2019/ds-pt"},
		{"bản án 45/2019/DS-ST ngày 12/3/2020", "judgment:45/2019/ds-st"},
		{"thu hồi đất tại thửa đất số 45, tờ bản đồ số 12", "parcel:45/12"},
		{"thua 45 to BD 12", "parcel:45/12"},
		{"cấp sổ đỏ thửa 45", "parcel:45/"},
		{"thu hồi đất thực hiện dự án đường tránh Đông Hà tại xã Gio Mỹ", "commune:xa gio my project:duong tranh dong ha"},
		{"tại thôn 3, X. Gio Mỹ", "commune:xa gio my village:thon 3"},
		{"gia đình mới nhận 120 triệu đồng cho 450 m2 đất", "area:450 money:120000000"},
		{"hộ ông Nguyễn Văn An tại thôn 5", "person:nguyen van an village:thon 5"},
		{"chế độ cho thân nhân liệt sĩ Lê Văn Tám", "person:le van tam"},
		{"ngày 12/3/2020", ""},
	} {
		var got []string
		for _, id := range ReadText(c.text).Identifiers {
			got = append(got, id.Kind+":"+id.Value)
		}
		slices.Sort(got)
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q: identifiers %v, want %s", c.text, got, c.want)
		}
	}
}

// pair prepares two cases with the citizens given, counted as in a small register.
func pair(a, b Case, people ...[]Citizen) (*PreparedCase, *PreparedCase, MapCounts) {
	pa, pb := PrepareCase(a), PrepareCase(b)
	pa.Seq, pb.Seq = 1, 2
	if len(people) == 2 {
		pa.People, pb.People = people[0], people[1]
	}
	n := MapCounts{DF: map[string]int{}}
	for _, p := range []*PreparedCase{&pa, &pb} {
		n.Add(append(p.TextTerms(), p.PeopleKeys()...))
	}
	for i := range 1000 {
		n.Add([]string{fmt.Sprint("w:filler", i%50)})
	}
	return &pa, &pb, n
}

func TestScoreWeighsIdentityAboveWording(t *testing.T) {
	m := DefaultCaseModel()
	an := NewCitizen("p1", "Nguyễn Văn An", ptr(1975), nil, nil, ptr("Thôn 3, xã Gio Mỹ, huyện Gio Linh"))
	son := NewCitizen("p2", "Nguyễn Văn Bình", ptr(2001), nil, nil, ptr("Th. 3, X. Gio Mỹ, H. Gio Linh"))
	other := NewCitizen("p3", "Trần Thị Lan", ptr(1980), nil, nil, ptr("Thôn 7, xã Gio Mỹ, huyện Gio Linh"))
	orig := Case{Title: "Khiếu nại việc thu hồi đất tại thửa đất số 45, tờ bản đồ số 12, xã Gio Mỹ", Category: "complaint", Field: "land",
		Respondent: ptr("UBND huyện Gio Linh")}
	reworded := Case{Title: "Đề nghị xem xét lại Quyết định thu hồi đất của gia đình", Summary: ptr("thửa 45 tờ BĐ 12"), Category: "complaint",
		Field: "housing", Respondent: ptr("Chủ tịch UBND H. Gio Linh")}
	lookalike := Case{Title: "Khiếu nại việc thu hồi đất tại thửa đất số 311, tờ bản đồ số 9, xã Gio Mỹ", Category: "complaint", Field: "land",
		Respondent: ptr("UBND huyện Gio Linh")}

	a, b, n := pair(orig, reworded, []Citizen{an}, []Citizen{son})
	same := m.Score(a, b, n)
	if same.Score < DefaultCaseThreshold || !hasPrefix(same.Reasons, "same household: Nguyễn Văn An / Nguyễn Văn Bình") ||
		!hasPrefix(same.Reasons, "same land parcel: thửa 45, tờ 12") || !mentions(same.Reasons, "neighbouring field: land / housing") {
		t.Errorf("a family member about the same parcel, reworded, filed under housing: %+v", same)
	}
	a, b, n = pair(orig, lookalike, []Citizen{an}, []Citizen{other})
	diff := m.Score(a, b, n)
	if diff.Score >= DefaultCaseThreshold || !hasPrefix(diff.Reasons, "no citizen in common (-") || !hasPrefix(diff.Reasons, "different land parcels") {
		t.Errorf("another household's plot under the same pattern: not offered, with the evidence against shown: %+v", diff)
	}
	if back := m.Score(b, a, n); back.Score != diff.Score {
		t.Errorf("a pair scores the same from either side: %v / %v", diff.Score, back.Score)
	}
	for _, r := range append(same.Reasons, diff.Reasons...) {
		if !strings.HasSuffix(r, ")") || !strings.Contains(r, " (") {
			t.Errorf("every reason carries its weight: %q", r)
		}
	}
}

func TestScoreOfACitizensOtherMatterIsLow(t *testing.T) {
	an := NewCitizen("p1", "Nguyễn Văn An", ptr(1975), ptr("045075001234"), nil, nil)
	anCopy := NewCitizen("p9", "NGUYEN VAN AN", nil, ptr("045075001234"), nil, nil)
	land := Case{Title: "Khiếu nại việc thu hồi đất tại thửa đất số 45, tờ bản đồ số 12", Category: "complaint", Field: "land",
		Respondent: ptr("UBND huyện Gio Linh")}
	policy := Case{Title: "Đề nghị xét trợ cấp bảo trợ xã hội cho người cao tuổi", Category: "petition", Field: "policy",
		Respondent: ptr("UBND xã Gio Mỹ")}
	a, b, n := pair(land, policy, []Citizen{an}, []Citizen{anCopy})
	got := DefaultCaseModel().Score(a, b, n)
	if got.Score >= DefaultCaseThreshold || !hasPrefix(got.Reasons, "same citizen: Nguyễn Văn An") || !mentions(got.Reasons, "different field") {
		t.Errorf("the same citizen (another record, the same CCCD) about another matter: %+v", got)
	}
}

func hasPrefix(reasons []string, p string) bool {
	return slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(r, p) })
}

func mentions(reasons []string, p string) bool {
	return slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, p) })
}

func TestStoredModelReadsBack(t *testing.T) {
	m := DefaultCaseModel()
	data := `{"duplicates_per_case": 0.2, "text_candidates_per_case": 12, "levels": {"parcel": {"shared": {"m": 0.5, "u_linked": 0.07, "u": 0.002}}}}`
	back, err := ReadCaseModel([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if back.M[cmpParcel][1] != 0.5 || back.Duplicates != 0.2 || back.TextCandidates != 12 || back.M[cmpPeople][1] != m.M[cmpPeople][1] {
		t.Errorf("a stored model reads back, the levels it lacks from the defaults: %+v", back)
	}
	// a model stored before u among household-linked candidates had its own value scores as
	// it did: that u is its u_linked
	if back.UHousehold[cmpParcel][1] != 0.07 || back.FamilyCases != m.FamilyCases {
		t.Errorf("a model stored without u_household takes u_linked for it: %v, family cases %v", back.UHousehold[cmpParcel], back.FamilyCases)
	}
	m.UHousehold[cmpWording][1], m.FamilyCases = 0.0004, 2.5
	m.named()
	stored, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if back, err = ReadCaseModel(stored); err != nil || back.UHousehold[cmpWording][1] != 0.0004 || back.ULinked[cmpWording][1] != m.ULinked[cmpWording][1] || back.FamilyCases != 2.5 {
		t.Errorf("a stored model reads back its u among household-linked candidates: %v, %v", back.UHousehold[cmpWording][1], err)
	}
}

// A family name at an address links a family member's retelling to the earlier case, and at a
// register's scale to the village's namesake families too: a model that learned how unlike
// the namesakes' matters are (u among household-linked candidates) offers the retelling
// among a crowd of them; where the family alone holds the key, the other case is the
// family's own and weighs as a citizen's other matter does, whatever the namesakes showed.
func TestHouseholdLinkWeighsAgainstItsNamesakes(t *testing.T) {
	before := DefaultCaseModel()
	learned := DefaultCaseModel()
	for c := range numComparisons {
		for l := 1; l < len(learned.UHousehold[c]); l++ {
			learned.UHousehold[c][l] = before.ULinked[c][l] / 10
		}
	}
	mother := NewCitizen("p1", "Nguyễn Thị Hoa", ptr(1950), nil, nil, ptr("Thôn 3, xã Gio Mỹ, huyện Gio Linh"))
	son := NewCitizen("p2", "Nguyễn Văn Bình", ptr(1978), nil, nil, ptr("Th. 3, X. Gio Mỹ, H. Gio Linh"))
	orig := Case{Title: "Đề nghị xét trợ cấp cho người cao tuổi Nguyễn Thị Hoa", Category: "petition", Field: "policy",
		Respondent: ptr("UBND xã Gio Mỹ")}
	again := Case{Title: "Kiến nghị xét trợ cấp người cao tuổi cho bà Nguyễn Thị Hoa", Category: "petition", Field: "policy",
		Respondent: ptr("UBND xã Gio Mỹ")}
	a, b, n := pair(orig, again, []Citizen{mother}, []Citizen{son})
	key := mother.householdKey()
	if n.DF[key] != 2 {
		t.Fatalf("the pair holds the family's key: %d", n.DF[key])
	}
	alone, learnedAlone := before.Score(b, a, n), learned.Score(b, a, n)
	if alone.Score != learnedAlone.Score || alone.Score < DefaultCaseThreshold {
		t.Errorf("the family alone holds its key: the retelling scores alike (%v, %v), offered", alone.Score, learnedAlone.Score)
	}
	// thirty namesake families of the village bring cases too
	n.DF[key] += 30
	n.Total += 30
	crowd, learnedCrowd := before.Score(b, a, n), learned.Score(b, a, n)
	if !(learnedCrowd.Score > crowd.Score) || learnedCrowd.Score < DefaultCaseThreshold || !hasPrefix(learnedCrowd.Reasons, "same household: Nguyễn Văn Bình / Nguyễn Thị Hoa") {
		t.Errorf("among namesakes, the model that learned them offers the retelling: %v before, %+v learned", crowd.Score, learnedCrowd)
	}
}
