// Package accounts keeps the staff's accounts: users with a role and an organisation scope like
// a token's, their argon2id password hashes, the server-side sessions they sign in to, and the
// brute-force windows of failed sign-ins. Everything lives in the database, so any number of
// service replicas share it. A signed-in user becomes the same auth.Actor a token does, and
// goes through the same permission and scope checks.
package accounts

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/semaphore"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// User is an account as administrators see it: never its password or hash.
type User struct {
	ID                 string     `json:"id" validate:"required"`
	Username           string     `json:"username" example:"lan.nguyen" validate:"required"`
	DisplayName        string     `json:"display_name" example:"Nguyễn Thị Lan" validate:"required"`
	Role               auth.Role  `json:"role" vocab:"token.role" enums:"admin,staff,auditor,agency" swaggertype:"string" validate:"required"`
	OrgID              *string    `json:"org_id" extensions:"x-nullable" validate:"required"`
	Active             bool       `json:"active" validate:"required"`
	MustChangePassword bool       `json:"must_change_password" validate:"required"`
	CreatedAt          time.Time  `json:"created_at" validate:"required"`
	LastLoginAt        *time.Time `json:"last_login_at" extensions:"x-nullable" validate:"required"`
	Version            int        `json:"-"`
}

// Ref is the user's id and version (the ETag).
func (u User) Ref() (string, int) { return u.ID, u.Version }

type userRow struct {
	Seq                int64 `gorm:"primaryKey"`
	ID                 string
	Username           string
	DisplayName        string
	Role               string
	OrgID              *string
	PasswordHash       string
	MustChangePassword bool
	Active             bool
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	LastLoginAt        *time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) toUser() User {
	return User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Role: auth.Role(r.Role), OrgID: r.OrgID,
		Active: r.Active, MustChangePassword: r.MustChangePassword, CreatedAt: r.CreatedAt, LastLoginAt: r.LastLoginAt,
		Version: r.Version}
}

// Config is what the service takes from the configuration.
type Config struct {
	SessionIdle time.Duration // a session ends after this long without a request
	SessionMax  time.Duration // and this long after sign-in in any case
	Params      Params        // argon2id costs of new hashes
}

// Service manages users and their sessions.
type Service struct {
	store *store.Store
	orgs  *orgs.Service
	cfg   Config
	now   atomic.Pointer[func() time.Time]
	// hashing bounds the argon2id computations at once: each holds Params.Memory, and a burst
	// of sign-ins must not multiply it past what a small server has.
	hashing *semaphore.Weighted
	// dummyHash is verified when the username is unknown, so that such an answer costs the same
	// time as a wrong password; made at the first sign-in, whichever it is.
	dummyOnce sync.Once
	dummyHash string
	dummyErr  error
}

// maxConcurrentHashes of Params.Memory each: 4 × 19 MiB.
const maxConcurrentHashes = 4

// NewService returns the accounts service.
func NewService(s *store.Store, o *orgs.Service, cfg Config) *Service {
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams
	}
	svc := &Service{store: s, orgs: o, cfg: cfg, hashing: semaphore.NewWeighted(maxConcurrentHashes)}
	svc.SetClock(func() time.Time { return time.Now().UTC() })
	return svc
}

// SetClock replaces the service's clock (tests move time forward to expire sessions and
// failure windows).
func (s *Service) SetClock(now func() time.Time) { s.now.Store(&now) }

func (s *Service) clock() time.Time { return (*s.now.Load())().UTC() }

// hash and verify run argon2id within the service's bound on concurrent computations.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.hashing.Acquire(ctx, 1); err != nil {
		return "", err
	}
	defer s.hashing.Release(1)
	return hashPassword(password, s.cfg.Params)
}

func (s *Service) verify(ctx context.Context, password, encoded string) (ok, stale bool, err error) {
	if err := s.hashing.Acquire(ctx, 1); err != nil {
		return false, false, err
	}
	defer s.hashing.Release(1)
	return verifyPassword(password, encoded, s.cfg.Params)
}

// usernamePattern: lower-case letters, digits and . _ -, starting with a letter or digit.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// NormaliseUsername is the form usernames are stored and looked up in: case does not matter.
func NormaliseUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// NewUser is the input of Create (POST /users).
type NewUser struct {
	Username    string  `json:"username" validate:"required" example:"lan.nguyen"`
	DisplayName string  `json:"display_name" validate:"max=200" example:"Nguyễn Thị Lan"`
	Role        string  `json:"role" validate:"required,vocab" vocab:"token.role" enums:"admin,staff,auditor,agency"`
	OrgID       *string `json:"org_id"`
}

// Create adds a user on actor's behalf and returns it with its one-time password, shown once:
// the user must change it at the first sign-in. A scoped admin creates users within its
// subtree only; without org_id the user belongs to the admin's own organisation.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in NewUser) (User, string, error) {
	if err := validate.Struct(in); err != nil {
		return User{}, "", err
	}
	username := NormaliseUsername(in.Username)
	if !usernamePattern.MatchString(username) {
		return User{}, "", apperr.Field("username", "must be 3 to 64 letters a-z, digits, '.', '_' or '-', starting with a letter or digit")
	}
	display := vntext.NFC(in.DisplayName)
	if display == "" {
		display = username
	}
	orgID := in.OrgID
	if orgID == nil && actor.Scoped() {
		orgID = &actor.OrgID
	}
	if err := s.checkOrg(ctx, actor, "org_id", orgID); err != nil {
		return User{}, "", err
	}
	password := newOneTimePassword(username)
	hash, err := s.hash(ctx, password)
	if err != nil {
		return User{}, "", err
	}
	now := s.clock()
	row := userRow{ID: uuid.Must(uuid.NewV7()).String(), Username: username, DisplayName: display, Role: in.Role, OrgID: orgID,
		PasswordHash: hash, MustChangePassword: true, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.store.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "create", "user", row.ID, describe(row))
	})
	if store.IsUniqueViolation(err) {
		return User{}, "", apperr.ConflictOn("username", "a user with this username already exists")
	}
	if err != nil {
		return User{}, "", err
	}
	return row.toUser(), password, nil
}

// describe is what the audit log says about a user: never its password or hash.
func describe(r userRow) map[string]any {
	return map[string]any{"username": r.Username, "display_name": r.DisplayName, "role": r.Role, "org_id": r.OrgID, "active": r.Active}
}

// checkOrg refuses an organisation the actor does not reach (or that does not exist), and a
// scoped admin's attempt to make an unscoped user.
func (s *Service) checkOrg(ctx context.Context, actor auth.Actor, field string, orgID *string) error {
	if orgID == nil {
		if actor.Scoped() {
			return apperr.Field(field, "an administrator scoped to an organisation can only manage users within its subtree")
		}
		return nil
	}
	path, err := s.orgs.Path(ctx, *orgID)
	if apperr.CodeOf(err) == apperr.NotFound || (err == nil && !actor.Reaches(path)) {
		return apperr.Field(field, "no such organisation")
	}
	return err
}

// load reads a user the actor manages, in tx; a user outside its subtree looks absent.
func (s *Service) load(ctx context.Context, tx *gorm.DB, actor auth.Actor, id string) (userRow, error) {
	var row userRow
	q := orgs.InScope(tx.WithContext(ctx).Table("users").Select("users.*"), actor, "users.org_id")
	err := q.Where("users.id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, apperr.New(apperr.NotFound, "no such user")
	}
	return row, err
}

// Get returns a user the actor manages.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id string) (User, error) {
	row, err := s.load(ctx, s.store.DB, actor, id)
	return row.toUser(), err
}

// ByUsername finds a user by username, for the command line (which reaches every user).
func (s *Service) ByUsername(ctx context.Context, username string) (User, error) {
	var row userRow
	err := s.store.DB.WithContext(ctx).Where("username = ?", NormaliseUsername(username)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, apperr.New(apperr.NotFound, "no user named %q", NormaliseUsername(username))
	}
	return row.toUser(), err
}

// List returns the users the actor manages, newest first.
func (s *Service) List(ctx context.Context, actor auth.Actor, p page.Request) ([]User, string, error) {
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(&userRow{}), actor, "users.org_id")
	var rows []userRow
	next, err := page.Fetch(q, p, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, next, nil
}

// UserPatch is the input of Update (PATCH /users/{id}); absent fields stay as they are.
type UserPatch struct {
	DisplayName *string                   `json:"display_name" validate:"omitnil,max=200"`
	Role        *string                   `json:"role" validate:"omitnil,vocab" vocab:"token.role" enums:"admin,staff,auditor,agency"`
	OrgID       validate.Optional[string] `json:"org_id" swaggertype:"string" extensions:"x-nullable"`
	// Active false disables the user: its sessions end at once and it cannot sign in; true
	// enables it again.
	Active *bool `json:"active"`
}

// Update changes a user the actor manages. ifMatch, when given, is the version the client read.
// Disabling a user ends its sessions in the same transaction.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id string, in UserPatch, ifMatch *int) (User, error) {
	if err := validate.Struct(in); err != nil {
		return User{}, err
	}
	if in.DisplayName != nil && vntext.NFC(*in.DisplayName) == "" {
		return User{}, apperr.Field("display_name", "must not be empty")
	}
	if in.OrgID.Set {
		if err := s.checkOrg(ctx, actor, "org_id", in.OrgID.Value); err != nil {
			return User{}, err
		}
	}
	var out userRow
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != row.Version {
			return apperr.New(apperr.PreconditionFailed, "the user changed since it was read")
		}
		before := describe(row)
		if in.DisplayName != nil {
			row.DisplayName = vntext.NFC(*in.DisplayName)
		}
		if in.Role != nil {
			row.Role = *in.Role
		}
		if in.OrgID.Set {
			row.OrgID = in.OrgID.Value
		}
		disabling := in.Active != nil && !*in.Active && row.Active
		if in.Active != nil {
			row.Active = *in.Active
		}
		changes := changed(before, describe(row))
		if len(changes) == 0 {
			out = row
			return nil
		}
		row.Version++
		row.UpdatedAt = s.clock()
		res := tx.WithContext(ctx).Model(&userRow{}).Where("id = ? AND version = ?", row.ID, row.Version-1).
			Updates(map[string]any{"display_name": row.DisplayName, "role": row.Role, "org_id": row.OrgID, "active": row.Active,
				"version": row.Version, "updated_at": row.UpdatedAt})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.PreconditionFailed, "the user changed since it was read")
		}
		if disabling {
			if err := s.endSessions(ctx, tx, row.ID, ""); err != nil {
				return err
			}
		}
		out = row
		return audit.Record(ctx, tx, actor, "update", "user", row.ID, changes)
	})
	return out.toUser(), err
}

// changed lists the fields whose values differ, as {"field": {"from": …, "to": …}}.
func changed(before, after map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range after {
		if !sameValue(before[k], v) {
			out[k] = map[string]any{"from": before[k], "to": v}
		}
	}
	return out
}

func sameValue(a, b any) bool {
	pa, aPtr := a.(*string)
	pb, bPtr := b.(*string)
	if aPtr && bPtr {
		return (pa == nil && pb == nil) || (pa != nil && pb != nil && *pa == *pb)
	}
	return a == b
}

// Disable is Update with active false, by username, for the command line.
func (s *Service) Disable(ctx context.Context, actor auth.Actor, username string) (User, error) {
	u, err := s.ByUsername(ctx, username)
	if err != nil {
		return User{}, err
	}
	off := false
	return s.Update(ctx, actor, u.ID, UserPatch{Active: &off}, nil)
}

// ResetPassword gives a user the actor manages a new one-time password, returned once, and ends
// its sessions: whoever knew the old password is signed out at once.
func (s *Service) ResetPassword(ctx context.Context, actor auth.Actor, id string) (User, string, error) {
	// hashed before the transaction, which then holds no lock for the hash's time
	target, err := s.load(ctx, s.store.DB, actor, id)
	if err != nil {
		return User{}, "", err
	}
	password := newOneTimePassword(target.Username)
	hash, err := s.hash(ctx, password)
	if err != nil {
		return User{}, "", err
	}
	var out userRow
	err = s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		row.Version++
		row.UpdatedAt, row.PasswordHash, row.MustChangePassword = s.clock(), hash, true
		if err := tx.WithContext(ctx).Model(&userRow{}).Where("id = ?", row.ID).Updates(map[string]any{"password_hash": hash,
			"must_change_password": true, "version": row.Version, "updated_at": row.UpdatedAt}).Error; err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, row.ID, ""); err != nil {
			return err
		}
		out = row
		return audit.Record(ctx, tx, actor, "reset_password", "user", row.ID, map[string]any{"username": row.Username})
	})
	return out.toUser(), password, err
}
