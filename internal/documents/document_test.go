package documents

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/testenv/pdftotext"
)

var (
	issued   = time.Date(2024, time.March, 5, 0, 0, 0, 0, time.UTC)
	received = time.Date(2024, time.February, 28, 0, 0, 0, 0, time.UTC)
)

// sample is a document of kind k with every field its kind prints. The citizen's name comes in
// decomposed form (NFD), as some keyboards type it: the PDF must still say it in NFC.
func sample(k Kind) *Document {
	return &Document{
		Kind: k,
		Issuer: Issuer{Parent: "Ủy ban nhân dân tỉnh Quảng Trị", Name: "Ban Tiếp công dân tỉnh",
			Symbol: "BTCD", Place: "Quảng Trị"},
		Number: 5,
		Date:   issued,
		Person: Person{FullName: norm.NFD.String("Nguyễn Thị Hường"), Gender: "female", IDNumber: "045175001234",
			Address: "thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng", Phone: "0912345678"},
		CaseTitle:     "Khiếu nại việc thu hồi đất ở tại thửa số 112, tờ bản đồ số 7",
		Content:       "Kèm theo 05 trang tài liệu photo.",
		ReceivedOn:    received,
		Items:         []string{"Đơn khiếu nại đề ngày 20/02/2024 (02 trang)", "Bản sao Giấy chứng nhận quyền sử dụng đất"},
		AppointmentAt: time.Date(2024, time.March, 12, 14, 30, 0, 0, time.UTC),
		Venue:         "Trụ sở Tiếp công dân tỉnh, số 45 đường Hùng Vương, thành phố Đông Hà",
		Addressee:     "Ủy ban nhân dân huyện Hải Lăng",
		Ground:        GroundDisorderly,
		Accepted:      true,
		Reason:        "Ông đã nhiều lần lớn tiếng, xúc phạm cán bộ tiếp dân",
		Signer:        Signer{Authority: "KT. Trưởng ban", Title: "Phó Trưởng ban", Name: "Lê Quang Đức"},
		Recipients:    []string{"Thanh tra tỉnh (để biết)", "Bà Nguyễn Thị Hường"},
	}
}

// kindPhrases are what each kind must print beyond the letterhead and signatures.
var kindPhrases = map[Kind][]string{
	Receipt: {"GIẤY BIÊN NHẬN", "Về việc tiếp nhận đơn, thông tin, tài liệu, chứng cứ", "Ban Tiếp công dân tỉnh đã nhận của:",
		"Họ và tên: Nguyễn Thị Hường", "Số CCCD/CMND/Hộ chiếu: 045175001234",
		"Địa chỉ: thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng", "Số điện thoại: 0912345678", "Ngày nhận: 28/02/2024",
		"1. Đơn khiếu nại đề ngày 20/02/2024 (02 trang)", "2. Bản sao Giấy chứng nhận quyền sử dụng đất",
		"NGƯỜI NỘP", "(Ký, ghi rõ họ tên)"},
	Appointment: {"PHIẾU HẸN", "Ban Tiếp công dân tỉnh hẹn bà Nguyễn Thị Hường, địa chỉ: thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng đến làm việc",
		"Thời gian: 14 giờ 30 phút, ngày 12/03/2024.",
		"Địa điểm: Trụ sở Tiếp công dân tỉnh, số 45 đường Hùng Vương, thành phố Đông Hà.",
		"Khi đến, bà Nguyễn Thị Hường mang theo phiếu hẹn này và giấy tờ tùy thân."},
	Guidance: {"PHIẾU HƯỚNG DẪN", "Về việc hướng dẫn gửi đơn đến cơ quan có thẩm quyền", "Ngày 28/02/2024, Ban Tiếp công dân tỉnh đã tiếp nhận đơn",
		"không thuộc thẩm quyền giải quyết của Ban Tiếp công dân tỉnh",
		"hướng dẫn bà Nguyễn Thị Hường gửi đơn đến Ủy ban nhân dân huyện Hải Lăng để được xem xét, giải quyết"},
	Transfer: {"PHIẾU CHUYỂN ĐƠN", "Kính gửi: Ủy ban nhân dân huyện Hải Lăng", "- Như trên;",
		"chuyển đơn đến Ủy ban nhân dân huyện Hải Lăng để xem xét, giải quyết theo thẩm quyền"},
	Refusal: {"THÔNG BÁO", "Về việc từ chối tiếp công dân", "Căn cứ Điều 9 Luật Tiếp công dân năm 2013;",
		"Ngày 05/03/2024, bà Nguyễn Thị Hường, địa chỉ: thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng đến Ban Tiếp công dân tỉnh",
		"vì thuộc trường hợp quy định tại khoản 2 Điều 9 Luật Tiếp công dân: người có hành vi đe dọa, xúc phạm cơ quan",
		"Cụ thể: Ông đã nhiều lần lớn tiếng, xúc phạm cán bộ tiếp dân."},
	Acceptance: {"THÔNG BÁO", "Về việc thụ lý giải quyết đơn", "Sau khi xem xét, đơn đủ điều kiện thụ lý theo quy định của pháp luật.",
		"thông báo thụ lý giải quyết đơn của bà Nguyễn Thị Hường."},
}

// render renders d and returns the PDF and its text as pdftotext reads it, with every run of
// white space (line and column breaks included) as one space.
func render(t *testing.T, d *Document) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := d.Render(&buf); err != nil {
		t.Fatalf("render %s: %v", d.Kind, err)
	}
	if dir := os.Getenv("TCD_DOCUMENTS_OUT"); dir != "" { // to look at them: pdftoppm -png
		if err := os.WriteFile(filepath.Join(dir, string(d.Kind)+".pdf"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw := pdftotext.Extract(t, buf.Bytes())
	if !norm.NFC.IsNormalString(raw) {
		t.Errorf("%s: the extracted text is not NFC", d.Kind)
	}
	return buf.Bytes(), strings.Join(strings.Fields(raw), " ")
}

func TestEveryKindPrintsItsTextExactly(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			d := sample(k)
			_, got := render(t, d)
			want := []string{
				"ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "BAN TIẾP CÔNG DÂN TỈNH",
				"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
				"Số: 05/" + k.Symbol() + "-BTCD", "Quảng Trị, ngày 05 tháng 3 năm 2024",
				"Kèm theo 05 trang tài liệu photo.", "Lê Quang Đức",
			}
			if k != Refusal {
				want = append(want, "Khiếu nại việc thu hồi đất ở tại thửa số 112, tờ bản đồ số 7")
			}
			want = append(want, "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")
			if k != Receipt {
				want = append(want, "Nơi nhận:", "- Thanh tra tỉnh (để biết);", "- Bà Nguyễn Thị Hường;", "- Lưu: VT.")
			}
			want = append(want, kindPhrases[k]...)
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("the PDF does not say %q; it says:\n%s", w, got)
				}
			}
		})
	}
}

func TestReceiptSignersAreTheCitizenAndTheClerk(t *testing.T) {
	d := sample(Receipt)
	d.Signer = Signer{Title: "Người nhận", Name: "Trần Văn Bình"}
	_, got := render(t, d)
	for _, w := range []string{"NGƯỜI NỘP", "NGƯỜI NHẬN", "Trần Văn Bình"} {
		if !strings.Contains(got, w) {
			t.Errorf("the receipt does not say %q: %s", w, got)
		}
	}
	if strings.Contains(got, "Nơi nhận") {
		t.Errorf("a receipt has signatures, not a list of recipients: %s", got)
	}
}

func TestNotAcceptedNoticeSaysWhy(t *testing.T) {
	d := sample(Acceptance)
	d.Accepted = false
	d.Reason = "Đơn khiếu nại quá thời hiệu theo quy định tại Điều 9 Luật Khiếu nại"
	_, got := render(t, d)
	for _, w := range []string{"Về việc không thụ lý giải quyết đơn", "đơn không đủ điều kiện thụ lý",
		"thông báo không thụ lý giải quyết đơn của bà Nguyễn Thị Hường.",
		"Lý do: Đơn khiếu nại quá thời hiệu theo quy định tại Điều 9 Luật Khiếu nại."} {
		if !strings.Contains(got, w) {
			t.Errorf("the notice does not say %q: %s", w, got)
		}
	}
}

// vietnameseLetters are the 134 letters of the Vietnamese alphabet with every tone, lower and
// upper case: a board's documents can contain any of them.
func vietnameseLetters() string {
	var b strings.Builder
	for _, base := range []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"} {
		for _, tone := range []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"} {
			l := norm.NFC.String(base + tone)
			b.WriteString(l + strings.ToUpper(l) + " ")
		}
	}
	b.WriteString("đĐ")
	return b.String()
}

func TestEveryVietnameseLetterExtracts(t *testing.T) {
	letters := vietnameseLetters()
	if n := len([]rune(strings.ReplaceAll(letters, " ", ""))); n != 146 {
		t.Fatalf("the alphabet has %d letters here, want 146 (72 toned vowels twice, đ Đ)", n)
	}
	d := sample(Appointment)
	d.Content = letters
	_, got := render(t, d)
	if !strings.Contains(got, letters) {
		t.Errorf("the letters did not come back: want\n%s\nin\n%s", letters, got)
	}
}

func TestSameDocumentSameBytes(t *testing.T) {
	a, _ := render(t, sample(Transfer))
	b, _ := render(t, sample(Transfer))
	if !bytes.Equal(a, b) {
		t.Error("rendering the same document twice gave different files")
	}
}

func TestLongContentFlowsOntoASecondPage(t *testing.T) {
	d := sample(Guidance)
	d.Content = strings.Repeat("Công dân trình bày thêm nhiều tình tiết của vụ việc qua nhiều năm. ", 120)
	pdf, got := render(t, d)
	if n := bytes.Count(pdf, []byte("/Type /Page\n")); n < 2 {
		t.Errorf("long content fits %d page(s); want it to flow on", n)
	}
	if !strings.Contains(got, "Lê Quang Đức") {
		t.Error("the signer is missing after a page break")
	}
}

func TestReference(t *testing.T) {
	for _, c := range []struct {
		kind   Kind
		number int
		want   string
	}{{Appointment, 5, "05/PH-BTCD"}, {Refusal, 12, "12/TB-BTCD"}, {Acceptance, 123, "123/TB-BTCD"},
		{Receipt, 1, "01/BN-BTCD"}, {Guidance, 10, "10/HD-BTCD"}, {Transfer, 9, "09/PC-BTCD"}} {
		d := sample(c.kind)
		d.Number = c.number
		if got := d.Reference(); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.kind, c.number, got, c.want)
		}
	}
}

func TestPlaceDateFollowsDecree30(t *testing.T) {
	for _, c := range []struct {
		day  time.Time
		want string
	}{
		{time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC), "Huế, ngày 09 tháng 01 năm 2024"},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "Huế, ngày 29 tháng 02 năm 2024"},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "Huế, ngày 01 tháng 3 năm 2024"},
		{time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), "Huế, ngày 31 tháng 12 năm 2024"},
	} {
		if got := placeDate("Huế", c.day); got != c.want {
			t.Errorf("%s: %q, want %q", c.day.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestValidateNamesEveryMissingField(t *testing.T) {
	cases := []struct {
		kind  Kind
		clear func(d *Document)
		want  []string
	}{
		{Receipt, func(d *Document) { d.Items = nil; d.ReceivedOn = time.Time{} }, []string{"received_on", "items"}},
		{Receipt, func(d *Document) { d.Items = []string{"Đơn", " "} }, []string{"items[1]"}},
		{Appointment, func(d *Document) { d.AppointmentAt = time.Time{}; d.Venue = "" }, []string{"appointment_at", "venue"}},
		{Guidance, func(d *Document) { d.Addressee = ""; d.CaseTitle = "" }, []string{"case_title", "addressee"}},
		{Transfer, func(d *Document) { d.Addressee = " " }, []string{"addressee"}},
		{Refusal, func(d *Document) { d.Ground = "rude" }, []string{"ground"}},
		{Refusal, func(d *Document) { d.Ground = GroundOther; d.Reason = "" }, []string{"reason"}},
		{Acceptance, func(d *Document) { d.Accepted = false; d.Reason = "" }, []string{"reason"}},
		{Appointment, func(d *Document) {
			d.Issuer = Issuer{}
			d.Number = 0
			d.Date = time.Time{}
			d.Person.FullName = ""
			d.Signer = Signer{}
		}, []string{"issuer.name", "issuer.symbol", "issuer.place", "number", "date", "person.full_name", "signer.title", "signer.name"}},
		{"memo", func(*Document) {}, []string{"kind"}},
	}
	for _, c := range cases {
		d := sample(c.kind)
		c.clear(d)
		err := d.Render(&bytes.Buffer{})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
			t.Errorf("%s %v: got %v, want a validation error", c.kind, c.want, err)
			continue
		}
		var got []string
		for _, f := range ae.Fields {
			got = append(got, f.Field)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: fields %v, want %v", c.kind, got, c.want)
		}
	}
	// a refusal needs no case title: a citizen may be refused before saying what it is about
	d := sample(Refusal)
	d.CaseTitle = ""
	if err := d.Validate(); err != nil {
		t.Errorf("a refusal without a case title: %v", err)
	}
}

// BenchmarkRender is the cost of one document, fonts parsed and subset included:
// go test -run '^$' -bench Render ./internal/documents
func BenchmarkRender(b *testing.B) {
	d := sample(Appointment)
	for b.Loop() {
		if err := d.Render(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
