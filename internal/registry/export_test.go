package registry

import "github.com/tcd-registry/tcd/internal/dedup"

// ParsedAfresh prepares a person of each name through the lookups' parser and says how many of
// the names it had to parse: those not parsed ahead (WarmPersons) nor met before.
func (d *Duplicates) ParsedAfresh(names ...string) int {
	before := d.cache.persons.Misses()
	for _, n := range names {
		d.cache.persons.Prepare(dedup.Person{FullName: n})
	}
	return int(d.cache.persons.Misses() - before)
}
