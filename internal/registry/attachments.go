package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
)

// Attachment is a file attached to a case: a scan of a petition, a piece of evidence. The bytes
// are in the attachment store; the record says what they are and is voided, never deleted.
type Attachment struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	CaseID      string    `json:"case_id"`
	FileName    string    `json:"file_name" example:"don-khieu-nai.pdf"`
	ContentType string    `json:"content_type" example:"application/pdf"`
	Size        int64     `json:"size" example:"183245"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Voiding
	Version int    `json:"-"`
	BlobKey string `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (a Attachment) Ref() (id string, version int) { return a.ID, a.Version }

type attachmentRow struct {
	Meta        `gorm:"embedded"`
	CaseID      string
	FileName    string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	BlobKey     string
}

func (attachmentRow) TableName() string { return "attachments" }

func toAttachment(r *attachmentRow) Attachment {
	return Attachment{ID: r.ID, OrgID: r.OrgID, CaseID: r.CaseID, FileName: r.FileName, ContentType: r.ContentType, Size: r.Size,
		SHA256: r.SHA256, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version, BlobKey: r.BlobKey}
}

// attachmentKind hides the files of a case that is, or counts for, a denunciation from whoever
// may not know its denouncers: a scan of a denunciation names the denouncer.
var attachmentKind = kind[attachmentRow, *attachmentRow, Attachment]{entity: "attachment", out: each(toAttachment),
	hide: func(s *Service, q *gorm.DB, actor auth.Actor) *gorm.DB {
		secret, args := s.secretCaseFiles(actor, "attachments.case_id")
		if secret == "" {
			return q
		}
		return q.Where("NOT "+secret, args...)
	}}

// secretCaseFiles is SQL that holds when the files of the case whose id is in column caseID are
// kept from actor: the case, or the case it was merged into, is a denunciation of an
// organisation whose denouncers actor may not know, or someone named about it is such a
// denouncer (a denunciation recategorised since); "" when actor sees every denouncer.
func (s *Service) secretCaseFiles(actor auth.Actor, caseID string) (string, []any) {
	org, all := s.DenouncersSeenBy(actor)
	if all {
		return "", nil
	}
	kept, args := s.keptDenouncer(actor, "d.case_id = "+caseID)
	return `(EXISTS (SELECT 1 FROM cases c JOIN cases k ON k.seq = c.seq OR k.seq = c.root_seq
		WHERE c.id = ` + caseID + ` AND k.category = '` + denunciation + `' AND k.org_id <> ?) OR ` + kept + `)`, append([]any{org}, args...)
}

// AttachmentCase checks that actor may attach a file to case id: live, in scope, its files not
// kept from actor (404 otherwise, as for a case the actor cannot see). It is asked before any
// byte is stored, and again when the record is written.
func (s *Service) AttachmentCase(ctx context.Context, actor auth.Actor, id string) error {
	_, err := s.attachmentCase(ctx, s.store.DB, actor, id)
	return err
}

func (s *Service) attachmentCase(ctx context.Context, db *gorm.DB, actor auth.Actor, id string) (*caseRow, error) {
	return load[caseRow](ctx, db, actor, "case", id, ReadOptions{}, func(q *gorm.DB) *gorm.DB {
		if secret, args := s.secretCaseFiles(actor, "cases.id"); secret != "" {
			return q.Where("NOT "+secret, args...)
		}
		return q
	})
}

// StoredFile is a file written to the attachment store, as the record describes it.
type StoredFile struct {
	Key, FileName, ContentType, SHA256 string
	Size                               int64
}

// RecordAttachment records a file stored for case caseID, audited, in one transaction.
func (s *Service) RecordAttachment(ctx context.Context, actor auth.Actor, caseID string, f StoredFile) (Attachment, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (Attachment, error) {
		c, err := s.attachmentCase(ctx, tx, actor, caseID)
		if err != nil {
			return Attachment{}, err
		}
		row := &attachmentRow{Meta: s.newMeta(c.OrgID), CaseID: c.ID, FileName: f.FileName, ContentType: f.ContentType,
			Size: f.Size, SHA256: f.SHA256, BlobKey: f.Key}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return Attachment{}, err
		}
		return toAttachment(row), audit.Record(ctx, tx, actor, "create", "attachment", row.ID, map[string]any{"case_id": row.CaseID,
			"file_name": row.FileName, "content_type": row.ContentType, "size": row.Size, "sha256": row.SHA256})
	})
}

// GetAttachment reads one attachment's record.
func (s *Service) GetAttachment(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Attachment, error) {
	return attachmentKind.get(ctx, s, actor, id, opt)
}

// OpenAttachment is GetAttachment for reading the file itself: the read is audited.
func (s *Service) OpenAttachment(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Attachment, error) {
	a, err := s.GetAttachment(ctx, actor, id, opt)
	if err != nil {
		return a, err
	}
	return a, audit.Record(ctx, s.store.DB, actor, "read", "attachment", id, nil)
}

// VoidAttachment voids an attachment; its bytes stay in the store.
func (s *Service) VoidAttachment(ctx context.Context, actor auth.Actor, id, reason string) (Attachment, error) {
	return attachmentKind.void(ctx, s, actor, id, reason)
}

// AttachmentFilter narrows ListAttachments to one case.
type AttachmentFilter struct {
	CaseID        string `json:"-"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListAttachments lists a case's attachments, newest first (404 for a case the actor cannot
// see or whose files are kept from them).
func (s *Service) ListAttachments(ctx context.Context, actor auth.Actor, f AttachmentFilter) ([]Attachment, string, error) {
	if _, err := load[caseRow](ctx, s.store.DB, actor, "case", f.CaseID, ReadOptions{IncludeVoided: true}); err != nil {
		return nil, "", err
	}
	q := attachmentKind.query(ctx, s, actor, f.IncludeVoided).Where("attachments.case_id = ?", f.CaseID)
	return attachmentKind.list(ctx, s, actor, q, f.Page)
}
