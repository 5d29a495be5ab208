package registry

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/store"
)

// The counts that weigh person matching (person_term_counts: how many live, unmerged persons
// hold each name word, address term and birth year) change with the writes that change them,
// in the same transaction: a person created, edited, voided, merged or unmerged. A lookup reads
// the few counts it needs; nothing is counted inside a request, so the first lookup after a
// start is as fast as the next, and every replica gives the same scores.

// countPerson adds d (1 or -1) to the counts of the terms of r, and of the persons themselves.
func countPerson(ctx context.Context, tx *gorm.DB, r *personRow, d int64) error {
	p := r.prepared()
	return personTerms.add(ctx, tx, termDelta(append(dedup.CountedTerms(&p), totalTerm), d))
}

// recountPerson moves the counts of a live, unmerged person whose record changed from its
// terms before to those after; a change matching does not read (gender, phone) moves nothing.
func recountPerson(ctx context.Context, tx *gorm.DB, before, after *personRow) error {
	if before.VoidedAt != nil || before.MergedInto != nil {
		return nil
	}
	old, cur := before.prepared(), after.prepared()
	delta := termDelta(dedup.CountedTerms(&old), -1)
	for _, t := range dedup.CountedTerms(&cur) {
		delta[t]++
	}
	return personTerms.add(ctx, tx, delta)
}

// personStats reads the counts that scoring probe against candidates can read.
func personStats(ctx context.Context, db *gorm.DB, probe *dedup.Prepared, candidates []*dedup.Prepared) (*dedup.PersonStats, error) {
	counts, err := personTerms.read(ctx, db, append(dedup.ScoringTerms(probe, candidates), totalTerm))
	if err != nil {
		return nil, err
	}
	return dedup.PersonStatsFromCounts(counts[totalTerm], counts), nil
}

// personCountsState names, in dedup_state, the way the stored person counts were made.
const personCountsState = "person_counts"

// IndexPersons counts every live, unmerged person again when the stored counts were made
// another way (dedup.PersonTermsVersion) or never (a register from before them), holding
// writes to persons meanwhile: an upgrade step, run before serving. A national register of a
// million persons takes seconds, once.
//
// It first derives the stored blocking keys (block_address) of every person the same way, when
// they were derived another way (dedup.PersonBlocksVersion) or never (a register from before
// them): a lookup finds a person by them.
func (d *Duplicates) IndexPersons(ctx context.Context, log *slog.Logger) error {
	blocksDerived := func(db *gorm.DB) (bool, error) { return stateIs(db, personBlocksState, dedup.PersonBlocksVersion) }
	changed := 0
	err := d.onceStale(ctx, blocksDerived, func(tx *gorm.DB) error {
		n, err := deriveBlockAddresses(ctx, tx)
		if err != nil {
			return err
		}
		changed = n
		if log != nil {
			log.Info("derived the address keys of persons for duplicate search", slog.Int("changed", n))
		}
		return setState(ctx, tx, personBlocksState, dedup.PersonBlocksVersion)
	})
	if err != nil {
		return err
	}
	if changed > 0 {
		// every person rewritten: on PostgreSQL as many dead rows as live ones, which lookups
		// read through until a VACUUM (autovacuum may be off), and a new index never analysed
		if err := d.reg.store.TidyAfterBulkWrite(ctx); err != nil {
			return err
		}
	}
	counted := func(db *gorm.DB) (bool, error) {
		ok, err := stateIs(db, personCountsState, dedup.PersonTermsVersion)
		if !ok || err != nil {
			return false, err
		}
		var total int64
		err = db.Table("person_term_counts").Where("term = ?", totalTerm).Count(&total).Error
		return total == 1, err
	}
	return d.onceStale(ctx, counted, func(tx *gorm.DB) error {
		n, err := countAllPersons(ctx, tx)
		if err != nil {
			return err
		}
		if log != nil {
			log.Info("counted persons for duplicate search", slog.Int("persons", n))
		}
		return setState(ctx, tx, personCountsState, dedup.PersonTermsVersion)
	})
}

// onceStale runs derive in a transaction holding writes to persons, unless current says the
// derived data is current.
func (d *Duplicates) onceStale(ctx context.Context, current func(db *gorm.DB) (bool, error), derive func(tx *gorm.DB) error) error {
	if ok, err := current(d.reg.store.DB.WithContext(ctx)); ok || err != nil {
		return err
	}
	return d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		db := tx.WithContext(ctx)
		if d.reg.store.Dialect == store.Postgres {
			// replicas starting at once: one derives, the others find it done
			if err := db.Exec("LOCK TABLE persons IN SHARE MODE").Error; err != nil {
				return err
			}
			if ok, err := current(db); ok || err != nil {
				return err
			}
		}
		return derive(tx)
	})
}

// stateIs says whether dedup_state holds value under name.
func stateIs(db *gorm.DB, name, value string) (bool, error) {
	var state []string
	err := db.Table("dedup_state").Where("name = ?", name).Pluck("value", &state).Error
	return len(state) == 1 && state[0] == value, err
}

func setState(ctx context.Context, tx *gorm.DB, name, value string) error {
	return tx.WithContext(ctx).Exec(`INSERT INTO dedup_state (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value).Error
}

// personBlocksState names, in dedup_state, the way the stored blocking keys of persons were
// derived.
const personBlocksState = "person_blocks"

// deriveBlockAddresses writes the address key of every person whose stored one differs
// (voided and merged persons too: they may be restored), reading the register in pages, and
// returns how many it changed.
func deriveBlockAddresses(ctx context.Context, tx *gorm.DB) (int, error) {
	db := tx.WithContext(ctx)
	changed, after := 0, int64(0)
	for {
		var rows []personRow
		err := db.Select("seq, address, block_address").Where("seq > ?", after).Order("seq").Limit(10_000).Find(&rows).Error
		if err != nil {
			return 0, err
		}
		var stale []personRow
		for _, r := range rows {
			key := blockAddress(r.Address)
			if (key == nil) != (r.BlockAddress == nil) || (key != nil && *key != *r.BlockAddress) {
				r.BlockAddress = key
				stale = append(stale, r)
			}
		}
		seqs, keys := make([]int64, len(stale)), make([]any, len(stale))
		for i, r := range stale {
			seqs[i], keys[i] = r.Seq, r.BlockAddress
		}
		if err := store.SetBySeq(ctx, tx, "persons", "block_address", seqs, keys, ""); err != nil {
			return 0, err
		}
		changed += len(stale)
		if len(rows) < 10_000 {
			return changed, nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// WarmPersons parses the register's common names and addresses before the service serves, so
// that the first lookups after a start (every replica's, after every deploy) find them parsed
// as later lookups do: parsing a lookup's few hundred candidates afresh took two to three times
// the CPU of a lookup that found them parsed.
//
// How many follows the register (warmCoverage): the most common names and addresses until they
// are those of 95% of the live persons, the addresses first (a few thousand villages cover
// most persons), within budget bytes (Config.WarmBytes; see warmBudget). A fixed number fell
// behind as the register grew: at a million persons the 50,000 most common names were 78% of
// them. One grouped read of the persons per column, once per start.
func (d *Duplicates) WarmPersons(ctx context.Context, log *slog.Logger) error {
	start := time.Now()
	budget := warmBudget(d.reg.cfg.WarmBytes)
	addresses, addressShare, err := d.commonValues(ctx, "address", budget/dedup.ParsedAddressBytes)
	if err != nil {
		return err
	}
	budget -= int64(len(addresses)) * dedup.ParsedAddressBytes
	names, nameShare, err := d.commonValues(ctx, "full_name", budget/dedup.ParsedNameBytes)
	if err != nil {
		return err
	}
	d.cache.persons.Warm(names, addresses)
	if log != nil {
		log.Info("parsed the common names and addresses for duplicate search",
			slog.Int("names", len(names)), slog.Float64("names_share", nameShare),
			slog.Int("addresses", len(addresses)), slog.Float64("addresses_share", addressShare),
			slog.Int64("bytes", int64(len(names))*dedup.ParsedNameBytes+int64(len(addresses))*dedup.ParsedAddressBytes),
			slog.Duration("took", time.Since(start)))
	}
	return nil
}

// warmCoverage is the share of the live persons (of those with an address, for addresses)
// whose name and address WarmPersons parses ahead: the rest are names borne by one person
// each, which a lookup meets as a candidate rarely and then parses in microseconds.
const warmCoverage = 0.95

// defaultWarmBytes bounds the warm set when Config.WarmBytes is 0: half the default memory
// limit (TCD_MEMORY_LIMIT, 120 MB), the rest being the service's own.
const defaultWarmBytes = 60 << 20

// warmBudget is the bytes the warm set may hold: configured, or defaultWarmBytes.
func warmBudget(configured int64) int64 {
	if configured > 0 {
		return configured
	}
	return defaultWarmBytes
}

// commonValues are the values of column among the live, unmerged persons, the most common
// first, until they are those of warmCoverage of the persons with one, or limit of them; and
// the share of those persons they are. The counts come in one grouped read, the total beside
// each row, read only as far as needed.
func (d *Duplicates) commonValues(ctx context.Context, column string, limit int64) ([]string, float64, error) {
	if limit <= 0 {
		return nil, 0, nil
	}
	rows, err := d.reg.store.DB.WithContext(ctx).Model(&personRow{}).
		Select(column + ", count(*) AS n, sum(count(*)) OVER () AS total").
		Where("voided_at IS NULL AND merged_into IS NULL AND " + column + " IS NOT NULL").
		Group(column).Order("n DESC, " + column).Limit(int(limit)).Rows()
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var values []string
	var covered, total int64
	for int64(len(values)) < limit && (total == 0 || float64(covered) < warmCoverage*float64(total)) && rows.Next() {
		var value string
		var n int64
		if err := rows.Scan(&value, &n, &total); err != nil {
			return nil, 0, err
		}
		values = append(values, value)
		covered += n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return values, 0, nil
	}
	return values, float64(covered) / float64(total), nil
}

// countAllPersons writes the counts of every live, unmerged person again, in tx, reading the
// register in pages so that a national one never sits in memory whole.
func countAllPersons(ctx context.Context, tx *gorm.DB) (int, error) {
	db := tx.WithContext(ctx)
	if err := personTerms.reset(ctx, tx); err != nil {
		return 0, err
	}
	counts := map[string]int64{}
	persons, after := 0, int64(0)
	for {
		var rows []personRow
		err := db.Select(personColumns).Where("seq > ? AND voided_at IS NULL AND merged_into IS NULL", after).
			Order("seq").Limit(10_000).Find(&rows).Error
		if err != nil {
			return 0, err
		}
		for i := range rows {
			p := rows[i].prepared()
			for _, t := range dedup.CountedTerms(&p) {
				counts[t]++
			}
		}
		persons += len(rows)
		if len(rows) < 10_000 {
			break
		}
		after = rows[len(rows)-1].Seq
	}
	counts[totalTerm] = int64(persons)
	return persons, personTerms.addToCounts(ctx, tx, counts)
}
