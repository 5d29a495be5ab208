package testenv

import "testing"

// fatalRecorder is a testing.TB whose Fatalf records the failure instead of ending the test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper()               {}
func (f *fatalRecorder) Fatalf(string, ...any) { f.failed = true }

type visitModel struct {
	ID        string `json:"id"`
	Headcount int    `json:"headcount"`
}

// A typed read fails on an answer that is not exactly the model: a test that read a created
// visit (with possible_duplicates) as a listed one would otherwise read on, blind to the field.
func TestDecodeIsStrict(t *testing.T) {
	for body, wantFailed := range map[string]bool{
		`{"id":"v1","headcount":3}`:                          false,
		`{"id":"v1","headcount":3,"possible_duplicates":[]}`: true,
		`{"id":"v1","headcount":"3"}`:                        true,
		`{"type":"urn:tcd:problem:not_found","status":404}`:  true,
	} {
		rec := &fatalRecorder{TB: t}
		v := Decode[visitModel](rec, &Response{Status: 200, Body: []byte(body)})
		if rec.failed != wantFailed || (!wantFailed && v != visitModel{ID: "v1", Headcount: 3}) {
			t.Errorf("%s: failed %v (want %v), decoded %+v", body, rec.failed, wantFailed, v)
		}
	}
}

// ItemsAs reads the items strictly and leaves the list around them alone.
func TestItemsAsReadsTheItemsStrictly(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	items := ItemsAs[visitModel](rec, &Response{Status: 200,
		Body: []byte(`{"items":[{"id":"a","headcount":1}],"next_cursor":null,"scanned_at":"2026-01-01T00:00:00Z"}`)})
	if rec.failed || len(items) != 1 || items[0] != (visitModel{ID: "a", Headcount: 1}) {
		t.Errorf("a list with more than a page has: failed %v, items %+v", rec.failed, items)
	}
	rec = &fatalRecorder{TB: t}
	ItemsAs[visitModel](rec, &Response{Status: 200, Body: []byte(`{"items":[{"id":"a","headcount":1,"note":null}]}`)})
	if !rec.failed {
		t.Errorf("an item with a field the model lacks is read")
	}
}
