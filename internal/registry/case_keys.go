package registry

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	lru "github.com/hashicorp/golang-lru/v2"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/store"
)

// A case's keys (case_keys) are how duplicate lookups find it; the term counts
// (case_term_counts) how they weigh what two cases share. Both change with the writes that
// change them, in the same transaction: a case opened, retold or voided, a visit recorded.
// So a lookup reads the register as it is, and the same data always gives the same scores,
// on every replica, whenever it is asked.

type caseKeyRow struct {
	CaseSeq int64
	OrgID   string
	Key     string
}

func (caseKeyRow) TableName() string { return "case_keys" }

// totalTerm counts the live cases themselves.
const totalTerm = ""

// preparedText is r read for matching, without who came about it.
func (r *caseRow) preparedText() dedup.PreparedCase {
	return dedup.PrepareCase(dedup.Case{Seq: r.Seq, Title: r.Title, Summary: r.Summary, Category: r.Category,
		Field: r.Field, Respondent: r.Respondent})
}

// caseVersion names one version of a case: its text read for matching stays right until the
// record changes, and every change takes a new version.
type caseVersion struct {
	seq     int64
	version int
}

// parsedCases is how many cases read for matching are kept: a lookup reads the few dozen
// cases of a citizen and of a pattern, which the lookups of the next cases read again.
const parsedCases = 5_000

// cachedText is preparedText, kept by version. The text read is shared: matching only reads it.
func (d *Duplicates) cachedText(r *caseRow) dedup.PreparedCase {
	return cached(d.cache.texts, caseVersion{r.Seq, r.Version}, r.preparedText)
}

// cached is the value of key in c, made and kept when missing.
func cached[K comparable, V any](c *lru.Cache[K, V], key K, make func() V) V {
	if v, ok := c.Get(key); ok {
		return v
	}
	v := make()
	c.Add(key, v)
	return v
}

// indexNewCase stores a new case's text keys and counts its terms.
func indexNewCase(ctx context.Context, tx *gorm.DB, row *caseRow) error {
	p := row.preparedText()
	if err := insertCaseKeys(ctx, tx, row.Seq, row.OrgID, p.StoredKeys()); err != nil {
		return err
	}
	return caseTerms.add(ctx, tx, termDelta(append(p.TextTerms(), totalTerm), 1))
}

// reindexCaseText replaces the text keys and term counts of a case whose title, summary or
// respondent changed.
func reindexCaseText(ctx context.Context, tx *gorm.DB, before, after *caseRow) error {
	old, cur := before.preparedText(), after.preparedText()
	oldKeys, newKeys := old.StoredKeys(), cur.StoredKeys()
	gone := slices.DeleteFunc(slices.Clone(oldKeys), func(k string) bool { return slices.Contains(newKeys, k) })
	if len(gone) > 0 {
		if err := tx.WithContext(ctx).Where("case_seq = ? AND key IN ?", after.Seq, gone).Delete(&caseKeyRow{}).Error; err != nil {
			return err
		}
	}
	added := slices.DeleteFunc(slices.Clone(newKeys), func(k string) bool { return slices.Contains(oldKeys, k) })
	if err := insertCaseKeys(ctx, tx, after.Seq, after.OrgID, added); err != nil {
		return err
	}
	delta := termDelta(old.TextTerms(), -1)
	for t, d := range termDelta(cur.TextTerms(), 1) {
		delta[t] += d
	}
	return caseTerms.add(ctx, tx, delta)
}

// unindexCase takes a voided case out of the counts: its text terms, and the citizen and
// delegation keys its visits gave it.
func unindexCase(ctx context.Context, tx *gorm.DB, row *caseRow) error {
	p := row.preparedText()
	terms := append(p.TextTerms(), totalTerm)
	var people []string
	err := tx.WithContext(ctx).Model(&caseKeyRow{}).Where("case_seq = ?", row.Seq).Pluck("key", &people).Error
	if err != nil {
		return err
	}
	for _, k := range people {
		if dedup.PeopleKey(k) {
			terms = append(terms, k)
		}
	}
	return caseTerms.add(ctx, tx, termDelta(terms, -1))
}

// indexVisit gives a case the keys of the citizens and delegation of a visit to it, counting
// those it did not hold yet.
func indexVisit(ctx context.Context, tx *gorm.DB, caseSeq int64, orgID string, personIDs []string, delegationID *string) error {
	var keys []string
	if delegationID != nil {
		keys = append(keys, dedup.DelegationKey(*delegationID))
	}
	for chunk := range slices.Chunk(personIDs, 500) {
		var persons []personRow
		if err := tx.WithContext(ctx).Select(personColumns).Where("id IN ?", chunk).Find(&persons).Error; err != nil {
			return err
		}
		for i := range persons {
			keys = append(keys, persons[i].citizen(persons[i].ID).Keys()...)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var held []string
	err := tx.WithContext(ctx).Model(&caseKeyRow{}).Where("case_seq = ? AND key IN ?", caseSeq, keys).Pluck("key", &held).Error
	if err != nil {
		return err
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(held, k) })
	if err := insertCaseKeys(ctx, tx, caseSeq, orgID, keys); err != nil {
		return err
	}
	return caseTerms.add(ctx, tx, termDelta(keys, 1))
}

// citizen reads a person record for matching, under the identity given (the record, or the
// one it was merged into).
func (r *personRow) citizen(identity string) dedup.Citizen {
	return dedup.NewCitizen(identity, r.FullName, r.BirthYear, r.IDNumber, r.Phone, r.Address)
}

// cachedCitizen is r read for matching under its own identity, kept by version.
func (d *Duplicates) cachedCitizen(r *personRow) dedup.Citizen {
	return cached(d.cache.citizens, personVersion{r.Seq, r.Version}, func() dedup.Citizen { return r.citizen(r.ID) })
}

func insertCaseKeys(ctx context.Context, tx *gorm.DB, seq int64, orgID string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	rows := make([]caseKeyRow, len(keys))
	for i, k := range keys {
		rows[i] = caseKeyRow{CaseSeq: seq, OrgID: orgID, Key: k}
	}
	// a hundred rows a statement: the SQLite driver binds parameters in quadratic time
	return tx.WithContext(ctx).CreateInBatches(rows, 100).Error
}

// readCounts reads the counts of terms (and of the live cases) into n.
func readCounts(ctx context.Context, db *gorm.DB, n *dedup.MapCounts, terms []string) error {
	var missing []string
	for _, t := range terms {
		if _, ok := n.DF[t]; !ok {
			missing = append(missing, t)
			n.DF[t] = 0
		}
	}
	if _, ok := n.DF[totalTerm]; !ok {
		missing = append(missing, totalTerm)
	}
	counts, err := caseTerms.read(ctx, db, missing)
	if err != nil {
		return err
	}
	for t, c := range counts {
		if t == totalTerm {
			n.Total = c
		}
		n.DF[t] = c
	}
	n.DF[totalTerm] = n.Total
	return nil
}

// caseKeysState names, in dedup_state, the version of the vocabulary and of the kinds of keys
// the stored keys were made with (dedup.CaseKeysVersion).
const caseKeysState = "case_keys"

// IndexCases makes the keys and term counts of every case again when they were made with
// another version of the vocabulary or of the kinds of keys, or never (a register from
// before they existed). It
// holds off every write to cases and visits meanwhile: an upgrade step, run before serving.
func (d *Duplicates) IndexCases(ctx context.Context, log *slog.Logger) error {
	version := dedup.CaseKeysVersion()
	var state []string
	if err := d.reg.store.DB.WithContext(ctx).Table("dedup_state").Where("name = ?", caseKeysState).Pluck("value", &state).Error; err != nil {
		return err
	}
	if len(state) == 1 && state[0] == version {
		return nil
	}
	return d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		db := tx.WithContext(ctx)
		if d.reg.store.Dialect == store.Postgres {
			// An upgrade step, not a request: at a national register (750,000 cases) reading
			// every case and visit outlasts the 30 s a request's statement may take, and the
			// keys are computed between statements for longer than an idle transaction may
			// wait, on a busy server more so.
			if err := db.Exec("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0").Error; err != nil {
				return err
			}
			// replicas starting at once: one indexes, the others find it done
			if err := db.Exec("LOCK TABLE cases, visits, visit_persons IN SHARE MODE").Error; err != nil {
				return err
			}
			if err := db.Table("dedup_state").Where("name = ?", caseKeysState).Pluck("value", &state).Error; err != nil {
				return err
			}
			if len(state) == 1 && state[0] == version {
				return nil
			}
		}
		n, err := d.indexAll(ctx, tx)
		if err != nil {
			return err
		}
		if log != nil {
			log.Info("indexed cases for duplicate search", slog.Int("cases", n), slog.String("version", version))
		}
		return db.Exec(`INSERT INTO dedup_state (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, caseKeysState, version).Error
	})
}

// indexAll writes every live case's keys and the counts again, in tx.
func (d *Duplicates) indexAll(ctx context.Context, tx *gorm.DB) (int, error) {
	db := tx.WithContext(ctx)
	if err := db.Exec("DELETE FROM case_keys").Error; err != nil {
		return 0, err
	}
	if err := caseTerms.reset(ctx, tx); err != nil {
		return 0, err
	}
	var rows []caseRow
	if err := db.Where("voided_at IS NULL").Order("seq").Find(&rows).Error; err != nil {
		return 0, err
	}
	var visits []struct {
		CaseSeq      int64
		OrgID        string
		DelegationID *string
		PersonID     *string
	}
	err := db.Table("visits v").Select("v.case_seq, v.org_id, v.delegation_id, vp.person_id").
		Joins("LEFT JOIN visit_persons vp ON vp.visit_id = v.id").Order("v.case_seq").Scan(&visits).Error
	if err != nil {
		return 0, err
	}
	var personIDs []string
	for _, v := range visits {
		if v.PersonID != nil {
			personIDs = append(personIDs, *v.PersonID)
		}
	}
	citizens := map[string]dedup.Citizen{}
	err = inChunks(slices.Compact(slices.Sorted(slices.Values(personIDs))), func(ids []string) error {
		var persons []personRow
		err := db.Select(personColumns).Where("id IN ?", ids).Find(&persons).Error
		for i := range persons {
			citizens[persons[i].ID] = persons[i].citizen(persons[i].ID)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	people := map[int64][]string{}
	for _, v := range visits {
		if v.DelegationID != nil {
			people[v.CaseSeq] = append(people[v.CaseSeq], dedup.DelegationKey(*v.DelegationID))
		}
		if v.PersonID != nil {
			people[v.CaseSeq] = append(people[v.CaseSeq], citizens[*v.PersonID].Keys()...)
		}
	}
	counts := map[string]int64{}
	var keys []caseKeyRow
	for i := range rows {
		p := rows[i].preparedText()
		own := append(p.StoredKeys(), people[rows[i].Seq]...)
		slices.Sort(own)
		own = slices.Compact(own)
		for _, k := range own {
			keys = append(keys, caseKeyRow{CaseSeq: rows[i].Seq, OrgID: rows[i].OrgID, Key: k})
		}
		terms := append(p.TextTerms(), people[rows[i].Seq]...)
		slices.Sort(terms)
		for _, t := range slices.Compact(terms) {
			counts[t]++
		}
	}
	counts[totalTerm] = int64(len(rows))
	if err := db.CreateInBatches(keys, 100).Error; err != nil {
		return 0, fmt.Errorf("case keys: %w", err)
	}
	return len(rows), caseTerms.addToCounts(ctx, tx, counts)
}
