package console_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/console"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The console is served at / under a strict policy (no inline script or style), and everything
// the first load fetches (the page, its style sheet and every module) weighs at most 300 KB as
// the server sends it, gzipped.
func TestConsoleServedUnderPolicyAndSmall(t *testing.T) {
	env := testenv.Start(t, "sqlite")
	fetch := func(path string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, env.BaseURL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, raw
	}
	resp, raw := fetch("/")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != console.Policy ||
		!strings.Contains(console.Policy, "script-src 'self';") || strings.Contains(console.Policy, "unsafe") {
		t.Fatalf("GET /: %d, policy %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	if r, _ := fetch("/ui/index.html"); r.StatusCode != http.StatusNotFound {
		t.Errorf("the page is served at / only, got %d at /ui/index.html", r.StatusCode)
	}
	if r, _ := fetch("/ui/no-such.js"); r.StatusCode != http.StatusNotFound {
		t.Errorf("a file the console lacks: want 404, got %d", r.StatusCode)
	}
	total := len(raw)
	for _, name := range console.Files() {
		if name == "index.html" {
			continue
		}
		r, body := fetch(console.Prefix + name)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Security-Policy") != console.Policy || r.Header.Get("ETag") == "" {
			t.Errorf("%s: %d, headers %v", name, r.StatusCode, r.Header)
		}
		if len(body) > 1024 && r.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s is sent uncompressed (%d bytes)", name, len(body))
		}
		total += len(body)
		req, _ := http.NewRequest(http.MethodGet, env.BaseURL+console.Prefix+name, nil)
		req.Header.Set("If-None-Match", r.Header.Get("ETag"))
		if again, err := http.DefaultClient.Do(req); err != nil || again.StatusCode != http.StatusNotModified {
			t.Errorf("%s asked again with its ETag: want 304, got %v %v", name, again.StatusCode, err)
		}
	}
	if total > 300_000 {
		t.Errorf("the first load is %d bytes compressed, over 300 KB", total)
	}
	t.Logf("first load (the page and every file of the console, as sent gzipped): %d bytes", total)
	// the page itself opens with gzip
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if _, err := gzip.NewReader(bytes.NewReader(raw)); err != nil {
			t.Error(err)
		}
	}
}

// A user made with a one-time password signs in in the browser, must change it before anything
// else, then sees the screens its role may use, and signs out.
func TestConsoleSignInChangePasswordSignOut(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		username, oneTime := env.NewUser(auth.Auditor, "")
		b := newBrowser(t, env)
		b.do("sign in with a wrong password",
			visible(`input[name=username]`),
			typeIn(`input[name=username]`, username),
			typeIn(`input[name=password]`, "not the password at all"),
			click(`button[type=submit]`))
		b.waitText(`.problem`, "Sai tên đăng nhập hoặc mật khẩu")
		b.shot("sign-in")
		b.axeCheck("sign-in")
		b.do("sign in with the one-time password",
			typeIn(`input[name=password]`, oneTime),
			click(`button[type=submit]`),
			visible(`input[name=current]`))
		if s := b.text(`main .notice`); !strings.Contains(s, "mật khẩu dùng một lần") {
			t.Errorf("the one-time password must be changed first: %q", s)
		}
		if n := b.count(`header nav a`); n != 0 {
			t.Errorf("before the change the console offers no screen, got %d", n)
		}
		b.do("change the password",
			typeIn(`input[name=current]`, oneTime),
			typeIn(`input[name=new]`, testenv.TestPassword),
			typeIn(`input[name=again]`, testenv.TestPassword),
			click(`main button[type=submit]`),
			visible(`header nav a`))
		// an auditor reads: cases and letters, statistics; it records nothing, so no Today
		nav := eval[[]string](b, `[...document.querySelectorAll('header nav a')].map((a) => a.getAttribute('href'))`)
		if strings.Join(nav, " ") != "#/cases #/deadlines #/directives #/stats #/audit" {
			t.Errorf("an auditor's screens: %v", nav)
		}
		if s, want := b.text(`header .who`), vocabLabel(t, env, "token.role", "auditor", "vi"); !strings.Contains(s, want) {
			t.Errorf("the header names the role as the vocabulary does (%q): %q", want, s)
		}
		b.do("switch to English", click(`header .tools button.link`))
		b.waitText(`header nav`, "Statistics")
		b.waitText(`header .who`, vocabLabel(t, env, "token.role", "auditor", "en"))
		if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
			t.Errorf("the page says it is in %q", lang)
		}
		b.do("back to Vietnamese", click(`header .tools button.link`))
		b.waitText(`header nav`, "Thống kê")
		b.do("sign out", click(`#sign-out`), visible(`input[name=username]`))
		if r := env.Client("").Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("no session is left: %s", r)
		}
		b.do("sign in with the new password",
			typeIn(`input[name=username]`, username),
			typeIn(`input[name=password]`, testenv.TestPassword),
			click(`button[type=submit]`),
			visible(`header nav a`))
	})
}

// vocabLabel is the label in lang (vi, en) GET /vocab gives value of key.
func vocabLabel(t *testing.T, env *testenv.Env, key, value, lang string) string {
	t.Helper()
	var v map[string][]struct{ Value, Vi, En string }
	env.As(auth.Auditor).Get("/api/v1/vocab").Decode(t, &v)
	for _, term := range v[key] {
		if term.Value == value && lang == "en" {
			return term.En
		}
		if term.Value == value {
			return term.Vi
		}
	}
	t.Fatalf("no %s %s in the vocabulary", key, value)
	return ""
}

// An admin makes a staff account in the browser and reads the one-time password off the screen
// (it signs in with it), finds the creation in the audit log, then disables the account.
func TestConsoleAdministration(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		b, username := signedIn(t, env, auth.Admin)
		b.do("users", chromedp.Navigate(env.BaseURL+"/#/users"), visible(`#new-user`))
		b.do("make a user",
			typeIn(`#new-user input[name=username]`, "lan.nguyen"), typeIn(`#new-user input[name=display_name]`, "Nguyễn Thị Lan"),
			click(`#new-user button[type=submit]`), visible(`#one-time-password`))
		b.waitText(`#users`, "Nguyễn Thị Lan")
		password := b.text(`#one-time-password`)
		if c, r := env.SignIn("lan.nguyen", password); c == nil || r.JSON()["role"] != "staff" || r.JSON()["must_change_password"] != true {
			t.Errorf("the one-time password shown signs the new staff member in: %s", r)
		}
		b.shot("users")
		b.axeCheck("users")
		b.do("the audit log", chromedp.Navigate(env.BaseURL+"/#/audit"), visible(`#audit`))
		b.do("only users", typeIn(`input[name=entity]`, "user"), click(`form[role=search] button[type=submit]`))
		b.waitText(`#audit tbody`, username)
		b.shot("audit")
		b.axeCheck("audit log")
		b.do("disable the user", chromedp.Navigate(env.BaseURL+"/#/users"), visible(`tr[data-username="lan.nguyen"] button.toggle`),
			click(`tr[data-username="lan.nguyen"] button.toggle`))
		b.waitText(`#users-status`, "Đã khóa lan.nguyen")
		if _, r := env.SignIn("lan.nguyen", password); r.Status != http.StatusUnauthorized {
			t.Errorf("a disabled user cannot sign in: %s", r)
		}
	})
}

// A petition received weeks ago is overdue on the deadlines screen, and a clerk decides it there.
func TestConsoleDeadlines(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		api := env.As(auth.Staff)
		received := mustDate(t, api.Get("/api/v1/me").JSON()["today"].(string)).AddDate(0, 0, -40).Format(time.DateOnly)
		petition := api.Create("/api/v1/petitions", map[string]any{"received_on": received, "channel": "post",
			"case":    map[string]any{"title": "Khiếu nại quyết định thu hồi đất thửa 45", "category": "complaint", "field": "land"},
			"persons": []any{map[string]any{"full_name": "Võ Thị Đơn", "address": "Thôn 2, xã Gio Mỹ"}}})
		code := petition["code"].(string)
		b, _ := signedIn(t, env, auth.Staff)
		b.do("the deadlines", chromedp.Navigate(env.BaseURL+"/#/deadlines"), visible(`li[data-number="`+code+`"] form`))
		b.waitText(`li[data-number="`+code+`"]`, vocabLabel(t, env, "deadline.due", "overdue", "vi"))
		b.shot("deadlines")
		b.axeCheck("deadlines")
		eval[bool](b, `(() => { const s = document.querySelector('li[data-number="`+code+`"] select[name=decision]'); s.value = 'stored'; return true; })()`)
		b.do("decide", click(`li[data-number="`+code+`"] button[type=submit]`))
		b.waitText(`#deadline-status`, "Đã xử lý đơn "+code)
		if p := api.Get("/api/v1/petitions/" + petition["id"].(string)).JSON(); p["decision"] != "stored" {
			t.Errorf("the petition as decided: %v", p)
		}
		if n := b.count(`li[data-number="` + code + `"]`); n != 0 {
			t.Errorf("a decided petition is no longer due")
		}
	})
}
