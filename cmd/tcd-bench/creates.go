package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/store"
)

// creates is a stream of visit creates through POST /api/v1/visits at a fixed rate, as the
// reception desks of every province would record them: on the sessions of the year the table
// measures, a third opening a new case, the others coming back about a case of the same
// province, each visit with one newly registered person of the case's commune.
type creates struct {
	atk  *vegeta.Attacker
	done chan string
}

type ref struct{ ID, OrgID string }

// startCreates starts the stream; stop ends it and says how it went.
func startCreates(ctx context.Context, st *store.Store, c *e2e.Client, rate int) *creates {
	var sessions, cases []ref
	if err := st.DB.WithContext(ctx).Raw("SELECT id, org_id FROM sessions WHERE date >= '2023-01-01' AND date <= '2023-12-31' AND voided_at IS NULL").
		Scan(&sessions).Error; err != nil {
		log.Fatal(err)
	}
	// a sample of each province's cases of the year
	if err := st.DB.WithContext(ctx).Raw("SELECT id, org_id FROM cases WHERE code LIKE 'VV-2023-%' AND seq % 25 = 0").Scan(&cases).Error; err != nil {
		log.Fatal(err)
	}
	casesOf := map[string][]string{}
	for _, k := range cases {
		casesOf[k.OrgID] = append(casesOf[k.OrgID], k.ID)
	}
	header := http.Header{"Authorization": {"Bearer " + c.Token}, "Content-Type": {"application/json"}}
	targeter := func(t *vegeta.Target) error {
		s := pickOne(sessions)
		place := fmt.Sprintf("thôn %d, xã %s", 1+rand.IntN(30), pickOne(communes))
		visit := map[string]any{"session_id": s.ID, "content": "Công dân trình bày nội dung đề nghị xem xét giải quyết.", "outcome": pickOne(outcomes),
			"persons": []map[string]any{{"full_name": pickOne(families) + " " + pickOne(middles) + " " + pickOne(givens),
				"birth_year": 1940 + rand.IntN(60), "address": place}}}
		if known := casesOf[s.OrgID]; len(known) > 0 && rand.IntN(3) > 0 {
			visit["case_id"] = pickOne(known)
		} else {
			visit["case"] = map[string]any{"title": pickOne(matters) + ", " + place, "category": pickOne(categories), "field": pickOne(fields)}
		}
		body, err := json.Marshal(visit)
		t.Method, t.URL, t.Header, t.Body = http.MethodPost, c.Base+"/api/v1/visits", header, body
		return err
	}
	cr := &creates{atk: vegeta.NewAttacker(vegeta.Timeout(time.Minute), vegeta.KeepAlive(true)), done: make(chan string, 1)}
	results := cr.atk.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, 0, "visit creates")
	go func() {
		var m vegeta.Metrics
		for r := range results {
			m.Add(r)
		}
		m.Close()
		summary := fmt.Sprintf("%d visit creates at %.1f/s, p50 %s, p99 %s, %.1f%% answered 201", m.Requests, m.Rate,
			ms(m.Latencies.P50), ms(m.Latencies.P99), 100*m.Success)
		if len(m.Errors) > 0 {
			summary += fmt.Sprintf("; errors: %v", m.Errors[:min(3, len(m.Errors))])
		}
		cr.done <- summary
	}()
	return cr
}

func (c *creates) stop() string {
	c.atk.Stop()
	return <-c.done
}

func pickOne[T any](s []T) T { return s[rand.IntN(len(s))] }

// people, places and matters as a reception desk writes them: a register holds many people of
// one name, and many cases of one matter in one commune
var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middles  = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang"}
	givens   = []string{"An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Lan", "Long", "Mai", "Nam", "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Tuấn"}
	communes = []string{"Gio Mỹ", "Tân Lập", "Vĩnh Ninh", "Triệu Ái", "Hải Thượng", "Đông Lễ", "Vĩnh Giang", "Cam Thủy", "Gio Quang", "Hướng Hóa"}
	matters  = []string{"Tranh chấp ranh giới đất với hộ liền kề", "Khiếu nại quyết định thu hồi đất", "Đề nghị bồi thường khi giải phóng mặt bằng",
		"Tố cáo cán bộ địa chính nhận tiền", "Kiến nghị cấp giấy chứng nhận quyền sử dụng đất", "Khiếu nại chế độ chính sách người có công"}
)
