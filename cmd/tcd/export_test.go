package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/testenv"
)

// runExport runs `tcd export args…` in this process and returns what it printed.
func runExport(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(append([]string{"export"}, args...))
	err := cmd.Execute()
	return out.String(), err
}

func TestExportCommand(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		t.Setenv("TCD_DATABASE_URL", testenv.MigratedDatabaseURL(t, backend))
		dir := filepath.Join(t.TempDir(), "out")
		want := filepath.Join(dir, "tcd-report-2023-Q3-statutory.xlsx")
		for range 2 {
			out, err := runExport(t, "--period", "2023-Q3", "--basis", "statutory", "--format", "xlsx", "--out", dir)
			if err != nil || strings.TrimSpace(out) != want {
				t.Fatalf("tcd export: %q, %v; want the path %s", out, err, want)
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("a re-run replaces the file: %d entries", len(entries))
		}
		f, err := excelize.OpenFile(want)
		if err != nil {
			t.Fatalf("the file is a workbook: %v", err)
		}
		if title, _ := f.GetCellValue("Biểu 01-TCD", "A2"); title != "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT" {
			t.Errorf("Form 01 title %q", title)
		}
		f.Close()
		if out, err := runExport(t, "--period", "2023", "--format", "json", "--out", dir, "--org", "TCD"); err != nil ||
			filepath.Base(strings.TrimSpace(out)) != "tcd-report-2023-calendar-TCD.json" {
			t.Errorf("one organisation's report is named after it: %q, %v", out, err)
		}

		blocked := filepath.Join(t.TempDir(), "a-file")
		os.WriteFile(blocked, nil, 0o644)
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--period", "2023-Q5", "--out", dir}, "--period"},
			{[]string{"--period", "2023-Q3", "--basis", "fiscal", "--out", dir}, "--basis"},
			{[]string{"--period", "2023-Q3", "--format", "odt", "--out", dir}, "--format"},
			{[]string{"--period", "2023-Q3", "--out", dir, "--org", "NOPE"}, "--org"},
			{[]string{"--period", "2023-Q3", "--out", filepath.Join(blocked, "sub")}, "export directory"},
			{[]string{"--out", dir}, "period"},
		} {
			if _, err := runExport(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("tcd export %v: %v, want an error about %s", c.args, err, c.want)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 2 {
			t.Errorf("failed runs write nothing: %d entries", len(entries))
		}
	})
}

// TestExportCommandExitCode runs tcd as an operator's cron job would and checks that a failure
// is a non-zero exit with the reason on stderr.
func TestExportCommandExitCode(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "tcd.db")
	_, err := runTCD(t, t.TempDir(), childEnv("TCD_DATABASE_URL="+db), "export", "--period", "2023-Q5", "--out", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "exit status 1") || !strings.Contains(err.Error(), "--period") {
		t.Fatalf("a bad period: %v, want exit status 1 naming --period", err)
	}
	out, err := runTCD(t, t.TempDir(), childEnv("TCD_DATABASE_URL="+db), "export", "--period", "2023-Q3", "--format", "csv", "--out", "exports")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), filepath.Join("exports", "tcd-report-2023-Q3-calendar.csv")) {
		t.Fatalf("a good run: %q, %v", out, err)
	}
}
