package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
)

// Read routing to PostgreSQL replicas (TCD_DATABASE_REPLICA_URLS, internal/store/replicas.go).
// Routes declared with router.read (lists, statistics, exports) read from a replica in use,
// unless their client wrote within TCD_READ_YOUR_WRITES: the client is its token or signed-in
// user (Actor.CallerID), and when it last wrote is kept on the primary (recent_writes), so a
// write through one tcd replica and a read through another still see each other. Everything
// else reads and writes the primary.

// fromReplica routes a read to a replica when it may. A read that fails because its replica went
// away before anything was sent is retried once on the primary, and the replica is left out
// until its next check finds it again: a stopped replica costs its readers nothing.
func (s *Server) fromReplica() echo.MiddlewareFunc {
	if !s.Store.HasReplicas() {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			ctx := req.Context()
			rctx := s.Store.FromReplica(ctx)
			if store.ReadsReplica(rctx) { // with none in use, the primary needs no asking
				recent, err := s.Store.WroteWithin(ctx, auth.ActorFrom(ctx).CallerID(), s.Config.ReadYourWrites)
				if err != nil {
					return err
				}
				if recent {
					rctx = ctx
				}
			}
			if !store.ReadsReplica(rctx) {
				s.reads.WithLabelValues("primary").Inc()
				return next(c)
			}
			c.SetRequest(req.WithContext(rctx))
			err := next(c)
			if err == nil || !isUnavailable(err) || c.Response().Committed || ctx.Err() != nil {
				s.reads.WithLabelValues("replica").Inc()
				return err
			}
			s.Store.ReplicaFailed(rctx)
			s.reads.WithLabelValues("primary").Inc()
			c.SetRequest(req)
			return next(c)
		}
	}
}

// noteWrites records, for read-your-writes, that the client of a successful write wrote: just
// before the answer's first byte, so that no read the client sends after it can miss the mark.
func (s *Server) noteWrites() echo.MiddlewareFunc {
	if !s.Store.HasReplicas() {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			res := c.Response()
			res.Before(func() {
				if res.Status < http.StatusBadRequest {
					// best effort: the write itself is done; failing here only risks a stale read
					_ = s.Store.NoteWrite(c.Request().Context(), auth.ActorFrom(c.Request().Context()).CallerID())
				}
			})
			return next(c)
		}
	}
}

// ReplicaHealth is one read replica as /readyz reports it.
type ReplicaHealth struct {
	// host:port of the replica
	Name string `json:"name" example:"db-replica-1:5432" validate:"required"`
	// in_use: reads go to it; lagging: more than TCD_REPLICA_MAX_LAG behind, left out until it
	// catches up; unreachable: it does not answer; not_a_replica: it answers but is not in recovery
	// (promoted, or not a replica of this database)
	State string `json:"state" vocab:"replica.state" enums:"in_use,lagging,unreachable,not_a_replica" example:"in_use" validate:"required"`
	// how far behind the primary it was at its last check, in seconds (0 while unreachable)
	LagSeconds float64 `json:"lag_seconds" example:"0.4" validate:"required"`
}

func replicaHealth(st *store.Store) []ReplicaHealth {
	var out []ReplicaHealth
	for _, r := range st.Replicas() {
		h := ReplicaHealth{Name: r.Name, State: r.State}
		if r.State != store.ReplicaUnreachable {
			h.LagSeconds = r.Lag.Seconds()
		}
		out = append(out, h)
	}
	return out
}

// replicaGauges exports each replica's lag and whether reads go to it, as last checked.
type replicaGauges struct {
	store      *store.Store
	lag, inUse *prometheus.Desc
}

func newReplicaGauges(st *store.Store) *replicaGauges {
	return &replicaGauges{store: st,
		lag: prometheus.NewDesc("tcd_replica_lag_seconds",
			"How far each read replica is behind the primary, as last checked (every second).", []string{"replica"}, nil),
		inUse: prometheus.NewDesc("tcd_replica_in_use",
			"1 when reads go to the replica, 0 when it is left out (unreachable, lagging more than TCD_REPLICA_MAX_LAG, or not a replica).",
			[]string{"replica", "state"}, nil)}
}

func (g *replicaGauges) Describe(ch chan<- *prometheus.Desc) { ch <- g.lag; ch <- g.inUse }

func (g *replicaGauges) Collect(ch chan<- prometheus.Metric) {
	for _, r := range g.store.Replicas() {
		if r.State != store.ReplicaUnreachable {
			ch <- prometheus.MustNewConstMetric(g.lag, prometheus.GaugeValue, r.Lag.Seconds(), r.Name)
		}
		in := 0.0
		if r.State == store.ReplicaInUse {
			in = 1
		}
		ch <- prometheus.MustNewConstMetric(g.inUse, prometheus.GaugeValue, in, r.Name, r.State)
	}
}
