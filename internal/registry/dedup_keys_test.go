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
