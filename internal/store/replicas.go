package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// Reads routed to PostgreSQL streaming replicas. The HTTP layer marks a request's context with
// FromReplica (lists, statistics and exports of a client that has not written lately); every
// plain SELECT of that request made on the pool (not in a transaction, not on a pinned
// connection) then goes to the replica chosen for it, and Reader gives its explicit read-only
// transactions the same replica. Everything else, writes above all, stays on the primary.
//
// A replica is in use while it answers, is still in recovery (a promoted one is another primary)
// and lags no more than the allowed lag. The lag is measured without trusting clocks nor the
// replica's replay timestamp (which stands still while the primary is idle, so an idle, fully
// caught-up replica would look hours behind): every check samples the primary's WAL position,
// and a replica's lag is how long ago the primary was first past the position the replica has
// replayed; zero when it has replayed everything the primary had at the check. Its resolution
// is the check interval.

// replicaCheckEvery is how often the primary's position and each replica's are read.
const replicaCheckEvery = time.Second

// Replica states, as /readyz and the metrics report them.
const (
	ReplicaInUse       = "in_use"
	ReplicaLagging     = "lagging"
	ReplicaUnreachable = "unreachable"
	ReplicaNotStandby  = "not_a_replica" // answers, but is not in recovery: promoted, or misconfigured
)

// ReplicaStatus is one replica as last checked.
type ReplicaStatus struct {
	Name  string        // host:port, never the credentials
	State string        // one of the Replica* states
	Lag   time.Duration // as of the last check; meaningless while unreachable
}

type replica struct {
	name  string
	db    *gorm.DB
	state atomic.Pointer[ReplicaStatus]
}

func (r *replica) status() ReplicaStatus { return *r.state.Load() }

// replicaSet is the replicas of a Store and what their checks learnt.
type replicaSet struct {
	list   []*replica
	maxLag time.Duration
	next   atomic.Uint64 // round robin among those in use
	log    *slog.Logger

	mu      sync.Mutex
	samples []lsnSample // the primary's positions, oldest first, over the last maxLag and a bit
	stop    context.CancelFunc
	done    chan struct{}
}

type lsnSample struct {
	at  time.Time
	lsn int64
}

type replicaKey struct{}

// FromReplica returns ctx marked to read from one replica in use, chosen now for the whole
// request (its statements then read one replica's state, not several replayed to different
// points); ctx unchanged when no replica is configured or none is in use.
func (s *Store) FromReplica(ctx context.Context) context.Context {
	if s.replicas == nil {
		return ctx
	}
	n := len(s.replicas.list)
	start := int(s.replicas.next.Add(1))
	for i := range n {
		r := s.replicas.list[(start+i)%n]
		if r.status().State == ReplicaInUse {
			return context.WithValue(ctx, replicaKey{}, r)
		}
	}
	return ctx
}

// OnPrimary returns ctx with FromReplica's mark removed.
func OnPrimary(ctx context.Context) context.Context {
	if ctx.Value(replicaKey{}) == nil {
		return ctx
	}
	return context.WithValue(ctx, replicaKey{}, (*replica)(nil))
}

// ReadsReplica reports whether ctx is marked to read from a replica.
func ReadsReplica(ctx context.Context) bool {
	r, _ := ctx.Value(replicaKey{}).(*replica)
	return r != nil
}

// Reader is the handle for a read that opens its own transaction (a snapshot of several
// statements): on the replica ctx is marked for, else on the primary. Such a transaction must
// be read-only.
func (s *Store) Reader(ctx context.Context) *gorm.DB {
	if r, _ := ctx.Value(replicaKey{}).(*replica); r != nil {
		return r.db.WithContext(ctx)
	}
	return s.DB.WithContext(ctx)
}

// ReplicaFailed takes the replica ctx was marked for out of use until its next check finds it
// answering: a request that failed on it (the replica stopped) is retried on the primary, and
// the requests after it go there directly.
func (s *Store) ReplicaFailed(ctx context.Context) {
	if r, _ := ctx.Value(replicaKey{}).(*replica); r != nil {
		st := r.status()
		if st.State == ReplicaInUse {
			st.State = ReplicaUnreachable
			r.state.Store(&st)
		}
	}
}

// Replicas is every configured replica as last checked; nil without replicas.
func (s *Store) Replicas() []ReplicaStatus {
	if s.replicas == nil {
		return nil
	}
	out := make([]ReplicaStatus, len(s.replicas.list))
	for i, r := range s.replicas.list {
		out[i] = r.status()
	}
	return out
}

// HasReplicas reports whether replicas are configured.
func (s *Store) HasReplicas() bool { return s.replicas != nil }

// openReplicas connects to each replica (one that is down is reported, not fatal: reads use the
// primary meanwhile), checks them all once, and keeps checking in the background until Close.
func (s *Store) openReplicas(ctx context.Context, urls []string, opts Options) error {
	set := &replicaSet{maxLag: opts.ReplicaMaxLag, log: opts.Logger}
	if set.maxLag <= 0 {
		set.maxLag = 10 * time.Second
	}
	if set.log == nil {
		set.log = slog.Default()
	}
	for _, raw := range urls {
		if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
			return fmt.Errorf("TCD_DATABASE_REPLICA_URLS: each replica must be a postgres:// URL, got %q", redact(raw))
		}
		db, err := openGorm(postgres.Open(postgresDSN(raw)))
		if err != nil {
			return fmt.Errorf("replica %s: %w", redact(raw), err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return err
		}
		configurePool(sqlDB, opts.MaxOpenConns)
		r := &replica{name: redact(raw), db: db}
		r.state.Store(&ReplicaStatus{Name: r.name, State: ReplicaUnreachable})
		set.list = append(set.list, r)
	}
	s.replicas = set
	s.DB.Callback().Query().Before("gorm:query").Register("tcd:replica", s.route)
	s.DB.Callback().Row().Before("gorm:row").Register("tcd:replica", s.route)
	s.checkReplicas(ctx)
	for _, st := range s.Replicas() {
		if st.State != ReplicaInUse {
			set.log.Warn("replica not in use: reads go to the primary until it is", slog.String("replica", st.Name), slog.String("state", st.State))
		}
	}
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	set.stop, set.done = stop, make(chan struct{})
	go func() {
		defer close(set.done)
		t := time.NewTicker(replicaCheckEvery)
		defer t.Stop()
		for {
			select {
			case <-loopCtx.Done():
				return
			case <-t.C:
				s.checkReplicas(loopCtx)
			}
		}
	}()
	return nil
}

// route sends a statement to the replica its context is marked for, when it is a plain read on
// the pool: a transaction or a pinned connection keeps its own connection (a transaction may
// write, and TxClosing's flush wait is a SELECT that writes), and SELECT … FOR UPDATE or a raw
// statement other than a SELECT stays on the primary.
func (s *Store) route(db *gorm.DB) {
	r, _ := db.Statement.Context.Value(replicaKey{}).(*replica)
	if r == nil || db.Statement.ConnPool != s.pool {
		return
	}
	if _, locking := db.Statement.Clauses["FOR"]; locking {
		return
	}
	if raw := strings.TrimSpace(db.Statement.SQL.String()); raw != "" {
		upper := strings.ToUpper(raw)
		if !strings.HasPrefix(upper, "SELECT") || strings.Contains(upper, " FOR UPDATE") || strings.Contains(upper, " FOR SHARE") {
			return
		}
	}
	db.Statement.ConnPool = r.db.Statement.ConnPool
}

// checkReplicas samples the primary's WAL position, then each replica's replayed one, and
// updates their states. Sampling the primary first makes "replayed at least as far" mean caught
// up with the primary as of this check.
func (s *Store) checkReplicas(ctx context.Context) {
	set := s.replicas
	now := time.Now()
	var primary int64
	pctx, cancel := context.WithTimeout(ctx, replicaCheckEvery)
	err := s.DB.WithContext(OnPrimary(pctx)).Raw("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").Scan(&primary).Error
	cancel()
	set.mu.Lock()
	if err == nil {
		set.samples = append(set.samples, lsnSample{at: now, lsn: primary})
	}
	// keep what measures lags up to a little more than the allowed one; older samples only
	// tell that a replica is further behind than that
	for len(set.samples) > 1 && now.Sub(set.samples[1].at) > set.maxLag+2*replicaCheckEvery {
		set.samples = set.samples[1:]
	}
	samples := append([]lsnSample(nil), set.samples...)
	set.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range set.list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := ReplicaStatus{Name: r.name, State: ReplicaUnreachable}
			var row struct {
				Recovery bool
				Replayed *int64
			}
			rctx, cancel := context.WithTimeout(ctx, replicaCheckEvery)
			defer cancel()
			err := r.db.WithContext(rctx).Raw("SELECT pg_is_in_recovery() AS recovery, (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS replayed").Scan(&row).Error
			switch {
			case err != nil:
			case !row.Recovery || row.Replayed == nil:
				st.State = ReplicaNotStandby
			case len(samples) == 0: // the primary did not answer: nothing to measure against
				st.State = ReplicaLagging
			default:
				st.Lag = lagOf(samples, *row.Replayed, now)
				st.State = ReplicaInUse
				if st.Lag > set.maxLag {
					st.State = ReplicaLagging
				}
			}
			if prev := r.status(); prev.State != st.State {
				set.log.Info("replica state", slog.String("replica", r.name), slog.String("from", prev.State),
					slog.String("to", st.State), slog.Duration("lag", st.Lag))
			}
			r.state.Store(&st)
		}()
	}
	wg.Wait()
}

// lagOf is how long before now the primary was first seen past replayed: zero when the replica
// has replayed all the newest sample had. A replica behind even the oldest sample lags at least
// as long as the samples go back.
func lagOf(samples []lsnSample, replayed int64, now time.Time) time.Duration {
	for _, p := range samples {
		if p.lsn > replayed {
			return now.Sub(p.at)
		}
	}
	return 0
}

// closeReplicas stops the checks and releases the replicas' connections.
func (s *Store) closeReplicas() error {
	if s.replicas == nil {
		return nil
	}
	if s.replicas.stop != nil {
		s.replicas.stop()
		<-s.replicas.done
	}
	var errs []error
	for _, r := range s.replicas.list {
		if sqlDB, err := r.db.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
	}
	return errors.Join(errs...)
}

// redact is a database URL's host and port, for logs, metrics and /readyz.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "replica"
	}
	return u.Host
}

// NoteWrite records that callerID wrote now (the primary's clock), so that its reads for the
// read-your-writes window go to the primary, whichever tcd replica serves them.
func (s *Store) NoteWrite(ctx context.Context, callerID string) error {
	return s.DB.WithContext(OnPrimary(ctx)).Exec(`INSERT INTO recent_writes (caller_id, written_at) VALUES (?, now())
		ON CONFLICT (caller_id) DO UPDATE SET written_at = excluded.written_at`, callerID).Error
}

// WroteWithin reports whether callerID wrote within the last window, by the primary's clock.
func (s *Store) WroteWithin(ctx context.Context, callerID string, window time.Duration) (bool, error) {
	var recent bool
	err := s.DB.WithContext(OnPrimary(ctx)).Raw(`SELECT EXISTS (SELECT 1 FROM recent_writes
		WHERE caller_id = ? AND written_at > now() - make_interval(secs => ?))`, callerID, window.Seconds()).Scan(&recent).Error
	return recent, err
}
