package stats

import (
	"net/url"
	"strconv"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/period"
)

// ParseQuery reads the query parameters every statistic shares: period= or from=&to= (inclusive),
// basis=, org= and delegation_min=. Every problem is reported at once, each naming its parameter.
func ParseQuery(v url.Values) (Query, error) {
	var (
		fe  apperr.Fields
		q   Query
		err error
	)
	basis, basisErr := period.ParseBasis(v.Get("basis"))
	if basisErr != nil {
		fe.Add("basis", "%s", basisErr)
	}
	spec, from, to := v.Get("period"), v.Get("from"), v.Get("to")
	switch {
	case spec != "" && (from != "" || to != ""):
		fe.AddAs(apperr.Conflicting, "period", "give either period or from and to, not both")
	case spec != "":
		if basisErr == nil {
			if q.Range, err = period.Parse(spec, basis); err != nil {
				fe.Add("period", "%s", err)
			}
		}
	case from == "" && to == "":
		fe.AddAs(apperr.Required, "period", "is required (e.g. 2023, 2023-Q3, 2023-10, 2023-6M, 2023-9M), or from and to")
	case from == "":
		fe.AddAs(apperr.Required, "from", "is required with to")
	case to == "":
		fe.AddAs(apperr.Required, "to", "is required with from")
	default:
		f, ferr := period.ParseDate(from)
		if ferr != nil {
			fe.Add("from", "%s", ferr)
		}
		t, terr := period.ParseDate(to)
		if terr != nil {
			fe.Add("to", "%s", terr)
		}
		if ferr == nil && terr == nil {
			if f.After(t) {
				fe.Add("from", "is after to")
			} else {
				q.Range, _ = period.FromTo(from, to)
			}
		}
	}
	q.OrgID = v.Get("org")
	if s := v.Get("delegation_min"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 || n > 10000 {
			fe.AddAs(apperr.OutOfRange, "delegation_min", "must be a whole number from 2 to 10000")
		}
		q.DelegationMin = n
	}
	return q, fe.Err()
}
