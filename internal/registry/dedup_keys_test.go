package registry_test

import (
	"context"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The blocking keys are computed by each database from name_folded (generated columns, so
// every writer keeps them right); lookups compute the probe's keys in Go. Both must agree.
func TestBlockingKeysAgreeWithTheDatabase(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		ctx := context.Background()
		for _, name := range []string{"Nguyễn Văn An", "Tường", "Lê Thị Thu  Hương", "NGUYỄN THỊ ÁNH TUYẾT", "Nguyễn Văn Văn", "A B", "Hồ Xuân-Hương 2"} {
			p, err := env.App.Registry.CreatePerson(ctx, auth.System, registry.NewPerson{FullName: name})
			if err != nil {
				t.Fatal(err)
			}
			var row struct{ NameFolded, BlockGiven, BlockRest string }
			if err := env.App.Store.DB.Table("persons").Select("name_folded, block_given, block_rest").Where("id = ?", p.ID).Scan(&row).Error; err != nil {
				t.Fatal(err)
			}
			if row.BlockGiven != dedup.GivenKey(row.NameFolded) || row.BlockRest != dedup.RestKey(row.NameFolded) {
				t.Errorf("%q (%q): database keys %q %q, Go keys %q %q", name, row.NameFolded, row.BlockGiven, row.BlockRest,
					dedup.GivenKey(row.NameFolded), dedup.RestKey(row.NameFolded))
			}
		}
	})
}

// A start parses ahead the names of 95% of the register's persons, as many as that takes and
// no more, within the bytes it is given: the warm set follows the register as it grows.
func TestWarmPersonsFollowsTheRegister(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		ctx := context.Background()
		add := func(name string, n int) {
			for range n {
				if _, err := env.App.Registry.CreatePerson(ctx, auth.System, registry.NewPerson{FullName: name}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// a start: a new service, nothing parsed, then the warm-up a serving process runs first
		start := func(warmBytes int64) *registry.Duplicates {
			s := registry.NewService(env.App.Store, registry.Config{DelegationMin: 5, DefaultOrgID: env.App.DefaultOrg.ID, WarmBytes: warmBytes})
			if err := s.Duplicates().WarmPersons(ctx, nil); err != nil {
				t.Fatal(err)
			}
			return s.Duplicates()
		}
		const an, binh, chi = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Chí"
		add(an, 19)
		add(binh, 1)
		// An is 19 of 20 persons: enough; Bình, one person's name, is left to the first lookup
		// that meets it
		if n := start(0).ParsedAfresh(an, binh); n != 1 {
			t.Errorf("19 An, 1 Bình: a start left %d of the two names to parse, want 1 (Bình)", n)
		}
		add(binh, 19)
		add(chi, 1)
		// the register grew: An and Bình are 38 of 40 persons, both parsed ahead
		if n := start(0).ParsedAfresh(an, binh, chi); n != 1 {
			t.Errorf("19 An, 20 Bình, 1 Chí: a start left %d of the three names to parse, want 1 (Chí)", n)
		}
		// room for one name: the most common
		d := start(dedup.ParsedNameBytes)
		if n := d.ParsedAfresh(binh); n != 0 {
			t.Errorf("a warm set of one name did not hold the most common one (Bình)")
		}
		if n := d.ParsedAfresh(an); n != 1 {
			t.Errorf("a warm set of one name's bytes held a second name (An)")
		}
	})
}
