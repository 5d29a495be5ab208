package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// secureHeaders go on every answer: browsers must not guess a type other than the one sent (a
// name in a JSON body read as HTML), nor show the service inside another site's frame.
func secureHeaders() echo.MiddlewareFunc {
	return middleware.SecureWithConfig(middleware.SecureConfig{
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		ReferrerPolicy:     "no-referrer",
	})
}

// noStore keeps the API's answers out of every cache, the browser's and a proxy's: nearly all of
// them carry personal data (a person, a visit, a page of a search, the register), and a shared
// computer or proxy must not keep a copy. ETag and If-Match still work without a cache.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// inlineScript finds the scripts written into a page rather than loaded from a file.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// swaggerPolicy is the Content-Security-Policy of the Swagger UI, made from the page the UI
// handler serves: scripts only from this server plus the page's own inline start-up script (by
// its hash, so that an injected one does not run), no plugins, no framing, requests only to
// this server. Styles may be inline: the UI sets them from its own code.
func swaggerPolicy(ui echo.HandlerFunc) string {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/swagger/index.html", nil), rec)
	c.SetParamNames("*")
	c.SetParamValues("index.html")
	scripts := []string{"'self'"}
	if ui(c) == nil {
		for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
			sum := sha256.Sum256([]byte(m[1]))
			scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(scripts, " "),
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// swaggerHeaders serves the Swagger UI under its policy.
func swaggerHeaders(ui echo.HandlerFunc) echo.MiddlewareFunc {
	return middleware.SecureWithConfig(middleware.SecureConfig{ContentSecurityPolicy: swaggerPolicy(ui)})
}

// safeRequestID is how an X-Request-ID a client sends must look to be used as the request's id
// (in the logs, the answers and the audit log): short, and only characters that no log or
// terminal reads as anything but text. Anything else is replaced by an id of the service's.
var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// dropUnsafeRequestID removes a client's X-Request-ID that is not safe, so that RequestID makes
// a new one.
func dropUnsafeRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && (len(h.Values(echo.HeaderXRequestID)) > 1 || !safeRequestID.MatchString(id)) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}
