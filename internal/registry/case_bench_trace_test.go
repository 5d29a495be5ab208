//go:build unix

package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// statementTrace counts the statements a lookup sends, and with BENCH_STATEMENTS=1 their
// time by statement: a lookup's time is mostly round trips, so their number is the first
// thing to look at when it grows.
type statementTrace struct {
	mu     sync.Mutex
	on     bool
	count  int
	byText map[string]*statementTime
}

type statementTime struct {
	n    int
	took time.Duration
}

// placeholders are a list of parameters, of any length (numbered on PostgreSQL)
var placeholders = regexp.MustCompile(`\((\?|\$\d+)(,\s*(\?|\$\d+))*\)`)

const traceStart = "bench:statement_start"

// watch registers the trace on every query and row statement of db.
func (t *statementTrace) watch(db *gorm.DB) error {
	t.byText = map[string]*statementTime{}
	before := func(tx *gorm.DB) { tx.InstanceSet(traceStart, time.Now()) }
	after := func(tx *gorm.DB) {
		start, ok := tx.InstanceGet(traceStart)
		t.mu.Lock()
		defer t.mu.Unlock()
		if !t.on || !ok {
			return
		}
		t.count++
		text := placeholders.ReplaceAllString(strings.Join(strings.Fields(tx.Statement.SQL.String()), " "), "(…)")
		text = text[:min(len(text), 100)]
		st := t.byText[text]
		if st == nil {
			st = &statementTime{}
			t.byText[text] = st
		}
		st.n++
		st.took += time.Since(start.(time.Time))
	}
	if err := db.Callback().Query().Before("gorm:query").Register("bench:trace_before", before); err != nil {
		return err
	}
	if err := db.Callback().Query().After("gorm:query").Register("bench:trace_after", after); err != nil {
		return err
	}
	if err := db.Callback().Row().Before("gorm:row").Register("bench:trace_row_before", before); err != nil {
		return err
	}
	return db.Callback().Row().After("gorm:row").Register("bench:trace_row_after", after)
}

// during counts the statements fn sends.
func (t *statementTrace) during(fn func()) {
	t.mu.Lock()
	t.on = true
	t.mu.Unlock()
	fn()
	t.mu.Lock()
	t.on = false
	t.mu.Unlock()
}

// print shows the statements by total time, the costliest first.
func (t *statementTrace) print(lookups int) {
	type row struct {
		text string
		st   *statementTime
	}
	var rows []row
	for text, st := range t.byText {
		rows = append(rows, row{text, st})
	}
	slices.SortFunc(rows, func(a, b row) int { return int(b.st.took - a.st.took) })
	for _, r := range rows {
		fmt.Printf("  %6.2f/lookup %8s/lookup  %s\n", float64(r.st.n)/float64(lookups), ms(r.st.took/time.Duration(lookups)), r.text)
	}
}
