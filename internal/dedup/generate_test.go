package dedup

import "testing"

// The generated registers hold only records a reception desk may write: whoever comes states
// their address or shows an identity document (Law on Citizen Reception 2013, Article
// 7(2)(a)). Records with only one of the two remain, as at a real desk.
func TestGeneratedRecordsStateAnAddressOrShowADocument(t *testing.T) {
	for what, recs := range map[string][]Labelled{
		"persons with varied names":   GenerateVariedPersons(20000, 1),
		"the case register's persons": GenerateCaseRegister(3000, 5).Persons,
	} {
		var documentOnly, addressOnly int
		for _, r := range recs {
			switch {
			case r.Address == nil && r.IDNumber == nil:
				t.Fatalf("%s: the %s record %q (entity %d) has neither an address nor an identity document", what, r.Role, r.FullName, r.Entity)
			case r.Address == nil:
				documentOnly++
			case r.IDNumber == nil:
				addressOnly++
			}
		}
		if documentOnly == 0 || addressOnly == 0 {
			t.Errorf("%s: %d records with a document and no address, %d with an address and no document; want some of each", what, documentOnly, addressOnly)
		}
	}
}
