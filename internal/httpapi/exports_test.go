package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

const bom = "\uFEFF"

// exportRegister lays down a small register around the statutory 2023-Q3 (2023-06-15 to
// 2023-09-14) across two organisations: regular, head's and deputy's sessions, a delegation
// visit, a voided visit, visits the day before and the day after, and a directive letter.
type exportRegister struct {
	staff        *testenv.Client
	districtID   string
	landCase     string
	inPeriod     []string // the live visits of the period, in register order
	voided       string
	outside      []string
	districtOnly []string // the visits recorded by the district, in register order
}

func newExportRegister(t *testing.T, env *testenv.Env) *exportRegister {
	t.Helper()
	admin := env.As(auth.Admin)
	root := testenv.GetAs[apiclient.HttpapiOrgList](admin, "/api/v1/orgs").Items[0].ID
	district := testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh", "parent_id": root}).ID
	r := &exportRegister{staff: env.As(auth.Staff), districtID: district}
	session := func(kind, date, role string, org string) string {
		body := map[string]any{"kind": kind, "date": date, "org_id": org}
		if role != "" {
			body["host_role"] = role
		}
		return sessionOf(r.staff, body).ID
	}
	regular := session("regular", "2023-06-20", "", root)
	head := session("periodic", "2023-07-10", "head", root)
	deputy := session("periodic", "2023-08-10", "authorized", district)
	dayBefore := session("regular", "2023-06-14", "", root)
	dayAfter := session("regular", "2023-09-15", "", root)

	recorded := func(body map[string]any) apiclient.RegistryCreatedVisit {
		return testenv.CreateAs[apiclient.RegistryCreatedVisit](r.staff, "/api/v1/visits", body)
	}
	visit := func(body map[string]any) string { return recorded(body).ID }
	an := newPerson(r.staff, map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1975,
		"id_number": "045075001234", "address": "Thôn 3, xã Gio Mỹ, huyện Gio Linh"}).ID
	first := recorded(map[string]any{"session_id": regular, "person_ids": []string{an},
		"persons": []any{map[string]any{"full_name": "Trần Thị Bé", "gender": "female"}},
		"case": map[string]any{"title": "Tranh chấp đất đai thôn 3", "category": "complaint", "field": "land",
			"respondent": "UBND huyện Gio Linh", "previously_handled_by": "UBND xã Gio Mỹ"},
		"content": "Đề nghị xem xét lại quyết định thu hồi đất", "outcome": "accepted", "note": "Có đơn kèm theo"})
	r.landCase = first.CaseID
	r.voided = visit(map[string]any{"session_id": regular, "case_id": r.landCase, "person_ids": []string{an}})
	second := visit(map[string]any{"session_id": regular, "case_id": r.landCase, "outcome": "answered",
		"persons": []any{map[string]any{"full_name": "Phạm Thị Thuỷ", "address": "Vĩnh Linh"}}})
	delegation := visit(map[string]any{"session_id": head, "case_id": r.landCase, "person_ids": []string{an},
		"headcount": 6, "outcome": "guided", "guidance_number": "7/HD-TCD"})
	district1 := visit(map[string]any{"session_id": deputy, "outcome": "transferred",
		"transferred_to": "Công an huyện Gio Linh", "transfer_number": "15/PC-TCD",
		"persons": []any{map[string]any{"full_name": "Lê Văn Cường", "id_number": "197123456"}},
		"case":    map[string]any{"title": "Tố cáo cán bộ xã nhận tiền", "category": "denunciation", "field": "corruption"}})
	r.outside = []string{
		visit(map[string]any{"session_id": dayBefore, "case_id": r.landCase, "person_ids": []string{an}}),
		visit(map[string]any{"session_id": dayAfter, "case_id": r.landCase, "person_ids": []string{an}}),
	}
	if resp := r.staff.Delete("/api/v1/visits/" + r.voided + "?reason=" + urlQuery("ghi nhầm")); resp.Status != http.StatusOK {
		t.Fatalf("void: %s", resp)
	}
	newDirective(r.staff, map[string]any{"number": "12/UBND-TCD", "issued_on": "2023-07-20",
		"recipient": "UBND huyện Gio Linh", "case_id": r.landCase})
	r.inPeriod = []string{first.ID, second, delegation, district1}
	r.districtOnly = []string{district1}
	return r
}

// download GETs path and fails unless it answers a file attachment named name.
func download(t *testing.T, c *testenv.Client, path, name, contentType string) []byte {
	t.Helper()
	r := c.Get(path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %s", path, r)
	}
	if got := r.Header.Get("Content-Disposition"); got != `attachment; filename="`+name+`"` {
		t.Errorf("GET %s: Content-Disposition %q, want the file name %s", path, got, name)
	}
	if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, contentType) {
		t.Errorf("GET %s: Content-Type %q, want %s", path, got, contentType)
	}
	return r.Body
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the file does not open as a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestExportReportWorkbook(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		newExportRegister(t, env)
		agency := env.As(auth.Agency)
		const q = "period=2023-Q3&basis=statutory"
		f := openXLSX(t, download(t, agency, "/api/v1/exports/report?"+q+"&format=xlsx", "tcd-report-2023-Q3-statutory.xlsx", xlsxType))

		if got := f.GetSheetList(); fmt.Sprint(got) != fmt.Sprint([]string{"Tổng hợp", "Biểu 01-TCD", "Theo loại", "Theo lĩnh vực"}) {
			t.Fatalf("sheets %q", got)
		}
		const sheet = "Biểu 01-TCD"
		ms := form01Header(t, f, sheet) // the MS row is right under the header (1-based row ms+1 = index ms)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}

		form := testenv.GetAs[apiclient.StatsForm01](agency, "/api/v1/stats/form-01?"+q)
		sum := getSummary(t, agency, q)
		total := rows[ms+1]
		if total[0] != "Tổng cộng" || !bold(t, f, sheet, "A"+strconv.Itoa(ms+2)) || !bold(t, f, sheet, "B"+strconv.Itoa(ms+2)) {
			t.Errorf("the total row comes first, in bold: %q", total)
		}
		if total[1] != strconv.Itoa(sum.Visits) || total[2] != strconv.Itoa(sum.Persons) || sum.Visits != 4 || sum.Persons != 10 {
			t.Errorf("total row %q: columns 1 and 2 must be the summary's %d visits and %d persons", total, sum.Visits, sum.Persons)
		}
		if total[4] != strconv.Itoa(sum.ByKind["regular"].Visits) {
			t.Errorf("column 4 %q is the regular visits, %d", total[4], sum.ByKind["regular"].Visits)
		}
		if len(rows) != ms+1+len(form.Rows) {
			t.Fatalf("%d rows under MS, want %d (total and one per organisation)", len(rows)-ms-1, len(form.Rows))
		}
		for i, fr := range form.Rows {
			for j, v := range fr.Values {
				if got := rows[ms+1+i][j+1]; got != strconv.Itoa(v) {
					t.Errorf("row %d column %d: %q, /stats/form-01 says %v", i, j+1, got, v)
				}
			}
		}
		if rows[ms+3][0] != "Ban Tiếp công dân huyện Gio Linh" || rows[ms+3][22] != "1" {
			t.Errorf("the district's own row counts its deputy's visit in column 22: %q", rows[ms+3])
		}

		summaryRows, _ := f.GetRows("Tổng hợp")
		text := string(agency.Get("/api/v1/stats/summary?" + q + "&format=text&lang=vi").Body)
		if summaryRows[3][0] != strings.TrimSpace(text) {
			t.Errorf("the summary sheet carries the report paragraph %q, got %q", text, summaryRows[3][0])
		}
		if !slices.ContainsFunc(summaryRows, func(r []string) bool {
			return len(r) == 3 && r[0] == "Số lượt tiếp" && r[1] == "visits" && r[2] == "4"
		}) {
			t.Errorf("the summary sheet lists visits with a Vietnamese label: %q", summaryRows)
		}
		byCategory, _ := f.GetRows("Theo loại")
		if !slices.ContainsFunc(byCategory, func(r []string) bool {
			return len(r) == 5 && r[0] == "complaint" && r[1] == "Khiếu nại" && r[2] == "3" && r[3] == "9" && r[4] == "1"
		}) {
			t.Errorf("by category: %q", byCategory)
		}
		byField, _ := f.GetRows("Theo lĩnh vực")
		if !slices.ContainsFunc(byField, func(r []string) bool { return len(r) == 5 && r[1] == "Tham nhũng" && r[2] == "1" }) {
			t.Errorf("by field: %q", byField)
		}
	})
}

// form01Header checks the title, the merged header and the MS row of Form 01 on sheet of f, and
// answers the index of the MS row (the header's last row, 1-based).
func form01Header(t *testing.T, f *excelize.File, sheet string) int {
	t.Helper()
	cell := func(ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := cell("A2"); got != "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT" {
		t.Errorf("title %q", got)
	}
	if got := cell("A3"); got != "Số liệu tính từ ngày 15/06/2023 đến ngày 14/09/2023" {
		t.Errorf("subtitle %q", got)
	}
	if got := cell("AA1"); got != "Biểu số: 01/TCD" {
		t.Errorf("top right: %q, want the form number", got)
	}
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	spans := map[string]string{}
	for _, m := range merged {
		spans[m.GetStartAxis()+":"+m.GetEndAxis()] = m.GetCellValue()
	}
	// column n of the form is sheet column n+1: Tiếp thường xuyên is 4-11 (E-L), the head's and
	// the deputy's receptions 12-29 (M-AD), the organisation column spans the whole header
	for ref, want := range map[string]string{"E5:L5": "Tiếp thường xuyên", "M5:AD5": "Tiếp định kỳ và đột xuất của Thủ trưởng",
		"B5:D5": "Tổng số", "M6:U6": "Thủ trưởng tiếp", "V6:AD6": "Ủy quyền tiếp", "A2:AD2": cell("A2")} {
		if spans[ref] != want {
			t.Errorf("merged %s: %q, want %q (merged cells: %v)", ref, spans[ref], want, spans)
		}
	}
	if v := spans["A5:A"+strconv.Itoa(headerBottom(spans))]; v != "Đơn vị" {
		t.Errorf("the organisation column is one merged cell over the header: %v", spans)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	ms := headerBottom(spans)
	if rows[ms][0] != "MS" || len(rows[ms]) != 30 {
		t.Fatalf("MS row %q", rows[ms])
	}
	for n := 1; n <= 29; n++ {
		if rows[ms][n] != strconv.Itoa(n) {
			t.Fatalf("MS row: column %d reads %q", n, rows[ms][n])
		}
	}
	return ms
}

// headerBottom is the last header row of Form 01, where the organisation column's merge ends.
func headerBottom(spans map[string]string) int {
	for ref, v := range spans {
		if v == "Đơn vị" {
			n, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(ref, ":")[1], "A"))
			return n
		}
	}
	return 0
}

func bold(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Font != nil && st.Font.Bold
}

func TestExportReportCSVAndJSON(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		newExportRegister(t, env)
		agency := env.As(auth.Agency)
		const q = "period=2023-Q3&basis=statutory"

		b := string(download(t, agency, "/api/v1/exports/report?"+q+"&format=csv", "tcd-report-2023-Q3-statutory.csv", "text/csv"))
		if !strings.HasPrefix(b, bom) {
			t.Fatalf("the CSV starts with a BOM so that Excel reads UTF-8: %q", b[:20])
		}
		sections := strings.Split(strings.TrimPrefix(b, bom), "\n\n")
		var titles []string
		for _, s := range sections {
			titles = append(titles, strings.SplitN(s, "\n", 2)[0])
		}
		if fmt.Sprint(titles) != fmt.Sprint([]string{"Tổng hợp", "Biểu 01-TCD", "Theo loại", "Theo lĩnh vực"}) {
			t.Fatalf("sections separated by a blank line, each under its title: %q", titles)
		}
		plain := string(agency.Get("/api/v1/stats/summary?" + q + "&format=csv").Body)
		if got := strings.SplitN(sections[0], "\n", 2)[1] + "\n"; got != plain {
			t.Errorf("the summary section is /stats/summary's CSV:\n%s\nwant\n%s", got, plain)
		}
		cr := csv.NewReader(strings.NewReader(sections[1]))
		cr.FieldsPerRecord = -1 // titles are one field, the table 30
		form, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("Form 01 section: %v", err)
		}
		if form[1][0] != "Biểu số: 01/TCD" || form[2][0] != "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT" ||
			form[4][0] != "Đơn vị" || form[5][0] != "MS" || form[5][29] != "29" || form[6][0] != "Tổng cộng" || form[6][1] != "4" {
			t.Errorf("Form 01 section: %q", form)
		}
		if !strings.Contains(sections[2], "complaint,Khiếu nại,3,9,1") {
			t.Errorf("by category: %q", sections[2])
		}

		var doc map[string]json.RawMessage
		if err := json.Unmarshal(download(t, agency, "/api/v1/exports/report?"+q+"&format=json", "tcd-report-2023-Q3-statutory.json", "application/json"), &doc); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range doc {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if fmt.Sprint(keys) != "[by_category by_field form_01 summary]" {
			t.Fatalf("JSON keys %v", keys)
		}
		var got, want map[string]any
		json.Unmarshal(doc["summary"], &got)
		json.Unmarshal(agency.Get("/api/v1/stats/summary?"+q).Body, &want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("summary %v, /stats/summary says %v", got, want)
		}

		calendar := agency.Get("/api/v1/exports/report?period=2023&format=csv")
		if !strings.Contains(calendar.Header.Get("Content-Disposition"), "tcd-report-2023-calendar.csv") {
			t.Errorf("a calendar year is named so: %q", calendar.Header.Get("Content-Disposition"))
		}
		bad := []struct{ query, field string }{
			{"period=2023-Q3&format=docx", "format"},
			{"format=xlsx", "period"},
			{"period=2023-Q5&format=xlsx", "period"},
			{"period=2023-Q3&basis=lunar&format=xlsx", "basis"},
			{"period=2023-Q3&org=no-such-org&format=xlsx", "org"},
		}
		for _, c := range bad {
			r := agency.Get("/api/v1/exports/report?" + c.query)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(c.field) {
				t.Errorf("%s: want 422 naming %s, got %s", c.query, c.field, r)
			}
			if r.Header.Get("Content-Disposition") != "" {
				t.Errorf("%s: a problem is not an attachment", c.query)
			}
		}
		if r := env.Client("").Get("/api/v1/exports/report?" + q); r.Status != http.StatusUnauthorized {
			t.Errorf("no token: want 401, got %s", r)
		}
	})
}

func TestExportRegister(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		reg := newExportRegister(t, env)
		const q = "period=2023-Q3&basis=statutory"
		f := openXLSX(t, download(t, reg.staff, "/api/v1/exports/register?"+q+"&format=xlsx", "tcd-register-2023-Q3-statutory.xlsx", xlsxType))
		if got := f.GetSheetList(); fmt.Sprint(got) != "[Sổ tiếp công dân Đơn thư]" {
			t.Fatalf("sheets %q: want the visits, then the petitions", got)
		}
		rows, err := f.GetRows("Sổ tiếp công dân")
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "SỔ TIẾP CÔNG DÂN" || rows[1][0] != "Từ ngày 15/06/2023 đến ngày 14/09/2023" {
			t.Errorf("title rows %q", rows[:2])
		}
		wantHeader := []string{"STT", "Ngày tiếp", "Họ tên - Địa chỉ", "Số CCCD/CMND/Hộ chiếu", "Nội dung vụ việc",
			"Phân loại đơn / Số người", "Cơ quan đã giải quyết", "Hướng xử lý", "Theo dõi kết quả", "Ghi chú"}
		if fmt.Sprint(rows[2]) != fmt.Sprint(wantHeader) {
			t.Fatalf("columns %q, want Form 03's %q", rows[2], wantHeader)
		}
		want := [][]string{
			{"1", "20/06/2023", "Nguyễn Văn An - Thôn 3, xã Gio Mỹ, huyện Gio Linh\nTrần Thị Bé", "045075001234",
				"Tranh chấp đất đai thôn 3: Đề nghị xem xét lại quyết định thu hồi đất", "Khiếu nại / 2", "UBND xã Gio Mỹ",
				"Thụ lý", "Đang giải quyết; công văn số 12/UBND-TCD", "Có đơn kèm theo"},
			// "Cơ quan đã giải quyết" is the body that handled the matter before, not the respondent
			{"2", "20/06/2023", "Phạm Thị Thuỷ - Vĩnh Linh", "", "Tranh chấp đất đai thôn 3", "Khiếu nại / 1", "UBND xã Gio Mỹ",
				"Trả lời trực tiếp", "Đang giải quyết; công văn số 12/UBND-TCD"},
			{"3", "10/07/2023", "Nguyễn Văn An - Thôn 3, xã Gio Mỹ, huyện Gio Linh", "045075001234", "Tranh chấp đất đai thôn 3",
				"Khiếu nại / 6", "UBND xã Gio Mỹ", "Trả lại đơn và hướng dẫn, văn bản số 7/HD-TCD", "Đang giải quyết; công văn số 12/UBND-TCD"},
			// the district's denunciation: the province's staff do not read its denouncer (the district's do, below)
			{"4", "10/08/2023", "(giữ bí mật thông tin người tố cáo)", "", "Tố cáo cán bộ xã nhận tiền", "Tố cáo / 1", "",
				"Chuyển đơn đến Công an huyện Gio Linh, văn bản số 15/PC-TCD", "Đang giải quyết"},
		}
		if got := rows[3:]; fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("the register's rows (live visits of the period, by date then as recorded; the voided one and those outside absent):\n%q\nwant\n%q", got, want)
		}

		b := string(download(t, reg.staff, "/api/v1/exports/register?"+q+"&format=csv", "tcd-register-2023-Q3-statutory.csv", "text/csv"))
		if !strings.HasPrefix(b, bom) {
			t.Fatalf("CSV without BOM")
		}
		lines, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b, bom))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(lines[0]) != fmt.Sprint(wantHeader) || len(lines) != 5 || fmt.Sprintf("%q", lines[1]) != fmt.Sprintf("%q", want[0]) {
			t.Errorf("the CSV has the same columns and rows: %q", lines)
		}

		empty := string(download(t, reg.staff, "/api/v1/exports/register?period=2020-Q1&format=csv", "tcd-register-2020-Q1-calendar.csv", "text/csv"))
		if empty != bom+strings.Join(wantHeader, ",")+"\n" {
			t.Errorf("a period without visits is a register with its header only: %q", empty)
		}

		scoped := env.Client(env.Token(auth.Staff, "GL"))
		only := openXLSX(t, download(t, scoped, "/api/v1/exports/register?"+q, "tcd-register-2023-Q3-statutory.xlsx", xlsxType))
		if rows, _ := only.GetRows("Sổ tiếp công dân"); len(rows) != 4 || rows[3][2] != "Lê Văn Cường" {
			t.Errorf("a district token exports its own subtree only: %q", rows)
		}
		named := download(t, reg.staff, "/api/v1/exports/register?"+q+"&format=csv&org="+reg.districtID,
			"tcd-register-2023-Q3-statutory-GL.csv", "text/csv")
		if n := strings.Count(string(named), "\n"); n != 2 {
			t.Errorf("org= exports that subtree: %d lines", n)
		}
		root := testenv.GetAs[apiclient.HttpapiOrgList](env.As(auth.Admin), "/api/v1/orgs").Items[0].ID
		if r := scoped.Get("/api/v1/exports/register?" + q + "&org=" + root); r.Status != http.StatusForbidden || !r.IsProblem() {
			t.Errorf("an organisation outside the token's subtree: want 403, got %s", r)
		}

		if r := env.As(auth.Agency).Get("/api/v1/exports/register?" + q); r.Status != http.StatusForbidden || !r.IsProblem() {
			t.Errorf("agency tokens never get personal data: want 403, got %s", r)
		}
		auditor := env.As(auth.Auditor)
		if r := auditor.Get("/api/v1/exports/register?" + q + "&format=csv"); r.Status != http.StatusOK {
			t.Errorf("auditors may export the register: %s", r)
		}
		for _, bad := range []string{q + "&format=json", "format=csv", "period=2023-13&format=csv"} {
			if r := reg.staff.Get("/api/v1/exports/register?" + bad); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("%s: want 422, got %s", bad, r)
			}
		}

		entries := testenv.ListAllAs[apiclient.AuditEntry](auditor, "/api/v1/audit?entity=register_export", 50)
		// the staff's xlsx, csv and empty period, the scoped staff's, the org= one and the auditor's
		if len(entries) != 6 {
			t.Fatalf("every register export is audited: %d entries", len(entries))
		}
		last := entries[0]
		// an entry's changes are free-form in the document: read as a map
		changes := orZero(last.Changes)
		if last.EntityID != "2023-Q3" || last.ActorRole != "auditor" || changes["from"] != "2023-06-15" ||
			changes["to"] != "2023-09-14" || changes["format"] != "csv" {
			t.Errorf("the audit entry names the actor and the period: %+v", last)
		}
	})
}

// A visit recorded against a case later found to duplicate another prints the matter as it was
// recorded, but the surviving case's classification, the body that already handled it, status
// and directive letters.
func TestExportRegisterFollowsMerges(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		survivor := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", map[string]any{"title": "Tranh chấp ranh giới đất thôn Hà Thượng",
			"category": "complaint", "field": "land", "respondent": "Hộ ông Lê Văn Hà", "previously_handled_by": "UBND xã Gio Mỹ", "status": "resolved"}).ID
		dup := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", map[string]any{"title": "Đề nghị giải quyết ranh giới đất", "category": "petition", "field": "other",
			"previously_handled_by": "Thanh tra huyện Gio Linh"}).ID
		staff.Create("/api/v1/visits", map[string]any{"session_id": newSession(staff, "regular", "2023-03-01"), "case_id": dup, "outcome": "guided",
			"persons": []any{map[string]any{"full_name": "Hoàng Văn Đức"}}})
		newDirective(staff, map[string]any{"number": "5/UBND-TCD", "issued_on": "2023-02-01",
			"recipient": "UBND xã Gio Mỹ", "case_id": survivor})
		newDirective(staff, map[string]any{"number": "9/UBND-TCD", "issued_on": "2023-03-02",
			"recipient": "UBND xã Gio Mỹ", "case_id": dup})
		// POST /cases/{id}/merge comes with the de-duplication branch; until then the test stores
		// what a merge stores.
		err := env.App.Store.DB.Exec(`UPDATE cases SET merged_into = ?, root_seq = (SELECT seq FROM cases WHERE id = ?) WHERE id = ?`,
			survivor, survivor, dup).Error
		if err != nil {
			t.Fatal(err)
		}
		b := string(download(t, staff, "/api/v1/exports/register?period=2023-Q1&format=csv", "tcd-register-2023-Q1-calendar.csv", "text/csv"))
		lines, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b, bom))).ReadAll()
		if err != nil || len(lines) != 2 {
			t.Fatalf("%q %v", lines, err)
		}
		want := []string{"1", "01/03/2023", "Hoàng Văn Đức", "", "Đề nghị giải quyết ranh giới đất", "Khiếu nại / 1", "UBND xã Gio Mỹ",
			"Trả lại đơn và hướng dẫn", "Đã giải quyết; công văn số 5/UBND-TCD, 9/UBND-TCD", ""}
		if fmt.Sprintf("%q", lines[1]) != fmt.Sprintf("%q", want) {
			t.Errorf("row %q\nwant %q", lines[1], want)
		}
	})
}

// The register is the paper book's heir, but a denouncer's name and ID number stay secret in it
// as on every other route: only admins and the owning organisation's staff read them.
func TestExportRegisterKeepsDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		sess := newSession(staff, "regular", "2023-08-01")
		staff.Create("/api/v1/visits", map[string]any{"session_id": sess,
			"case":    map[string]any{"title": "Tố cáo cán bộ địa chính", "category": "denunciation", "field": "corruption"},
			"persons": []map[string]any{{"full_name": "Lưu Văn Tố", "id_number": "045080001111", "birth_year": 1980, "gender": "male"}}})
		staff.Create("/api/v1/visits", map[string]any{"session_id": sess,
			"case":    map[string]any{"title": "Kiến nghị cấp sổ đỏ", "category": "petition", "field": "land"},
			"persons": []map[string]any{{"full_name": "Mai Thị Kiến"}}})
		const path = "/api/v1/exports/register?period=2023-Q3&format=csv"
		for _, c := range []struct {
			who    string
			client *testenv.Client
			sees   bool
		}{{"owning staff", staff, true}, {"admin", env.As(auth.Admin), true}, {"auditor", env.As(auth.Auditor), false}} {
			body := string(download(t, c.client, path, "tcd-register-2023-Q3-calendar.csv", "text/csv"))
			if !strings.Contains(body, "Mai Thị Kiến") {
				t.Errorf("%s: a petitioner is listed: %s", c.who, body)
			}
			if got := strings.Contains(body, "Lưu Văn Tố") || strings.Contains(body, "045080001111"); got != c.sees {
				t.Errorf("%s: denouncer shown = %v, want %v: %s", c.who, got, c.sees, body)
			}
			if hidden := strings.Contains(body, "giữ bí mật"); hidden == c.sees {
				t.Errorf("%s: the secret row says so = %v, want %v", c.who, hidden, !c.sees)
			}
		}
	})
}
