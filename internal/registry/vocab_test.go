package registry

import (
	"maps"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/vocab"
)

// The values the registry derives or dispatches on are the vocabulary's: a directive's status,
// and the types of record duplicate matching compares.
func TestDerivedValuesAreTheVocabulary(t *testing.T) {
	due, today := "2024-04-22", "2024-05-01"
	for _, status := range []string{directiveStatus(nil, nil, today), directiveStatus(&due, &due, today), directiveStatus(nil, &due, today)} {
		if !vocab.DirectiveStatus.Has(status) {
			t.Errorf("directive status %q is not in the vocabulary", status)
		}
	}
	if got, want := []string{DirectivePending, DirectiveReplied, DirectiveOverdue}, vocab.DirectiveStatus.Values(); !slices.Equal(got, want) {
		t.Errorf("directive statuses %v, vocabulary %v", got, want)
	}
	types := slices.Sorted(maps.Keys(dedupEntities))
	if want := slices.Sorted(slices.Values(vocab.DedupType.Values())); !slices.Equal(types, want) {
		t.Errorf("duplicate matching compares %v, vocabulary %v", types, want)
	}
}
