package stats

import (
	"context"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/period"
)

// tally is what the roll-ups say about one group of visits: its counts, the per-day bitmaps of
// its surviving cases, and the cases of its delegation visits.
type tally struct {
	sessions          int
	visits, persons   int
	days              []*roaring.Bitmap
	dVisits, dPersons int
	dRoots            *roaring.Bitmap
}

func newTally() *tally { return &tally{dRoots: roaring.New()} }

// figures judges the tally's cases against the unit's first-received cases.
func (t *tally) figures(first denseSet) figures {
	roots := denseSet{}
	roots.addAll(t.days)
	f := figures{Sessions: t.sessions, Visits: t.visits, Persons: t.persons, DVisits: t.dVisits, DPersons: t.dPersons,
		Cases: roots.len(), DCases: int(t.dRoots.GetCardinality())}
	f.Repeat = f.Cases - roots.andLen(first)
	f.DRepeat = f.DCases - first.countIn(t.dRoots)
	return f
}

type unitGroup struct{ unit, group string }

// rollupCount computes the cells of the period from the roll-ups: per group (groupOf maps a
// session kind and host role to it) and in total, for the whole scope (unit "") and, with
// perOrg, for each organisation on its own records. A case is first-time in a unit when its
// earliest live visit in the unit lies in the period.
func (s *Service) rollupCount(ctx context.Context, ids []string, rng period.Range, delegationMin int,
	groupOf func(kind, hostRole string) string, perOrg bool) ([]cell, error) {
	var out []cell
	err := s.withFreshRollups(ctx, func(db *gorm.DB, pending queued) error {
		var err error
		out, err = tallyRollups(db, pending, ids, rng, delegationMin, groupOf, perOrg)
		return err
	})
	return out, err
}

// tallyRollups is rollupCount over the roll-ups db reads and the additions pending to them.
func tallyRollups(db *gorm.DB, pending queued, ids []string, rng period.Range, delegationMin int,
	groupOf func(kind, hostRole string) string, perOrg bool) ([]cell, error) {
	from, to := rng.FromDate(), rng.ToDate()
	tallies := map[unitGroup]*tally{}
	firstDays := map[string][]*roaring.Bitmap{}
	extraFirsts := map[string]*roaring.Bitmap{}
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
	extraFirstOf := func(u string) *roaring.Bitmap {
		if extraFirsts[u] == nil {
			extraFirsts[u] = roaring.New()
		}
		return extraFirsts[u]
	}
	add := func(org, bucket string, sessions, visits, persons int, bm *roaring.Bitmap, groups []byte) {
		for _, u := range units(org) {
			if bucket == bucketFirst {
				firstDays[u] = append(firstDays[u], bm)
				continue
			}
			kind, role, _ := strings.Cut(bucket, ":")
			for _, g := range []string{groupOf(kind, role), ""} {
				t := tallyOf(u, g)
				t.sessions += sessions
				t.visits += visits
				t.persons += persons
				t.days = append(t.days, bm)
				eachGroup(groups, func(headcount int, root uint32) {
					if headcount >= delegationMin {
						t.dVisits++
						t.dPersons += headcount
						t.dRoots.Add(root)
					}
				})
			}
		}
	}

	// whole months from stats_months (consecutive keys of one basis, so one key range), the days
	// at the ends from stats_days
	months, days := split(rng)
	var (
		parts []string
		args  []any
	)
	const columns = "SELECT org_id, bucket, sessions, visits, persons, roots, group_visits"
	if len(months) > 0 {
		parts = append(parts, columns+" FROM stats_months WHERE org_id IN ? AND month >= ? AND month <= ?")
		args = append(args, ids, months[0], months[len(months)-1])
	}
	if len(days) > 0 {
		var ranges []string
		args = append(args, ids)
		for _, d := range days {
			ranges = append(ranges, "(date >= ? AND date <= ?)")
			args = append(args, d[0], d[1])
		}
		parts = append(parts, columns+" FROM stats_days WHERE org_id IN ? AND ("+strings.Join(ranges, " OR ")+")")
	}
	rows, err := db.Raw(strings.Join(parts, " UNION ALL "), args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			org, bucket               string
			sessions, visits, persons int
			raw, groups               []byte
		)
		if err := rows.Scan(&org, &bucket, &sessions, &visits, &persons, &raw, &groups); err != nil {
			return nil, err
		}
		bm := roaring.New()
		if err := bm.UnmarshalBinary(raw); err != nil {
			return nil, err
		}
		add(org, bucket, sessions, visits, persons, bm, groups)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	inScope := map[string]bool{}
	for _, id := range ids {
		inScope[id] = true
	}
	for _, r := range pending.additions { // by day: those of the period and scope
		if inScope[r.org] && r.key >= from && r.key <= to {
			add(r.org, r.bucket, r.sessions, r.visits, r.persons, r.roots, r.groups)
		}
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
			extraFirstOf(r.OrgID).Add(uint32(r.RootSeq))
		}
	}
	for root, d := range earliest {
		if d >= from {
			extraFirstOf("").Add(uint32(root))
		}
	}

	firsts := map[string]denseSet{}
	for k := range tallies {
		if firsts[k.unit] == nil {
			firsts[k.unit] = denseSet{}
			firsts[k.unit].addAll(append(firstDays[k.unit], extraFirstOf(k.unit)))
		}
	}
	// a case received by one organisation alone, now on an earlier day: first in the period
	// exactly when that day is in it, for every unit that counts the organisation
	for u, set := range firsts {
		for _, m := range pending.moved {
			if (u == "" && inScope[m.OrgID]) || u == m.OrgID {
				set.set(uint32(m.RootSeq), m.FirstDate >= from && m.FirstDate <= to)
			}
		}
	}
	out := make([]cell, 0, len(tallies))
	for k, t := range tallies {
		out = append(out, cell{Unit: k.unit, Group: k.group, Total: k.group == "", figures: t.figures(firsts[k.unit])})
	}
	return out, nil
}
