package stats

import "context"

// SetFullRebuildAt lets tests drive the whole-register rebuild with a small register.
func SetFullRebuildAt(n int) (restore func()) {
	old := fullRebuildAt
	fullRebuildAt = n
	return func() { fullRebuildAt = old }
}

// Refresh lets benchmarks time bringing the roll-ups up to date on its own.
func (s *Service) Refresh(ctx context.Context) error { return s.refresh(ctx) }
