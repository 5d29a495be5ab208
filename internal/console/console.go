// Package console serves the staff console: the Vietnamese web front-end that clerks, heads of
// the Board and auditors use in a browser. It is plain ES modules and CSS in ui/, embedded in the
// binary as they are written (no build step, so `make run` needs only Go and nothing generated
// can drift from its sources). The console talks only to the public /api/v1, signed in by the
// session cookie; this package serves its files and nothing else.
package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed ui
var embedded embed.FS

// Policy is the console's Content-Security-Policy: every script, style, image and font from
// this server's own files, no inline script or style (a name injected into a page cannot run),
// requests only to this server, no plugins, no framing.
const Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// file is one embedded file ready to serve: its bytes, type and a strong ETag of its content.
type file struct {
	body  []byte
	ctype string
	etag  string
}

// Prefix is where the console's files are served; the page itself is at /.
const Prefix = "/ui/"

// load reads every embedded file once, at start.
func load() map[string]file {
	sub, err := fs.Sub(embedded, "ui")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := map[string]file{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		files[p] = file{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return files
}

// Register serves the console: the page at / and its files under /ui/. Each answer carries the
// policy and an ETag; the browser asks again every time (no-cache) and gets 304 while the file
// is unchanged, so a new release is picked up at the next load without stale modules.
func Register(e *echo.Echo) {
	files := load()
	serve := func(c echo.Context, name string) error {
		f, ok := files[name]
		if !ok {
			return echo.ErrNotFound
		}
		h := c.Response().Header()
		h.Set("Content-Security-Policy", Policy)
		h.Set(echo.HeaderCacheControl, "no-cache")
		h.Set("ETag", f.etag)
		if inm := c.Request().Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, f.etag) {
			return c.NoContent(http.StatusNotModified)
		}
		return c.Blob(http.StatusOK, f.ctype, f.body)
	}
	e.GET("/", func(c echo.Context) error { return serve(c, "index.html") })
	e.GET(Prefix+"*", func(c echo.Context) error {
		name := c.Param("*")
		if name == "index.html" {
			return echo.ErrNotFound // the page lives at / only
		}
		return serve(c, name)
	})
}

// Files lists the console's files (paths under Prefix, and index.html), for the tests that weigh
// the first load.
func Files() []string {
	var out []string
	for name := range load() {
		out = append(out, name)
	}
	return out
}
