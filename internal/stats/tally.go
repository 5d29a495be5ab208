package stats

import (
	"context"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// tally is what the roll-ups say about one group of visits.
type tally struct {
	visits, persons   int
	roots             *roaring.Bitmap
	dVisits, dPersons int
	dRoots            *roaring.Bitmap
}

func newTally() *tally { return &tally{roots: roaring.New(), dRoots: roaring.New()} }

// figures judges the tally's cases against the unit's first-received cases.
func (t *tally) figures(first *roaring.Bitmap) figures {
	f := figures{Visits: t.visits, Persons: t.persons, DVisits: t.dVisits, DPersons: t.dPersons,
		Cases: int(t.roots.GetCardinality()), DCases: int(t.dRoots.GetCardinality())}
	f.Repeat = f.Cases - int(t.roots.AndCardinality(first))
	f.DRepeat = f.DCases - int(t.dRoots.AndCardinality(first))
	return f
}

type unitGroup struct{ unit, group string }

// rollupCount computes the cells of the period from the roll-ups: per group (groupOf maps a
// session kind and host role to it) and in total, for the whole scope (unit "") and, with
// perOrg, for each organisation on its own records. A case is first-time in a unit when its
// earliest live visit in the unit lies in the period.
func (s *Service) rollupCount(ctx context.Context, ids []string, from, to string, min int,
	groupOf func(kind, hostRole string) string, perOrg bool) ([]cell, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	tallies := map[unitGroup]*tally{}
	firsts := map[string]*roaring.Bitmap{}
	units := func(org string) []string {
		if perOrg {
			return []string{"", org}
		}
		return []string{""}
	}
	tallyOf := func(u, g string) *tally {
		t := tallies[unitGroup{u, g}]
		if t == nil {
			t = newTally()
			tallies[unitGroup{u, g}] = t
		}
		return t
	}
	firstOf := func(u string) *roaring.Bitmap {
		if firsts[u] == nil {
			firsts[u] = roaring.New()
		}
		return firsts[u]
	}
	db := s.store.DB.WithContext(ctx)

	rows, err := db.Raw(`SELECT org_id, bucket, visits, persons, roots FROM stats_days
		WHERE org_id IN ? AND date >= ? AND date <= ?`, ids, from, to).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			org, bucket     string
			visits, persons int
			raw             []byte
		)
		if err := rows.Scan(&org, &bucket, &visits, &persons, &raw); err != nil {
			return nil, err
		}
		bm := roaring.New()
		if err := bm.UnmarshalBinary(raw); err != nil {
			return nil, err
		}
		for _, u := range units(org) {
			if bucket == bucketFirst {
				firstOf(u).Or(bm)
				continue
			}
			kind, role, _ := strings.Cut(bucket, ":")
			for _, g := range []string{groupOf(kind, role), ""} {
				t := tallyOf(u, g)
				t.visits += visits
				t.persons += persons
				t.roots.Or(bm)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Cases received by several organisations are left out of the "first" rows, since their
	// first day depends on which organisations are counted: judge them here, over the scope.
	var shared []struct {
		RootSeq   int64
		OrgID     string
		FirstDate string
	}
	if err := db.Raw(`SELECT root_seq, org_id, first_date FROM stats_firsts WHERE shared AND org_id IN ? AND root_seq IN (
		SELECT root_seq FROM stats_firsts WHERE shared AND org_id IN ? AND first_date >= ? AND first_date <= ?)`,
		ids, ids, from, to).Scan(&shared).Error; err != nil {
		return nil, err
	}
	earliest := map[int64]string{}
	for _, r := range shared {
		if e, ok := earliest[r.RootSeq]; !ok || r.FirstDate < e {
			earliest[r.RootSeq] = r.FirstDate
		}
		if perOrg && r.FirstDate >= from && r.FirstDate <= to {
			firstOf(r.OrgID).Add(uint32(r.RootSeq))
		}
	}
	for root, d := range earliest {
		if d >= from {
			firstOf("").Add(uint32(root))
		}
	}

	// Delegation visits are few, and their threshold is a parameter: read them from the visits.
	// The literal bound lets both databases use the partial index on headcount >= 2.
	var delegations []struct {
		OrgID, Kind, HostRole string
		Headcount             int
		RootSeq               int64
	}
	if err := db.Raw(`SELECT v.org_id, v.kind, COALESCE(s.host_role, '') AS host_role, v.headcount, c.root_seq
		FROM visits v JOIN cases c ON c.seq = v.case_seq JOIN sessions s ON s.id = v.session_id
		WHERE v.org_id IN ? AND v.date >= ? AND v.date <= ? AND v.voided_at IS NULL AND v.headcount >= 2 AND v.headcount >= ?`,
		ids, from, to, min).Scan(&delegations).Error; err != nil {
		return nil, err
	}
	for _, d := range delegations {
		for _, u := range units(d.OrgID) {
			for _, g := range []string{groupOf(d.Kind, d.HostRole), ""} {
				t := tallyOf(u, g)
				t.dVisits++
				t.dPersons += d.Headcount
				t.dRoots.Add(uint32(d.RootSeq))
			}
		}
	}

	out := make([]cell, 0, len(tallies))
	for k, t := range tallies {
		out = append(out, cell{Unit: k.unit, Group: k.group, Total: k.group == "", figures: t.figures(firstOf(k.unit))})
	}
	return out, nil
}
