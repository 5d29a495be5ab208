// Package auth holds the roles, the permission each role grants, the authenticated actor of a
// request, and the API tokens (random secrets stored only as hashes).
package auth

import (
	"context"
	"slices"
	"strings"
)

// Role is what a token may do.
type Role string

const (
	Admin   Role = "admin"   // everything, tokens and organisations
	Staff   Role = "staff"   // reads and writes registry records, sees personal data
	Auditor Role = "auditor" // reads everything including the audit log, writes nothing
	Agency  Role = "agency"  // statistics and exports only, never personal data
)

// Roles lists every role, for validation and help texts.
var Roles = []Role{Admin, Staff, Auditor, Agency}

// ParseRole accepts a role name.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == strings.ToLower(strings.TrimSpace(s)) {
			return r, true
		}
	}
	return "", false
}

// Permission is declared once per route; the middleware checks it against the caller's role.
type Permission string

const (
	OrgsRead       Permission = "orgs:read"
	OrgsWrite      Permission = "orgs:write"
	RegistryRead   Permission = "registry:read"
	RegistryWrite  Permission = "registry:write"
	StatsRead      Permission = "stats:read"
	RegisterExport Permission = "register:export" // the register itself carries personal data
	AuditRead      Permission = "audit:read"
	VocabRead      Permission = "vocab:read" // the enums and their labels: every role
	// DedupScan compares the whole register, every organisation's records, and says how many
	// there are: an administration task (see the scan's route)
	DedupScan Permission = "dedup:scan"
	// UsersManage creates, changes, disables staff accounts and resets their passwords, within
	// the admin's subtree.
	UsersManage Permission = "users:manage"
	// CalendarRead reads the working-day calendar and the deadline rules: every role.
	CalendarRead Permission = "calendar:read"
	// CalendarWrite records the year's official swaps and extra days off and changes the
	// deadline rules, moving every due date in the register: admins.
	CalendarWrite Permission = "calendar:write"
	// Self reads who one is (GET /me) and, for a signed-in user, manages one's own password
	// and sessions: every role.
	Self Permission = "self"
)

var grants = map[Role][]Permission{
	Admin:   {OrgsRead, OrgsWrite, RegistryRead, RegistryWrite, StatsRead, RegisterExport, AuditRead, VocabRead, DedupScan, UsersManage, CalendarRead, CalendarWrite, Self},
	Staff:   {OrgsRead, RegistryRead, RegistryWrite, StatsRead, RegisterExport, VocabRead, CalendarRead, Self},
	Auditor: {OrgsRead, RegistryRead, StatsRead, RegisterExport, AuditRead, VocabRead, CalendarRead, Self},
	Agency:  {OrgsRead, StatsRead, VocabRead, CalendarRead, Self},
}

// Can reports whether the role grants p.
func (r Role) Can(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// Permissions lists what the role grants, in a fixed order.
func (r Role) Permissions() []Permission { return slices.Clone(grants[r]) }

// Actor is who makes a request, a bearer token or a signed-in user (one or the other of TokenID
// and UserID is set): its name and role, and the organisation subtree it may touch. OrgID is
// empty for an unscoped caller, which reaches every organisation. Both kinds of caller go
// through the same permission and scope checks, which read only Role and OrgPath.
type Actor struct {
	TokenID string
	UserID  string
	Name    string
	Role    Role
	OrgID   string
	OrgPath string
	// MustChangePassword: a user signed in with a one-time password, who may do nothing but
	// change it (and read who they are, and sign out).
	MustChangePassword bool
}

// CallerID is the id of the token or user acting: what rate limits and idempotency keys are
// kept per.
func (a Actor) CallerID() string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.TokenID
}

// Scoped reports whether the actor is limited to one organisation's subtree.
func (a Actor) Scoped() bool { return a.OrgPath != "" }

// Reaches reports whether an organisation with the given materialised path is in the actor's subtree.
func (a Actor) Reaches(orgPath string) bool {
	return !a.Scoped() || strings.HasPrefix(orgPath, a.OrgPath)
}

type actorKey struct{}

// WithActor stores the actor in ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the request's actor; the zero Actor when none is set.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// System is the actor of work the service does by itself (scheduled exports, migrations).
var System = Actor{Name: "system", Role: Admin}
