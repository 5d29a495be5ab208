package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/testenv"
)

func runImport(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, progress bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&progress)
	cmd.SetArgs(append([]string{"import", "register"}, args...))
	err := cmd.Execute()
	return out.String(), err
}

// tcd import register reports every row, writes the failed rows beside the file, and a second
// run of the same file creates nothing.
func TestImportRegisterCommand(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		t.Setenv("TCD_DATABASE_URL", testenv.MigratedDatabaseURL(t, backend))
		t.Setenv("TCD_ORG_CODE", "TCD")
		dir := t.TempDir()
		file := filepath.Join(dir, "so-2024.csv")
		os.WriteFile(file, []byte("Ngày tiếp,Họ tên - Địa chỉ,Nội dung vụ việc,Phân loại đơn / Số người\n"+
			"05/03/2024,Nguyễn Văn An - thôn 1,Khiếu nại về đền bù,Khiếu nại / 1\n"+
			"2024-13-01,Trần Thị Bình - thôn 2,Kiến nghị làm đường,Kiến nghị / 1\n"), 0o644)

		out, err := runImport(t, file, "--org", "TCD", "--dry-run")
		if err != nil || !strings.Contains(out, "row 2: created") || !strings.Contains(out, "row 3: error") ||
			!strings.Contains(out, "row 3, column A (Ngày tiếp)") || !strings.Contains(out, "dry run, nothing written") {
			t.Fatalf("a dry run reports every row: %v\n%s", err, out)
		}
		out, err = runImport(t, file, "--org", "TCD")
		if err != nil || !strings.Contains(out, "2 rows: imported 1 created, 0 linked; 0 skipped (imported before); 1 with errors") {
			t.Fatalf("the import: %v\n%s", err, out)
		}
		failures, err := os.ReadFile(filepath.Join(dir, "so-2024-loi.csv"))
		if err != nil || !strings.Contains(string(failures), "Trần Thị Bình") || strings.Contains(string(failures), "Nguyễn Văn An") {
			t.Errorf("the rows to fix, beside the file: %v\n%s", err, failures)
		}
		if out, err := runImport(t, file, "--org", "TCD"); err != nil || !strings.Contains(out, "row 2: skipped") || !strings.Contains(out, "0 created") {
			t.Errorf("a second run creates nothing: %v\n%s", err, out)
		}
		if _, err := runImport(t, file, "--org", "NOPE"); err == nil || !strings.Contains(err.Error(), "--org") {
			t.Errorf("an unknown organisation: %v", err)
		}
	})
}
