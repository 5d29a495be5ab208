// Package vocab is the contract's vocabulary: every enumerated value the API accepts or answers,
// with the Vietnamese and English words people read for it. The registry validates against it,
// the statistics and the exports print its labels, GET /vocab serves it, the OpenAPI document's
// enums are written from it (make docs), and a test holds the database's CHECK constraints to it.
// Adding a value is one line here, make docs, and, when the column has a CHECK, one migration in
// both dialects (TestEnumChecksAreTheVocabulary names the column until it is written).
package vocab

import (
	"slices"
	"strings"
)

// Term is one value of an enum with its labels (NFC, as everything the service prints).
type Term struct {
	Value string `json:"value" example:"complaint" validate:"required"`
	VI    string `json:"vi" example:"Khiếu nại" validate:"required"`
	EN    string `json:"en" example:"Complaint" validate:"required"`
}

// Enum is the values one field may take, in the order reports and forms list them.
type Enum struct {
	Key   string // "<entity>.<field>", the name GET /vocab and the OpenAPI x-vocab give it
	Terms []Term
}

// Values lists the enum's values in order.
func (e Enum) Values() []string {
	out := make([]string, len(e.Terms))
	for i, t := range e.Terms {
		out[i] = t.Value
	}
	return out
}

// Has reports whether v is one of the enum's values.
func (e Enum) Has(v string) bool {
	return slices.ContainsFunc(e.Terms, func(t Term) bool { return t.Value == v })
}

// VI is the Vietnamese label of v; a value the vocabulary does not know (a row written by a
// newer version) is printed as it is rather than dropped.
func (e Enum) VI(v string) string {
	if i := slices.IndexFunc(e.Terms, func(t Term) bool { return t.Value == v }); i >= 0 {
		return e.Terms[i].VI
	}
	return v
}

// OneOf is the sentence a validation error says about a value outside the enum.
func (e Enum) OneOf() string { return "must be one of: " + strings.Join(e.Values(), ", ") }

// The enums of the contract. Labels follow the words of Law 42/2013, Circular 04/2021/TT-TTCP
// and Form 01/TCD where those have one (docs/domain.md, glossary).
var (
	SessionKind = Enum{"session.kind", []Term{
		{"regular", "Tiếp thường xuyên", "Regular reception"},
		{"periodic", "Tiếp định kỳ", "Periodic reception"},
		{"urgent", "Tiếp đột xuất", "Urgent reception"},
	}}
	// SessionHostRole: who received at a periodic or urgent session (none at a regular one).
	SessionHostRole = Enum{"session.host_role", []Term{
		{"head", "Thủ trưởng trực tiếp tiếp", "The head in person"},
		{"authorized", "Ủy quyền tiếp", "An authorised deputy"},
	}}
	VisitOutcome = Enum{"visit.outcome", []Term{
		{"accepted", "Thụ lý", "Accepted for handling"},
		{"guided", "Trả lại đơn và hướng dẫn", "Returned with guidance"},
		{"transferred", "Chuyển đơn", "Transferred"},
		{"urged", "Đôn đốc", "Urged"},
		{"answered", "Trả lời trực tiếp", "Answered in person"},
		{"refused", "Từ chối tiếp", "Reception refused"},
	}}
	CaseCategory = Enum{"case.category", []Term{
		{"complaint", "Khiếu nại", "Complaint"},
		{"denunciation", "Tố cáo", "Denunciation"},
		{"petition", "Kiến nghị", "Petition"},
		{"feedback", "Phản ánh", "Feedback"},
	}}
	CaseField = Enum{"case.field", []Term{
		{"land", "Đất đai", "Land"},
		{"housing", "Nhà ở", "Housing"},
		{"policy", "Chế độ chính sách", "Policies and benefits"},
		{"civil_service", "Công chức, công vụ", "Civil service"},
		{"judicial", "Tư pháp", "Judicial"},
		{"party", "Đảng, đoàn thể", "Party and mass organisations"},
		{"corruption", "Tham nhũng", "Corruption"},
		{"other", "Khác", "Other"},
	}}
	CaseStatus = Enum{"case.status", []Term{
		{"open", "Đang giải quyết", "Open"},
		{"resolved", "Đã giải quyết", "Resolved"},
		{"closed", "Đã kết thúc", "Closed"},
	}}
	// DirectiveStatus is derived on every read, never stored (registry/directives.go).
	DirectiveStatus = Enum{"directive.status", []Term{
		{"pending", "Chờ trả lời", "Awaiting reply"},
		{"replied", "Đã trả lời", "Replied"},
		{"overdue", "Quá hạn trả lời", "Overdue"},
	}}
	PersonGender = Enum{"person.gender", []Term{
		{"male", "Nam", "Male"},
		{"female", "Nữ", "Female"},
		{"unknown", "Không rõ", "Unknown"},
	}}
	// PersonIDKind is derived from the number's shape (internal/idnumber), never sent.
	PersonIDKind = Enum{"person.id_kind", []Term{
		{"cccd", "Căn cước công dân", "Citizen identity card (CCCD)"},
		{"cmnd", "Chứng minh nhân dân", "Identity card (CMND)"},
		{"passport", "Hộ chiếu", "Passport"},
	}}
	TokenRole = Enum{"token.role", []Term{
		{"admin", "Quản trị", "Administrator"},
		{"staff", "Cán bộ tiếp công dân", "Reception staff"},
		{"auditor", "Kiểm tra, giám sát", "Auditor"},
		{"agency", "Cơ quan sử dụng số liệu", "Statistics agency"},
	}}
	// CallerKind is who GET /me says is calling: a signed-in person or a bearer token.
	CallerKind = Enum{"me.kind", []Term{
		{"user", "Tài khoản cán bộ", "Staff account"},
		{"token", "Mã truy cập", "API token"},
	}}
	// DedupType is the kind of record duplicate matching compares.
	DedupType = Enum{"dedup.type", []Term{
		{"person", "Công dân", "Person"},
		{"case", "Vụ việc", "Case"},
	}}
	// StatsBasis: which calendar a period is read in (docs/domain.md, "Reporting periods").
	StatsBasis = Enum{"stats.basis", []Term{
		{"calendar", "Kỳ theo lịch", "Calendar period"},
		{"statutory", "Kỳ báo cáo theo quy định", "Statutory reporting period"},
	}}
	// PetitionChannel: how a petition (đơn) reached the board.
	PetitionChannel = Enum{"petition.channel", []Term{
		{"in_person", "Nộp trực tiếp", "Handed in person"},
		{"post", "Qua bưu chính", "By post"},
		{"online", "Qua mạng", "Online"},
		{"forwarded", "Cơ quan khác chuyển đến", "Forwarded by another body"},
	}}
	// PetitionDecision: how a petition was handled (xử lý đơn).
	PetitionDecision = Enum{"petition.decision", []Term{
		{"accepted", "Thụ lý", "Accepted"},
		{"guided", "Hướng dẫn", "Guided"},
		{"transferred", "Chuyển đơn", "Transferred"},
		{"stored", "Lưu đơn", "Stored"},
		{"returned", "Trả lại đơn", "Returned"},
	}}
	// DeadlineStatus is where a petition or a case under resolution stands against its due
	// date, derived on every read (internal/calendar).
	DeadlineStatus = Enum{"deadline.status", []Term{
		{"pending", "Trong hạn", "Pending"},
		{"due_soon", "Sắp đến hạn", "Due soon"},
		{"overdue", "Quá hạn", "Overdue"},
		{"decided", "Đã xử lý đúng hạn", "Decided on time"},
		{"decided_late", "Đã xử lý quá hạn", "Decided late"},
	}}
	// RegisterSheet: the parts of the register export, each a sheet of the workbook (named by its
	// label) or, one at a time, the CSV file.
	RegisterSheet = Enum{"register.sheet", []Term{
		{"visits", "Sổ tiếp công dân", "Reception register (visits)"},
		{"petitions", "Đơn thư", "Petitions"},
	}}
	// ReplicaState: how /readyz reports a PostgreSQL read replica (an operator's word, but read
	// on dashboards by IT staff of the agencies as well).
	ReplicaState = Enum{"replica.state", []Term{
		{"in_use", "Đang dùng để đọc", "In use"},
		{"lagging", "Chậm hơn máy chủ chính quá mức cho phép", "Lagging"},
		{"unreachable", "Không kết nối được", "Unreachable"},
		{"not_a_replica", "Không phải bản sao", "Not a replica"},
	}}
	// DeadlineKind: what GET /deadlines lists.
	DeadlineKind = Enum{"deadline.kind", []Term{
		{"petition", "Đơn", "Petition"},
		{"case", "Vụ việc đang giải quyết", "Case under resolution"},
		{"directive", "Công văn chỉ đạo", "Directive letter"},
	}}
	// DeadlineDue: the two statuses GET /deadlines reports.
	DeadlineDue = Enum{"deadline.due", []Term{
		{"due_soon", "Sắp đến hạn", "Due soon"},
		{"overdue", "Quá hạn", "Overdue"},
	}}
	// OrgLevel: an organisation's tier of government, which sets its head's reception minimum.
	OrgLevel = Enum{"org.level", []Term{
		{"province", "Cấp tỉnh", "Province"},
		{"district", "Cấp huyện", "District"},
		{"commune", "Cấp xã", "Commune"},
		{"other", "Khác", "Other"},
	}}
	// CalendarDayKind: whether a day of the working-day calendar is worked.
	CalendarDayKind = Enum{"calendar_day.kind", []Term{
		{"off", "Ngày nghỉ", "Day off"},
		{"working", "Ngày làm việc", "Working day"},
	}}
	// DeadlineUnit: what a deadline rule counts.
	DeadlineUnit = Enum{"deadline_rule.unit", []Term{
		{"working_days", "Ngày làm việc", "Working days"},
		{"calendar_days", "Ngày", "Calendar days"},
	}}
	// DeadlineFrom: the event a deadline rule counts from.
	DeadlineFrom = Enum{"deadline_rule.from", []Term{
		{"received_on", "Ngày nhận đơn", "The day the petition was received"},
		{"accepted_on", "Ngày thụ lý", "The day the case was accepted"},
	}}
	// FieldErrorCode: what is wrong with one field of a request, for a program (apperr.FieldCodes).
	FieldErrorCode = Enum{"field_error.code", []Term{
		{"required", "Chưa nhập", "Required"},
		{"invalid", "Không hợp lệ", "Invalid"},
		{"too_long", "Quá dài", "Too long"},
		{"too_short", "Quá ngắn", "Too short"},
		{"out_of_range", "Ngoài giới hạn cho phép", "Out of range"},
		{"forbidden_value", "Giá trị không được chấp nhận", "Value not allowed"},
		{"forbidden_character", "Chứa ký tự không được phép", "Character not allowed"},
		{"not_found", "Không tìm thấy", "Not found"},
		{"conflict", "Trùng hoặc mâu thuẫn", "Conflict"},
		{"unknown_field", "Trường không tồn tại", "Unknown field"},
	}}
	BreakdownBy = Enum{"breakdown.by", []Term{
		{"category", "Theo loại đơn", "By category"},
		{"field", "Theo lĩnh vực", "By field"},
		{"outcome", "Theo hướng xử lý", "By handling outcome"},
		{"org", "Theo đơn vị", "By organisation"},
		{"month", "Theo tháng", "By month"},
	}}
	// DocumentKind: the papers the board hands to citizens (internal/documents prints them).
	DocumentKind = Enum{"document.kind", []Term{
		{"receipt", "Giấy biên nhận", "Receipt"},
		{"appointment", "Phiếu hẹn", "Appointment slip"},
		{"guidance", "Phiếu hướng dẫn", "Guidance slip"},
		{"transfer", "Phiếu chuyển đơn", "Transfer slip"},
		{"refusal", "Thông báo từ chối tiếp", "Notice of refusal"},
		{"acceptance", "Thông báo thụ lý / không thụ lý", "Notice of acceptance"},
	}}
	// ImportStatus: what became of a row of an imported register.
	ImportStatus = Enum{"import.status", []Term{
		{"created", "Đã nhập, công dân mới", "Imported, new persons"},
		{"linked", "Đã nhập, công dân đã có trong sổ", "Imported, persons found in the register"},
		{"skipped", "Đã nhập trước đây", "Imported before"},
		{"error", "Có lỗi cần sửa", "Has errors to fix"},
	}}
	// DocumentGround: why a reception is refused, the clauses of Law 42/2013 Art. 9.
	DocumentGround = Enum{"document.ground", []Term{
		{"incapacitated", "Say, mất khả năng nhận thức (khoản 1)", "Intoxicated or incapacitated (clause 1)"},
		{"disorderly", "Đe dọa, xúc phạm, vi phạm nội quy (khoản 2)", "Threatening, insulting or disorderly (clause 2)"},
		{"resolved", "Vụ việc đã giải quyết đúng pháp luật (khoản 3)", "Matter lawfully resolved (clause 3)"},
		{"other", "Trường hợp khác theo pháp luật (khoản 4)", "Other case the law provides (clause 4)"},
	}}
)

// All is every enum, in the order GET /vocab lists them.
var All = []Enum{SessionKind, SessionHostRole, VisitOutcome, CaseCategory, CaseField, CaseStatus,
	DirectiveStatus, PersonGender, PersonIDKind, TokenRole, CallerKind, DedupType, StatsBasis, BreakdownBy, DocumentKind, DocumentGround, ImportStatus,
	PetitionChannel, PetitionDecision, DeadlineStatus, DeadlineKind, DeadlineDue, OrgLevel, CalendarDayKind, DeadlineUnit, DeadlineFrom,
	RegisterSheet, ReplicaState, FieldErrorCode}

// Lookup finds an enum by its key.
func Lookup(key string) (Enum, bool) {
	i := slices.IndexFunc(All, func(e Enum) bool { return e.Key == key })
	if i < 0 {
		return Enum{}, false
	}
	return All[i], true
}

// ByKey is the whole vocabulary as GET /vocab answers it: each enum's terms under its key.
func ByKey() map[string][]Term {
	out := make(map[string][]Term, len(All))
	for _, e := range All {
		out[e.Key] = e.Terms
	}
	return out
}
