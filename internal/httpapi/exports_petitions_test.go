package httpapi_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

var petitionColumns = []string{"STT", "Số đơn", "Ngày nhận đơn", "Nguồn đơn", "Họ tên - Địa chỉ người gửi", "Số CCCD/CMND/Hộ chiếu",
	"Số người đứng đơn", "Ngày ghi trên đơn", "Nội dung vụ việc", "Phân loại đơn", "Hạn xử lý", "Kết quả xử lý", "Ngày xử lý",
	"Tình trạng", "Ghi chú"}

// viDay writes an API date as the register prints it.
func viDay(d openapi_types.Date) string { return d.Format("02/01/2006") }

// The register export carries the period's petitions beside its visits: a second sheet of the
// workbook, or a CSV file of their own (sheet=petitions), with each petition's handling, due date
// and status as of today, and its senders kept secret as GET /petitions keeps them.
func TestExportRegisterPetitions(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		setToday(t, env, "2026-03-02")
		staff := env.As(auth.Staff)
		rowsFor := petitionsOfTheQuarter(t, staff)
		seen := rowsFor("Hồ Văn Tố - Vĩnh Linh", "045080002222")
		hidden := rowsFor("(giữ bí mật thông tin người tố cáo)", "")

		f := openXLSX(t, download(t, staff, "/api/v1/exports/register?period=2026-Q1", "tcd-register-2026-Q1-calendar.xlsx", xlsxType))
		if got := f.GetSheetList(); fmt.Sprint(got) != "[Sổ tiếp công dân Đơn thư]" {
			t.Fatalf("sheets %q: want the visits, then the petitions", got)
		}
		if visits, _ := f.GetRows("Sổ tiếp công dân"); len(visits) != 4 || visits[3][2] != "Đặng Văn Tiếp" {
			t.Errorf("the visits' sheet is as before: %q", visits)
		}
		rows, err := f.GetRows("Đơn thư")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 3 || rows[0][0] != "SỔ TIẾP NHẬN, XỬ LÝ ĐƠN" || rows[1][0] != "Từ ngày 01/01/2026 đến ngày 31/03/2026" ||
			fmt.Sprint(rows[2]) != fmt.Sprint(petitionColumns) {
			t.Fatalf("the petitions' sheet starts with its title, the period and its columns: %q", rows)
		}
		// excelize leaves out a row's empty cells at its end
		for i := range seen {
			seen[i] = trimEmpty(seen[i])
		}
		if got := rows[3:]; fmt.Sprintf("%q", got) != fmt.Sprintf("%q", seen) {
			t.Errorf("the live petitions received in the period, by the day received:\n%q\nwant\n%q", got, seen)
		}

		b := string(download(t, env.As(auth.Auditor), "/api/v1/exports/register?period=2026-Q1&format=csv&sheet=petitions",
			"tcd-register-petitions-2026-Q1-calendar.csv", "text/csv"))
		lines, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b, bom))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := append([][]string{petitionColumns}, hidden...); fmt.Sprintf("%q", lines) != fmt.Sprintf("%q", want) {
			t.Errorf("an auditor's CSV of the petitions keeps the denouncer secret:\n%q\nwant\n%q", lines, want)
		}
		admin := string(download(t, env.As(auth.Admin), "/api/v1/exports/register?period=2026-Q1&format=csv&sheet=petitions",
			"tcd-register-petitions-2026-Q1-calendar.csv", "text/csv"))
		if !strings.Contains(admin, "Hồ Văn Tố - Vĩnh Linh") || !strings.Contains(admin, "045080002222") {
			t.Errorf("admins read every denouncer: %s", admin)
		}

		visits := string(download(t, staff, "/api/v1/exports/register?period=2026-Q1&format=csv", "tcd-register-2026-Q1-calendar.csv", "text/csv"))
		if !strings.HasPrefix(visits, bom+"STT,Ngày tiếp,") || strings.Contains(visits, "Võ Thị Đơn") {
			t.Errorf("a CSV holds one part, the visits unless sheet names another: %s", visits)
		}
		only := openXLSX(t, download(t, staff, "/api/v1/exports/register?period=2026-Q1&sheet=petitions",
			"tcd-register-petitions-2026-Q1-calendar.xlsx", xlsxType))
		if got := only.GetSheetList(); fmt.Sprint(got) != "[Đơn thư]" {
			t.Errorf("sheet=petitions: a workbook of the petitions alone, got %q", got)
		}
		if r := staff.Get("/api/v1/exports/register?period=2026-Q1&format=csv&sheet=letters"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("sheet") {
			t.Errorf("an unknown part: want 422 naming sheet, got %s", r)
		}
		if r := env.As(auth.Agency).Get("/api/v1/exports/register?period=2026-Q1&format=csv&sheet=petitions"); r.Status != http.StatusForbidden {
			t.Errorf("the statistics role reads no petitioner: want 403, got %s", r)
		}

		entries := testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Auditor), "/api/v1/audit?entity=register_export", 50)
		if len(entries) != 5 {
			t.Fatalf("every register export is audited, the refused ones aside: %d entries", len(entries))
		}
		// an entry's changes are free-form in the document: read as a map
		if orZero(entries[0].Changes)["sheet"] != "petitions" {
			t.Errorf("the audit entry names the part exported: %+v", entries[0])
		}
	})
}

// petitionsOfTheQuarter records, today 2 March 2026, a visit and the petitions of every kind the
// register export lists in 2026-Q1, with one voided and one received before the quarter, and
// answers the rows the export must list for them, given how it shows the denouncer.
func petitionsOfTheQuarter(t *testing.T, staff *testenv.Client) func(denouncer, denouncerID string) [][]string {
	t.Helper()
	petition := func(body map[string]any) apiclient.RegistryCreatedPetition {
		return testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", body)
	}
	staff.Create("/api/v1/visits", map[string]any{"session_id": newSession(staff, "regular", "2026-02-12"), "outcome": "answered",
		"case":    map[string]any{"title": "Kiến nghị sửa đường liên thôn", "category": "petition", "field": "other"},
		"persons": []any{map[string]any{"full_name": "Đặng Văn Tiếp"}}})

	anonymous := petition(map[string]any{"received_on": "2026-01-05", "channel": "online",
		"case": map[string]any{"title": "Phản ánh ô nhiễm kênh Nhà Lê", "category": "feedback", "field": "other"}})
	transferred := petition(petitionBody("2026-02-10", map[string]any{"document_date": "2026-02-05",
		"content": "Đề nghị xem xét lại", "note": "Có bản sao sổ đỏ"}))
	if r := staff.Post("/api/v1/petitions/"+transferred.ID+"/decide", map[string]any{"decision": "transferred",
		"decided_on": "2026-02-24", "decision_number": "45/PC-TCD", "transferred_to": "UBND huyện Hải Lăng"}); r.Status != http.StatusOK {
		t.Fatalf("decide: %s", r)
	}
	voided := petition(petitionBody("2026-02-11", nil))
	if r := staff.Delete("/api/v1/petitions/" + voided.ID + "?reason=" + urlQuery("nhập trùng")); r.Status != http.StatusOK {
		t.Fatalf("void: %s", r)
	}
	guided := petition(map[string]any{"received_on": "2026-02-12", "channel": "in_person",
		"case_id": transferred.CaseID, "persons": []any{map[string]any{"full_name": "Phan Văn Hướng"}}})
	if r := staff.Post("/api/v1/petitions/"+guided.ID+"/decide", map[string]any{"decision": "guided",
		"decided_on": "2026-03-02", "decision_number": "2/HD-TCD", "guidance": "Gửi đơn đến Tòa án nhân dân huyện Gio Linh"}); r.Status != http.StatusOK {
		t.Fatalf("decide: %s", r)
	}
	denounced := petition(map[string]any{"received_on": "2026-02-26", "channel": "forwarded",
		"forwarded_from": "Ban Dân nguyện", "sender_count": 2,
		"case":    map[string]any{"title": "Tố cáo cán bộ địa chính nhận tiền", "category": "denunciation", "field": "corruption"},
		"persons": []any{map[string]any{"full_name": "Hồ Văn Tố", "address": "Vĩnh Linh", "id_number": "045080002222"}}})
	petition(petitionBody("2025-12-31", nil)) // before the period

	return func(denouncer, denouncerID string) [][]string {
		return [][]string{
			{"1", anonymous.Code, "05/01/2026", "Qua mạng", "", "", "0", "", "Phản ánh ô nhiễm kênh Nhà Lê", "Phản ánh",
				viDay(anonymous.DueOn), "", "", "Quá hạn", ""},
			{"2", transferred.Code, "10/02/2026", "Qua bưu chính", "Võ Thị Đơn - Thôn 2, xã Gio Mỹ", "", "1", "05/02/2026",
				"Khiếu nại quyết định thu hồi đất thửa 45: Đề nghị xem xét lại", "Khiếu nại", "03/03/2026",
				"Chuyển đơn đến UBND huyện Hải Lăng, văn bản số 45/PC-TCD", "24/02/2026", "Đã xử lý đúng hạn", "Có bản sao sổ đỏ"},
			{"3", guided.Code, "12/02/2026", "Nộp trực tiếp", "Phan Văn Hướng", "", "1", "",
				"Khiếu nại quyết định thu hồi đất thửa 45", "Khiếu nại", viDay(guided.DueOn),
				"Hướng dẫn, văn bản số 2/HD-TCD\nGửi đơn đến Tòa án nhân dân huyện Gio Linh", "02/03/2026", "Đã xử lý đúng hạn", ""},
			{"4", denounced.Code, "26/02/2026", "Cơ quan khác chuyển đến: Ban Dân nguyện", denouncer, denouncerID, "2", "",
				"Tố cáo cán bộ địa chính nhận tiền", "Tố cáo", viDay(denounced.DueOn), "", "", "Trong hạn", ""},
		}
	}
}

// trimEmpty drops the empty cells at the end of a row.
func trimEmpty(row []string) []string {
	for len(row) > 0 && row[len(row)-1] == "" {
		row = row[:len(row)-1]
	}
	return row
}
