package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// kind is one kind of request in the mix. Its method, path and whether it searches identify
// its results, so each kind gets its own latencies.
type kind struct {
	name   string
	weight int
	method string
	path   string
	search bool
	next   func() (query string, body any)
}

func (k *kind) key() string { return resultKey(k.method, k.path, k.search) }

func resultKey(method, path string, search bool) string {
	return fmt.Sprintf("%s %s %t", method, path, search)
}

// mix is the seeded data and the weighted kinds of request the clients send.
type mix struct {
	kinds    []*kind
	total    int
	notes    []string // what the service does not offer yet, so the mix left it out
	sessions []string
	cases    []string
	persons  []string
	year     int
}

// newMix seeds the database and builds the request mix. Statistics reads join the mix once the
// service offers /stats/summary; until then the report says they were left out.
func newMix(ctx context.Context, c *e2e.Client, o options) (*mix, error) {
	m := &mix{year: time.Now().Year()}
	statsPath := fmt.Sprintf("/api/v1/stats/summary?period=%d", m.year)
	r, err := c.Do(http.MethodGet, statsPath, nil)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
		return nil, fmt.Errorf("GET %s: %s", statsPath, r)
	}
	stats := r.Status == http.StatusOK

	start := time.Now()
	seeds := []struct {
		path string
		n    int
		body func(i int) any
		ids  *[]string
	}{
		{"/api/v1/persons", o.seedPersons, func(i int) any { return m.newPerson(i) }, &m.persons},
		{"/api/v1/sessions", 40, func(i int) any { return m.newSession(i) }, &m.sessions},
		{"/api/v1/cases", 400, func(i int) any { return m.newCase(i) }, &m.cases},
		{"/api/v1/visits", o.seedVisits, func(i int) any { return m.newVisit(i) }, new([]string)},
	}
	for _, s := range seeds {
		if *s.ids, err = seed(ctx, c, s.n, s.path, s.body); err != nil {
			return nil, err
		}
	}
	log.Printf("seeded %d persons, %d sessions, %d cases, %d visits in %s", len(m.persons), len(m.sessions), len(m.cases),
		o.seedVisits, time.Since(start).Round(time.Millisecond))

	m.add(&kind{name: "visit create", weight: 40, method: http.MethodPost, path: "/api/v1/visits",
		next: func() (string, any) { return "", m.newVisit(rand.Int()) }})
	m.add(&kind{name: "visit list", weight: 5, method: http.MethodGet, path: "/api/v1/visits",
		next: func() (string, any) { return "limit=50", nil }})
	m.add(&kind{name: "person search", weight: 25, method: http.MethodGet, path: "/api/v1/persons", search: true,
		next: func() (string, any) { return "limit=20&q=" + url.QueryEscape(m.searchTerm()), nil }})
	m.add(&kind{name: "person list", weight: 10, method: http.MethodGet, path: "/api/v1/persons",
		next: func() (string, any) { return "limit=50", nil }})
	if stats {
		m.add(&kind{name: "stats summary", weight: 20, method: http.MethodGet, path: "/api/v1/stats/summary",
			next: func() (string, any) { return "period=" + m.period(), nil }})
	} else {
		m.notes = append(m.notes, "GET /api/v1/stats/summary answers 404: no statistics reads in the mix")
	}
	return m, nil
}

func (m *mix) add(k *kind) {
	m.kinds = append(m.kinds, k)
	m.total += k.weight
}

func (m *mix) pick() *kind {
	n := rand.IntN(m.total)
	for _, k := range m.kinds {
		if n < k.weight {
			return k
		}
		n -= k.weight
	}
	return m.kinds[len(m.kinds)-1]
}

// creates is the kind "visit create".
func (m *mix) creates() *kind { return m.kinds[0] }

// healthCheck is GET /healthz, which answers from memory: how many requests a second the HTTP
// stack and the load generator manage on this machine with no database work at all, the
// ceiling of every other kind.
var healthCheck = &kind{name: "health check", method: http.MethodGet, path: "/healthz", next: func() (string, any) { return "", nil }}

// kinds are the kinds of request the tables list: the mix's, then the health check.
func (m *mix) tableKinds() []*kind { return append(slices.Clone(m.kinds), healthCheck) }

// targeter hands each client its next request, of the kind pick chooses; vegeta calls it from
// every client goroutine.
func (m *mix) targeter(base, token string, pick func() *kind) vegeta.Targeter {
	header := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	return func(t *vegeta.Target) error {
		k := pick()
		query, body := k.next()
		t.Method, t.URL, t.Header, t.Body = k.method, base+k.path, header, nil
		if query != "" {
			t.URL += "?" + query
		}
		if body != nil {
			raw, err := json.Marshal(body)
			if err != nil {
				return err
			}
			t.Body = raw
		}
		return nil
	}
}

// seed creates n records at path from a few concurrent clients and returns their ids.
func seed(ctx context.Context, c *e2e.Client, n int, path string, body func(i int) any) ([]string, error) {
	ids := make([]string, n)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		work     = make(chan int)
	)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				r, err := c.Do(http.MethodPost, path, body(i))
				if err == nil && r.Status != http.StatusCreated {
					err = fmt.Errorf("POST %s: %s", path, r)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					continue
				}
				var created struct {
					ID string `json:"id"`
				}
				_ = r.Decode(&created)
				ids[i] = created.ID
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return ids, firstErr
}

var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middles  = map[string][]string{"male": {"Văn", "Hữu", "Đức", "Minh", "Quang"}, "female": {"Thị", "Ngọc", "Thanh", "Minh"}}
	givens   = map[string][]string{
		"male":   {"An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Long", "Nam", "Phong", "Quân", "Sơn", "Tuấn", "Việt"},
		"female": {"Hà", "Hạnh", "Hoa", "Hương", "Lan", "Mai", "Phương", "Tâm", "Thảo", "Thuỷ", "Trang", "Vân", "Yến"},
	}
	places = []string{"xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị", "phường 5, quận 3, TP Hồ Chí Minh", "xã Tân Lập, huyện Đan Phượng, TP Hà Nội", "phường Vĩnh Ninh, TP Huế",
		"xã Triệu Ái, huyện Triệu Phong, tỉnh Quảng Trị", "xã Hải Thượng, huyện Hải Lăng, tỉnh Quảng Trị", "phường Đông Lễ, TP Đông Hà, tỉnh Quảng Trị", "xã Vĩnh Giang, huyện Vĩnh Linh, tỉnh Quảng Trị",
		"xã Cam Thủy, huyện Cam Lộ, tỉnh Quảng Trị", "thị trấn Khe Sanh, huyện Hướng Hóa, tỉnh Quảng Trị", "xã Gio Quang, huyện Gio Linh, tỉnh Quảng Trị", "phường 1, TP Đông Hà, tỉnh Quảng Trị"}
	matters  = []string{"Tranh chấp ranh giới đất với hộ liền kề", "Khiếu nại quyết định thu hồi đất", "Đề nghị bồi thường khi giải phóng mặt bằng", "Tố cáo cán bộ địa chính nhận tiền", "Kiến nghị cấp giấy chứng nhận quyền sử dụng đất", "Khiếu nại chế độ chính sách người có công"}
	fields   = []string{"land", "land", "land", "housing", "policy", "civil_service", "corruption", "other"}
	cats     = []string{"complaint", "complaint", "denunciation", "petition", "feedback"}
	outcomes = vocab.VisitOutcome.Values()
	terms    = []string{"nguyen van", "tran thi", "le", "pham minh", "hoa", "thuy", "Nguyễn Thị Lan", "hoang duc", "vo", "huong"}
)

func pickOne[T any](s []T) T { return s[rand.IntN(len(s))] }

func (m *mix) newPerson(i int) map[string]any {
	gender := pickOne([]string{"male", "female"})
	name := pickOne(families) + " " + pickOne(middles[gender]) + " " + pickOne(givens[gender])
	return map[string]any{"full_name": name, "gender": gender, "birth_year": 1940 + rand.IntN(60),
		"phone": phoneOf(i), "address": address()}
}

// address is a hamlet or residential group of a commune, as clerks write it: citizens of one
// commune share its name, and a few hundred share a hamlet with them.
func address() string {
	return fmt.Sprintf("%s %d, %s", pickOne([]string{"thôn", "tổ dân phố"}), 1+rand.IntN(30), pickOne(places))
}

func (m *mix) newSession(i int) map[string]any {
	date := time.Now().AddDate(0, 0, -rand.IntN(700)).Format(time.DateOnly)
	s := map[string]any{"kind": "regular", "date": date, "location": "Trụ sở Tiếp công dân"}
	if i%4 == 0 {
		s["kind"], s["host_role"], s["host_name"] = pickOne([]string{"periodic", "urgent"}), "head", "Hà Sỹ Đồng"
	}
	return s
}

func (m *mix) newCase(int) map[string]any {
	return map[string]any{"title": pickOne(matters) + ", " + pickOne(places), "category": pickOne(cats), "field": pickOne(fields)}
}

// newVisit is a visit of a seeded session. One in three opens a new case, as in the 2022 report
// (136 cases for 420 visits; docs/domain.md, "The report the service reproduces"); the others
// come back about a known case. The people are mostly newcomers, sometimes a known person.
func (m *mix) newVisit(i int) map[string]any {
	v := map[string]any{"session_id": pickOne(m.sessions), "content": pickOne(matters), "outcome": pickOne(outcomes)}
	if i%3 == 0 {
		v["case"] = m.newCase(i)
	} else {
		v["case_id"] = pickOne(m.cases)
	}
	if i%3 == 1 {
		v["person_ids"] = []string{pickOne(m.persons)}
	} else {
		v["persons"] = []map[string]any{m.newPerson(i)}
	}
	return v
}

// phoneOf derives a phone number from a record's number, so searches can name seeded phones.
func phoneOf(i int) string { return fmt.Sprintf("09%08d", i%100_000_000) }

func (m *mix) searchTerm() string {
	if rand.IntN(5) == 0 {
		return phoneOf(rand.IntN(len(m.persons)))
	}
	return pickOne(terms)
}

// period is a reporting period of this year or the last: the whole year, a quarter or a month.
func (m *mix) period() string {
	y := m.year - rand.IntN(2)
	switch rand.IntN(3) {
	case 0:
		return fmt.Sprint(y)
	case 1:
		return fmt.Sprintf("%d-Q%d", y, 1+rand.IntN(4))
	}
	return fmt.Sprintf("%d-%02d", y, 1+rand.IntN(12))
}

// phase is one attack: closed loop (rate zero: each of the clients sends its next request
// when the last is answered), or open loop at a fixed rate spread over at most clients
// connections, the requests of the kinds pick chooses.
type phase struct {
	name     string
	clients  int
	duration time.Duration
	rate     float64 // requests per second; 0 for closed loop
	pick     func() *kind
}

// results are the metrics of one attack, per kind and overall.
type results struct {
	phase    phase
	byKind   map[string]*vegeta.Metrics
	all      vegeta.Metrics
	examples []string // a few 5xx and transport errors, to say what went wrong
}

func (m *mix) attack(ctx context.Context, base, token string, p phase) *results {
	opts := []func(*vegeta.Attacker){vegeta.MaxWorkers(uint64(p.clients)), vegeta.Connections(p.clients),
		vegeta.MaxConnections(p.clients), vegeta.KeepAlive(true), vegeta.HTTP2(false), vegeta.Timeout(30 * time.Second), vegeta.MaxBody(2048)}
	rate := vegeta.Rate{Freq: int(p.rate), Per: time.Second}
	if p.rate == 0 {
		opts, rate = append(opts, vegeta.Workers(uint64(p.clients))), vegeta.Rate{}
	}
	atk := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	res := &results{phase: p, byKind: map[string]*vegeta.Metrics{}}
	for _, k := range m.tableKinds() {
		res.byKind[k.key()] = &vegeta.Metrics{}
	}
	for r := range atk.Attack(m.targeter(base, token, p.pick), rate, p.duration, p.name) {
		u, _ := url.Parse(r.URL)
		if km := res.byKind[resultKey(r.Method, u.Path, u.Query().Has("q"))]; km != nil {
			km.Add(r)
		}
		res.all.Add(r)
		if (r.Code == 0 || r.Code >= 500) && len(res.examples) < 5 {
			res.examples = append(res.examples, fmt.Sprintf("%s %s: %d %s %s", r.Method, u.Path, r.Code, r.Error, strings.TrimSpace(string(r.Body))))
		}
	}
	for _, km := range res.byKind {
		km.Close()
	}
	res.all.Close()
	return res
}
