package console_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A clerk's day in the browser: open a session, record a visit that opens a case and registers
// two persons (keyboard only), record a second visit of one of them, link it to the case the
// register suggests as its duplicate, record a delegation and a directive letter, then the
// letter's reply; the statistics screen shows the API's figures and its report paragraph word for
// word; sign out. Each screen passes axe-core and fits a tablet.
func TestConsoleReceptionDay(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		api := env.As(auth.Admin) // reads back what the browser wrote

		b, _ := signedIn(t, env, auth.Staff)
		b.do("land on Today", visible(`form[aria-labelledby=new-session-h]`))
		if h1 := b.text(`main h1`); !strings.Contains(h1, "Hôm nay") {
			t.Errorf("a clerk lands on Today: %q", h1)
		}
		b.do("open a session",
			typeIn(`input[name=host_name]`, "Nguyễn Văn Hùng"), typeIn(`input[name=location]`, "Trụ sở Ban Tiếp công dân"),
			click(`form[aria-labelledby=new-session-h] button[type=submit]`), visible(`#visit-form`))
		opened := time.Now()

		// the first visit, without the mouse: two new persons, a new case, the handling
		newPerson := func(name, year, phone string) {
			b.do("search "+name, typeIn(`#person-q`, name))
			b.waitText(`#person-opt-new`, name) // the list is the one of the whole name
			b.do("choose to register "+name, press(`#person-q`, "\r"), visible(`#new-person`))
			b.do("the details of "+name, typeIn(`#np-birth_year`, year), typeIn(`#np-phone`, phone), typeIn(`#np-address`, "Thôn 3, xã Gio Mỹ\r"))
			b.waitText(`#picked-persons`, name)
		}
		newPerson("Lê Văn Tám", "1968", "0912345678")
		newPerson("Lê Thị Hoa", "1971", "0987654321")
		if n := b.count(`#picked-persons li`); n != 2 {
			b.fail(fmt.Sprintf("two new persons picked, got %d", n))
		}
		b.do("the case and the handling",
			typeIn(`input[name="case.title"]`, "Tranh chấp ranh giới đất thửa 45, tờ bản đồ 12 với hộ liền kề"),
			typeIn(`input[name="case.respondent"]`, "UBND xã Gio Mỹ"),
			chromedp.Focus(chromedp.CSS(`select[name=outcome]`)))
		eval[bool](b, `(() => { const s = document.querySelector('select[name=outcome]'); s.value = 'guided'; s.dispatchEvent(new Event('change')); return true; })()`)
		b.do("the guidance and save with Ctrl+Enter",
			typeIn(`input[name=guidance_number]`, "12/HD-TCD"),
			typeIn(`textarea[name=content]`, "Công dân trình bày việc hộ liền kề lấn ranh giới thửa 45"),
			chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		b.waitText(`#visit-status`, "Đã lưu lượt tiếp (2 người)")
		toSaved := time.Since(opened)
		t.Logf("from opening the session to the saved visit: %s", toSaved)
		b.shot("today-visit")
		b.axeCheck("session page")

		sessions := api.Get("/api/v1/sessions").Items()
		if len(sessions) != 1 {
			t.Fatalf("one session: %v", sessions)
		}
		// the console's today (GET /me when it signed in), which dated the session: near midnight
		// in Vietnam the test's own reading of it could be the next day
		today := sessions[0]["date"].(string)
		visits := api.Get("/api/v1/visits?session_id=" + sessions[0]["id"].(string)).Items()
		if len(visits) != 1 || len(visits[0]["person_ids"].([]any)) != 2 || visits[0]["outcome"] != "guided" || visits[0]["guidance_number"] != "12/HD-TCD" {
			t.Fatalf("the visit as recorded: %v", visits)
		}
		first := api.Get("/api/v1/cases/" + visits[0]["case_id"].(string)).JSON()

		// the second visit: the same citizen found by a search without diacritics, a case
		// written another way, which the register offers to link to the first
		b.do("find Lê Văn Tám without diacritics",
			typeIn(`#person-q`, "le van tam"), visible(`#person-opt-0`), press(`#person-q`, "\r"))
		b.waitText(`#picked-persons`, "Lê Văn Tám")
		b.do("the second visit",
			typeIn(`input[name="case.title"]`, "Hộ liền kề lấn chiếm ranh giới thửa 45 tờ bản đồ 12"),
			typeIn(`input[name=headcount]`, "6"),
			click(`#save-visit`))
		b.waitText(`#visit-status`, "Đã lưu lượt tiếp (6 người)")
		b.waitText(`#duplicates`, first["code"].(string))
		b.shot("duplicates")
		b.axeCheck("duplicates")
		b.do("link to the suggested case", click(`#duplicates button[data-case="`+first["id"].(string)+`"]`), visible(`#linked`))
		if vs := api.Get("/api/v1/visits?case_id=" + first["id"].(string)).Items(); len(vs) != 2 {
			t.Errorf("both visits count for the first case once linked: %v", vs)
		}

		// a delegation and a directive letter about the (surviving) case
		b.do("record a delegation",
			typeIn(`#delegation-form input[name=name]`, "Đoàn công dân thôn 3, xã Gio Mỹ"),
			visible(`#delegation-form input.rep`), click(`#delegation-form input.rep`),
			click(`#delegation-form button[type=submit]`))
		b.waitText(`#delegation-form .status`, "Đã lưu đoàn")
		if ds := api.Get("/api/v1/delegations?case_id=" + first["id"].(string)).Items(); len(ds) != 1 || ds[0]["member_count"] != 6.0 ||
			len(ds[0]["representative_ids"].([]any)) != 1 {
			t.Errorf("the delegation as recorded: %v", ds)
		}
		due := mustDate(t, today).AddDate(0, 0, 30).Format(time.DateOnly)
		b.do("record a directive letter",
			typeIn(`#directive-form input[name=number]`, "88/UBND-TCD"),
			typeIn(`#directive-form input[name=recipient]`, "UBND huyện Gio Linh"),
			setValue(`#directive-form input[name=due_on]`, due),
			typeIn(`#directive-form textarea[name=request]`, "Xác minh, giải quyết và trả lời công dân"),
			click(`#directive-form button[type=submit]`))
		b.waitText(`#directive-form .status`, "88/UBND-TCD")

		b.do("the directive letters", chromedp.Navigate(env.BaseURL+"/#/directives"), visible(`li[data-number="88/UBND-TCD"]`))
		b.shot("directives")
		b.axeCheck("directive letters")
		b.do("record the reply",
			typeIn(`li[data-number="88/UBND-TCD"] input[name=summary]`, "Đã xác minh và trả lời công dân"),
			click(`li[data-number="88/UBND-TCD"] button[type=submit]`))
		b.waitText(`#directive-status`, "Đã ghi trả lời công văn 88/UBND-TCD")
		if ds := api.Get("/api/v1/directives?status=replied").Items(); len(ds) != 1 || ds[0]["reply_summary"] != "Đã xác minh và trả lời công dân" || ds[0]["replied_on"] != today {
			t.Errorf("the reply as recorded: %v", ds)
		}

		// statistics: the API's figures and paragraph, as they are
		b.do("the statistics", chromedp.Navigate(env.BaseURL+"/#/stats"), visible(`#report-paragraph`))
		year := today[:4]
		paragraph := string(api.Get("/api/v1/stats/summary?period=" + year + "&format=text&lang=vi").Body)
		if got := eval[string](b, `document.querySelector('#report-paragraph').textContent`); got != paragraph {
			t.Errorf("the paragraph on screen:\n%s\nthe API's:\n%s", got, paragraph)
		}
		summary := api.Get("/api/v1/stats/summary?period=" + year).JSON()
		for key, want := range map[string]any{"visits": summary["visits"], "persons": summary["persons"], "cases": summary["cases"],
			"delegations.visits": summary["delegations"].(map[string]any)["visits"], "directive_letters": summary["directive_letters"]} {
			if got := b.text(`[data-figure="` + key + `"]`); got != fmt.Sprint(want) {
				t.Errorf("%s on screen %s, the API's %v", key, got, want)
			}
		}
		if summary["visits"] != 2.0 || summary["persons"] != 8.0 || summary["cases"] != 1.0 {
			t.Errorf("the day's figures: %v", summary)
		}
		form01 := api.Get("/api/v1/stats/form-01?period=" + year).JSON()
		total := form01["rows"].([]any)[0].(map[string]any)["values"].([]any)
		cells := eval[[]string](b, `[...document.querySelectorAll('#form01 tbody tr:first-child td')].map((td) => td.textContent)`)
		if len(cells) != len(total) {
			t.Fatalf("Form 01's total row: %d cells on screen, %d in the API", len(cells), len(total))
		}
		for i, v := range total {
			if cells[i] != strconv.Itoa(int(v.(float64))) {
				t.Errorf("Form 01 column %d: %s on screen, %v in the API", i+1, cells[i], v)
			}
		}
		for _, row := range api.Get("/api/v1/stats/breakdown?by=category&period=" + year).JSON()["rows"].([]any) {
			r := row.(map[string]any)
			if got := b.text(`#breakdown-category tr[data-key="` + r["key"].(string) + `"] td.visits`); got != fmt.Sprint(r["visits"]) {
				t.Errorf("visits of %s on screen %s, the API's %v", r["key"], got, r["visits"])
			}
		}
		b.shot("statistics")
		b.axeCheck("statistics")

		// the case: its timeline, and the merge undone and done again from its duplicate's page
		b.do("the cases", chromedp.Navigate(env.BaseURL+"/#/cases"), visible(`#case-list`))
		b.do("find the case", typeIn(`input[name=q]`, "thua 45"))
		b.waitText(`#case-list`, first["code"].(string))
		b.do("open it", click(`#case-list a`), visible(`#timeline`))
		for _, want := range []string{"88/UBND-TCD", "Đã xác minh và trả lời công dân", "Đoàn công dân thôn 3", "6 người", "2 người"} {
			b.waitText(`#timeline`, want)
		}
		b.shot("case")
		b.axeCheck("case page")
		second := api.Get("/api/v1/visits?session_id=" + sessions[0]["id"].(string)).Items()[0]["case_id"].(string)
		if second == first["id"] {
			second = api.Get("/api/v1/visits?session_id=" + sessions[0]["id"].(string)).Items()[1]["case_id"].(string)
		}
		b.do("the merged case", chromedp.Navigate(env.BaseURL+"/#/cases/"+second), visible(`#unmerge`))
		b.do("undo the merge", click(`#unmerge`), visible(`#case-duplicates li[data-case="`+first["id"].(string)+`"] button.merge`))
		if c := api.Get("/api/v1/cases/" + second).JSON(); c["merged_into"] != nil {
			t.Errorf("the merge undone: %v", c)
		}
		b.do("merge again from the duplicates side by side", click(`#case-duplicates li[data-case="`+first["id"].(string)+`"] button.merge`), visible(`#unmerge`))
		if c := api.Get("/api/v1/cases/" + second).JSON(); c["merged_into"] != first["id"] {
			t.Errorf("merged again: %v", c)
		}

		b.do("today", chromedp.Navigate(env.BaseURL+"/#/today"), visible(`.session-link`))
		b.shot("today")

		// a tablet held upright: no screen is wider than it
		b.do("tablet width", chromedp.EmulateViewport(768, 1024))
		for _, screen := range []string{"#/today", "#/today/" + sessions[0]["id"].(string), "#/cases", "#/cases/" + first["id"].(string), "#/directives", "#/stats"} {
			b.do("open "+screen, chromedp.Navigate(env.BaseURL+"/"+screen), visible(`main h1`))
			if w := eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
				t.Errorf("%s is %d px wider than a tablet", screen, w)
			}
		}
		b.do("sign out", click(`#sign-out`), visible(`input[name=username]`))
	})
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
