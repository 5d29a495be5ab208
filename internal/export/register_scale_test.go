package export_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// TestRegisterExportScale seeds a register straight through SQL and streams it out, measuring
// time and the heap above idle. The normal run uses a few hundred visits in small batches, to
// cross batch boundaries and read the files back; `go test -tags=bigtest -run
// TestRegisterExportScale ./internal/export/` seeds 100,000 and enforces the requirement:
// ≤ 5 s and ≤ 50 MB above idle per format.
func TestRegisterExportScale(t *testing.T) {
	for _, backend := range testenv.Backends(t) {
		if backend != "sqlite" && !scaleOnPostgres {
			continue
		}
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, testenv.MigratedDatabaseURL(t, backend), store.Options{MaxOpenConns: 4})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.MigrateUp(ctx); err != nil {
				t.Fatal(err)
			}
			q, _ := period.Parse("2023-Q3", period.Statutory)
			began := time.Now()
			visits, petitions := seedRegister(t, st, scaleVisits, q)
			t.Logf("%s: seeded %d visits (%d in %s) and %d petitions in %s", backend, scaleVisits, visits, q.Label, petitions,
				time.Since(began).Round(time.Millisecond))

			if scaleBatch > 0 {
				defer export.SetRegisterBatch(scaleBatch)()
			}
			svc := export.NewService(st, nil, registry.NewService(st, registry.Config{}))
			for _, f := range export.RegisterFormats {
				// the workbook holds the petitions too; a CSV file, the visits alone
				want := visits
				if f == export.XLSX {
					want += petitions
				}
				exp, err := svc.OpenRegister(ctx, auth.System, export.RegisterQuery{Range: q}, f)
				if err != nil {
					t.Fatal(err)
				}
				var out countingWriter
				var rows int
				elapsed, cpu, peak := measure(func() { rows, err = exp.Write(ctx, &out) })
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				t.Logf("%s %s: %d rows, %.1f MB written in %s (CPU %s), peak heap %.1f MB above idle",
					backend, f, rows, float64(out.n.Load())/1e6, elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(peak)/1e6)
				if rows != want {
					t.Errorf("%s: %d rows, want the %d live visits and petitions of the period", f, rows, want)
				}
				if scaleEnforced && (elapsed > 5*time.Second || peak > 50<<20) {
					t.Errorf("%s: %s and %.1f MB above idle; the requirement is ≤ 5 s and ≤ 50 MB", f, elapsed, float64(peak)/1e6)
				}
				if !scaleEnforced { // small enough to read back: export again, keeping the file
					var b bytes.Buffer
					if _, err := exp.Write(ctx, &b); err != nil {
						t.Fatal(err)
					}
					if got := readBack(t, f, b.Bytes()); got != want {
						t.Errorf("%s: read back %d rows, want %d", f, got, want)
					}
				}
			}
		})
	}
}

// countingWriter counts what is written and drops it.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// readBack parses an exported register and returns its number of data rows, after checking
// that the file opens and that each part has its columns with serials running 1, 2, 3 …
func readBack(t *testing.T, f export.Format, b []byte) int {
	t.Helper()
	switch f {
	case export.CSV:
		if !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Errorf("csv: no UTF-8 BOM")
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		return dataRows(t, "csv", rows, export.RegisterColumns)
	case export.XLSX:
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		n := 0
		for _, part := range []struct {
			sheet   string
			columns []string
		}{{"Sổ tiếp công dân", export.RegisterColumns}, {"Đơn thư", export.PetitionColumns}} {
			rows, err := x.GetRows(part.sheet)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			n += dataRows(t, part.sheet, rows[2:], part.columns) // after the title and period rows
		}
		return n
	}
	t.Fatalf("no reader for %s", f)
	return 0
}

// dataRows checks a part's header and serials and returns its number of rows after the header.
func dataRows(t *testing.T, part string, rows [][]string, columns []string) int {
	t.Helper()
	if fmt.Sprint(rows[0]) != fmt.Sprint(columns) {
		t.Errorf("%s: header %q, want %q", part, rows[0], columns)
	}
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("%s: row %d has serial %q", part, i+1, r[0])
		}
	}
	return len(rows) - 1
}

// cpuTime is the process's user and system CPU time so far: on a machine shared with other
// work, it shows what the export costs apart from the wait for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapInUse is the bytes of heap spans in use (runtime.MemStats.HeapInuse), read through
// runtime/metrics, which unlike ReadMemStats does not stop the world: sampling every few
// milliseconds must not slow down what it measures.
func heapInUse() uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(samples)
	return samples[0].Value.Uint64() + samples[1].Value.Uint64()
}

// measure runs fn and returns its wall time, the process's CPU time during it, and the highest
// heap in use above the level before it, sampled every few milliseconds.
func measure(fn func()) (time.Duration, time.Duration, uint64) {
	runtime.GC()
	idle := heapInUse()
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapInUse(); h > idle && h-idle > peak.Load() {
				peak.Store(h - idle)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	began, cpu := time.Now(), cpuTime()
	fn()
	elapsed, cpu := time.Since(began), cpuTime()-cpu
	close(done)
	<-sampled
	return elapsed, cpu, peak.Load()
}

// seedRegister inserts, in one transaction, n live visits in period r and a tenth more that must
// stay out of its register (voided, or on the day before or after r), with persons, cases (some
// merged) and directives, and a fifth as many petitions received in r, half of them decided. It
// returns how many live visits and petitions fall in r.
func seedRegister(t *testing.T, st *store.Store, n int, r period.Range) (live, petitions int) {
	t.Helper()
	ctx := context.Background()
	tx, err := st.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	table := func(head string) *inserter {
		return &inserter{t: t, tx: tx, postgres: st.Dialect == store.Postgres, head: head}
	}
	org := "org-scale"
	orgs := table("orgs (id, code, name, path, created_at, updated_at)")
	orgs.add(org, "SCALE", "Ban Tiếp công dân tỉnh", "/"+org+"/", now, now)
	orgs.flush()

	sessions := table("sessions (seq, id, org_id, kind, date, version, created_at, updated_at)")
	days := int(r.To.Sub(r.From).Hours()/24) + 1
	dayOf := func(i int) string { return r.From.AddDate(0, 0, i).Format(time.DateOnly) }
	// day -1 and day `days` are outside the period, on either side
	for d := -1; d <= days; d++ {
		sessions.add(d+2, fmt.Sprintf("s%d", d+2), org, "regular", dayOf(d), 1, now, now)
	}
	sessions.flush()

	cases := n/3 + 1
	caseRows := table("cases (seq, id, org_id, code, title, title_folded, category, field, respondent, status, merged_into, root_seq, version, created_at, updated_at)")
	categories := []string{"complaint", "denunciation", "petition", "feedback"}
	statuses := []string{"open", "resolved", "closed"}
	for c := 1; c <= cases; c++ {
		root, merged := c, any(nil)
		if c%50 == 0 { // a duplicate merged into the case before it
			root, merged = c-1, fmt.Sprintf("c%d", c-1)
		}
		caseRows.add(c, fmt.Sprintf("c%d", c), org, fmt.Sprintf("2023-%06d", c),
			fmt.Sprintf("Tranh chấp quyền sử dụng đất thửa số %d, xã Gio Mỹ", c), fmt.Sprintf("tranh chap quyen su dung dat thua so %d", c),
			categories[c%4], "land", "UBND huyện Gio Linh", statuses[c%3], merged, root, 1, now, now)
	}
	caseRows.flush()
	directives := table("directives (id, org_id, number, issued_on, recipient, recipient_folded, case_id, version, created_at, updated_at)")
	for c := 1; c <= cases; c += 7 {
		directives.add(fmt.Sprintf("d%d", c), org, fmt.Sprintf("%d/UBND-TCD", c), dayOf(0), "UBND huyện Gio Linh", "ubnd huyen gio linh",
			fmt.Sprintf("c%d", c), 1, now, now)
	}
	directives.flush()

	persons := n/2 + 1
	personRows := table("persons (id, org_id, full_name, name_folded, gender, id_number, id_kind, address, version, created_at, updated_at)")
	for p := 1; p <= persons; p++ {
		personRows.add(fmt.Sprintf("p%d", p), org, fmt.Sprintf("Nguyễn Văn Thành %d", p), fmt.Sprintf("nguyen van thanh %d", p),
			"unknown", fmt.Sprintf("045%09d", p), "cccd", "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị", 1, now, now)
	}
	personRows.flush()

	visits := table("visits (id, org_id, session_id, kind, date, case_id, case_seq, headcount, content, outcome, note, version, created_at, updated_at, voided_at)")
	visitPersons := table("visit_persons (visit_id, person_id, position)")
	visitPersons.parent = visits
	outcomes := []string{"accepted", "guided", "transferred", "urged", "answered", "refused"}
	for v := 0; v < n+n/10; v++ {
		d := v % days
		var voided any
		if v >= n { // the extra tenth: one third voided, the rest outside the period
			switch v % 3 {
			case 0:
				voided = now
			case 1:
				d = -1
			case 2:
				d = days
			}
		}
		if d >= 0 && d < days && voided == nil {
			live++
		}
		c := v%cases + 1
		id := fmt.Sprintf("v%d", v)
		headcount := 1 + v%3
		visits.add(id, org, fmt.Sprintf("s%d", d+2), "regular", dayOf(d), fmt.Sprintf("c%d", c), c, headcount,
			"Đề nghị xem xét lại quyết định thu hồi đất", outcomes[v%6], nil, 1, now, now, voided)
		visitPersons.add(id, fmt.Sprintf("p%d", v%persons+1), 0)
		if headcount > 1 {
			visitPersons.add(id, fmt.Sprintf("p%d", (v+7)%persons+1), 1)
		}
	}
	visits.flush()
	visitPersons.flush()

	petitionRows := table("petitions (id, org_id, code, received_on, channel, case_id, case_seq, sender_count, content, decision, decided_on, due_on, version, created_at, updated_at)")
	petitionPersons := table("petition_persons (petition_id, person_id, position)")
	petitionPersons.parent = petitionRows
	petitions = n / 5
	for i := 0; i < petitions; i++ {
		c, d := i%cases+1, i%days
		id := fmt.Sprintf("pt%d", i)
		decision, decidedOn := any(nil), any(nil)
		if i%2 == 0 {
			decision, decidedOn = "accepted", dayOf(d)
		}
		petitionRows.add(id, org, fmt.Sprintf("DON-2023-%06d", i+1), dayOf(d), "post", fmt.Sprintf("c%d", c), c, 1,
			"Đề nghị xem xét lại quyết định thu hồi đất", decision, decidedOn, dayOf(d+14), 1, now, now)
		petitionPersons.add(id, fmt.Sprintf("p%d", i%persons+1), 0)
	}
	petitionRows.flush()
	petitionPersons.flush()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return live, petitions
}

// inserter writes the rows of one table as multi-row INSERTs of up to 500 rows: a few hundred
// statements instead of one per row, which matters on SQLite, whose driver prepares every
// statement anew.
type inserter struct {
	t        *testing.T
	tx       *sql.Tx
	postgres bool
	head     string    // "table (columns)"
	parent   *inserter // rows this table's rows refer to, written first
	args     []any
	rows     int
}

func (in *inserter) add(values ...any) {
	in.args = append(in.args, values...)
	in.rows++
	if in.rows == 500 {
		in.flush()
	}
}

func (in *inserter) flush() {
	if in.rows == 0 {
		return
	}
	if in.parent != nil {
		in.parent.flush()
	}
	width := len(in.args) / in.rows
	var b strings.Builder
	b.WriteString("INSERT INTO " + in.head + " VALUES ")
	for i := range in.args {
		switch {
		case i%width == 0 && i > 0:
			b.WriteString("),(")
		case i%width == 0:
			b.WriteString("(")
		default:
			b.WriteString(",")
		}
		if in.postgres {
			b.WriteString("$" + strconv.Itoa(i+1))
		} else {
			b.WriteString("?")
		}
	}
	b.WriteString(")")
	if _, err := in.tx.Exec(b.String(), in.args...); err != nil {
		in.t.Fatal(err)
	}
	in.args, in.rows = in.args[:0], 0
}
