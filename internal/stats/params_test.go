package stats_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/stats"
)

func TestParseQuery(t *testing.T) {
	good := []struct {
		query, from, to string
		min             int
	}{
		{"period=2022", "2022-01-01", "2022-12-31", 0},
		{"period=2022&basis=statutory", "2021-12-15", "2022-12-14", 0},
		{"period=2023-Q3&basis=statutory&delegation_min=4", "2023-06-15", "2023-09-14", 4},
		{"from=2022-12-14&to=2022-12-14", "2022-12-14", "2022-12-14", 0},
		{"period=2024-02", "2024-02-01", "2024-02-29", 0},
	}
	for _, g := range good {
		v, _ := url.ParseQuery(g.query)
		q, err := stats.ParseQuery(v)
		if err != nil || q.Range.FromDate() != g.from || q.Range.ToDate() != g.to || q.DelegationMin != g.min {
			t.Errorf("%s: got %s..%s min %d, %v", g.query, q.Range.FromDate(), q.Range.ToDate(), q.DelegationMin, err)
		}
	}
	bad := []struct {
		query  string
		fields []string
	}{
		{"", []string{"period"}},
		{"period=2022-Q5", []string{"period"}},
		{"period=22", []string{"period"}},
		{"period=2022&from=2022-01-01&to=2022-02-01", []string{"period"}},
		{"from=2022-01-01", []string{"to"}},
		{"to=2022-01-01", []string{"from"}},
		{"from=2022-02-01&to=2022-01-31", []string{"from"}},
		{"from=2022-02-30&to=2022-03-01", []string{"from"}},
		{"period=2022&basis=lunar", []string{"basis"}},
		{"period=2022&delegation_min=1", []string{"delegation_min"}},
		{"period=2022&delegation_min=five", []string{"delegation_min"}},
		{"period=2022-13&basis=fiscal&delegation_min=0", []string{"basis", "delegation_min"}},
	}
	for _, b := range bad {
		v, _ := url.ParseQuery(b.query)
		_, err := stats.ParseQuery(v)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
			t.Errorf("%q: want a validation error, got %v", b.query, err)
			continue
		}
		var fields []string
		for _, f := range ae.Fields {
			fields = append(fields, f.Field)
		}
		if !slices.Equal(fields, b.fields) {
			t.Errorf("%q: fields %v, want %v", b.query, fields, b.fields)
		}
	}
}
