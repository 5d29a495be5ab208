package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// fig2022 is the report's 2022 with the totals as records give them: the
// report printed 419 visits, but its parts (342 + 78) make 420.
func fig2022() Summary {
	return Summary{
		From: "2022-01-01", To: "2022-12-31", OrgID: "org-qt",
		Visits: 420, Persons: 622, Cases: 136, CasesFirst: 120, CasesRepeat: 16,
		ByKind: map[string]KindFigures{
			KindRegular:  {Sessions: 0, Visits: 78, Persons: 88, Cases: 30},
			KindPeriodic: {Sessions: 12, Visits: 342, Persons: 534, Cases: 110},
			KindUrgent:   {},
		},
		Delegations:       DelegationFigures{MinSize: 5, Visits: 18, Persons: 150, Cases: 8},
		ConclusionNotices: 12, DirectiveLetters: 295,
	}
}

// fig2023 is the report's 2023 to October; the delegation case count (7)
// is not in the report and is made up here.
func fig2023() Summary {
	return Summary{
		From: "2023-01-01", To: "2023-10-31", OrgID: "org-qt",
		Visits: 352, Persons: 679, Cases: 124, CasesFirst: 100, CasesRepeat: 24,
		ByKind: map[string]KindFigures{
			KindRegular:  {Sessions: 200, Visits: 63, Persons: 83, Cases: 40},
			KindPeriodic: {Sessions: 10, Visits: 289, Persons: 596, Cases: 95},
			KindUrgent:   {},
		},
		Delegations:       DelegationFigures{MinSize: 4, Visits: 17, Persons: 120, Cases: 7},
		ConclusionNotices: 9, DirectiveLetters: 142,
	}
}

func zero() Summary {
	return Summary{
		From: "2024-01-01", To: "2024-03-31", OrgID: "org-qt",
		ByKind:      map[string]KindFigures{KindRegular: {}, KindPeriodic: {}, KindUrgent: {}},
		Delegations: DelegationFigures{MinSize: 5},
	}
}

func TestTextGolden(t *testing.T) {
	oneUrgent := fig2022()
	oneUrgent.Visits++
	oneUrgent.Persons++
	oneUrgent.Cases++
	oneUrgent.CasesFirst++
	oneUrgent.ByKind[KindUrgent] = KindFigures{Sessions: 1, Visits: 1, Persons: 1, Cases: 1}
	oneUrgent.Delegations = DelegationFigures{MinSize: 10}
	oneUrgent.ConclusionNotices = 1
	oneUrgent.DirectiveLetters = 0

	lettersOnly := zero()
	lettersOnly.DirectiveLetters = 3

	tests := []struct {
		name string
		s    Summary
		lang string
		want string
	}{
		{"2022 vi", fig2022(), "vi",
			"Từ ngày 01/01/2022 đến ngày 31/12/2022, tiếp 420 lượt/ 622 người/ 136 vụ việc (sau khi đã lọc vụ trùng). " +
				"Trong đó: + Tiếp định kỳ: 342 lượt/ 534 người; " +
				"+ Tiếp Đoàn đông người (từ 05 người trở lên): 18 lượt đoàn/ 08 vụ việc; " +
				"+ Tiếp thường xuyên: 78 lượt/ 88 người; + Tiếp đột xuất: Không có. " +
				"Đã ban hành 12 Thông báo kết luận và 295 công văn chỉ đạo."},
		{"2022 default language", fig2022(), "",
			"Từ ngày 01/01/2022 đến ngày 31/12/2022, tiếp 420 lượt/ 622 người/ 136 vụ việc (sau khi đã lọc vụ trùng). " +
				"Trong đó: + Tiếp định kỳ: 342 lượt/ 534 người; " +
				"+ Tiếp Đoàn đông người (từ 05 người trở lên): 18 lượt đoàn/ 08 vụ việc; " +
				"+ Tiếp thường xuyên: 78 lượt/ 88 người; + Tiếp đột xuất: Không có. " +
				"Đã ban hành 12 Thông báo kết luận và 295 công văn chỉ đạo."},
		{"2022 en", fig2022(), "en",
			"From 01/01/2022 to 31/12/2022: 420 visits / 622 persons / 136 cases (after removing duplicate cases). " +
				"Of which: periodic reception: 342 visits / 534 persons; delegations (5 or more people): 18 delegation visits / 8 cases; " +
				"regular reception: 78 visits / 88 persons; urgent reception: none. " +
				"12 conclusion notices and 295 directive letters were issued."},
		{"2023 vi", fig2023(), "vi",
			"Từ ngày 01/01/2023 đến ngày 31/10/2023, tiếp 352 lượt/ 679 người/ 124 vụ việc (sau khi đã lọc vụ trùng). " +
				"Trong đó: + Tiếp định kỳ: 289 lượt/ 596 người; " +
				"+ Tiếp Đoàn đông người (từ 04 người trở lên): 17 lượt đoàn/ 07 vụ việc; " +
				"+ Tiếp thường xuyên: 63 lượt/ 83 người; + Tiếp đột xuất: Không có. " +
				"Đã ban hành 09 Thông báo kết luận và 142 công văn chỉ đạo."},
		{"2023 en", fig2023(), "en",
			"From 01/01/2023 to 31/10/2023: 352 visits / 679 persons / 124 cases (after removing duplicate cases). " +
				"Of which: periodic reception: 289 visits / 596 persons; delegations (4 or more people): 17 delegation visits / 7 cases; " +
				"regular reception: 63 visits / 83 persons; urgent reception: none. " +
				"9 conclusion notices and 142 directive letters were issued."},
		{"zero vi", zero(), "vi",
			"Từ ngày 01/01/2024 đến ngày 31/03/2024, không có lượt tiếp công dân nào. " +
				"Không ban hành Thông báo kết luận hay công văn chỉ đạo nào."},
		{"zero en", zero(), "en",
			"From 01/01/2024 to 31/03/2024: no visits. No conclusion notices or directive letters were issued."},
		{"no delegations, one urgent vi", oneUrgent, "vi",
			"Từ ngày 01/01/2022 đến ngày 31/12/2022, tiếp 421 lượt/ 623 người/ 137 vụ việc (sau khi đã lọc vụ trùng). " +
				"Trong đó: + Tiếp định kỳ: 342 lượt/ 534 người; " +
				"+ Tiếp Đoàn đông người (từ 10 người trở lên): Không có; " +
				"+ Tiếp thường xuyên: 78 lượt/ 88 người; + Tiếp đột xuất: 01 lượt/ 01 người. " +
				"Đã ban hành 01 Thông báo kết luận; không ban hành công văn chỉ đạo."},
		{"no delegations, one urgent en", oneUrgent, "en",
			"From 01/01/2022 to 31/12/2022: 421 visits / 623 persons / 137 cases (after removing duplicate cases). " +
				"Of which: periodic reception: 342 visits / 534 persons; delegations (10 or more people): none; " +
				"regular reception: 78 visits / 88 persons; urgent reception: 1 visit / 1 person. " +
				"1 conclusion notice and no directive letters were issued."},
		{"letters only vi", lettersOnly, "vi",
			"Từ ngày 01/01/2024 đến ngày 31/03/2024, không có lượt tiếp công dân nào. " +
				"Đã ban hành 03 công văn chỉ đạo; không ban hành Thông báo kết luận."},
		{"letters only en", lettersOnly, "en",
			"From 01/01/2024 to 31/03/2024: no visits. 3 directive letters and no conclusion notices were issued."},
	}
	for _, tt := range tests {
		got, err := Text(tt.s, tt.lang)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if !noCombiningMarks(got) {
			t.Errorf("%s: output is not NFC (combining marks): %q", tt.name, got)
		}
	}
}

// noCombiningMarks reports whether s has no combining mark. Every letter of
// Vietnamese has a precomposed form, so Vietnamese text in NFC has none, and
// text in NFD always has some: this tells the two apart without x/text.
func noCombiningMarks(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}

func TestSourceIsNFC(t *testing.T) {
	// The detector itself: "ệ" decomposed is e + U+0323 + U+0302.
	if noCombiningMarks("Vi\u0065\u0323\u0302t") || !noCombiningMarks("Việt") {
		t.Fatal("noCombiningMarks does not tell NFD from NFC")
	}
	// The Vietnamese literals live in the source; an editor that saved them
	// decomposed would put NFD into official text.
	for _, name := range []string{"report.go", "report_test.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !noCombiningMarks(string(b)) {
			t.Errorf("%s holds combining marks: save it in NFC", name)
		}
	}
}

func TestTextUnknownLanguage(t *testing.T) {
	for _, lang := range []string{"fr", "VI", "vi-VN", "english", " "} {
		if got, err := Text(fig2022(), lang); err == nil {
			t.Errorf("Text(lang %q) = %q, want error", lang, got)
		} else if !strings.Contains(err.Error(), "lang") {
			t.Errorf("Text(lang %q) error %q does not name lang", lang, err)
		}
	}
}

func TestInconsistentSummaries(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Summary)
		want   string
	}{
		{"report's 419", func(s *Summary) { s.Visits = 419 }, "visits 419 is not the sum"},
		{"persons drift", func(s *Summary) { s.Persons = 600 }, "persons 600 is not the sum"},
		{"cases split", func(s *Summary) { s.CasesRepeat = 0 }, "cases 136 is not cases_first + cases_repeat"},
		{"negative", func(s *Summary) { s.DirectiveLetters = -1 }, "directive_letters is negative"},
		{"negative sessions", func(s *Summary) {
			s.ByKind[KindUrgent] = KindFigures{Sessions: -1}
		}, "by_kind.urgent.sessions is negative"},
		{"unknown kind", func(s *Summary) { s.ByKind["weekly"] = KindFigures{} }, `unknown kind "weekly"`},
		{"min size", func(s *Summary) { s.Delegations.MinSize = 0 }, "min_size"},
		{"delegations too many", func(s *Summary) { s.Delegations.Visits = 421 }, "delegations exceed"},
		{"bad from", func(s *Summary) { s.From = "2022-02-30" }, "from:"},
		{"empty to", func(s *Summary) { s.To = "" }, "to:"},
		{"reversed", func(s *Summary) { s.From, s.To = s.To, s.From }, "from is after to"},
	}
	for _, tt := range tests {
		s := fig2022()
		tt.change(&s)
		for _, lang := range []string{"vi", "en"} {
			if _, err := Text(s, lang); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: Text(%s) error %v, want %q", tt.name, lang, err, tt.want)
			}
		}
		if err := CSV(&bytes.Buffer{}, s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CSV error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestMissingKindsCountAsZero(t *testing.T) {
	s := zero()
	s.ByKind = nil
	got, err := Text(s, "vi")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Text(zero(), "vi")
	if got != want {
		t.Errorf("nil ByKind: %q, want %q", got, want)
	}
}

func TestCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, fig2022()); err != nil {
		t.Fatal(err)
	}
	want := "metric,value\n" +
		"from,2022-01-01\n" +
		"to,2022-12-31\n" +
		"org_id,org-qt\n" +
		"visits,420\n" +
		"persons,622\n" +
		"cases,136\n" +
		"cases_first,120\n" +
		"cases_repeat,16\n" +
		"by_kind.regular.sessions,0\n" +
		"by_kind.regular.visits,78\n" +
		"by_kind.regular.persons,88\n" +
		"by_kind.regular.cases,30\n" +
		"by_kind.periodic.sessions,12\n" +
		"by_kind.periodic.visits,342\n" +
		"by_kind.periodic.persons,534\n" +
		"by_kind.periodic.cases,110\n" +
		"by_kind.urgent.sessions,0\n" +
		"by_kind.urgent.visits,0\n" +
		"by_kind.urgent.persons,0\n" +
		"by_kind.urgent.cases,0\n" +
		"delegations.min_size,5\n" +
		"delegations.visits,18\n" +
		"delegations.persons,150\n" +
		"delegations.cases,8\n" +
		"conclusion_notices,12\n" +
		"directive_letters,295\n" +
		"petitions.received,0\n" +
		"petitions.decided,0\n" +
		"petitions.by_decision.accepted,0\n" +
		"petitions.by_decision.guided,0\n" +
		"petitions.by_decision.transferred,0\n" +
		"petitions.by_decision.stored,0\n" +
		"petitions.by_decision.returned,0\n" +
		"petitions.on_time,0\n" +
		"petitions.late,0\n"
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestCSVQuotesAndCoversJSON(t *testing.T) {
	s := fig2023()
	s.OrgID = `a,"b"`
	var b bytes.Buffer
	if err := CSV(&b, s); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not read back: %v", err)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) != 2 {
			t.Fatalf("row %v has %d columns", r, len(r))
		}
		if _, dup := got[r[0]]; dup {
			t.Errorf("metric %s twice", r[0])
		}
		got[r[0]] = r[1]
	}
	if got["org_id"] != `a,"b"` {
		t.Errorf("org_id read back as %q", got["org_id"])
	}
	// Every JSON leaf has its row with the same value, so CSV and JSON
	// cannot drift apart when a field is added.
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	leaves := map[string]string{}
	flatten("", tree, leaves)
	if !reflect.DeepEqual(leaves, got) {
		t.Errorf("CSV rows %v\ndiffer from JSON leaves %v", got, leaves)
	}
}

func flatten(prefix string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(name, x, out)
		}
	case float64:
		out[prefix] = strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		out[prefix] = v
	}
}

func TestJSONTags(t *testing.T) {
	raw, err := json.Marshal(fig2022())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"from":"2022-01-01","to":"2022-12-31","org_id":"org-qt","visits":420,"persons":622,"cases":136,` +
		`"cases_first":120,"cases_repeat":16,"by_kind":{"periodic":{"sessions":12,"visits":342,"persons":534,"cases":110},` +
		`"regular":{"sessions":0,"visits":78,"persons":88,"cases":30},"urgent":{"sessions":0,"visits":0,"persons":0,"cases":0}},` +
		`"delegations":{"min_size":5,"visits":18,"persons":150,"cases":8},"conclusion_notices":12,"directive_letters":295,` +
		`"petitions":{"received":0,"decided":0,"by_decision":{"accepted":0,"guided":0,"returned":0,"stored":0,"transferred":0},"on_time":0,"late":0}}`
	if string(raw) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", raw, want)
	}
}

// The petitions' figures add up: decided is the sum over by_decision and on_time + late; the
// paragraph says them only when there are some.
func TestPetitionFigures(t *testing.T) {
	s := fig2022()
	s.Petitions = PetitionFigures{Received: 7, Decided: 5, ByDecision: map[string]int{"accepted": 3, "transferred": 2}, OnTime: 4, Late: 1}
	text, err := Text(s, "vi")
	if err != nil || !strings.HasSuffix(text, " Tiếp nhận 07 đơn; xử lý 05 đơn (đúng hạn 04, quá hạn 01).") {
		t.Errorf("text %q, %v", text, err)
	}
	if text, _ := Text(fig2022(), "en"); strings.Contains(text, "petition") {
		t.Errorf("a period without petitions says nothing of them: %q", text)
	}
	for _, bad := range []PetitionFigures{
		{Received: 1, Decided: 2, ByDecision: map[string]int{"accepted": 1}, OnTime: 2},
		{Received: 1, Decided: 1, ByDecision: map[string]int{"accepted": 1}, OnTime: 1, Late: 1},
		{Received: -1},
	} {
		s.Petitions = bad
		if err := s.Validate(); err == nil {
			t.Errorf("%+v passes Validate", bad)
		}
	}
}
