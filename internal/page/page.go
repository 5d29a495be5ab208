// Package page implements keyset pagination over the integer surrogate key (seq), newest first:
// each page is one index range scan, however deep the client pages.
package page

import (
	"encoding/base64"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
)

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Request is a page size and the opaque cursor of the previous page.
type Request struct {
	Limit int
	After int64 // 0: first page
	// Total, when not nil, receives how many records the whole list holds (?count=true): the
	// lister counts with the same conditions it pages with, so a client's "N results" never
	// counts a record it could not page to.
	Total *int64
}

// Parse reads ?limit= and ?cursor=.
func Parse(limit, cursor string) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return r, apperr.FieldAs(apperr.OutOfRange, "limit", "must be an integer from 1 to %d", MaxLimit)
		}
		r.Limit = n
	}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		s, ok := strings.CutPrefix(string(raw), "s:")
		n, perr := strconv.ParseInt(s, 10, 64)
		if err != nil || !ok || perr != nil || n <= 0 {
			return r, apperr.Field("cursor", "is not a cursor this service issued")
		}
		r.After = n
	}
	return r, nil
}

// Cursor encodes a position; clients treat it as opaque.
func Cursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("s:" + strconv.FormatInt(seq, 10)))
}

// Fetch runs q (already filtered) for one page into dest and returns the next cursor, "" on the
// last page. seqOf reads the seq of the i-th fetched row. The column is the table's seq unless
// the query qualifies it (pass a query whose primary table is the paged one).
func Fetch[T any](q *gorm.DB, r Request, dest *[]T, seqOf func(i int) int64) (string, error) {
	return FetchOn(q, "seq", r, dest, seqOf)
}

// FetchOn is Fetch with an explicit (qualified) seq column, for joined queries.
func FetchOn[T any](q *gorm.DB, column string, r Request, dest *[]T, seqOf func(i int) int64) (string, error) {
	if r.Limit <= 0 {
		r.Limit = DefaultLimit
	}
	if r.After > 0 {
		q = q.Where(column+" < ?", r.After)
	}
	if err := q.Order(column + " DESC").Limit(r.Limit + 1).Find(dest).Error; err != nil {
		return "", err
	}
	if len(*dest) <= r.Limit {
		return "", nil
	}
	*dest = (*dest)[:r.Limit]
	return Cursor(seqOf(r.Limit - 1)), nil
}
