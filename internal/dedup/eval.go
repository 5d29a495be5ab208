package dedup

// Quality is how well candidate lists agree with the labels: precision is the share of offered
// candidates that are true duplicates, recall the share of true duplicates offered.
type Quality struct {
	Lists, Truth, Offered, Correct int
	NamesakesOffered               int // false candidates where a namesake was offered for its original or the other way
	Precision, Recall, F1          float64
}

// Evaluator scores candidate lists against labelled records.
type Evaluator struct {
	entity  map[int64]int
	role    map[int64]string
	members map[int]int // records per entity
	q       Quality
}

// NewEvaluator knows the truth: each record's entity and role, by seq.
func NewEvaluator() *Evaluator {
	return &Evaluator{entity: map[int64]int{}, role: map[int64]string{}, members: map[int]int{}}
}

// Label records that seq holds one record of entity in role.
func (e *Evaluator) Label(seq int64, entity int, role string) {
	e.entity[seq], e.role[seq] = entity, role
	e.members[entity]++
}

// List scores the candidates offered for probe.
func (e *Evaluator) List(probe int64, candidates []int64) {
	e.q.Lists++
	e.q.Truth += e.members[e.entity[probe]] - 1
	for _, c := range candidates {
		e.q.Offered++
		switch {
		case e.entity[c] == e.entity[probe]:
			e.q.Correct++
		case e.role[c] == RoleNamesake || e.role[probe] == RoleNamesake:
			e.q.NamesakesOffered++
		}
	}
}

// Pairs scores the pairs of a whole-register scan: every true pair is expected once.
func (e *Evaluator) Pairs(pairs []Pair) Quality {
	q := Quality{Lists: 1}
	for _, n := range e.members {
		q.Truth += n * (n - 1) / 2
	}
	for _, p := range pairs {
		q.Offered++
		switch {
		case e.entity[p.A] == e.entity[p.B]:
			q.Correct++
		case e.role[p.A] == RoleNamesake || e.role[p.B] == RoleNamesake:
			q.NamesakesOffered++
		}
	}
	return q.finish()
}

// Quality totals the lists scored so far.
func (e *Evaluator) Quality() Quality { return e.q.finish() }

func (q Quality) finish() Quality {
	q.Precision, q.Recall = 1, 1
	if q.Offered > 0 {
		q.Precision = float64(q.Correct) / float64(q.Offered)
	}
	if q.Truth > 0 {
		q.Recall = float64(q.Correct) / float64(q.Truth)
	}
	if q.Precision+q.Recall > 0 {
		q.F1 = 2 * q.Precision * q.Recall / (q.Precision + q.Recall)
	}
	return q
}
