package stats

// SetFullRebuildAt lets tests drive the whole-register rebuild with a small register.
func SetFullRebuildAt(n int) (restore func()) {
	old := fullRebuildAt
	fullRebuildAt = n
	return func() { fullRebuildAt = old }
}
