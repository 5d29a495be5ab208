package console_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// axe is axe-core (MPL-2.0, npm axe-core 4.14.1, testdata/axe.LICENSE), injected into the page by
// the tests only: it is not part of the console the binary serves.
//
//go:embed testdata/axe.min.js
var axe string

// chromium finds the browser the tests drive: TCD_CHROMIUM, else Debian's chromium. Without one
// the browser tests skip, except under CI=true, where they fail (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TCD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no chromium: the console's browser tests must run in CI (apt-get install chromium)")
	}
	t.Skip("no chromium on this machine (apt-get install chromium, or set TCD_CHROMIUM): the console's browser tests skip")
	return ""
}

// browser is a fresh headless Chromium (its own profile, nothing fetched but the console) at
// 1366×768, the smallest desktop screen the console is laid out for.
type browser struct {
	t   *testing.T
	ctx context.Context
	env *testenv.Env

	mu       sync.Mutex
	problems []string // exceptions and policy violations the page reported
}

func newBrowser(t *testing.T, env *testenv.Env) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768),
		chromedp.Flag("lang", "vi-VN"), // dates in the form a clerk reads them, dd/mm/yyyy
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: ctx, env: env}
	// the first Run starts the browser, on a context without a deadline (it lives as long as it)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		for m, err := range messages {
			if err != nil {
				return
			}
			text := m.String()
			// an answer of 4xx is logged as a failed load: the console expects and shows those
			if m.IsException() || strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Refused to") {
				b.mu.Lock()
				b.problems = append(b.problems, text)
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		<-watching
		for _, p := range b.problems {
			t.Errorf("the page reported: %s", p)
		}
	})
	b.do("open the console", chromedp.Navigate(env.BaseURL+"/"))
	return b
}

// do runs the steps within a minute, failing the test with what was being done.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(fmt.Sprintf("%s: %v", what, err))
	}
}

// fail ends the test with msg, the state of the page (the focused control, the screen, its text)
// and a screenshot of it.
func (b *browser) fail(msg string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({focus: document.activeElement && (document.activeElement.id || document.activeElement.name || document.activeElement.tagName), hash: location.hash, text: (document.querySelector('main') || document.body).innerText.slice(0, 800)})`))
	name := "failed-" + b.env.Backend
	dir := os.Getenv("TCD_CONSOLE_SCREENSHOTS")
	if dir == "" {
		dir = os.TempDir()
		name = "tcd-console-" + strings.NewReplacer("/", "-").Replace(b.t.Name())
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	b.t.Fatalf("%s\nthe page: %s\nscreenshot: %s", msg, state, filepath.Join(dir, name+".png"))
}

// Shorthands for the steps, with CSS selectors.
func typeIn(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), v)
}

// press sends one key (kb names such as "\r" for Enter, "\ue015" for ↓) to the element.
func press(sel, key string) chromedp.Action[chromedp.Void] { return typeIn(sel, key) }

// eval evaluates a script in the page, its promise awaited, and decodes the result into T.
func eval[T any](b *browser, script string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail(fmt.Sprintf("evaluate %.80s: %v", script, err))
	}
	return v
}

// text is the text of the first element sel matches, once it is visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.do("wait for "+sel, visible(sel))
	return strings.TrimSpace(eval[string](b, fmt.Sprintf(`document.querySelector(%q).innerText`, sel)))
}

// count is how many elements sel matches now.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// waitText waits until the element sel holds want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.offsetParent !== null && e.textContent.includes(%q); })()`, sel, want)
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		b.fail(fmt.Sprintf("wait for %q in %s: %v", want, sel, err))
	}
}

// shot writes a screenshot of the page to TCD_CONSOLE_SCREENSHOTS/name.png when that is set
// (`TCD_CONSOLE_SCREENSHOTS=$PWD/docs/console go test ./internal/console` renews docs/console);
// the SQLite run only, so that both backends do not write the same files.
func (b *browser) shot(name string) {
	dir := os.Getenv("TCD_CONSOLE_SCREENSHOTS")
	if dir == "" || b.env.Backend != "sqlite" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Error(err)
	}
}

// axeCheck runs axe-core on the page as it is and fails on every serious or critical violation.
func (b *browser) axeCheck(screen string) {
	b.t.Helper()
	eval[bool](b, axe+";\ntrue")
	raw := eval[string](b, `axe.run(document, {resultTypes: ['violations']}).then((r) => JSON.stringify(r.violations))`)
	var violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		b.t.Fatalf("axe answer: %v", err)
	}
	var minor []string
	for _, v := range violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			minor = append(minor, v.Impact+" "+v.ID)
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		b.t.Errorf("axe on %s: %s %s (%s) at %s", screen, v.Impact, v.ID, v.Help, strings.Join(where, ", "))
	}
	b.t.Logf("axe on %s: %d violations; below serious: %v", screen, len(violations), minor)
}

// signedIn makes a user of role whose password is testenv.TestPassword (its one-time password
// changed through the API) and signs it in in a new browser; it returns the browser and the
// username.
func signedIn(t *testing.T, env *testenv.Env, role auth.Role) (*browser, string) {
	t.Helper()
	username, oneTime := env.NewUser(role, "")
	if c, r := env.SignIn(username, oneTime); c == nil || c.Post("/api/v1/me/password", map[string]any{"current": oneTime, "new": testenv.TestPassword}).Status != http.StatusNoContent {
		t.Fatalf("the %s's password: %s", role, r)
	}
	b := newBrowser(t, env)
	b.do("sign in", typeIn(`input[name=username]`, username), typeIn(`input[name=password]`, testenv.TestPassword+"\r"), visible(`header nav`))
	return b, username
}
