package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A replica's lag is how long ago the primary was first past what it has replayed: an idle
// primary whose replica has replayed everything gives zero however old its last write, and a
// replica stuck behind lags by the age of the first position it has not reached.
func TestReplicaLagFromPrimaryPositions(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	idle := []lsnSample{{now.Add(-3 * time.Second), 500}, {now.Add(-2 * time.Second), 500}, {now, 500}}
	if lag := lagOf(idle, 500, now); lag != 0 {
		t.Errorf("idle primary, replica caught up: lag %v, want 0", lag)
	}
	moving := []lsnSample{{now.Add(-3 * time.Second), 500}, {now.Add(-2 * time.Second), 700}, {now.Add(-time.Second), 900}, {now, 1100}}
	for replayed, want := range map[int64]time.Duration{1100: 0, 1000: 0, 900: 0, 800: time.Second, 600: 2 * time.Second, 100: 3 * time.Second} {
		if lag := lagOf(moving, replayed, now); lag != want {
			t.Errorf("replayed %d: lag %v, want %v", replayed, lag, want)
		}
	}
}

// The embedded database has no replication: replicas are refused at start, naming the setting.
func TestSQLiteRefusesReplicas(t *testing.T) {
	_, err := Open(context.Background(), "sqlite:"+t.TempDir()+"/tcd.db", Options{ReplicaURLs: []string{"postgres://replica/tcd"}})
	if err == nil || !strings.Contains(err.Error(), "TCD_DATABASE_REPLICA_URLS") {
		t.Fatalf("SQLite with a replica: %v", err)
	}
}
