package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tcd-registry/tcd/internal/export"
)

// scheduleExports starts the quarterly export on TCD_EXPORT_SCHEDULE (a cron expression read in
// the organisation's time zone; empty leaves it off) and returns the function that stops it,
// waiting for a run in progress. A malformed schedule, directory or format list stops the server
// from starting, as any other configuration mistake does; a failing run is logged and counted
// and the server carries on.
func (a *App) scheduleExports(ctx context.Context) (stop func(), err error) {
	spec := a.Config.ExportSchedule
	if spec == "" {
		return func() {}, nil
	}
	sch, err := export.ParseSchedule(a.Config.ExportDir, a.Config.ExportFormats)
	if err != nil {
		return nil, err
	}
	log := cronLogger{a.Log}
	c := cron.New(cron.WithLocation(a.Config.TimeZone), cron.WithLogger(log),
		cron.WithChain(cron.Recover(log), cron.SkipIfStillRunning(log)))
	if _, err := c.AddFunc(spec, func() { a.runScheduledExport(ctx, sch) }); err != nil {
		return nil, fmt.Errorf("TCD_EXPORT_SCHEDULE %q: %w", spec, err)
	}
	c.Start()
	a.Log.Info("export schedule on", slog.String("schedule", spec), slog.String("dir", sch.Dir),
		slog.Any("formats", sch.Formats))
	return func() { <-c.Stop().Done() }, nil
}

func (a *App) runScheduledExport(ctx context.Context, sch export.Schedule) {
	began := time.Now()
	run, err := a.Export.RunScheduled(ctx, began.In(a.Config.TimeZone), sch)
	attrs := []any{slog.String("period", run.Period.Label), slog.String("basis", string(run.Period.Basis)),
		slog.Any("files", run.Files), slog.Duration("took", time.Since(began))}
	switch {
	case err != nil:
		a.Log.Error("scheduled export failed", append(attrs, slog.Any("error", err))...)
	case run.Skipped:
		a.Log.Info("scheduled export skipped: another replica is running it", attrs...)
	default:
		a.Log.Info("scheduled export written", attrs...)
	}
}

// cronLogger lets the scheduler log through slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	l.log.Debug("cron: "+msg, keysAndValues...)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.log.Error("cron: "+msg, append(keysAndValues, slog.Any("error", err))...)
}
