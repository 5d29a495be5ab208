package stats

import "time"

// SetFullRebuildAt lets tests drive the whole-register rebuild with a small register.
func SetFullRebuildAt(n int) (restore func()) {
	old := fullRebuildAt
	fullRebuildAt = n
	return func() { fullRebuildAt = old }
}

// SetTidyEvery lets tests have the background fold look for tables to vacuum at every call.
func SetTidyEvery(d time.Duration) (restore func()) {
	old := tidyEvery
	tidyEvery = d
	return func() { tidyEvery = old }
}
