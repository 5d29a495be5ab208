package apperr_test

import (
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// The codes a field error carries are the ones GET /vocab labels, in the same order.
func TestFieldCodesAreTheVocabulary(t *testing.T) {
	var codes []string
	for _, c := range apperr.FieldCodes {
		codes = append(codes, string(c))
	}
	if want := vocab.FieldErrorCode.Values(); !slices.Equal(codes, want) {
		t.Errorf("apperr.FieldCodes = %v, vocabulary field_error.code = %v", codes, want)
	}
}
