package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
	"github.com/tcd-registry/tcd/internal/testenv/pdftotext"
)

// provincialBoard adds "Ban Tiếp công dân tỉnh Quảng Trị" (code BTCD) under the default
// organisation and answers a staff client of it.
func provincialBoard(t *testing.T, env *testenv.Env) *testenv.Client {
	t.Helper()
	admin := env.As(auth.Admin)
	root := testenv.GetAs[apiclient.HttpapiOrgList](admin, "/api/v1/orgs").Items[0].ID
	admin.Create("/api/v1/orgs", map[string]any{"code": "BTCD", "name": "Ban Tiếp công dân tỉnh Quảng Trị", "parent_id": root})
	return env.Client(env.Token(auth.Staff, "BTCD"))
}

// citizenVisit records a visit of Nguyễn Thị Hường about a land matter of category.
func citizenVisit(c *testenv.Client, category string) apiclient.RegistryCreatedVisit {
	session := newSession(c, "regular", "2024-02-28")
	return testenv.CreateAs[apiclient.RegistryCreatedVisit](c, "/api/v1/visits", map[string]any{"session_id": session,
		"case": map[string]any{"title": "Khiếu nại việc thu hồi đất ở tại thửa số 112, tờ bản đồ số 7", "category": category, "field": "land"},
		"persons": []any{map[string]any{"full_name": "Nguyễn Thị Hường", "gender": "female", "id_number": "045175001234",
			"address": "thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng", "phone": "0912345678"}}})
}

var signer = map[string]any{"authority": "KT. Trưởng ban", "title": "Phó Trưởng ban", "name": "Lê Quang Đức"}

// documentBodies are a request for each kind with what it needs, and what its PDF must say
// beyond the letterhead.
var documentBodies = []struct {
	kind string
	body map[string]any
	says []string
}{
	{"receipt", map[string]any{"items": []string{"Đơn khiếu nại đề ngày 20/02/2024 (02 trang)", "Bản sao Giấy chứng nhận quyền sử dụng đất"}},
		[]string{"GIẤY BIÊN NHẬN", "Ban Tiếp công dân tỉnh Quảng Trị đã nhận của:", "Họ và tên: Nguyễn Thị Hường",
			"Số CCCD/CMND/Hộ chiếu: 045175001234", "Địa chỉ: thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng",
			"Số điện thoại: 0912345678", "Ngày nhận: 28/02/2024", "1. Đơn khiếu nại đề ngày 20/02/2024 (02 trang)",
			"2. Bản sao Giấy chứng nhận quyền sử dụng đất"}},
	{"appointment", map[string]any{"appointment_at": "2024-03-12T14:30", "venue": "Trụ sở Tiếp công dân tỉnh, số 45 đường Hùng Vương"},
		[]string{"PHIẾU HẸN", "Ban Tiếp công dân tỉnh Quảng Trị hẹn bà Nguyễn Thị Hường, địa chỉ: thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng đến làm việc",
			"Thời gian: 14 giờ 30 phút, ngày 12/03/2024.", "Địa điểm: Trụ sở Tiếp công dân tỉnh, số 45 đường Hùng Vương."}},
	{"guidance", map[string]any{"addressee": "Ủy ban nhân dân huyện Hải Lăng"},
		[]string{"PHIẾU HƯỚNG DẪN", "Ngày 28/02/2024, Ban Tiếp công dân tỉnh Quảng Trị đã tiếp nhận đơn",
			"hướng dẫn bà Nguyễn Thị Hường gửi đơn đến Ủy ban nhân dân huyện Hải Lăng"}},
	{"transfer", map[string]any{"addressee": "Ủy ban nhân dân huyện Hải Lăng"},
		[]string{"PHIẾU CHUYỂN ĐƠN", "Kính gửi: Ủy ban nhân dân huyện Hải Lăng",
			"chuyển đơn đến Ủy ban nhân dân huyện Hải Lăng để xem xét, giải quyết theo thẩm quyền"}},
	{"refusal", map[string]any{"ground": "disorderly", "reason": "Bà đã nhiều lần lớn tiếng, xúc phạm cán bộ tiếp dân"},
		[]string{"THÔNG BÁO", "Về việc từ chối tiếp công dân", "vì thuộc trường hợp quy định tại khoản 2 Điều 9 Luật Tiếp công dân",
			"Cụ thể: Bà đã nhiều lần lớn tiếng, xúc phạm cán bộ tiếp dân."}},
	{"acceptance", map[string]any{"accepted": false, "reason": "Đơn đã quá thời hiệu khiếu nại"},
		[]string{"THÔNG BÁO", "Về việc không thụ lý giải quyết đơn", "thông báo không thụ lý giải quyết đơn của bà Nguyễn Thị Hường.",
			"Lý do: Đơn đã quá thời hiệu khiếu nại."}},
}

// issueBody is a request for a document of kind about visit, issued on 5 March 2024.
func issueBody(kind, visit string, fields map[string]any) map[string]any {
	body := map[string]any{"kind": kind, "visit_id": visit, "issued_on": "2024-03-05", "signer": signer,
		"recipients": []string{"Thanh tra tỉnh (để biết)"}, "content": "Kèm theo 05 trang tài liệu photo."}
	for k, v := range fields {
		body[k] = v
	}
	return body
}

func issue(c *testenv.Client, body map[string]any) apiclient.RegistryDocument {
	return testenv.CreateAs[apiclient.RegistryDocument](c, "/api/v1/documents", body)
}

// pdfText reads a document's PDF through the API and answers its text with every run of white
// space as one space; the PDF's bytes must be those the record's sha256 and size describe.
func pdfText(t *testing.T, c *testenv.Client, doc apiclient.RegistryDocument) string {
	t.Helper()
	r := c.Get("/api/v1/documents/" + doc.ID + "/file")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the PDF of %v: %s", doc.Reference, r)
	}
	sum := sha256.Sum256(r.Body)
	if hex.EncodeToString(sum[:]) != doc.Sha256 || len(r.Body) != doc.Size {
		t.Errorf("%v: the PDF read is not the one issued (sha256 %v, size %v; read %d bytes)", doc.Reference, doc.Sha256, doc.Size, len(r.Body))
	}
	return strings.Join(strings.Fields(pdftotext.Extract(t, r.Body)), " ")
}

func TestEveryDocumentKindIsIssuedNumberedAndReadsExactly(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := provincialBoard(t, env)
		visit := citizenVisit(staff, "complaint")
		vid, person := visit.ID, visit.PersonIds[0]

		series := map[string]int{}
		for _, k := range documentBodies {
			doc := issue(staff, issueBody(k.kind, vid, k.body))
			symbol := map[string]string{"receipt": "BN", "appointment": "PH", "guidance": "HD", "transfer": "PC", "refusal": "TB", "acceptance": "TB"}[k.kind]
			series[symbol]++
			ref := fmt.Sprintf("%02d/%s-BTCD", series[symbol], symbol)
			if doc.Reference != ref || string(doc.Kind) != k.kind || doc.PersonID != person || orZero(doc.CaseID) != visit.CaseID || doc.IssuedOn.String() != "2024-03-05" {
				t.Errorf("%s: want %s about the visit's citizen and case, got %+v", k.kind, ref, doc)
			}
			got := pdfText(t, staff, doc)
			want := append([]string{"BAN TIẾP CÔNG DÂN", "BAN TIẾP CÔNG DÂN TỈNH QUẢNG TRỊ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
				"Độc lập - Tự do - Hạnh phúc", "Số: " + ref, "Quảng Trị, ngày 05 tháng 3 năm 2024", "Kèm theo 05 trang tài liệu photo.",
				"KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Lê Quang Đức", "Khiếu nại việc thu hồi đất ở tại thửa số 112, tờ bản đồ số 7"}, k.says...)
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s: the PDF does not say %q; it says:\n%s", k.kind, w, got)
				}
			}
		}
		if series["TB"] != 2 {
			t.Fatalf("both notices are of the TB series: %v", series)
		}

		// every read of a PDF is audited; the record lists by visit, newest first
		listed := testenv.ListAllAs[apiclient.RegistryDocument](staff, "/api/v1/documents?visit_id="+vid, 50)
		if len(listed) != len(documentBodies) || listed[0].Kind != "acceptance" {
			t.Fatalf("the visit's documents, newest first: %+v", listed)
		}
		reads := testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Admin), "/api/v1/audit?entity=document&entity_id="+listed[0].ID, 50)
		if len(reads) != 2 || reads[0].Action != "read" || reads[1].Action != "create" {
			t.Errorf("issuing and reading the PDF are audited: %+v", reads)
		}

		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown kind", issueBody("certificate", vid, nil), "kind"},
			{"no signer", map[string]any{"kind": "guidance", "visit_id": vid, "addressee": "UBND huyện"}, "signer.title"},
			{"appointment without venue", issueBody("appointment", vid, map[string]any{"appointment_at": "2024-03-12T14:30"}), "venue"},
			{"appointment at no time", issueBody("appointment", vid, map[string]any{"appointment_at": "12/03/2024", "venue": "Trụ sở"}), "appointment_at"},
			{"refusal without ground", issueBody("refusal", vid, nil), "ground"},
			{"refusal on a ground not in the law", issueBody("refusal", vid, map[string]any{"ground": "busy"}), "ground"},
			{"acceptance saying neither", issueBody("acceptance", vid, nil), "accepted"},
			{"receipt of nothing", issueBody("receipt", vid, nil), "items"},
			{"about nothing", map[string]any{"kind": "guidance", "addressee": "UBND huyện", "signer": signer}, "visit_id"},
			{"unknown visit", issueBody("guidance", "no-such-visit", map[string]any{"addressee": "UBND huyện"}), "visit_id"},
			{"someone else", issueBody("guidance", vid, map[string]any{"addressee": "UBND huyện", "person_id": newCase(staff, "Khác")}), "person_id"},
			{"impossible day", issueBody("guidance", vid, map[string]any{"addressee": "UBND huyện", "issued_on": "2024-02-30"}), "issued_on"},
		}
		for _, b := range bad {
			if r := staff.Post("/api/v1/documents", b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
			}
		}
		if r := env.As(auth.Agency).Get("/api/v1/documents"); r.Status != http.StatusForbidden {
			t.Errorf("the agency role reads no personal data: %s", r)
		}
		// the default organisation's name has no place name in it: the clerk must give one
		unplaced := citizenVisit(env.As(auth.Staff), "complaint").ID
		if r := env.As(auth.Staff).Post("/api/v1/documents", issueBody("guidance", unplaced, map[string]any{"addressee": "UBND huyện"})); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("place") {
			t.Errorf("no place name to date the document with: want 422 naming place, got %s", r)
		}
		doc := issue(env.As(auth.Staff), issueBody("guidance", unplaced, map[string]any{"addressee": "UBND huyện", "place": "Đông Hà"}))
		if got := pdfText(t, env.As(auth.Staff), doc); !strings.Contains(got, "Đông Hà, ngày 05 tháng 3 năm 2024") || !strings.Contains(got, "Số: 01/HD-TCD") {
			t.Errorf("the place given dates the document: %s", got)
		}
	})
}

// Concurrent issues of one series take 1, 2, 3, … without a gap or a repeat; a correction takes
// the next number and voids the document it replaces, which keeps its own; a new year starts a
// new series.
func TestDocumentNumbersRunWithoutGapsUnderConcurrentIssue(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := provincialBoard(t, env)
		vid := citizenVisit(staff, "complaint").ID
		const n = 8
		var wg sync.WaitGroup
		answers := make([]*testenv.Response, n)
		for i := range n {
			wg.Go(func() {
				body := issueBody("appointment", vid, map[string]any{"appointment_at": "2024-03-12T14:30", "venue": fmt.Sprintf("Phòng %d", i)})
				answers[i] = staff.Post("/api/v1/documents", body)
			})
		}
		wg.Wait()
		refs := make([]string, n)
		for i, r := range answers {
			if r.Status != http.StatusCreated {
				t.Fatalf("issue %d: %s", i, r)
			}
			refs[i] = testenv.Decode[apiclient.RegistryDocument](t, r).Reference
		}
		slices.Sort(refs)
		for i, ref := range refs {
			if want := fmt.Sprintf("%02d/PH-BTCD", i+1); ref != want {
				t.Fatalf("the numbers issued concurrently: %v, want 01 to %02d", refs, n)
			}
		}

		old := testenv.ListAllAs[apiclient.RegistryDocument](staff, "/api/v1/documents?kind=appointment", 50)[0]
		fix := issue(staff, issueBody("appointment", vid, map[string]any{"appointment_at": "2024-03-13T08:00",
			"venue": "Phòng tiếp dân số 2", "replaces": old.ID}))
		if fix.Reference != fmt.Sprintf("%02d/PH-BTCD", n+1) || orZero(fix.Replaces) != old.ID {
			t.Errorf("a correction is the next number, naming what it replaces: %+v", fix)
		}
		voided := testenv.GetAs[apiclient.RegistryDocument](staff, "/api/v1/documents/"+old.ID+"?include_voided=true")
		if voided.VoidedAt == nil || voided.Reference != old.Reference || !strings.Contains(orZero(voided.VoidReason), fix.Reference) {
			t.Errorf("the replaced document is voided and keeps its number: %+v", voided)
		}
		if r := staff.Get("/api/v1/documents/" + old.ID); r.Status != http.StatusNotFound {
			t.Errorf("a voided document is read with include_voided only: %s", r)
		}
		if r := staff.Post("/api/v1/documents", issueBody("guidance", vid, map[string]any{"addressee": "UBND", "replaces": fix.ID})); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("replaces") {
			t.Errorf("a correction is of the same kind: %s", r)
		}
		if r := staff.Post("/api/v1/documents", issueBody("appointment", vid, map[string]any{"appointment_at": "2024-03-13T08:00", "venue": "P2", "replaces": old.ID})); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("replaces") {
			t.Errorf("a voided document cannot be replaced again: %s", r)
		}
		next := issue(staff, issueBody("appointment", vid, map[string]any{"appointment_at": "2025-01-12T08:00", "venue": "P2", "issued_on": "2025-01-02"}))
		if next.Reference != "01/PH-BTCD" {
			t.Errorf("a new year starts the series again: %v", next.Reference)
		}
		if r := staff.Patch("/api/v1/documents/"+fix.ID, map[string]any{"venue": "elsewhere"}); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("an issued document cannot be changed: %s", r)
		}
	})
}

// A document naming a denouncer is as secret as the denouncer: only the admins and the staff of
// the denunciation's organisation find it, its record or its PDF.
func TestDenunciationDocumentsAreHidden(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		staffA := env.Client(env.Token(auth.Staff, "A"))
		visit := citizenVisit(staffA, "denunciation")
		doc := issue(staffA, issueBody("receipt", visit.ID, map[string]any{"items": []string{"Đơn tố cáo"}}))
		path := "/api/v1/documents/" + doc.ID
		if got := pdfText(t, staffA, doc); !strings.Contains(got, "Họ và tên: Nguyễn Thị Hường") || !strings.Contains(got, "Số: 01/BN-A") {
			t.Errorf("the staff of A read their receipt: %s", got)
		}
		if r := env.As(auth.Admin).Get(path + "/file"); r.Status != http.StatusOK {
			t.Errorf("an admin reads it: %s", r)
		}
		for who, c := range map[string]*testenv.Client{
			"staff of the parent":          env.Client(env.Token(auth.Staff, "TCD")),
			"unscoped staff (default org)": env.As(auth.Staff),
			"auditor":                      env.As(auth.Auditor),
			"staff of B":                   env.Client(env.Token(auth.Staff, "B")),
		} {
			for _, p := range []string{path, path + "/file"} {
				if r := c.Get(p); r.Status != http.StatusNotFound || !r.IsProblem() {
					t.Errorf("%s reads %s: %s", who, p, r)
				}
			}
			if got := testenv.ListAllAs[apiclient.RegistryDocument](c, "/api/v1/documents", 50); len(got) != 0 {
				t.Errorf("%s lists it: %v", who, idsOf(got))
			}
			if r := c.Post("/api/v1/documents", issueBody("receipt", visit.ID, map[string]any{"items": []string{"Đơn"},
				"person_id": visit.PersonIds[0]})); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusForbidden {
				t.Errorf("%s issues a document naming the denouncer: %s", who, r)
			}
		}
		// a document about a complaint is read across the organisation's parent as its visit is
		complaint := citizenVisit(staffA, "complaint")
		open := issue(staffA, issueBody("receipt", complaint.ID, map[string]any{"items": []string{"Đơn"}}))
		if r := env.Client(env.Token(auth.Staff, "TCD")).Get("/api/v1/documents/" + open.ID); r.Status != http.StatusOK {
			t.Errorf("the parent's staff read a complaint's receipt: %s", r)
		}
	})
}

// Form 01/TCD as a PDF carries, row by row, the figures of the report workbook's sheet.
func TestForm01PDFHasTheWorkbooksFigures(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := provincialBoard(t, env)
		for i, category := range []string{"complaint", "denunciation", "petition", "feedback", "complaint"} {
			session := newSession(staff, []string{"regular", "periodic"}[i%2], fmt.Sprintf("2024-0%d-1%d", i+1, i))
			staff.Create("/api/v1/visits", map[string]any{"session_id": session, "headcount": 1 + 3*i,
				"case":    map[string]any{"title": fmt.Sprintf("Vụ việc %d", i), "category": category, "field": "land"},
				"persons": []any{map[string]any{"full_name": fmt.Sprintf("Công Dân %d", i)}}})
		}
		r := staff.Get("/api/v1/exports/report?period=2024&format=xlsx")
		wb, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("the workbook: %v (%s)", err, r)
		}
		rows, err := wb.GetRows("Biểu 01-TCD")
		if err != nil {
			t.Fatal(err)
		}
		var fromXLSX [][]string
		for _, row := range rows {
			if nums, ok := form01Figures(row); ok {
				fromXLSX = append(fromXLSX, nums)
			}
		}
		r = staff.Get("/api/v1/exports/report?period=2024&format=pdf")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("the PDF: %s", r)
		}
		text := pdftotext.Extract(t, r.Body, "-layout")
		var fromPDF [][]string
		for _, line := range strings.Split(text, "\n") {
			if nums, ok := form01Figures(strings.Fields(line)); ok {
				fromPDF = append(fromPDF, nums)
			}
		}
		if len(fromXLSX) < 3 || !slices.EqualFunc(fromPDF, fromXLSX, slices.Equal) {
			t.Errorf("the PDF's figures differ from the workbook's:\nPDF  %v\nXLSX %v", fromPDF, fromXLSX)
		}
		flat := strings.Join(strings.Fields(text), " ")
		for _, w := range []string{"Biểu số: 01/TCD", "BAN TIẾP CÔNG DÂN TỈNH QUẢNG TRỊ", "Quảng Trị, ngày", "Tổng cộng"} {
			if !strings.Contains(flat, w) {
				t.Errorf("the PDF does not say %q:\n%s", w, flat)
			}
		}
		unscoped := env.As(auth.Agency)
		if r := unscoped.Get("/api/v1/exports/report?period=2024&format=pdf"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("place") {
			t.Errorf("the default organisation names no place: want 422 naming place, got %s", r)
		}
		if r := unscoped.Get("/api/v1/exports/report?period=2024&format=pdf&place=" + urlQuery("Đông Hà")); r.Status != http.StatusOK ||
			!strings.Contains(strings.Join(strings.Fields(pdftotext.Extract(t, r.Body)), " "), "Đông Hà, ngày") {
			t.Errorf("the place given dates the form: %s", r)
		}
	})
}

// form01Figures reads the last 29 cells of a table row (the Form 01 figures); ok is false for
// a row that does not end in 29 numbers.
func form01Figures(cells []string) ([]string, bool) {
	const columns = 29
	if len(cells) < columns {
		return nil, false
	}
	tail := cells[len(cells)-columns:]
	for _, c := range tail {
		if _, err := strconv.Atoi(c); err != nil {
			return nil, false
		}
	}
	return tail, true
}
