// Package stats derives the official figures from the register: the summary a report cites,
// Form 01/TCD and breakdowns for dashboards, for any period and organisation subtree.
//
// Only live visits count, by the date of their session; a visit whose case was voided still
// counts (the reception took place; voiding the visit is what removes it). Cases are counted
// after de-duplication, as their surviving case (cases.root_seq). The summary and Form 01 read
// roll-ups (rollup.go) that triggers keep exact in the writing transaction, so a national year
// costs about the same as a province's; breakdowns read the visits.
package stats

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/store"
)

// Config is what the figures depend on.
type Config struct {
	DelegationMin int            // default threshold of a delegation visit (TCD_DELEGATION_MIN)
	Location      *time.Location // the organisation's day, for callers that ask for "the last quarter"
	DefaultOrgID  string         // the top organisation: figures of the whole register carry its id
}

// Service computes statistics from the register.
type Service struct {
	store *store.Store
	cfg   Config
	// refreshMu keeps one process from refreshing the roll-ups in parallel: refreshes queue on
	// a database lock anyway, and a request that waits finds the work done.
	refreshMu sync.Mutex
	// refreshes counts refreshes begun; lastGood is the count of the newest one that succeeded
	// (guarded by refreshMu). A reader that arrived before a refresh began and finished needs no
	// refresh of its own: that one already read every change the reader could have seen.
	refreshes atomic.Uint64
	lastGood  uint64
	// tidied is when the background fold last looked for statistics tables to vacuum; tidyAll
	// asks it to tidy every one (a rebuild's own tidying failed). Guarded by refreshMu.
	tidied  time.Time
	tidyAll bool
}

// NewService returns the statistics service.
func NewService(st *store.Store, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.DelegationMin < 2 {
		cfg.DelegationMin = 5
	}
	return &Service{store: st, cfg: cfg}
}

// DelegationMin is the configured delegation threshold.
func (s *Service) DelegationMin() int { return s.cfg.DelegationMin }

// Query says what to count: a period, an organisation subtree and the delegation threshold.
type Query struct {
	Range period.Range
	// OrgID is the root of the subtree counted; "" means the actor's own subtree, or the whole
	// register for an unscoped actor. An organisation outside a scoped actor's subtree is 403.
	OrgID string
	// DelegationMin is the headcount from which a visit is a delegation visit; 0 means the
	// configured threshold.
	DelegationMin int
}

// Breakdown dimensions accepted by Service.Breakdown: the values of vocab.BreakdownBy.
const (
	ByCategory = "category"
	ByField    = "field"
	ByOutcome  = "outcome"
	ByOrg      = "org"
	ByMonth    = "month"
)

// Breakdown splits a period's visits along one dimension, for dashboards.
type Breakdown struct {
	From  string         `json:"from" example:"2022-01-01" validate:"required"`
	To    string         `json:"to" example:"2022-12-31" validate:"required"`
	OrgID string         `json:"org_id" validate:"required"`
	By    string         `json:"by" vocab:"breakdown.by" enums:"category,field,outcome,org,month" example:"category" validate:"required"`
	Rows  []BreakdownRow `json:"rows" validate:"required"`
}

// BreakdownRow is one value of the dimension. Cases are distinct surviving cases within the
// row, so they need not add up across rows (one case can have visits in two months).
type BreakdownRow struct {
	Key     string `json:"key" example:"complaint" validate:"required"`
	Label   string `json:"label" example:"Khiếu nại" validate:"required"`
	Visits  int    `json:"visits" example:"120" validate:"required"`
	Persons int    `json:"persons" example:"180" validate:"required"`
	Cases   int    `json:"cases" example:"40" validate:"required"`
}

// Form01 is Form 01/TCD (Circular 01/2024/TT-TTCP): one row per organisation of the subtree
// and a total row first, in 29 numbered columns.
type Form01 struct {
	Title         string `json:"title" example:"TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT" validate:"required"`
	Subtitle      string `json:"subtitle" example:"Số liệu tính từ ngày 01/01/2022 đến ngày 31/12/2022" validate:"required"`
	FormNumber    string `json:"form_number" example:"Biểu số: 01/TCD" validate:"required"`
	From          string `json:"from" example:"2022-01-01" validate:"required"`
	To            string `json:"to" example:"2022-12-31" validate:"required"`
	OrgID         string `json:"org_id" validate:"required"`
	DelegationMin int    `json:"delegation_min" example:"5" validate:"required"`
	// Columns describe columns 1..29 in order: Columns[i] is column i+1.
	Columns []Form01Column `json:"columns" validate:"required"`
	// Rows: the total of the subtree first, then each organisation (its own records only) in
	// tree order.
	Rows []Form01Row `json:"rows" validate:"required"`
}

// Form01Column is one numbered column with its header path, from the top header level down to
// the column's own label; an exporter merges equal adjacent cells of a level into one.
type Form01Column struct {
	Number int      `json:"number" example:"4" validate:"required"`
	Key    string   `json:"key" example:"regular.visits" validate:"required"`
	Header []string `json:"header" example:"Tiếp thường xuyên,Số lượt tiếp" validate:"required"`
}

// Form01Row is one line of the form. Values[i] is column i+1.
type Form01Row struct {
	OrgID   string `json:"org_id" validate:"required"`
	OrgCode string `json:"org_code" validate:"required"`
	OrgName string `json:"org_name" example:"Ban Tiếp công dân tỉnh" validate:"required"`
	Total   bool   `json:"total" validate:"required"`
	// Depth is the organisation's level below the subtree's root (0 for the root and the total).
	Depth  int   `json:"depth" validate:"required"`
	Values []int `json:"values" validate:"required"`
}
