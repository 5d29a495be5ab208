package store

// PretendReplicasInUse stops s's replica checks and puts every replica in use, so that a test can
// route reads to a database that is not a standby (whose checks would leave it out).
func PretendReplicasInUse(s *Store) {
	s.replicas.stop()
	<-s.replicas.done
	s.replicas.stop = func() {}
	s.replicas.done = make(chan struct{})
	close(s.replicas.done)
	for _, r := range s.replicas.list {
		r.state.Store(&ReplicaStatus{Name: r.name, State: ReplicaInUse})
	}
}
