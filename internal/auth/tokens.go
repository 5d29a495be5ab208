package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
)

// tokenPrefix makes a leaked token recognisable to secret scanners.
const tokenPrefix = "tcd_"

// Token is a token's public record: never its secret.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	OrgID      *string    `json:"org_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

type tokenRow struct {
	Seq        int64 `gorm:"primaryKey"`
	ID         string
	Name       string
	Role       string
	OrgID      *string
	SecretHash string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

func (tokenRow) TableName() string { return "tokens" }

func (r tokenRow) toToken() Token {
	return Token{ID: r.ID, Name: r.Name, Role: Role(r.Role), OrgID: r.OrgID, CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt, LastUsedAt: r.LastUsedAt}
}

// Tokens creates, lists, revokes and checks API tokens.
type Tokens struct {
	store *store.Store
	now   func() time.Time
	audit Recorder
}

// Recorder appends a token change to the audit log in the change's transaction tx (the audit
// package, which builds on this one, provides it).
type Recorder func(ctx context.Context, tx *gorm.DB, actor Actor, action string, t Token) error

// NewTokens returns the token service; every creation and revocation goes through audit.
func NewTokens(s *store.Store, audit Recorder) *Tokens {
	return &Tokens{store: s, now: func() time.Time { return time.Now().UTC() }, audit: audit}
}

// HashSecret is how random secrets (tokens', sessions') are stored: SHA-256, as the secret has
// 256 bits of entropy, so a slow hash adds nothing.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewToken is the input of Create.
type NewToken struct {
	Name      string
	Role      Role
	OrgID     *string
	ExpiresAt *time.Time
}

// Create makes a token on actor's behalf and returns its secret, which is shown once and never
// stored.
func (t *Tokens) Create(ctx context.Context, actor Actor, in NewToken) (string, Token, error) {
	name := strings.TrimSpace(in.Name)
	var fe apperr.Fields
	if name == "" {
		fe.AddAs(apperr.Required, "name", "is required")
	} else if err := validate.Text("name", name); err != nil {
		return "", Token{}, err
	}
	if _, ok := ParseRole(string(in.Role)); !ok {
		fe.AddAs(apperr.ForbiddenValue, "role", "must be admin, staff, auditor or agency")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(t.now()) {
		fe.AddAs(apperr.OutOfRange, "expires_at", "is not in the future: the token would never work")
	}
	if err := fe.Err(); err != nil {
		return "", Token{}, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	row := tokenRow{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Role: string(in.Role), OrgID: in.OrgID,
		SecretHash: HashSecret(secret), CreatedAt: t.now(), ExpiresAt: in.ExpiresAt}
	err := t.store.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
			return err
		}
		return t.record(ctx, tx, actor, "create", row)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return "", Token{}, apperr.ConflictOn("name", "a token named %q already exists", name)
		}
		return "", Token{}, err
	}
	return secret, row.toToken(), nil
}

func (t *Tokens) record(ctx context.Context, tx *gorm.DB, actor Actor, action string, row tokenRow) error {
	if t.audit == nil {
		return nil
	}
	return t.audit(ctx, tx, actor, action, row.toToken())
}

// List returns every token, newest first, without secrets.
func (t *Tokens) List(ctx context.Context) ([]Token, error) {
	var rows []tokenRow
	if err := t.store.DB.WithContext(ctx).Order("seq DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = r.toToken()
	}
	return out, nil
}

// Revoke disables the named token at once, on actor's behalf.
func (t *Tokens) Revoke(ctx context.Context, actor Actor, name string) error {
	return t.store.Tx(ctx, func(tx *gorm.DB) error {
		var row tokenRow
		err := tx.WithContext(ctx).Where("name = ? AND revoked_at IS NULL", name).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "no active token named %q", name)
		}
		if err != nil {
			return err
		}
		now := t.now()
		res := tx.WithContext(ctx).Model(&tokenRow{}).Where("seq = ? AND revoked_at IS NULL", row.Seq).Update("revoked_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "no active token named %q", name)
		}
		row.RevokedAt = &now
		return t.record(ctx, tx, actor, "revoke", row)
	})
}

// lastUsedResolution bounds how often a busy token writes its last-use time.
const lastUsedResolution = time.Minute

// Authenticate resolves a bearer secret into an actor. Revocation and expiry are read from the
// database on every call, so they take effect immediately.
func (t *Tokens) Authenticate(ctx context.Context, secret string) (Actor, error) {
	unauthorized := apperr.New(apperr.Unauthorized, "invalid or expired token")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Actor{}, unauthorized
	}
	var row struct {
		Seq        int64
		ID         string
		Name       string
		Role       string
		OrgID      *string
		ExpiresAt  *time.Time
		RevokedAt  *time.Time
		LastUsedAt *time.Time
		OrgPath    *string
	}
	err := t.store.DB.WithContext(ctx).Table("tokens").
		Select("tokens.seq, tokens.id, tokens.name, tokens.role, tokens.org_id, tokens.expires_at, tokens.revoked_at, tokens.last_used_at, orgs.path AS org_path").
		Joins("LEFT JOIN orgs ON orgs.id = tokens.org_id").
		Where("tokens.secret_hash = ?", HashSecret(secret)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Actor{}, unauthorized
	}
	if err != nil {
		return Actor{}, err
	}
	now := t.now()
	if row.RevokedAt != nil || (row.ExpiresAt != nil && !now.Before(*row.ExpiresAt)) {
		return Actor{}, unauthorized
	}
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) > lastUsedResolution {
		// best effort: a failed bookkeeping write must not fail the request
		t.store.DB.WithContext(ctx).Model(&tokenRow{}).Where("seq = ?", row.Seq).Update("last_used_at", now)
	}
	a := Actor{TokenID: row.ID, Name: row.Name, Role: Role(row.Role)}
	if row.OrgID != nil && row.OrgPath != nil {
		a.OrgID, a.OrgPath = *row.OrgID, *row.OrgPath
	}
	return a, nil
}
