// Package app wires configuration, storage, services and the HTTP server together, the same way
// for `tcd serve`, the other subcommands and the end-to-end tests.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"gocloud.dev/blob"

	"github.com/tcd-registry/tcd/internal/accounts"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/blobs"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/httpapi"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
	"gorm.io/gorm"
)

// App is a running service's parts.
type App struct {
	Config     config.Config
	Log        *slog.Logger
	Store      *store.Store
	Orgs       *orgs.Service
	Tokens     *auth.Tokens
	Accounts   *accounts.Service
	DefaultOrg orgs.Org
	Registry   *registry.Service
	Stats      *stats.Service
	Export     *export.Service
	Blobs      *blob.Bucket // the attachments' bytes
	HTTP       *httpapi.Server
}

// Open connects to the database, applies pending migrations, makes sure the default
// organisation exists and builds the HTTP server.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxOpenConns: cfg.DBMaxOpenConns,
		ReplicaURLs: cfg.ReplicaURLs, ReplicaMaxLag: cfg.ReplicaMaxLag, Logger: log})
	if err != nil {
		return nil, err
	}
	if n, err := st.MigrateUp(ctx); err != nil {
		st.Close()
		return nil, err
	} else if n > 0 {
		log.Info("applied migrations", slog.Int("count", n))
	}
	a := &App{Config: cfg, Log: log, Store: st, Orgs: orgs.NewService(st), Tokens: auth.NewTokens(st, auditToken)}
	a.Accounts = accounts.NewService(st, a.Orgs, accounts.Config{SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax})
	a.DefaultOrg, err = a.Orgs.EnsureDefault(ctx, cfg.OrgCode, cfg.OrgName)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("default organisation: %w", err)
	}
	a.Registry = registry.NewService(st, registry.Config{DelegationMin: cfg.DelegationMin, Location: cfg.TimeZone, DefaultOrgID: a.DefaultOrg.ID,
		// the names parsed ahead at a start may take half the memory the service is held to
		WarmBytes: cfg.MemoryLimit / 2})
	// like a migration: the keys duplicate search finds cases by, for a register from before
	// them or indexed with another vocabulary
	if err := a.Registry.Duplicates().IndexCases(ctx, log); err != nil {
		st.Close()
		return nil, fmt.Errorf("index cases for duplicate search: %w", err)
	}
	// likewise the counts person matching weighs by: counted here, once, never in a lookup
	if err := a.Registry.Duplicates().IndexPersons(ctx, log); err != nil {
		st.Close()
		return nil, fmt.Errorf("count persons for duplicate search: %w", err)
	}
	a.Stats = stats.NewService(st, stats.Config{DelegationMin: cfg.DelegationMin, Location: cfg.TimeZone, DefaultOrgID: a.DefaultOrg.ID})
	a.Export = export.NewService(st, a.Stats, a.Registry)
	if a.Blobs, err = blobs.Open(ctx, cfg.BlobURL, cfg.AttachmentDir); err != nil {
		st.Close()
		return nil, err
	}
	a.HTTP = httpapi.New(httpapi.Deps{Config: cfg, Store: st, Orgs: a.Orgs, Tokens: a.Tokens, Accounts: a.Accounts, Audit: audit.NewLog(st, a.Registry.KeptDenouncers),
		Registry: a.Registry, Stats: a.Stats, Export: a.Export, Blobs: a.Blobs, Logger: log})
	return a, nil
}

// auditToken writes a token's creation or revocation to the audit log: who, which token, its
// role, scope and expiry (never its secret).
func auditToken(ctx context.Context, tx *gorm.DB, actor auth.Actor, action string, t auth.Token) error {
	return audit.Record(ctx, tx, actor, action, "token", t.ID, map[string]any{"name": t.Name, "role": t.Role,
		"org_id": t.OrgID, "expires_at": t.ExpiresAt})
}

// Serve answers HTTP on ln until ctx is cancelled, then lets in-flight requests finish (up to
// 20 s) before returning.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	stopExports, err := a.scheduleExports(ctx)
	if err != nil {
		return err
	}
	defer stopExports()
	foldCtx, stopFolding := context.WithCancel(ctx)
	waitFolding := a.foldQueues(foldCtx)
	defer func() { stopFolding(); waitFolding() }()
	if a.Config.DebugAddr != "" {
		stopDebug, err := a.serveDebug()
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	srv := &http.Server{Handler: a.HTTP.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// foldInterval is how often tcd serve folds what writes queued: new visits into the statistics'
// roll-ups, changes of duplicate search's term counts into the counts.
const foldInterval = time.Second

// foldQueues folds those queues in the background until ctx ends, and returns a function that
// waits for it to stop. Reads stay exact without it; with it, they seldom wait and read little.
// A failure (the database away) is logged at most once a minute: /readyz reports outages.
func (a *App) foldQueues(ctx context.Context) (wait func()) {
	queues := []struct {
		name string
		fold func(context.Context) error
	}{{"the statistics queue", a.Stats.Refresh}, {"the duplicate term counts", a.Registry.Duplicates().FoldTermCounts}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(foldInterval)
		defer t.Stop()
		var warned time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for _, q := range queues {
				if err := q.fold(ctx); err != nil && ctx.Err() == nil && time.Since(warned) > time.Minute {
					warned = time.Now()
					a.Log.Warn("folding "+q.name, slog.Any("error", err))
				}
			}
		}
	}()
	return func() { <-done }
}

// serveDebug serves Go's profiler on TCD_DEBUG_ADDR, a listener of its own so that the
// profiles never sit behind the API's tokens nor reach the API's clients: operators bind it to
// localhost and take CPU, heap and goroutine profiles of a live service when it misbehaves.
func (a *App) serveDebug() (stop func(), err error) {
	ln, err := net.Listen("tcp", a.Config.DebugAddr)
	if err != nil {
		return nil, fmt.Errorf("TCD_DEBUG_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	a.Log.Info("profiler listening", slog.String("addr", ln.Addr().String()))
	return func() { _ = srv.Close() }, nil
}

// Close releases the database.
func (a *App) Close() error { return errors.Join(a.Blobs.Close(), a.Store.Close()) }
