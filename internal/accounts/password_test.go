package accounts

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// A hash records its costs and salt, verifies the password it was made from and nothing else,
// reads a password typed with combining diacritics as the same password, and says when it was
// made with other costs than the service's.
func TestPasswordHash(t *testing.T) {
	precomposed := "Mật khẩu của Lan 2024" // NFC
	combining := "Ma\u0323\u0302t kha\u0302\u0309u cu\u0309a Lan 2024"
	h, err := hashPassword(precomposed, DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("the hash is a PHC string naming its costs: %s", h)
	}
	other, _ := hashPassword(precomposed, DefaultParams)
	if other == h {
		t.Error("two hashes of one password share their salt")
	}
	for _, c := range []struct {
		password string
		want     bool
	}{{precomposed, true}, {combining, true}, {"Mật khẩu của Lan 2025", false}, {"", false}} {
		ok, stale, err := verifyPassword(c.password, h, DefaultParams)
		if err != nil || ok != c.want || stale {
			t.Errorf("verify %q: ok %v stale %v err %v, want ok %v", c.password, ok, stale, err, c.want)
		}
	}
	raised := DefaultParams
	raised.Time = 3
	if ok, stale, err := verifyPassword(precomposed, h, raised); !ok || !stale || err != nil {
		t.Errorf("a hash made with lower costs still verifies and is stale: ok %v stale %v err %v", ok, stale, err)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$a2V5"} {
		if _, _, err := verifyPassword("x", bad, DefaultParams); err == nil {
			t.Errorf("verify against %q: want an error", bad)
		}
	}
}

// The rules of a new password, each named in the error: length, the username, and the common
// passwords and patterns the estimator knows.
func TestPasswordRules(t *testing.T) {
	refused := map[string]string{
		"short":           "Ab3$xY9!q",
		"long":            strings.Repeat("Ab3$xY9!q ", 13),
		"username":        "xx-LAN.NGUYEN-correct horse",
		"common":          "password1234",
		"keyboard row":    "qwertyuiop[]\\",
		"repeat":          "abcabcabcabcabc",
		"sequence":        "123456789012",
		"name and date":   "nguyen01011990",
		"service's words": "tiepcongdan2024",
	}
	for name, p := range refused {
		err := checkPassword("new", p, "lan.nguyen")
		var e *apperr.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "new" {
			t.Errorf("%s (%q): want a field error on new, got %v", name, p, err)
		}
	}
	for _, p := range []string{"violet harbour lantern 42", "Sông Hương chảy qua Huế mùa thu", "mèo-trắng ăn 7 quả xoài"} {
		if err := checkPassword("new", p, "lan.nguyen"); err != nil {
			t.Errorf("%q is a good password: %v", p, err)
		}
	}
}

// One-time passwords keep the rules they impose on the next one, even for a username short
// enough to turn up in random letters, and never repeat.
func TestOneTimePasswords(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p := newOneTimePassword("abc")
		if err := checkPassword("password", p, "abc"); err != nil || seen[p] {
			t.Fatalf("one-time password %q: %v (seen before: %v)", p, err, seen[p])
		}
		seen[p] = true
	}
}

// The estimate stays cheap at the longest password allowed, whatever its shape: it runs
// before the hash on every password change.
func TestPasswordRulesAreCheap(t *testing.T) {
	for _, p := range []string{strings.Repeat("a1", MaxPasswordLen/2), strings.Repeat("qwerty2024", MaxPasswordLen/10),
		strings.Repeat("01/02/1990", MaxPasswordLen/10)} {
		start := time.Now()
		_ = checkPassword("new", p, "lan.nguyen")
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("checking %d characters took %s", len(p), d)
		}
	}
}

// BenchmarkSignInHash is the cost of one sign-in: one argon2id verification with the default
// parameters (go test ./internal/accounts -run '^$' -bench SignInHash).
func BenchmarkSignInHash(b *testing.B) {
	h, err := hashPassword("violet harbour lantern 42", DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, _ := verifyPassword("violet harbour lantern 42", h, DefaultParams); !ok {
			b.Fatal("no match")
		}
	}
}
