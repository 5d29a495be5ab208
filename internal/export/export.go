// Package export turns the register into files agencies file and archive: the period's report
// (summary, Form 01/TCD, breakdowns) as XLSX, CSV or JSON, and the register itself (Form 03).
package export

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
)

// Format is the file format of an export.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
	JSON Format = "json"
	// PDF is Form 01/TCD alone, on A4 landscape, ready to sign and seal (internal/documents).
	PDF Format = "pdf"
)

// ReportFormats are the formats of the report file; the register has no JSON form, since its
// readers are people with a spreadsheet, not programs (those use the registry API).
var (
	ReportFormats   = []Format{XLSX, CSV, JSON, PDF}
	RegisterFormats = []Format{XLSX, CSV}
)

// ParseFormat reads a format name, accepting only those in allowed.
func ParseFormat(s string, allowed []Format) (Format, error) {
	names := make([]string, len(allowed))
	for i, f := range allowed {
		if strings.EqualFold(strings.TrimSpace(s), string(f)) {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", fmt.Errorf("format must be one of %s, not %q", strings.Join(names, ", "), s)
}

// ContentType is the media type of a file in format f.
func (f Format) ContentType() string {
	switch f {
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case CSV:
		return "text/csv; charset=utf-8"
	case PDF:
		return "application/pdf"
	}
	return "application/json; charset=utf-8"
}

// Service builds export files from the register and its statistics.
type Service struct {
	store    *store.Store
	stats    *stats.Service
	registry Registry
	runs     *prometheus.CounterVec

	// locked, when set, runs while a scheduled run holds the replica lock (tests use it to
	// make two runs overlap for certain).
	locked func()
}

// Registry is what the register export asks of the registry (registry.Service), which owns the
// rules the export must apply as every other route does: who may know a denouncer, and where a
// petition stands against its due date on the working-day calendar in force.
type Registry interface {
	// SecretLinkSQL is SQL that holds when the person in column person, named about the case
	// in column caseID, is a denouncer kept from actor; "" when actor sees every denouncer.
	SecretLinkSQL(actor auth.Actor, person, caseID string) (string, []any)
	// PetitionStatuses derives a petition's status from its due date and decision date (nil
	// while undecided) as of today.
	PetitionStatuses(ctx context.Context) (func(dueOn string, decidedOn *string) (string, error), error)
}

// NewService returns the export service.
func NewService(st *store.Store, statsSvc *stats.Service, reg Registry) *Service {
	return &Service{store: st, stats: statsSvc, registry: reg,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tcd_export_runs_total",
			Help: "Scheduled export runs by result: ok, skipped (another replica held the lock) or failed.",
		}, []string{"result"})}
}

// Metrics is the collector of the scheduled runs, for the server's /metrics.
func (s *Service) Metrics() prometheus.Collector { return s.runs }

// scope is the organisation subtree an export covers.
type scope struct {
	path string // materialised path prefix; "" is the whole register
	code string // the named organisation's code, for file names; "" when none was named
}

// scopeOf resolves the organisation an export names: by default the actor's own subtree. Naming
// one outside a scoped actor's subtree is forbidden, as it is for the statistics.
func (s *Service) scopeOf(ctx context.Context, actor auth.Actor, orgID string) (scope, error) {
	if orgID == "" {
		return scope{path: actor.OrgPath}, nil
	}
	var org struct{ Code, Path string }
	err := s.store.DB.WithContext(ctx).Table("orgs").Select("code, path").Where("id = ?", orgID).Take(&org).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return scope{}, apperr.FieldAs(apperr.UnknownReference, "org", "no such organisation")
		}
		return scope{}, err
	}
	if !actor.Reaches(org.Path) {
		return scope{}, apperr.New(apperr.Forbidden, "the organisation is outside the token's subtree")
	}
	return scope{path: org.Path, code: org.Code}, nil
}

// fileName names an export file by what it holds, so that a re-run for the same period writes
// the same name: tcd-report-2023-Q3-statutory.xlsx, or …-statutory-ORG.xlsx for one subtree.
func fileName(kind string, r period.Range, sc scope, f Format) string {
	name := "tcd-" + kind + "-" + r.Label + "-" + string(r.Basis)
	if sc.code != "" {
		name += "-" + safeName(sc.code)
	}
	return name + "." + string(f)
}

// safeName keeps an organisation code usable in a file name on every system.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// viDate writes a YYYY-MM-DD date the Vietnamese way, dd/MM/yyyy.
func viDate(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}
