package httpapi

import (
	"testing"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/validate"
)

// FuzzDecodeStrict feeds arbitrary bytes to the strict JSON decoder and then the validator, for
// the body of every write endpoint: neither may panic, and any failure must be a 400 (decoding)
// or a 422 (validation), never something a client would see as a 500.
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{"full_name": "Nguyễn Văn An", "birth_year": 1975, "id_number": "045075001234"}`,
		`{"session_id": "x", "case": {"title": "Tranh chấp đất", "category": "complaint", "field": "land"}, "persons": [{"full_name": "A"}], "headcount": 3}`,
		`{"kind": "periodic", "date": "2024-02-30", "host_role": "head"}`,
		`{"name": "Đoàn thôn 3", "member_count": 12, "representative_ids": ["a", "b"]}`,
		`{"number": "5/TB-UBND", "issued_on": "2024-03-20", "session_id": "s", "case_ids": ["c"]}`,
		`{"number": "88/UBND", "issued_on": "2024-03-22", "recipient": "UBND huyện", "due_on": "2024-04-22"}`,
		`{"replied_on": "2024-04-10", "summary": "Đã trả lời"}`,
		`{"full_name": "x",`, `[]`, `null`, `{"birth_year": "1975"}`, `{"unknown": 1}`, `{} {}`, "\xff\xfe",
		`{"full_name": "a", "full_name": "b"}`, `{"birth_year": 1e400}`, `{"persons": [null, {}]}`,
	} {
		f.Add([]byte(seed))
	}
	targets := []func() any{
		func() any { return &registry.NewPerson{} }, func() any { return &registry.PersonPatch{} },
		func() any { return &registry.NewVisit{} }, func() any { return &registry.VisitPatch{} },
		func() any { return &registry.NewSession{} }, func() any { return &registry.SessionPatch{} },
		func() any { return &registry.NewCase{} }, func() any { return &registry.CasePatch{} },
		func() any { return &registry.NewDelegation{} }, func() any { return &registry.DelegationPatch{} },
		func() any { return &registry.NewNotice{} }, func() any { return &registry.NoticePatch{} },
		func() any { return &registry.NewDirective{} }, func() any { return &registry.DirectivePatch{} },
		func() any { return &registry.DirectiveReply{} },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newTarget := range targets {
			dst := newTarget()
			if err := decodeStrict(body, dst); err != nil {
				if apperr.CodeOf(err) != apperr.BadRequest {
					t.Fatalf("%T: decode error must be a 400, got %v (%s)", dst, err, apperr.CodeOf(err))
				}
				continue
			}
			if err := validate.Struct(dst); err != nil && apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("%T: validation error must be a 422, got %v", dst, err)
			}
		}
	})
}
