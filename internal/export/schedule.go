package export

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
)

// Schedule is what the unattended export writes, and where.
type Schedule struct {
	Dir     string
	Formats []Format
}

// ParseSchedule checks the configured directory and formats (TCD_EXPORT_DIR,
// TCD_EXPORT_FORMATS).
func ParseSchedule(dir string, formats []string) (Schedule, error) {
	sch := Schedule{Dir: dir}
	if dir == "" {
		return sch, errors.New("TCD_EXPORT_DIR is empty")
	}
	if len(formats) == 0 {
		return sch, errors.New("TCD_EXPORT_FORMATS lists no format")
	}
	for _, name := range formats {
		f, err := ParseFormat(name, ReportFormats)
		if err != nil {
			return sch, fmt.Errorf("TCD_EXPORT_FORMATS: %w", err)
		}
		sch.Formats = append(sch.Formats, f)
	}
	return sch, nil
}

// ScheduledRun is what one scheduled run did.
type ScheduledRun struct {
	Period  period.Range
	Files   []string // the paths written
	Skipped bool     // another replica was running the export
}

// scheduleLockKey names the scheduled export among PostgreSQL advisory locks ("tcdexp").
const scheduleLockKey int64 = 0x746364657870

// RunScheduled writes the report of the last statutory quarter completed before today (a date in
// the organisation's time zone) in every format of sch. Files are named by period, so a re-run
// replaces them. With several replicas on one PostgreSQL database, the one that takes the advisory
// lock writes and the others skip; a single SQLite process needs no lock. A format that fails
// does not stop the others; the error names each failure.
func (s *Service) RunScheduled(ctx context.Context, today time.Time, sch Schedule) (ScheduledRun, error) {
	run := ScheduledRun{Period: period.LastCompletedQuarter(today, period.Statutory)}
	unlock, locked, err := s.lockReplicas(ctx)
	if err != nil {
		s.runs.WithLabelValues("failed").Inc()
		return run, fmt.Errorf("replica lock: %w", err)
	}
	if !locked {
		run.Skipped = true
		s.runs.WithLabelValues("skipped").Inc()
		return run, nil
	}
	defer unlock()
	if s.locked != nil {
		s.locked()
	}
	var errs []error
	for _, f := range sch.Formats {
		path, err := s.WriteReportFile(ctx, auth.System, stats.Query{Range: run.Period}, f, sch.Dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		run.Files = append(run.Files, path)
	}
	if err := errors.Join(errs...); err != nil {
		s.runs.WithLabelValues("failed").Inc()
		return run, err
	}
	s.runs.WithLabelValues("ok").Inc()
	return run, nil
}

// lockReplicas takes the scheduled export's advisory lock on a connection of its own, held until
// unlock: a session lock, so that a replica that dies mid-run releases it with its connection.
func (s *Service) lockReplicas(ctx context.Context) (unlock func(), locked bool, err error) {
	if s.store.Dialect != store.Postgres {
		return func() {}, true, nil
	}
	conn, err := s.store.SQL().Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", scheduleLockKey).Scan(&locked); err != nil || !locked {
		conn.Close()
		return nil, false, err
	}
	return func() {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", scheduleLockKey)
		if err != nil {
			// a connection that may still hold the lock must not go back to the pool
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, true, nil
}
