package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The files that hold the register or its reports are readable by the service's user alone:
// the embedded database with its -wal and -shm files, and the exports the schedule writes.
func TestDataAndExportFilesArePrivate(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dir := filepath.Join(t.TempDir(), "exports")
		env := testenv.Start(t, backend, func(c *config.Config) {
			c.ExportSchedule, c.ExportDir, c.ExportFormats = "@every 1s", dir, []string{"xlsx", "csv", "json"}
		})
		env.As(auth.Staff).Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "phone": "0912345678"})
		var files []string
		if db, ok := strings.CutPrefix(env.App.Config.DatabaseURL, "sqlite:"); ok {
			files = append(files, db, db+"-wal", db+"-shm")
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			exports, _ := filepath.Glob(filepath.Join(dir, "tcd-report-*"))
			if len(exports) == 3 {
				files = append(files, exports...)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the schedule wrote %v in 15 s", exports)
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			if mode := st.Mode().Perm(); mode&0o077 != 0 {
				t.Errorf("%s is %v: others may read it", filepath.Base(f), mode)
			}
		}
	})
}
