package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A signed-in user may do exactly what a token of the same role may, on every route of the API:
// each route the server has, called by a token and by a user of each role, with the same
// request, answers the same status (and, for reads, the same body). The routes about one's own
// credentials (/me, /auth) differ by design and are tested on their own.
func TestUsersAndTokensAlikeOnEveryRoute(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		reg := fillRegister(t, env.As(auth.Staff), "1")
		root := testenv.GetAs[apiclient.HttpapiOrgList](env.As(auth.Admin), "/api/v1/orgs").Items[0].ID
		ids := map[string]string{"persons": reg.person, "sessions": reg.session, "cases": reg.kase, "visits": reg.visit,
			"delegations": reg.delegation, "notices": reg.notice, "directives": reg.directive, "orgs": root}
		tokens, users := map[auth.Role]*testenv.Client{}, map[auth.Role]*testenv.Client{}
		for _, role := range auth.Roles {
			tokens[role], users[role] = env.Client(env.Token(role, "")), env.User(role, "")
		}
		param := regexp.MustCompile(`/([a-z-]+)/:[a-z_]+`)
		walked := 0
		for _, route := range env.App.HTTP.Routes() {
			if !strings.HasPrefix(route.Path, "/api/v1/") || strings.HasPrefix(route.Path, "/api/v1/me") || strings.HasPrefix(route.Path, "/api/v1/auth/") {
				continue
			}
			// a record of the register where there is one, else an id that names nothing (both
			// callers must then be refused alike, 403 or 404)
			path := param.ReplaceAllStringFunc(route.Path, func(m string) string {
				collection := strings.Split(m, "/")[1]
				id, ok := ids[collection]
				if !ok {
					id = "no-such-" + collection
				}
				return "/" + collection + "/" + id
			})
			// writes carry an empty object: each is refused by its rules, so neither call changes
			// what the other sees (a DELETE without a reason voids nothing)
			var body any
			if route.Method == http.MethodPost || route.Method == http.MethodPatch {
				body = map[string]any{}
			}
			for _, role := range auth.Roles {
				rt := tokens[role].Do(route.Method, path, body)
				ru := users[role].Do(route.Method, path, body)
				if rt.Status != ru.Status || problemType(rt) != problemType(ru) {
					t.Errorf("%s %s as %s: token %s, user %s", route.Method, path, role, rt, ru)
					continue
				}
				if route.Method == http.MethodGet && rt.Status == http.StatusOK && route.Path != "/api/v1/audit" && string(rt.Body) != string(ru.Body) {
					t.Errorf("%s %s as %s: the token and the user read different things:\n%s\n%s", route.Method, path, role, rt, ru)
				}
			}
			walked++
		}
		if walked < 50 {
			t.Errorf("walked %d routes: the route table was not read", walked)
		}
	})
}
