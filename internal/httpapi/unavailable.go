package httpapi

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"
)

// isUnavailable recognises errors that mean "the database is not reachable right now", which a
// client should see as 503 and retry, not as a bug (500).
func isUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"failed to connect", "connection refused", "conn closed", "SQLSTATE 57P01", "SQLSTATE 57P03",
		"SQLSTATE 57014", "SQLSTATE 08", "database is locked", "SQLITE_BUSY", "broken pipe", "unexpected EOF", "sql: database is closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
