package export

// SetLockedHook makes s call f while a scheduled run holds the replica lock, so that a test can
// hold one run inside it while another tries.
func SetLockedHook(s *Service, f func()) { s.locked = f }

// ScheduleLockKey is the advisory lock a scheduled run takes on PostgreSQL.
const ScheduleLockKey = scheduleLockKey
