package httpapi_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// kept is a register of 2024 as a board keeps it: one regular session a day, cases that come
// back, a delegation, people with and without ID numbers, and each handling.
func kept(t *testing.T, staff *testenv.Client) {
	t.Helper()
	type visit struct {
		date, title, category, outcome string
		headcount                      int
		persons                        []map[string]any
	}
	lan := map[string]any{"full_name": "Nguyễn Thị Lan", "id_number": "045175001234", "address": "thôn 3, xã Hải Thượng", "gender": "female"}
	hung := map[string]any{"full_name": "Trần Văn Hùng", "address": "khu phố 2, phường Đông Lương", "gender": "male"}
	visits := []visit{
		{"2024-01-08", "Khiếu nại việc thu hồi đất thửa 112", "complaint", "accepted", 1, []map[string]any{lan}},
		{"2024-01-08", "Tố cáo cán bộ địa chính nhận tiền", "denunciation", "transferred", 2, []map[string]any{hung}},
		{"2024-02-19", "Khiếu nại việc thu hồi đất thửa 112", "complaint", "urged", 1, []map[string]any{lan}},
		{"2024-03-04", "Kiến nghị sửa đường liên thôn", "petition", "answered", 7,
			[]map[string]any{{"full_name": "Lê Văn Đại", "address": "thôn 5"}, {"full_name": "Phạm Thị Diện", "address": "thôn 5"}}},
		{"2024-03-04", "Phản ánh ô nhiễm từ cơ sở chế biến", "feedback", "guided", 1, []map[string]any{{"full_name": "Hoàng Minh Tâm"}}},
	}
	sessions := map[string]string{}
	for _, v := range visits {
		if sessions[v.date] == "" {
			sessions[v.date] = newSession(staff, "regular", v.date)
		}
		body := map[string]any{"session_id": sessions[v.date], "headcount": v.headcount, "outcome": v.outcome, "persons": v.persons,
			"case": map[string]any{"title": v.title, "category": v.category, "field": "land"}}
		if v.outcome == "transferred" {
			body["transferred_to"] = "UBND huyện Hải Lăng"
		}
		// a case that comes back is named by its id, as the clerk would find it
		for _, c := range testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases?q="+urlQuery(v.title), 50) {
			if c.Title == v.title {
				delete(body, "case")
				body["case_id"] = c.ID
			}
		}
		staff.Create("/api/v1/visits", body)
	}
}

// summaryOf2024 is /stats/summary of 2024 without the organisation it was asked of.
func summaryOf2024(t *testing.T, c *testenv.Client) apiclient.ReportSummary {
	t.Helper()
	s := testenv.GetAs[apiclient.ReportSummary](c, "/api/v1/stats/summary?period=2024")
	s.OrgID = ""
	return s
}

// importReport is an import's answer (apiclient.HttpapiImportReport, decoded strictly) with the
// fields the document leaves optional read as the service fills them for an import that ran: a
// count of zero, a row without errors. Plain values, so a failing test prints them.
type importReport struct {
	DryRun *bool
	Totals struct{ Rows, Created, Linked, Skipped, Errors int }
	Rows   []importedRow
}

type importedRow struct {
	Row    int
	Status apiclient.RegistryImportedRowStatus
	Errors []cellError
}

type cellError struct {
	Row                    int
	Column, Title, Message string
}

func importFile(t *testing.T, c *testenv.Client, query, name string, file []byte) importReport {
	t.Helper()
	r := postFile(c, "/api/v1/imports"+query, name, "application/octet-stream", file)
	if r.Status != http.StatusOK {
		t.Fatalf("import %s: %s", query, r)
	}
	a := testenv.Decode[apiclient.HttpapiImportReport](t, r)
	rep := importReport{DryRun: a.DryRun}
	n := orZero(a.Totals)
	rep.Totals.Rows, rep.Totals.Created, rep.Totals.Linked = orZero(n.Rows), orZero(n.Created), orZero(n.Linked)
	rep.Totals.Skipped, rep.Totals.Errors = orZero(n.Skipped), orZero(n.Errors)
	for _, row := range orZero(a.Rows) {
		got := importedRow{Row: orZero(row.Row), Status: orZero(row.Status)}
		for _, e := range orZero(row.Errors) {
			got.Errors = append(got.Errors, cellError{orZero(e.Row), orZero(e.Column), orZero(e.Title), orZero(e.Message)})
		}
		rep.Rows = append(rep.Rows, got)
	}
	return rep
}

// Exporting a register and importing it into an empty one reproduces its summary; a dry run
// writes nothing and a second run creates nothing.
func TestExportedRegisterImportsIntoAnEmptyOneWithTheSameSummary(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		source := testenv.Start(t, backend)
		kept(t, source.As(auth.Staff))
		want := summaryOf2024(t, source.As(auth.Admin))
		if want.Visits != 5 || want.Cases != 4 {
			t.Fatalf("the register kept: %+v", want)
		}
		for _, format := range []string{"xlsx", "csv"} {
			file := source.As(auth.Admin).Get("/api/v1/exports/register?period=2024&format=" + format)
			if file.Status != http.StatusOK {
				t.Fatal(file)
			}
			t.Run(format, func(t *testing.T) {
				target := testenv.Start(t, backend)
				staff := target.As(auth.Staff)
				empty := summaryOf2024(t, target.As(auth.Admin))

				dry := importFile(t, staff, "", "so-tiep-cong-dan."+format, file.Body)
				if !orZero(dry.DryRun) || dry.Totals.Rows != 5 || dry.Totals.Created+dry.Totals.Linked != 5 || len(dry.Rows) != 5 {
					t.Errorf("a dry run reports every row: %+v", dry)
				}
				if got := summaryOf2024(t, target.As(auth.Admin)); !reflect.DeepEqual(got, empty) {
					t.Errorf("a dry run wrote: %+v", got)
				}
				if got := staff.ListAll("/api/v1/persons", 50); len(got) != 0 {
					t.Errorf("a dry run registered persons: %v", got)
				}

				done := importFile(t, staff, "?dry_run=false", "so-tiep-cong-dan."+format, file.Body)
				if done.DryRun == nil || *done.DryRun || done.Totals.Created+done.Totals.Linked != 5 || done.Totals.Errors != 0 {
					t.Fatalf("the import: %+v", done)
				}
				// Lan's second visit finds her by her ID number
				if done.Rows[2].Status != "linked" {
					t.Errorf("a person already imported is linked, not registered again: %+v", done.Rows)
				}
				if got := summaryOf2024(t, target.As(auth.Admin)); !reflect.DeepEqual(got, want) {
					t.Errorf("the imported register's summary:\n got %+v\nwant %+v", got, want)
				}
				if got := staff.ListAll("/api/v1/persons?q="+urlQuery("045175001234"), 50); len(got) != 1 {
					t.Errorf("one person per ID number: %v", got)
				}

				again := importFile(t, staff, "?dry_run=false", "so-tiep-cong-dan."+format, file.Body)
				if again.Totals.Skipped != 5 || again.Totals.Created+again.Totals.Linked != 0 {
					t.Errorf("a second run creates nothing: %+v", again.Totals)
				}
				if got := summaryOf2024(t, target.As(auth.Admin)); !reflect.DeepEqual(got, want) {
					t.Errorf("after a second run: %+v", got)
				}
			})
		}
	})
}

// registerCSVHeader is the header of a register kept as CSV, in the export's columns.
const registerCSVHeader = "STT;Ngày tiếp;Họ tên - Địa chỉ;Số CCCD/CMND/Hộ chiếu;Nội dung vụ việc;Phân loại đơn / Số người;Cơ quan đã giải quyết;Hướng xử lý;Theo dõi kết quả;Ghi chú\n"

// A row that cannot be imported is reported with its row and column, the others are imported,
// and the failed rows come back as a file to fix and import again.
func TestImportErrorsNameRowAndColumn(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		csv := registerCSVHeader +
			"1;05/03/2024;Nguyễn Văn An - thôn 1;;Khiếu nại về đền bù;Khiếu nại / 1;;Thụ lý;;\n" +
			"2;31/02/2024;Trần Thị Bình - thôn 2;;Kiến nghị làm đường;Kiến nghị / 1;;Trả lời trực tiếp;;\n"
		rep := importFile(t, staff, "?dry_run=false", "so.csv", []byte(csv))
		if rep.Totals.Created != 1 || rep.Totals.Errors != 1 || rep.Rows[1].Status != "error" {
			t.Fatalf("one row imported, one refused: %+v", rep)
		}
		e := rep.Rows[1].Errors[0]
		if rep.Rows[1].Row != 3 || e.Row != 3 || e.Column != "B" || e.Title != "Ngày tiếp" || !strings.Contains(e.Message, "31/02/2024") {
			t.Errorf("the error names the row and the column: %+v", rep.Rows[1])
		}
		r := postFile(staff, "/api/v1/imports?report=failures", "so.csv", "text/csv", []byte(csv))
		text := string(r.Body)
		if r.Status != http.StatusOK || !strings.Contains(text, "Trần Thị Bình") || strings.Contains(text, "Nguyễn Văn An") || !strings.Contains(text, "Lỗi cần sửa") {
			t.Errorf("the failed rows' file: %s", r)
		}
		fixed := strings.Replace(text, "31/02/2024", "29/02/2024", 1)
		if rep := importFile(t, staff, "?dry_run=false", "so-sua.csv", []byte(fixed)); rep.Totals.Created != 1 || rep.Totals.Errors != 0 {
			t.Errorf("the fixed file imports as it is: %+v", rep)
		}
		if r := postFile(staff, "/api/v1/imports", "anh.csv", "text/csv", []byte("a;b;c\n1;2;3\n")); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
			t.Errorf("a file without the register's columns: want 422, got %s", r)
		}
		if r := postFile(env.As(auth.Auditor), "/api/v1/imports", "so.csv", "text/csv", []byte(csv)); r.Status != http.StatusForbidden {
			t.Errorf("an auditor imports: %s", r)
		}
	})
}

// A file that breaks off mid-way (here a row that is not UTF-8 text, as a spreadsheet saved in
// another encoding writes it) is refused naming the file and the row, and the rows before the
// fault are imported, as a second run of the fixed file expects: it skips them.
func TestImportOfAFileBrokenMidwayKeepsTheRowsBefore(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		// past the rows the parser reads to find the header, which it refuses whole
		var good strings.Builder
		good.WriteString(registerCSVHeader)
		for i := range 40 {
			fmt.Fprintf(&good, "%d;%02d/03/2024;Nguyễn Văn An - thôn %d;;Khiếu nại về đền bù;Khiếu nại / 1;;Thụ lý;;\n", i+1, 1+i%28, i)
		}
		broken := good.String() + "41;07/03/2024;Tr\xe2n Th\xec B\xecnh - th\xf4n 2;;Kiến nghị làm đường;Kiến nghị / 1;;Trả lời trực tiếp;;\n"
		r := postFile(staff, "/api/v1/imports?dry_run=false", "so.csv", "text/csv", []byte(broken))
		if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !strings.Contains(string(r.Body), `"file"`) ||
			!strings.Contains(string(r.Body), "row 42") {
			t.Fatalf("a file broken at its 42nd row: want a 422 naming the file and the row, got %s", r)
		}
		if got := staff.ListAll("/api/v1/visits", 50); len(got) != 40 {
			t.Errorf("the rows before the fault are imported: %d visits", len(got))
		}
		if rep := importFile(t, staff, "?dry_run=false", "so.csv", []byte(good.String())); rep.Totals.Skipped != 40 || rep.Totals.Created != 0 {
			t.Errorf("a second run skips the rows imported before the fault: %+v", rep.Totals)
		}
	})
}

// Persons without an ID number come back in a later register and are found by the duplicate
// matcher, each as the same citizen: eighty of them, more than one statement reads the
// candidates of (a batch reads the candidates of all its persons of one kind together).
func TestImportFindsReturningPersonsWithoutAnIDNumber(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"}
		givens := []string{"An", "Bình", "Cường", "Dũng", "Hải", "Long", "Nam", "Sơn"}
		register := func(month int, matter string) []byte {
			var csv strings.Builder
			csv.WriteString(registerCSVHeader)
			for i := range 80 {
				fmt.Fprintf(&csv, "%d;%02d/%02d/2024;%s Văn %s - thôn %d, xã Gio Mỹ;;%s %d;Kiến nghị / 1;;Trả lời trực tiếp;;\n",
					i+1, 1+i%20, month, families[i%10], givens[i/10], i+1, matter, i)
			}
			return []byte(csv.String())
		}
		first := importFile(t, staff, "?dry_run=false", "thang3.csv", register(3, "Kiến nghị sửa đường liên thôn"))
		if first.Totals.Created != 80 {
			t.Fatalf("the first register: %+v", first.Totals)
		}
		again := importFile(t, staff, "?dry_run=false", "thang4.csv", register(4, "Kiến nghị về điện chiếu sáng"))
		if again.Totals.Linked != 80 || again.Totals.Created != 0 {
			t.Errorf("every citizen of the later register is found: %+v", again.Totals)
		}
		persons := staff.ListAll("/api/v1/persons", 100)
		if len(persons) != 80 {
			t.Fatalf("one person per citizen: %d", len(persons))
		}
		for _, p := range persons {
			if got := staff.ListAll("/api/v1/visits?person_id="+p["id"].(string), 10); len(got) != 2 {
				t.Errorf("%v: %d visits, want one in each register", p["full_name"], len(got))
			}
		}
	})
}

// Rows are imported in batches: a row the register's own rules refuse (here a visit dated ahead,
// which the file's columns cannot tell) fails alone, the rows around it in the same batch are
// imported, and it goes to the failed-rows file with what the register said.
func TestImportRowRefusedByTheRegisterFailsAlone(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		csv := registerCSVHeader +
			"1;05/03/2024;Nguyễn Văn An - thôn 1;;Khiếu nại về đền bù;Khiếu nại / 1;;Thụ lý;;\n" +
			"2;05/03/2099;Trần Thị Bình - thôn 2;;Kiến nghị làm đường;Kiến nghị / 1;;Trả lời trực tiếp;;\n" +
			"3;06/03/2024;Lê Văn Cường - thôn 3;;Phản ánh ô nhiễm;Phản ánh / 1;;Trả lời trực tiếp;;\n"
		rep := importFile(t, staff, "?dry_run=false", "so.csv", []byte(csv))
		if rep.Totals.Created != 2 || rep.Totals.Errors != 1 || rep.Rows[1].Status != "error" || len(rep.Rows[1].Errors) == 0 ||
			rep.Rows[1].Errors[0].Row != 3 {
			t.Fatalf("the rows around the refused one are imported: %+v", rep)
		}
		if got := staff.ListAll("/api/v1/visits", 50); len(got) != 2 {
			t.Errorf("the refused row wrote nothing, the others are recorded: %d visits", len(got))
		}
		if got := staff.ListAll("/api/v1/persons?q="+urlQuery("Trần Thị Bình"), 50); len(got) != 0 {
			t.Errorf("the refused row's person was rolled back with it: %v", got)
		}
		r := postFile(staff, "/api/v1/imports?report=failures", "so.csv", "text/csv", []byte(csv))
		text := string(r.Body)
		if r.Status != http.StatusOK || !strings.Contains(text, "Trần Thị Bình") || !strings.Contains(text, "2099") ||
			strings.Contains(text, "Nguyễn Văn An") {
			t.Errorf("the failed rows' file holds the refused row with the register's reason: %s", r)
		}
	})
}

// A batch is written in bulk; when the database refuses it (here a rule of the database's own,
// which no check of the import knows), the batch is rolled back and imported again row by row:
// only the row the database refuses fails, with the database's reason, and the others are
// recorded once each.
func TestImportRowRefusedByTheDatabaseFailsAlone(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		refuse := []string{`CREATE TRIGGER refuse_visit BEFORE INSERT ON visits WHEN NEW.note = 'từ chối' BEGIN
			SELECT RAISE(ABORT, 'the note is refused'); END`}
		if backend == "postgres" {
			refuse = []string{`CREATE FUNCTION refuse_visit() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.note = 'từ chối' THEN RAISE EXCEPTION 'the note is refused'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER refuse_visit BEFORE INSERT ON visits FOR EACH ROW EXECUTE FUNCTION refuse_visit()`}
		}
		for _, q := range refuse {
			if err := env.App.Store.DB.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		csv := registerCSVHeader +
			"1;05/03/2024;Nguyễn Văn An - thôn 1;;Khiếu nại về đền bù;Khiếu nại / 1;;Thụ lý;;\n" +
			"2;05/03/2024;Trần Thị Bình - thôn 2;;Kiến nghị làm đường;Kiến nghị / 1;;Trả lời trực tiếp;;từ chối\n" +
			"3;06/03/2024;Nguyễn Văn An - thôn 1;;Khiếu nại về đền bù;Khiếu nại / 1;;Đôn đốc;;\n"
		rep := importFile(t, staff, "?dry_run=false", "so.csv", []byte(csv))
		if rep.Totals.Created+rep.Totals.Linked != 2 || rep.Totals.Errors != 1 || rep.Rows[1].Status != "error" ||
			len(rep.Rows[1].Errors) != 1 || rep.Rows[1].Errors[0].Row != 3 || !strings.Contains(rep.Rows[1].Errors[0].Message, "the note is refused") {
			t.Fatalf("the row the database refuses fails alone: %+v", rep)
		}
		if got := staff.ListAll("/api/v1/visits", 50); len(got) != 2 {
			t.Errorf("the other rows are recorded once each: %d visits", len(got))
		}
		if got := staff.ListAll("/api/v1/persons", 50); len(got) != 1 {
			t.Errorf("the refused row's person was rolled back, the others registered once: %v", got)
		}
		if got := testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases", 50); len(got) != 1 || !strings.HasSuffix(got[0].Code, "-000001") {
			t.Errorf("one case, numbered without a gap: %+v", got)
		}
	})
}
