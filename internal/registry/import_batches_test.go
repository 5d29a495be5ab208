package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/imports"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A register is imported a batch at a time, each batch prepared while the one before it is
// written and not yet committed. Cut into batches of ten rows, a register whose citizens come
// back batch after batch (with and without an ID number), about the same matters, on the same
// days, imports as it does in one batch: the same persons, cases and sessions, every row with
// the same outcome.
func TestImportInSmallBatchesMatchesOneBatch(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ"}
		givens := []string{"An", "Bình"}
		numbers := []string{"045075001234", "045175001234"}
		var csv strings.Builder
		csv.WriteString("STT;Ngày tiếp;Họ tên - Địa chỉ;Số CCCD/CMND/Hộ chiếu;Nội dung vụ việc;Phân loại đơn / Số người;" +
			"Cơ quan đã giải quyết;Hướng xử lý;Theo dõi kết quả;Ghi chú\n")
		const rows = 70
		for i := range rows {
			// fourteen citizens, each back fourteen rows later, most often in the next batch;
			// the first two show an ID number
			c := i % 14
			number := ""
			if c < len(numbers) {
				number = numbers[c]
			}
			fmt.Fprintf(&csv, "%d;%02d/03/2024;%s Văn %s - thôn %d, xã Gio Mỹ;%s;Kiến nghị về đường thôn %d;Kiến nghị / 1;;Trả lời trực tiếp;;\n",
				i+1, 1+i%10, families[c%7], givens[c/7], c, number, c%5)
		}
		type outcome struct {
			statuses                         []string
			persons, cases, sessions, visits int64
		}
		importIn := func(batch int) outcome {
			env := testenv.Start(t, backend)
			ctx := context.Background()
			s := registry.NewService(env.App.Store, registry.Config{DelegationMin: 5, DefaultOrgID: env.App.DefaultOrg.ID, ImportBatch: batch})
			p, err := imports.OpenCSV(strings.NewReader(csv.String()))
			if err != nil {
				t.Fatal(err)
			}
			var out outcome
			_, err = s.ImportRegister(ctx, auth.System, env.App.DefaultOrg.ID, p, false, func(_ *imports.Row, done registry.ImportedRow) error {
				if len(done.Errors) > 0 {
					t.Errorf("row %d: %v", done.Row, done.Errors)
				}
				out.statuses = append(out.statuses, done.Status)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for table, n := range map[string]*int64{"persons": &out.persons, "cases": &out.cases, "sessions": &out.sessions, "visits": &out.visits} {
				if err := env.App.Store.DB.Table(table).Count(n).Error; err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
		whole, batched := importIn(1000), importIn(10)
		if whole.persons != 14 || whole.cases != 5 || whole.sessions != 10 || whole.visits != rows {
			t.Errorf("in one batch: %d persons, %d cases, %d sessions, %d visits; want 14, 5, 10, %d",
				whole.persons, whole.cases, whole.sessions, whole.visits, rows)
		}
		if batched.persons != whole.persons || batched.cases != whole.cases || batched.sessions != whole.sessions || batched.visits != whole.visits {
			t.Errorf("in batches of 10: %d persons, %d cases, %d sessions, %d visits; in one batch %d, %d, %d, %d",
				batched.persons, batched.cases, batched.sessions, batched.visits, whole.persons, whole.cases, whole.sessions, whole.visits)
		}
		for i := range whole.statuses {
			if want := map[bool]string{true: registry.ImportCreated, false: registry.ImportLinked}[i < 14]; whole.statuses[i] != want ||
				batched.statuses[i] != want {
				t.Errorf("row %d: %s in one batch, %s in batches of 10; want %s", i+2, whole.statuses[i], batched.statuses[i], want)
			}
		}
	})
}
