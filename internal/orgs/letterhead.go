package orgs

import (
	"context"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// Letterhead is what the letterhead of a document or report prints of the organisation that
// issues it: its name, its code (the symbol in document numbers) and its parent body's name.
type Letterhead struct {
	Name, Code, ParentName string
}

// LetterheadOf reads the letterhead of organisation id, or of the root organisation (the first
// without a parent: the default one) when id is "".
func LetterheadOf(ctx context.Context, db *gorm.DB, id string) (Letterhead, error) {
	q := db.WithContext(ctx).Table("orgs o").Select("o.name, o.code, COALESCE(p.name, '') AS parent_name").
		Joins("LEFT JOIN orgs p ON p.id = o.parent_id")
	if id == "" {
		q = q.Where("o.parent_id IS NULL").Order("o.seq")
	} else {
		q = q.Where("o.id = ?", id)
	}
	var rows []Letterhead
	if err := q.Limit(1).Scan(&rows).Error; err != nil {
		return Letterhead{}, err
	}
	if len(rows) == 0 {
		return Letterhead{}, apperr.New(apperr.NotFound, "no organisation with id %q", id)
	}
	return rows[0], nil
}
