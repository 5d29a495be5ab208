package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/app"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestServeRunsTheExportSchedule(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	env := testenv.Start(t, "sqlite", func(c *config.Config) {
		c.ExportSchedule, c.ExportDir, c.ExportFormats = "@every 1s", dir, []string{"json", "csv"}
	})
	q := period.LastCompletedQuarter(time.Now().In(env.App.Config.TimeZone), period.Statutory)
	want := []string{"tcd-report-" + q.Label + "-statutory.csv", "tcd-report-" + q.Label + "-statutory.json"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(dir)
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s of a 1 s schedule the directory holds %q, want %q", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestServeRefusesABadExportConfiguration(t *testing.T) {
	for _, c := range []struct {
		name, schedule string
		formats        []string
		want           string
	}{
		{"schedule", "every day at noon", []string{"xlsx"}, "TCD_EXPORT_SCHEDULE"},
		{"format", "0 6 * * *", []string{"xlsx", "docx"}, "TCD_EXPORT_FORMATS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.Load()
			if err != nil {
				t.Fatal(err)
			}
			cfg.DatabaseURL, cfg.AttachmentDir = testenv.DatabaseURL(t, "sqlite"), t.TempDir()
			cfg.ExportSchedule, cfg.ExportFormats = c.schedule, c.formats
			a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			if err := a.Serve(context.Background(), ln); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("serve with a bad %s: %v, want an error naming %s", c.name, err, c.want)
			}
		})
	}
}
