package export

import (
	"io"
)

// SetLockedHook makes s call f while a scheduled run holds the replica lock, so that a test can
// hold one run inside it while another tries.
func SetLockedHook(s *Service, f func()) { s.locked = f }

// ScheduleLockKey is the advisory lock a scheduled run takes on PostgreSQL.
const ScheduleLockKey = scheduleLockKey

// SetRegisterBatch changes the register's batch size until the returned function restores it.
func SetRegisterBatch(n int) (restore func()) {
	old := registerBatch
	registerBatch = n
	return func() { registerBatch = old }
}

// WriteReportXLSX writes r as the report workbook, as GET /exports/report?format=xlsx does.
func WriteReportXLSX(w io.Writer, r Report) error {
	return (&ReportFile{Report: r, format: XLSX}).writeXLSX(w)
}
