package httpapi

import (
	"testing"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/registry"
)

// FuzzDecodeStrict feeds arbitrary bytes to the strict JSON decoder used by every write
// endpoint: it must never panic and must answer either success or a 400 (BadRequest) error,
// never anything a client would see as a 500.
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{"full_name": "Nguyễn Văn An", "birth_year": 1975, "id_number": "045075001234"}`,
		`{"full_name": "x",`, `[]`, `null`, `{"birth_year": "1975"}`, `{"unknown": 1}`, `{} {}`, "\xff\xfe",
		`{"full_name": "a", "full_name": "b"}`, `{"birth_year": 1e400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var p registry.NewPerson
		err := decodeStrict(body, &p)
		if err != nil && apperr.CodeOf(err) != apperr.BadRequest {
			t.Fatalf("decode error must be a 400, got %v (%s)", err, apperr.CodeOf(err))
		}
	})
}
