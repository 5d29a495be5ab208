package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// Params are argon2id's costs. They are written into every hash, so raising them later leaves
// existing hashes readable (a user's hash is rewritten with the new costs at the next sign-in).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams is OWASP's first argon2id configuration (19 MiB, 2 passes, 1 lane): the
// cheapest in memory of its equivalent choices, which matters on a small server where several
// sign-ins may run at once.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password length bounds, in characters. The upper one keeps the strength estimate and the
// hash of one request cheap; it is far above anything typed.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// normalisePassword makes the same password typed on two keyboards (precomposed or combining
// Vietnamese diacritics) the same bytes.
func normalisePassword(p string) string { return norm.NFC.String(p) }

// hashPassword returns the PHC string of password under p:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, base64 without padding.
func hashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(normalisePassword(password)), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// decodeHash reads a PHC string written by hashPassword.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 parameters %q: %w", parts[3], err)
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 salt: %w", err)
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 key: %w", err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// verifyPassword reports whether password matches the PHC string, comparing in constant time,
// and whether the hash was made with other costs than want (then it should be rewritten).
func verifyPassword(password, encoded string, want Params) (ok, stale bool, err error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(normalisePassword(password)), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, p != want, nil
}

// estimatedLen is how much of a password the guessing estimate reads. The estimate's cost grows
// with about the cube of the length (150 ms at 120 characters, 2 ms at 24 on a 2-core server),
// and it runs on every password change before the hash; characters beyond the first 40 only add
// guesses, so a password whose first 40 are easy to guess is refused as a whole would be.
const estimatedLen = 40

// estimated is the part of password the guessing estimate reads.
func estimated(password string) string {
	if r := []rune(password); len(r) > estimatedLen {
		return string(r[:estimatedLen])
	}
	return password
}

// checkPassword applies the password rules to a new password of username, naming field: at
// least MinPasswordLen characters, not containing the username, and not easy to guess. The
// last is zxcvbn's estimate (a port of Dropbox's estimator): a password it scores below 3,
// i.e. one found in about 10^8 guesses, is one of the common passwords of its lists (30 000
// leaked passwords, names, English words) or a pattern such as a keyboard row, a repeat, a
// sequence or a date, alone or strung together; the username, the display name and the
// service's own words count as known words too.
func checkPassword(field, password, username string, known ...string) error {
	password = normalisePassword(password)
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return apperr.Field(field, "must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return apperr.Field(field, "must be at most %d characters", MaxPasswordLen)
	case username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		return apperr.Field(field, "must not contain the username")
	}
	inputs := append([]string{username, "tcd", "tiepcongdan", "tiep cong dan", "matkhau", "mat khau"}, known...)
	if zxcvbn.PasswordStrength(estimated(password), inputs).Score < 3 {
		return apperr.Field(field, "is too easy to guess: a common password, or a pattern such as a keyboard row, a repeat, a sequence or a date; a few unrelated words make a good one")
	}
	return nil
}

// newOneTimePassword draws a password for an administrator to hand over; its user must change
// it at the first sign-in. crypto/rand.Text is 26 letters of the base32 alphabet (128 bits),
// which has no 0 or 1 to mistake for O or I when it is read out or written down. A draw that
// happens to break a rule (hold a short username) is drawn again.
func newOneTimePassword(username string) string {
	for {
		if p := rand.Text(); checkPassword("password", p, username) == nil {
			return p
		}
	}
}
