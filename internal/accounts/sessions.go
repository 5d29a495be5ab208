package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
)

// Session is one signed-in browser, as its user sees it.
type Session struct {
	ID         string    `json:"id" validate:"required"`
	CreatedAt  time.Time `json:"created_at" validate:"required"`
	LastSeenAt time.Time `json:"last_seen_at" validate:"required"`
	// ExpiresAt is when the session ends unless used again: the sooner of its idle end and its
	// absolute end.
	ExpiresAt  time.Time `json:"expires_at" validate:"required"`
	ClientAddr string    `json:"client_addr" validate:"required"`
	UserAgent  string    `json:"user_agent" validate:"required"`
	Current    bool      `json:"current" validate:"required"`
}

type sessionRow struct {
	Seq        int64 `gorm:"primaryKey"`
	ID         string
	UserID     string
	SecretHash string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
	ClientAddr string
	UserAgent  string
}

func (sessionRow) TableName() string { return "login_sessions" }

// SignedIn is a session's caller: the actor the permission checks see, the session, and the
// CSRF token its cookie-authenticated writes must carry. Secret, the cookie's value, is set
// by SignIn alone.
type SignedIn struct {
	Actor     auth.Actor
	SessionID string
	CSRFToken string
	Secret    string
}

// Client is where a sign-in comes from, for the address window and the session list.
type Client struct {
	Addr      string
	UserAgent string
}

// Credentials are the body of POST /auth/login.
type Credentials struct {
	Username string `json:"username" example:"lan.nguyen"`
	Password string `json:"password" example:"correct horse battery staple"`
}

// csrfToken is derived from the session's secret, so it is never stored: whoever holds the
// cookie's secret can compute it, but a page of another site, which can make the browser send
// the cookie without reading it, cannot.
func csrfToken(secret string) string {
	sum := sha256.Sum256([]byte("tcd csrf\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CSRFMatches compares a request's X-CSRF-Token with the session's in constant time.
func (s SignedIn) CSRFMatches(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRFToken)) == 1
}

// wrongCredentials is the one answer for an unknown username, a wrong password and a disabled
// account alike.
func wrongCredentials() error { return apperr.New(apperr.Unauthorized, "wrong username or password") }

// SignIn checks a username and password and opens a session. The answer to an unknown user,
// a wrong password and a disabled user is the same 401, after the same work: an unknown
// username is checked against a dummy hash. While a failure window is full the attempt is
// refused with a LockedOut (429) before any password is checked.
func (s *Service) SignIn(ctx context.Context, cred Credentials, client Client) (SignedIn, error) {
	var fe apperr.Fields
	if strings.TrimSpace(cred.Username) == "" {
		fe.Add("username", "is required")
	} else if len(cred.Username) > 200 {
		fe.Add("username", "must be at most 200 characters")
	}
	if cred.Password == "" {
		fe.Add("password", "is required")
	} else if len(cred.Password) > 4*MaxPasswordLen {
		fe.Add("password", "must be at most %d characters", MaxPasswordLen)
	}
	if err := fe.Err(); err != nil {
		return SignedIn{}, err
	}
	if err := s.ensureDummy(ctx); err != nil {
		return SignedIn{}, err
	}
	username := NormaliseUsername(cred.Username)
	attempt, err := s.claimAttempt(ctx, username, client.Addr)
	if err != nil {
		return SignedIn{}, err
	}
	var row userRow
	err = s.store.DB.WithContext(ctx).Where("username = ?", username).Take(&row).Error
	known := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return SignedIn{}, err
	}
	encoded := s.dummyHash
	if known {
		encoded = row.PasswordHash
	}
	ok, stale, err := s.verify(ctx, cred.Password, encoded)
	if err != nil {
		return SignedIn{}, err
	}
	switch {
	case !known:
		return SignedIn{}, s.recordFailure(ctx, auth.Actor{Name: auditableUsername(username)}, "", client, "unknown_user")
	case !ok:
		return SignedIn{}, s.recordFailure(ctx, auth.Actor{Name: row.Username}, row.ID, client, "wrong_password")
	case !row.Active:
		return SignedIn{}, s.recordFailure(ctx, auth.Actor{Name: row.Username}, row.ID, client, "disabled")
	}
	if stale {
		// the costs were raised since this hash was made: rewrite it while the password is at hand
		if row.PasswordHash, err = s.hash(ctx, cred.Password); err != nil {
			return SignedIn{}, err
		}
	}
	return s.open(ctx, row, attempt, client)
}

// ensureDummy makes the dummy hash once, at the first sign-in, known user or not, so that even
// the first answers do not differ in time.
func (s *Service) ensureDummy(ctx context.Context) error {
	s.dummyOnce.Do(func() { s.dummyHash, s.dummyErr = s.hash(context.WithoutCancel(ctx), rand.Text()) })
	return s.dummyErr
}

// auditableUsername keeps out of the audit log what was typed as an unknown username unless it
// could be one: people type their password into the username field.
func auditableUsername(username string) string {
	if usernamePattern.MatchString(username) {
		return username
	}
	return "(not a username)"
}

// recordFailure audits a failed sign-in (the failure itself stays counted in its window) and
// returns the answer to it.
func (s *Service) recordFailure(ctx context.Context, actor auth.Actor, userID string, client Client, reason string) error {
	err := audit.Record(ctx, s.store.DB, actor, "login_failed", "user", userID,
		map[string]any{"username": actor.Name, "client_addr": client.Addr, "reason": reason})
	if err != nil {
		return err
	}
	return wrongCredentials()
}

// open starts a session for the user whose password was right: the attempt is no failure, and
// a success clears the username's window.
func (s *Service) open(ctx context.Context, row userRow, attempt int64, client Client) (SignedIn, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return SignedIn{}, err
	}
	secret := base64.RawURLEncoding.EncodeToString(buf)
	now := s.clock()
	sess := sessionRow{ID: uuid.Must(uuid.NewV7()).String(), UserID: row.ID, SecretHash: auth.HashSecret(secret), CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionMax), ClientAddr: client.Addr, UserAgent: truncate(client.UserAgent, 300)}
	actor, err := s.actorOf(ctx, row)
	if err != nil {
		return SignedIn{}, err
	}
	err = s.store.Tx(ctx, func(tx *gorm.DB) error {
		db := tx.WithContext(ctx)
		if err := db.Create(&sess).Error; err != nil {
			return err
		}
		if err := db.Model(&userRow{}).Where("id = ?", row.ID).
			Updates(map[string]any{"last_login_at": now, "password_hash": row.PasswordHash}).Error; err != nil {
			return err
		}
		if err := db.Where("seq = ? OR username = ?", attempt, row.Username).Delete(&failureRow{}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "login", "user", row.ID, map[string]any{"username": row.Username,
			"client_addr": client.Addr, "session_id": sess.ID})
	})
	if err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Actor: actor, SessionID: sess.ID, CSRFToken: csrfToken(secret), Secret: secret}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// actorOf is the actor a user acts as: its role, and its organisation's subtree.
func (s *Service) actorOf(ctx context.Context, row userRow) (auth.Actor, error) {
	a := auth.Actor{UserID: row.ID, Name: row.Username, Role: auth.Role(row.Role), MustChangePassword: row.MustChangePassword}
	if row.OrgID != nil {
		path, err := s.orgs.Path(ctx, *row.OrgID)
		if err != nil {
			return auth.Actor{}, err
		}
		a.OrgID, a.OrgPath = *row.OrgID, path
	}
	return a, nil
}

// touchEvery bounds how often a busy session writes its last request's time: a session thus
// ends between SessionIdle-touchEvery and SessionIdle after its last request.
func (s *Service) touchEvery() time.Duration { return min(time.Minute, s.cfg.SessionIdle/10) }

// Authenticate resolves a session cookie's secret into its caller. The user's state (active,
// role, organisation) is read with the session on every request, so disabling a user or
// changing its role takes effect on its next request.
func (s *Service) Authenticate(ctx context.Context, secret string) (SignedIn, error) {
	ended := apperr.New(apperr.Unauthorized, "the session has ended or is unknown; sign in again")
	if secret == "" || len(secret) > 200 {
		return SignedIn{}, ended
	}
	var row struct {
		Seq                int64
		ID                 string
		UserID             string
		LastSeenAt         time.Time
		ExpiresAt          time.Time
		EndedAt            *time.Time
		Username           string
		Role               string
		OrgID              *string
		Active             bool
		MustChangePassword bool
		OrgPath            *string
	}
	err := s.store.DB.WithContext(ctx).Table("login_sessions").
		Select("login_sessions.seq, login_sessions.id, login_sessions.user_id, login_sessions.last_seen_at, login_sessions.expires_at, "+
			"login_sessions.ended_at, users.username, users.role, users.org_id, users.active, users.must_change_password, orgs.path AS org_path").
		Joins("JOIN users ON users.id = login_sessions.user_id").
		Joins("LEFT JOIN orgs ON orgs.id = users.org_id").
		Where("login_sessions.secret_hash = ?", auth.HashSecret(secret)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SignedIn{}, ended
	}
	if err != nil {
		return SignedIn{}, err
	}
	now := s.clock()
	if row.EndedAt != nil || !row.Active || !now.Before(row.ExpiresAt) || !now.Before(row.LastSeenAt.Add(s.cfg.SessionIdle)) {
		return SignedIn{}, ended
	}
	if now.Sub(row.LastSeenAt) >= s.touchEvery() {
		// best effort: a failed bookkeeping write must not fail the request
		s.store.DB.WithContext(ctx).Model(&sessionRow{}).Where("seq = ?", row.Seq).Update("last_seen_at", now)
	}
	a := auth.Actor{UserID: row.UserID, Name: row.Username, Role: auth.Role(row.Role), MustChangePassword: row.MustChangePassword}
	if row.OrgID != nil && row.OrgPath != nil {
		a.OrgID, a.OrgPath = *row.OrgID, *row.OrgPath
	}
	return SignedIn{Actor: a, SessionID: row.ID, CSRFToken: csrfToken(secret)}, nil
}

// endSessions ends every open session of a user except keep ("" ends them all), in tx.
func (s *Service) endSessions(ctx context.Context, tx *gorm.DB, userID, keep string) error {
	return tx.WithContext(ctx).Model(&sessionRow{}).Where("user_id = ? AND ended_at IS NULL AND id <> ?", userID, keep).
		Update("ended_at", s.clock()).Error
}

// EndSession ends one of the signed-in user's own sessions (action "logout" for the current
// one, "end_session" for another).
func (s *Service) EndSession(ctx context.Context, actor auth.Actor, sessionID, action string) error {
	if actor.UserID == "" {
		return errNotSignedIn()
	}
	return s.store.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.WithContext(ctx).Model(&sessionRow{}).Where("id = ? AND user_id = ? AND ended_at IS NULL", sessionID, actor.UserID).
			Update("ended_at", s.clock())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "no such session")
		}
		return audit.Record(ctx, tx, actor, action, "user", actor.UserID, map[string]any{"session_id": sessionID})
	})
}

func errNotSignedIn() error {
	return apperr.New(apperr.Forbidden, "only a signed-in user has a password and sessions; a bearer token has neither")
}

// Sessions lists the signed-in user's open sessions, newest first; current is the caller's.
func (s *Service) Sessions(ctx context.Context, actor auth.Actor, current string) ([]Session, error) {
	if actor.UserID == "" {
		return nil, errNotSignedIn()
	}
	now := s.clock()
	var rows []sessionRow
	err := s.store.DB.WithContext(ctx).Where("user_id = ? AND ended_at IS NULL AND expires_at > ? AND last_seen_at > ?",
		actor.UserID, now, now.Add(-s.cfg.SessionIdle)).Order("seq DESC").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Session, len(rows))
	for i, r := range rows {
		out[i] = Session{ID: r.ID, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: minTime(r.ExpiresAt, r.LastSeenAt.Add(s.cfg.SessionIdle)),
			ClientAddr: r.ClientAddr, UserAgent: r.UserAgent, Current: r.ID == current}
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// PasswordChange is the body of POST /me/password.
type PasswordChange struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// ChangePassword sets a signed-in user's new password after checking its current one, which
// counts against the failure windows like a sign-in (a stolen cookie must not become a way to
// guess the password). The user's other sessions end; the current one goes on, no longer
// limited to changing the password.
func (s *Service) ChangePassword(ctx context.Context, actor auth.Actor, sessionID string, in PasswordChange, client Client) error {
	if actor.UserID == "" {
		return errNotSignedIn()
	}
	var row userRow
	if err := s.store.DB.WithContext(ctx).Where("id = ?", actor.UserID).Take(&row).Error; err != nil {
		return err
	}
	var fe apperr.Fields
	if in.Current == "" {
		fe.Add("current", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := checkPassword("new", in.New, row.Username, row.DisplayName); err != nil {
		return err
	}
	if normalisePassword(in.New) == normalisePassword(in.Current) {
		return apperr.Field("new", "must differ from the current password")
	}
	attempt, err := s.claimAttempt(ctx, row.Username, client.Addr)
	if err != nil {
		return err
	}
	ok, _, err := s.verify(ctx, in.Current, row.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		if err := audit.Record(ctx, s.store.DB, actor, "password_change_failed", "user", row.ID,
			map[string]any{"username": row.Username, "client_addr": client.Addr}); err != nil {
			return err
		}
		return apperr.Field("current", "is not the current password")
	}
	hash, err := s.hash(ctx, in.New)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *gorm.DB) error {
		db := tx.WithContext(ctx)
		if err := db.Model(&userRow{}).Where("id = ?", row.ID).Updates(map[string]any{"password_hash": hash,
			"must_change_password": false, "version": gorm.Expr("version + 1"), "updated_at": s.clock()}).Error; err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, row.ID, sessionID); err != nil {
			return err
		}
		if err := s.withdraw(ctx, tx, attempt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "password_change", "user", row.ID, map[string]any{"username": row.Username})
	})
}
