package registry

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Case is a matter (vụ việc) citizens came about; many visits can concern one case.
type Case struct {
	ID         string  `json:"id" validate:"required"`
	OrgID      string  `json:"org_id" validate:"required"`
	Code       string  `json:"code" example:"VV-2024-000123" validate:"required"`
	Title      string  `json:"title" example:"Tranh chấp ranh giới đất với hộ liền kề, thôn Hà Thượng" validate:"required"`
	Summary    *string `json:"summary" extensions:"x-nullable" validate:"required"`
	Category   string  `json:"category" vocab:"case.category" enums:"complaint,denunciation,petition,feedback" validate:"required"`
	Field      string  `json:"field" vocab:"case.field" enums:"land,housing,policy,civil_service,judicial,party,corruption,other" validate:"required"`
	Respondent *string `json:"respondent" example:"UBND xã Gio Mỹ" extensions:"x-nullable" validate:"required"`
	// PreviouslyHandledBy is the body that already handled the matter before it came here
	// (Form 03, "Cơ quan đã giải quyết"); the respondent is who the matter is about.
	PreviouslyHandledBy *string `json:"previously_handled_by" example:"UBND huyện Gio Linh" extensions:"x-nullable" validate:"required"`
	Status              string  `json:"status" vocab:"case.status" enums:"open,resolved,closed" validate:"required"`
	MergedInto          *string `json:"merged_into" extensions:"x-nullable" validate:"required"`
	// AcceptedOn is the day the case was accepted for resolution (thụ lý): set when a petition
	// about it is decided accepted, or directly. Complex (a complaint's longer period) and
	// Extensions (of a denunciation's period, at most the rule's maximum) lengthen the period;
	// ResolutionDueOn is derived from them by the deadline rules, for complaints and
	// denunciations.
	AcceptedOn      *string `json:"accepted_on" example:"2026-01-16" extensions:"x-nullable" validate:"required" format:"date"`
	Complex         bool    `json:"complex" validate:"required"`
	Extensions      int     `json:"extensions" validate:"required"`
	ResolutionDueOn *string `json:"resolution_due_on" example:"2026-02-23" extensions:"x-nullable" validate:"required" format:"date"`
	// FirstVisitDate and VisitCount are over the live visits that count for this case: its own
	// and those of the cases merged into it. A case merged into another counts none itself.
	FirstVisitDate *string   `json:"first_visit_date" example:"2024-03-15" extensions:"x-nullable" validate:"required" format:"date"`
	VisitCount     int       `json:"visit_count" example:"3" validate:"required"`
	CreatedAt      time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt      time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (c Case) Ref() (id string, version int) { return c.ID, c.Version }

type caseRow struct {
	Meta        `gorm:"embedded"`
	Code        string
	Title       string
	TitleFolded string
	Summary     *string
	Category    string
	Field       string
	Respondent  *string
	// PreviouslyHandledBy: the body that handled the matter before (Form 03)
	PreviouslyHandledBy *string
	Status              string
	MergedInto          *string
	RootSeq             int64
	// the resolution's deadline (deadlines.go)
	AcceptedOn      *string
	Complex         bool
	Extensions      int
	ResolutionDueOn *string
}

func (caseRow) TableName() string { return "cases" }

func (r *caseRow) toCase(v caseVisits) Case {
	return Case{ID: r.ID, OrgID: r.OrgID, Code: r.Code, Title: r.Title, Summary: r.Summary, Category: r.Category,
		Field: r.Field, Respondent: r.Respondent, PreviouslyHandledBy: r.PreviouslyHandledBy, Status: r.Status, MergedInto: r.MergedInto,
		AcceptedOn: r.AcceptedOn, Complex: r.Complex, Extensions: r.Extensions, ResolutionDueOn: r.ResolutionDueOn,
		FirstVisitDate: v.First, VisitCount: v.N, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Voiding: r.voiding(), Version: r.Version}
}

// NewCase is the body of POST /cases, and of a case created inline with a visit.
type NewCase struct {
	OrgID      *string `json:"org_id,omitempty"`
	Title      string  `json:"title" validate:"required,max=500" example:"Tranh chấp ranh giới đất với hộ liền kề, thôn Hà Thượng" minLength:"1"`
	Summary    *string `json:"summary,omitempty" validate:"omitempty,max=10000"`
	Category   string  `json:"category" validate:"required,vocab" vocab:"case.category" enums:"complaint,denunciation,petition,feedback"`
	Field      string  `json:"field" validate:"required,vocab" vocab:"case.field" enums:"land,housing,policy,civil_service,judicial,party,corruption,other"`
	Respondent *string `json:"respondent,omitempty" validate:"omitempty,max=500" example:"UBND xã Gio Mỹ"`
	// PreviouslyHandledBy: the body that already handled the matter, if any (Form 03)
	PreviouslyHandledBy *string `json:"previously_handled_by,omitempty" validate:"omitempty,max=500" example:"UBND huyện Gio Linh"`
	Status              string  `json:"status,omitempty" validate:"omitempty,vocab" vocab:"case.status" enums:"open,resolved,closed" default:"open"`
}

// CasePatch is the body of PATCH /cases/{id}: only the fields present change; null (or "")
// clears summary or respondent. The code and merges are the service's.
type CasePatch struct {
	Title      validate.Optional[string] `json:"title" validate:"omitempty,max=500" swaggertype:"string"`
	Summary    validate.Optional[string] `json:"summary" validate:"omitempty,max=10000" swaggertype:"string" extensions:"x-nullable"`
	Category   validate.Optional[string] `json:"category" validate:"omitempty,vocab" vocab:"case.category" enums:"complaint,denunciation,petition,feedback" swaggertype:"string"`
	Field      validate.Optional[string] `json:"field" validate:"omitempty,vocab" vocab:"case.field" enums:"land,housing,policy,civil_service,judicial,party,corruption,other" swaggertype:"string"`
	Respondent validate.Optional[string] `json:"respondent" validate:"omitempty,max=500" swaggertype:"string" extensions:"x-nullable"`
	// PreviouslyHandledBy: null (or "") clears it
	PreviouslyHandledBy validate.Optional[string] `json:"previously_handled_by" validate:"omitempty,max=500" swaggertype:"string" extensions:"x-nullable"`
	Status              validate.Optional[string] `json:"status" validate:"omitempty,vocab" vocab:"case.status" enums:"open,resolved,closed" swaggertype:"string"`
	// the resolution's deadline: accepted_on null takes the case out of resolution
	AcceptedOn validate.Optional[string] `json:"accepted_on" validate:"omitnil,date" swaggertype:"string" extensions:"x-nullable" format:"date"`
	Complex    validate.Optional[bool]   `json:"complex" swaggertype:"boolean"`
	Extensions validate.Optional[int]    `json:"extensions" validate:"omitnil,gte=0,lte=10" swaggertype:"integer"`
}

// checkCase applies the case rules to the final values of a record, new or patched.
func checkCase(row *caseRow) error {
	row.Title = vntext.NFC(row.Title)
	row.TitleFolded = vntext.Fold(row.Title)
	if row.TitleFolded == "" {
		return apperr.FieldAs(apperr.Required, "title", "is required: a few words naming the matter")
	}
	row.Summary, row.Respondent, row.PreviouslyHandledBy = optText(row.Summary), optText(row.Respondent), optText(row.PreviouslyHandledBy)
	if row.Status == "" {
		row.Status = "open"
	}
	return nil
}

// caseCode is the readable number of the n-th case an organisation opened in year.
func caseCode(year int, n int64) string { return fmt.Sprintf("VV-%04d-%06d", year, n) }

// A new case gets its readable number from its organisation's yearly counter. Taking the
// number locks the counter row until the commit, so every other case the organisation opens
// meanwhile queues behind it and none shares a number; a rolled-back creation gives its number
// back, so an organisation's numbers have no gaps. To keep that queue short the number is the
// transaction's last write: work that opens cases runs in inTxOpeningCases and opens them with
// its caseOpener, and the transaction numbers them once the work has returned
// (store.TxClosing), when nothing can write after it. Until then a case carries a provisional
// code no other transaction sees, and root 0, which the statistics' trigger on a change of
// cases.root_seq passes over (migration 00008): nothing was ever counted under root 0.

// caseOpener opens the cases of one transaction of inTxOpeningCases.
type caseOpener struct {
	s      *Service
	opened []*caseRow
}

// open validates and inserts a case in tx (POST /cases and a visit's inline case, so both obey
// the same rules); the transaction numbers it at its end.
func (o *caseOpener) open(ctx context.Context, tx *gorm.DB, orgID string, in NewCase) (*caseRow, error) {
	row, err := o.s.newCaseRow(orgID, in)
	if err != nil {
		return nil, err
	}
	if err := tx.WithContext(ctx).Create(row).Error; err != nil {
		return nil, err
	}
	o.opened = append(o.opened, row)
	return row, indexNewCase(ctx, tx, row)
}

// newCaseRow is the checked row of a case to open, with its provisional code.
func (s *Service) newCaseRow(orgID string, in NewCase) (*caseRow, error) {
	if err := validate.Struct(in); err != nil {
		return nil, err
	}
	row := &caseRow{Meta: s.newMeta(orgID), Title: in.Title, Summary: in.Summary, Category: in.Category,
		Field: in.Field, Respondent: in.Respondent, PreviouslyHandledBy: in.PreviouslyHandledBy, Status: in.Status}
	if err := checkCase(row); err != nil {
		return nil, err
	}
	row.Code = provisionalCode(row.ID)
	return row, nil
}

// provisionalCode stands in for a new case's number until its transaction numbers it.
func provisionalCode(id string) string { return "VV-pending-" + id }

// inTxOpeningCases is inTx for work that opens cases: the cases fn opens with cases are
// numbered, and their creation audited, after fn returns, as the transaction's last writes. A
// case row fn returns has its code once this returns.
func inTxOpeningCases[O any](ctx context.Context, s *Service, actor auth.Actor, fn func(tx *gorm.DB, cases *caseOpener) (O, error)) (O, error) {
	var out O
	err := s.store.TxClosing(ctx, func(tx *gorm.DB) (store.Closing, error) {
		cases := &caseOpener{s: s}
		var err error
		if out, err = fn(tx, cases); err != nil || len(cases.opened) == 0 {
			return nil, err
		}
		return func(tx *gorm.DB) error { return s.numberCases(ctx, tx, actor, cases.opened) }, nil
	})
	return out, err
}

// numberCases gives each case its number and records its creation in the audit log. The
// cases of one organisation and year take their numbers in one statement, in the order they
// were opened (an import opens hundreds in a transaction); the counters are taken in the order
// of organisation and year, so two transactions never wait for each other's.
func (s *Service) numberCases(ctx context.Context, tx *gorm.DB, actor auth.Actor, rows []*caseRow) error {
	db := tx.WithContext(ctx)
	type counter struct {
		org  string
		year int
	}
	groups := map[counter][]*caseRow{}
	for _, row := range rows {
		k := counter{row.OrgID, row.CreatedAt.In(s.cfg.Location).Year()}
		groups[k] = append(groups[k], row)
	}
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b counter) int {
		return cmp.Or(strings.Compare(a.org, b.org), cmp.Compare(a.year, b.year))
	})
	lines := map[string][]audit.Line{}
	for _, k := range keys {
		g := groups[k]
		var last int64
		if err := db.Raw(`INSERT INTO case_counters (org_id, year, last) VALUES (?, ?, ?)
			ON CONFLICT (org_id, year) DO UPDATE SET last = case_counters.last + excluded.last RETURNING last`, k.org, k.year, len(g)).Scan(&last).Error; err != nil {
			return err
		}
		for i, row := range g {
			// a new case is also its own root until merged: seq is known only after the insert,
			// and setting both here costs no statement of its own
			row.Code, row.RootSeq = caseCode(k.year, last-int64(len(g)-1-i)), row.Seq
			lines[k.org] = append(lines[k.org], audit.Line{Action: "create", Entity: "case", EntityID: row.ID,
				Changes: map[string]any{"code": row.Code, "title": row.Title}})
		}
	}
	seqs, codes := make([]int64, len(rows)), make([]any, len(rows))
	for i, row := range rows {
		seqs[i], codes[i] = row.Seq, row.Code
	}
	if err := store.SetBySeq(ctx, tx, "cases", "code", seqs, codes, ", root_seq = seq"); err != nil {
		return err
	}
	for _, org := range slices.Sorted(maps.Keys(lines)) {
		if err := audit.RecordAll(ctx, tx, actor, org, lines[org]); err != nil {
			return err
		}
	}
	return nil
}

var caseKind = kind[caseRow, *caseRow, Case]{entity: "case", out: casesOut}

// casesOut answers a page of cases with their visit figures, counted in one query.
func casesOut(ctx context.Context, _ *Service, db *gorm.DB, _ auth.Actor, rows []caseRow) ([]Case, error) {
	seqs := make([]int64, len(rows))
	for i := range rows {
		seqs[i] = rows[i].Seq
	}
	figures, err := caseVisitFigures(ctx, db, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]Case, len(rows))
	for i := range rows {
		out[i] = rows[i].toCase(figures[rows[i].Seq])
	}
	return out, nil
}

// CreateCase opens a case.
func (s *Service) CreateCase(ctx context.Context, actor auth.Actor, in NewCase) (Case, error) {
	row, err := inTxOpeningCases(ctx, s, actor, func(tx *gorm.DB, cases *caseOpener) (*caseRow, error) {
		orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return nil, err
		}
		return cases.open(ctx, tx, orgID, in)
	})
	if err != nil {
		return Case{}, err
	}
	return row.toCase(caseVisits{}), nil // no visit can count for a case before it exists
}

// GetCase reads one case with its visit figures. Reading a denunciation is audited, as reading
// a person is: it is where a denouncer's matter is told.
func (s *Service) GetCase(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Case, error) {
	c, err := caseKind.get(ctx, s, actor, id, opt)
	if err != nil || c.Category != denunciation {
		return c, err
	}
	return c, audit.Record(ctx, s.store.DB, actor, "read", "case", id, nil)
}

// withVisitFigures answers one case row as GET /cases/{id} does (merges answer their cases so).
func (s *Service) withVisitFigures(ctx context.Context, db *gorm.DB, row *caseRow) (Case, error) {
	return caseKind.one(ctx, s, db, auth.System, row)
}

// UpdateCase applies a partial update.
func (s *Service) UpdateCase(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in CasePatch) (Case, error) {
	return caseKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *caseRow, before caseRow, c edits) error {
		var fe apperr.Fields
		setValue(&fe, "title", &row.Title, in.Title)
		setNullable(&row.Summary, in.Summary)
		setValue(&fe, "category", &row.Category, in.Category)
		setValue(&fe, "field", &row.Field, in.Field)
		setNullable(&row.Respondent, in.Respondent)
		setNullable(&row.PreviouslyHandledBy, in.PreviouslyHandledBy)
		setValue(&fe, "status", &row.Status, in.Status)
		setNullable(&row.AcceptedOn, in.AcceptedOn)
		setValue(&fe, "complex", &row.Complex, in.Complex)
		setValue(&fe, "extensions", &row.Extensions, in.Extensions)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkCase(row); err != nil {
			return err
		}
		if err := s.setResolutionDue(ctx, tx, row); err != nil {
			return err
		}
		if before.Category == denunciation && row.Category != denunciation {
			if err := s.mayDropDenunciation(actor, row); err != nil {
				return err
			}
		}
		if row.Category == denunciation && before.Category != denunciation {
			// everyone who came about it (or about a case merged into it) is a denouncer now
			if err := s.recordNewDenunciation(ctx, tx, row); err != nil {
				return err
			}
		}
		track(c, "title", before.Title, row.Title)
		derived(c, "title_folded", before.TitleFolded, row.TitleFolded)
		trackPtr(c, "summary", before.Summary, row.Summary)
		track(c, "category", before.Category, row.Category)
		track(c, "field", before.Field, row.Field)
		trackPtr(c, "respondent", before.Respondent, row.Respondent)
		trackPtr(c, "previously_handled_by", before.PreviouslyHandledBy, row.PreviouslyHandledBy)
		track(c, "status", before.Status, row.Status)
		trackPtr(c, "accepted_on", before.AcceptedOn, row.AcceptedOn)
		track(c, "complex", before.Complex, row.Complex)
		track(c, "extensions", before.Extensions, row.Extensions)
		if !ptrEqual(before.ResolutionDueOn, row.ResolutionDueOn) {
			c.cols["resolution_due_on"] = row.ResolutionDueOn
		}
		if row.Title == before.Title && ptrEqual(row.Summary, before.Summary) && ptrEqual(row.Respondent, before.Respondent) {
			return nil
		}
		return reindexCaseText(ctx, tx, &before, row)
	})
}

// setResolutionDue checks a case's resolution fields and derives its due date from them.
func (s *Service) setResolutionDue(ctx context.Context, tx *gorm.DB, row *caseRow) error {
	var fe apperr.Fields
	if row.AcceptedOn != nil && *row.AcceptedOn > s.today() {
		fe.AddAs(apperr.OutOfRange, "accepted_on", "is in the future (today is %s)", s.today())
	}
	rules, err := s.deadlines(ctx, tx)
	if err != nil {
		return err
	}
	allowed := 0
	if name, ok := resolutionRule(row.Category); ok {
		rule, _ := rules.Rule(name)
		allowed = rule.MaxExtensions
	}
	if row.Extensions > allowed {
		fe.AddAs(apperr.OutOfRange, "extensions", "must be 0-%d for a %s", allowed, row.Category)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	row.ResolutionDueOn, err = resolutionDue(rules, row)
	return err
}

func ptrEqual(a, b *string) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// VoidCase voids a case nothing live names or counts for: voiding it under live visits (its
// own, or those of cases merged into it) would drop them from the case figures without a trace,
// and delegations and documents would name a void (409).
func (s *Service) VoidCase(ctx context.Context, actor auth.Actor, id, reason string) (Case, error) {
	return caseKind.void(ctx, s, actor, id, reason, refuseVoid(ctx, "case", id,
		namedBy("visits", "visits", "case_id"),
		namedBy("delegations", "delegations", "case_id"),
		noticeCases.naming("conclusion notices"),
		namedBy("directive letters", "directives", "case_id"),
		namedBy("petitions", "petitions", "case_id"),
		namedBy("cases merged into it", "cases", "merged_into")),
		// after the guards, in the voiding transaction: a voided case leaves the counts that
		// weigh duplicates
		func(tx *gorm.DB) error {
			var row caseRow
			if err := tx.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
				return err
			}
			return unindexCase(ctx, tx, &row)
		})
}

// CaseFilter narrows ListCases; the json names are the query parameters.
type CaseFilter struct {
	Status        string `json:"status" validate:"omitempty,vocab" vocab:"case.status" enums:"open,resolved,closed"`
	Category      string `json:"category" validate:"omitempty,vocab" vocab:"case.category" enums:"complaint,denunciation,petition,feedback"`
	Field         string `json:"field" validate:"omitempty,vocab" vocab:"case.field" enums:"land,housing,policy,civil_service,judicial,party,corruption,other"`
	Q             string `json:"q" validate:"max=200"` // folded title substring, or an exact code
	IncludeMerged bool   `json:"-"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListCases lists cases newest first, with their visit figures.
func (s *Service) ListCases(ctx context.Context, actor auth.Actor, f CaseFilter) ([]Case, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	q := caseKind.query(ctx, s, actor, f.IncludeVoided)
	if !f.IncludeMerged {
		q = q.Where("merged_into IS NULL")
	}
	for _, eq := range [][2]string{{"status", f.Status}, {"category", f.Category}, {"field", f.Field}} {
		if eq[1] != "" {
			q = q.Where(eq[0]+" = ?", eq[1])
		}
	}
	if term := strings.TrimSpace(f.Q); term != "" {
		cond := s.store.DB.Where("code = ?", strings.ToUpper(term))
		if folded := vntext.Fold(term); folded != "" {
			cond = cond.Or("title_folded LIKE ?", "%"+folded+"%")
		}
		q = q.Where(cond)
	}
	return caseKind.list(ctx, s, actor, q, f.Page)
}

// caseVisits is what the live visits of a case add up to.
type caseVisits struct {
	RootSeq int64
	First   *string
	N       int
}

// caseVisitFigures counts, for each case seq given, the live visits whose case has that seq
// as root (so a merge's survivor counts its merged cases' visits), in one grouped query for a
// whole page.
func caseVisitFigures(ctx context.Context, db *gorm.DB, seqs []int64) (map[int64]caseVisits, error) {
	out := make(map[int64]caseVisits, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	var rows []caseVisits
	err := db.WithContext(ctx).Table("cases AS c").
		Select("c.root_seq AS root_seq, MIN(v.date) AS first, COUNT(*) AS n").
		Joins("JOIN visits v ON v.case_seq = c.seq").
		Where("c.root_seq IN ? AND c.voided_at IS NULL AND v.voided_at IS NULL", seqs).
		Group("c.root_seq").Scan(&rows).Error
	for _, r := range rows {
		out[r.RootSeq] = r
	}
	return out, err
}

// CaseCandidate is an existing case that may be the same matter as a new one, with the
// evidence for and against, each with its weight.
type CaseCandidate struct {
	CaseID  string   `json:"case_id" validate:"required"`
	Code    string   `json:"code" example:"VV-2024-000123" validate:"required"` // what a clerk reads to pick the case
	Title   string   `json:"title" example:"Tranh chấp ranh giới thửa 45, tờ 12" validate:"required"`
	Score   float64  `json:"score" example:"0.75" validate:"required"`
	Reasons []string `json:"reasons" example:"same household: Nguyễn Thị Lan / Nguyễn Văn An (+6.1),same land parcel: thửa 45, tờ 12 (+2.3)" validate:"required"`
}

const (
	duplicateMax    = 5 // possible duplicates a visit answers
	postingsPerWord = dedup.PostingsPerKey
	intakePostings  = dedup.PostingsAtVisit
)

// possibleDuplicates finds live, unmerged cases of c's organisation that look like the same
// matter, best first, scored as GET /cases/{id}/duplicates scores them for actor, the clerk
// (case_duplicates.go): a parent organisation's staff recording a visit in a child
// organisation does not learn through a score who denounced what there. Its dozen lookups go
// to one pinned connection.
func (s *Service) possibleDuplicates(ctx context.Context, actor auth.Actor, c *caseRow) ([]CaseCandidate, error) {
	var found []caseMatch
	err := s.store.Pinned(ctx, func(db *gorm.DB) error {
		var err error
		found, err = s.dups.matchCase(ctx, db, orgScope(c.OrgID), c, DuplicateQuery{Limit: duplicateMax, postings: intakePostings}.orDefaults(dedup.DefaultCaseThreshold),
			func(ids []string) (map[string]bool, error) { return s.secretCases(ctx, db, actor, ids) })
		return err
	})
	out := make([]CaseCandidate, len(found))
	for i, f := range found {
		out[i] = CaseCandidate{CaseID: f.row.ID, Code: f.row.Code, Title: f.row.Title, Score: f.Score, Reasons: f.Reasons}
	}
	return out, err
}
