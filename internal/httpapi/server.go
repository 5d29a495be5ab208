// Package httpapi is the HTTP face of the service: Echo routes, request and response DTOs,
// authentication and per-route permissions, problem+json errors, health and metrics.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/labstack/gommon/bytes"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	echoSwagger "github.com/swaggo/echo-swagger"
	"gocloud.dev/blob"

	"github.com/tcd-registry/tcd/internal/accounts"
	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/console"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
)

// Deps is what the HTTP layer needs from the rest of the service.
type Deps struct {
	Config   config.Config
	Store    *store.Store
	Orgs     *orgs.Service
	Tokens   *auth.Tokens
	Accounts *accounts.Service
	Audit    *audit.Log
	Registry *registry.Service
	Stats    *stats.Service
	Export   *export.Service
	Blobs    *blob.Bucket // the attachments' bytes
	Logger   *slog.Logger
}

// Server holds the handlers' dependencies.
type Server struct {
	Deps
	log  *slog.Logger
	echo *echo.Echo
	// uploads are the routes whose request body is streamed to its destination rather than read
	// whole first (router.upload)
	uploads   map[string]bool
	schedules scheduleCache // the public schedule feeds (compliance.go)
	// reads counts the requests of replica-readable routes by where they read (replicas.go)
	reads *prometheus.CounterVec
}

// New builds the Echo instance with every middleware and route.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{Deps: d, log: d.Logger, uploads: map[string]bool{}}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = clientIPExtractor(d.Config.TrustedProxies)
	s.echo = e

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(d.Store.SQL(), "tcd"), d.Export.Metrics(), newDeadlineGauges(d.Registry))
	s.reads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tcd_replica_routed_reads_total",
		Help: "Requests of the routes that may read from a replica (lists, statistics, exports), by where they read: replica or primary."},
		[]string{"source"})
	if d.Store.HasReplicas() {
		reg.MustRegister(s.reads, newReplicaGauges(d.Store))
	}
	metrics := newHTTPMetrics(reg)

	e.Pre(middleware.RemoveTrailingSlash(), dropUnsafeRequestID)
	e.Use(middleware.RequestID())
	e.Use(s.recoverer())
	e.Use(metrics.middleware)
	e.Use(s.requestLogger())
	e.Use(secureHeaders())
	// No origins configured means no cross-origin access at all (Echo would otherwise allow "*").
	if len(d.Config.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  d.Config.CORSOrigins,
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "Idempotency-Key", "If-Match", "If-None-Match", csrfHeader},
			ExposeHeaders: []string{echo.HeaderLocation, "ETag", echo.HeaderXRequestID, "Retry-After"},
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions},

			// a front-end of a listed origin signs in: its requests carry the session cookie
			AllowCredentials: true,
		}))
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: d.Config.BodyLimit, Skipper: s.isUpload}))
	limit, _ := bytes.Parse(d.Config.BodyLimit) // checked by config.Load
	e.Use(readBody(limit, s.isUpload))
	e.Use(compress())
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: d.Config.RequestTimeout, Skipper: s.isUpload}))

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/swagger", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/swagger/index.html") })
	e.GET("/swagger/doc.json", swaggerDoc)
	e.GET("/swagger/*", echoSwagger.WrapHandler, swaggerHeaders(echoSwagger.WrapHandler))
	e.GET("/openapi.json", openAPI3Doc)
	s.registerPublic(e)
	console.Register(e) // the staff console at /, a client of /api/v1 like any other

	// Route-level (not group-level) middleware: an Echo group with middleware swallows unknown
	// methods as 404, and a 405 must stay a 405.
	open := []echo.MiddlewareFunc{noStore, admission(d.Config.MaxActive)}
	r := router{g: e.Group("/api/v1"), open: open, pre: append(slices.Clone(open), s.authenticate(), s.rateLimiter(), s.noteWrites()),
		idempotent: s.idempotent, fromReplica: s.fromReplica(), uploads: s.uploads}
	s.registerOrgs(r)
	s.registerAudit(r)
	s.registerPersons(r)
	s.registerSessions(r)
	s.registerCases(r)
	s.registerVisits(r)
	s.registerDelegations(r)
	s.registerNotices(r)
	s.registerDirectives(r)
	s.registerPetitions(r)
	s.registerDeadlines(r)
	s.registerCompliance(r)
	s.registerStats(r)
	s.registerExports(r)
	s.registerDedup(r)
	s.registerVocab(r)
	s.registerAccounts(r)
	s.registerMe(r)
	s.registerDocuments(r)
	s.registerAttachments(r)
	s.registerImports(r)
	return s
}

// Handler exposes the server for http.Server and tests.
func (s *Server) Handler() http.Handler { return s.echo }

// Routes lists every route the server answers, for the tests that walk them all.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// Shutdown finishes in-flight requests, then stops.
func (s *Server) Shutdown(ctx context.Context) error { return s.echo.Shutdown(ctx) }

// router declares each route with the one permission it requires, so that authorisation is
// enforced by a single middleware rather than by checks scattered through handlers.
type router struct {
	g          *echo.Group
	open       []echo.MiddlewareFunc // what every route has, those without authentication too
	pre        []echo.MiddlewareFunc // open, then authentication and rate limiting, before the permission check
	idempotent echo.MiddlewareFunc   // every POST honours Idempotency-Key
	// fromReplica sends the reads of a route declared with read to a replica (replicas.go)
	fromReplica echo.MiddlewareFunc
	uploads     map[string]bool
}

func (r router) handle(method, path string, perm auth.Permission, h echo.HandlerFunc, extra ...echo.MiddlewareFunc) {
	m := append(append([]echo.MiddlewareFunc{}, r.pre...), requirePermission(perm))
	if method == http.MethodPost {
		m = append(m, r.idempotent)
	}
	r.g.Add(method, path, h, append(m, extra...)...)
}

// read declares a GET that may read from a replica: a list, statistics or an export, which a
// reader may see as of a moment ago (at most TCD_REPLICA_MAX_LAG), and its writer as of its
// own writes.
func (r router) read(path string, perm auth.Permission, h echo.HandlerFunc) {
	r.handle(http.MethodGet, path, perm, h, r.fromReplica)
}

// upload declares a POST whose body (a file of up to megabytes) the handler streams to where it
// goes, under its own size limit and deadline: the body is not read whole first, nor bounded by
// the JSON body limit or the request timeout, and Idempotency-Key (which would hash the whole
// body) is not offered.
func (r router) upload(path string, perm auth.Permission, h echo.HandlerFunc) {
	r.uploads["/api/v1"+path] = true
	r.g.Add(http.MethodPost, path, h, append(append([]echo.MiddlewareFunc{}, r.pre...), requirePermission(perm))...)
}

// isUpload reports whether the request is to an upload route.
func (s *Server) isUpload(c echo.Context) bool { return s.uploads[c.Path()] }

func requirePermission(perm auth.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a := auth.ActorFrom(c.Request().Context())
			if !a.Role.Can(perm) {
				return apperr.New(apperr.Forbidden, "the %s role may not do this (needs %s)", a.Role, perm)
			}
			return next(c)
		}
	}
}

// authenticate resolves the bearer token, or else the session cookie of a signed-in user, into
// the request's actor: the same kind of actor either way, which the permission and scope checks
// read alike. Failures are counted per client address (failedAuth): past the allowance they
// answer 429 with Retry-After instead of 401, while a valid credential from the same address
// goes through as always.
func (s *Server) authenticate() echo.MiddlewareFunc {
	failures := newFailedAuth()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			secret, ok := strings.CutPrefix(h, "Bearer ")
			var actor auth.Actor
			var err error = apperr.New(apperr.Unauthorized, "missing bearer token or session cookie")
			if ok && strings.TrimSpace(secret) != "" {
				actor, err = s.Tokens.Authenticate(c.Request().Context(), strings.TrimSpace(secret))
			} else if cookie, cerr := c.Cookie(sessionCookie); cerr == nil {
				actor, err = s.signedIn(c, cookie.Value)
			}
			if apperr.CodeOf(err) == apperr.Unauthorized {
				return failures.refuse(c, err)
			}
			if err != nil {
				return err
			}
			ctx := auth.WithActor(c.Request().Context(), actor)
			ctx = audit.WithRequestID(ctx, c.Response().Header().Get(echo.HeaderXRequestID))
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

func (s *Server) recoverer() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: false,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.Any("error", err), slog.String("stack", string(stack)))
			return apperr.Wrap(apperr.Internal, err, "internal error")
		},
	})
}

func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			// paths only: query strings can carry search terms such as names and ID numbers
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("request_id", v.RequestID), slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("remote_ip", v.RemoteIP),
				slog.String("actor", auth.ActorFrom(c.Request().Context()).Name))
			return nil
		},
	})
}

// HealthStatus is the body of /healthz and /readyz.
type HealthStatus struct {
	Status string `json:"status" example:"ok" validate:"required"`
	// the read replicas (TCD_DATABASE_REPLICA_URLS) and their states, on /readyz when some are
	// configured; one that is not in use leaves the service ready, its reads going to the primary
	Replicas []ReplicaHealth `json:"replicas,omitempty"`
}

// healthz godoc
// @ID        healthz
// @Summary  Liveness: the process is running
// @Tags     health
// @Produce  json
// @Produce  application/problem+json
// @Success  200 {object} HealthStatus
// @Router   /healthz [get]
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, HealthStatus{Status: "ok"})
}

// readyz godoc
// @ID        readyz
// @Summary  Readiness: the database answers
// @Description Ready when the primary database answers. With read replicas, lists each with its state and lag: a replica that is down or lagging leaves the service ready, as its reads go to the primary.
// @Tags     health
// @Produce  json
// @Produce  application/problem+json
// @Success  200 {object} HealthStatus
// @Failure  503 {object} Problem
// @Router   /readyz [get]
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "database unreachable")
	}
	return c.JSON(http.StatusOK, HealthStatus{Status: "ok", Replicas: replicaHealth(s.Store)})
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// bindJSON decodes a request body strictly: unknown fields, trailing data and wrong types are a
// malformed request (400) naming the field, so a typo in a field name never passes silently.
func bindJSON(c echo.Context, dst any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return apperr.Wrap(apperr.BadRequest, err, "could not read the request body")
	}
	return decodeStrict(body, dst)
}

func decodeStrict(body []byte, dst any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return apperr.New(apperr.BadRequest, "the request body must be a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "body"
			}
			return &apperr.Error{Code: apperr.BadRequest, Message: "malformed JSON",
				Fields: []apperr.FieldError{{Field: field, Code: apperr.InvalidValue, Message: "must be of type " + te.Type.String()}}}
		case errors.As(err, &se):
			return apperr.New(apperr.BadRequest, "malformed JSON at byte %d", se.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &apperr.Error{Code: apperr.BadRequest, Message: "unknown field",
				Fields: []apperr.FieldError{{Field: name, Code: apperr.UnknownField, Message: "is not a field of this object"}}}
		default:
			return apperr.New(apperr.BadRequest, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.More() {
		return apperr.New(apperr.BadRequest, "malformed JSON: data after the object")
	}
	return nil
}
