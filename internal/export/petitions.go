package export

import (
	"context"
	"database/sql"
	"strconv"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/vocab"
)

// PetitionColumns are the columns of the register's petitions (đơn) part: each petition
// received in the period, who sent it, what it is about, the last day to handle it and how
// it was handled.
var PetitionColumns = []string{
	"STT",
	"Số đơn",
	"Ngày nhận đơn",
	"Nguồn đơn",
	"Họ tên - Địa chỉ người gửi",
	"Số CCCD/CMND/Hộ chiếu",
	"Số người đứng đơn",
	"Ngày ghi trên đơn",
	"Nội dung vụ việc",
	"Phân loại đơn",
	"Hạn xử lý",
	"Kết quả xử lý",
	"Ngày xử lý",
	"Tình trạng",
	"Ghi chú",
}

// petitionEntry is one petition of the register with what it prints.
type petitionEntry struct {
	id, code, receivedOn, channel string
	senderCount                   int
	documentDate                  sql.NullString
	content, forwardedFrom        sql.NullString
	decision                      sql.NullString
	decidedOn                     *string
	decisionNumber, transferredTo sql.NullString
	guidance                      sql.NullString
	dueOn                         string
	note                          sql.NullString
	title, category               string
	secret                        bool // the senders are a denouncer's identity the reader may not see
	persons                       []registerPerson
}

// petitionSQL lists the live petitions received in a period, in the order they were received
// and recorded. As for visits, the category is the surviving case's when the case was merged.
const petitionSQL = `SELECT p.id, p.code, p.received_on, p.channel, p.sender_count, p.document_date,
       p.content, p.forwarded_from, p.decision, p.decided_on, p.decision_number, p.transferred_to,
       p.guidance, p.due_on, p.note, c.title, r.category
FROM petitions p
JOIN cases c ON c.seq = p.case_seq
JOIN cases r ON r.seq = c.root_seq
WHERE p.voided_at IS NULL AND p.received_on >= ? AND p.received_on <= ?
  AND p.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)
ORDER BY p.received_on, p.seq`

// eachPetitionRow reads the petitions with one cursor and hands them to sink batch by batch,
// with their senders.
func (s *Service) eachPetitionRow(ctx context.Context, db *gorm.DB, x *RegisterExport, sink rowSink) (int, error) {
	cells := make([]string, len(PetitionColumns)-1)
	return inBatches(db, petitionSQL, x, sink, func(rows *sql.Rows, e *petitionEntry) error {
		return rows.Scan(&e.id, &e.code, &e.receivedOn, &e.channel, &e.senderCount, &e.documentDate,
			&e.content, &e.forwardedFrom, &e.decision, &e.decidedOn, &e.decisionNumber, &e.transferredTo,
			&e.guidance, &e.dueOn, &e.note, &e.title, &e.category)
	}, func(batch []petitionEntry, serial int) error {
		ids := make([]string, len(batch))
		at := make(map[string]int, len(batch))
		for i, e := range batch {
			ids[i] = e.id
			at[e.id] = i
		}
		err := readPersons(db, x, "petition_persons", "petitions", "petition_id", ids, func(id string, p registerPerson, kept bool) {
			e := &batch[at[id]]
			e.persons = append(e.persons, p)
			// one denouncer kept from the reader hides all the senders, as GET /petitions does
			e.secret = e.secret || kept
		})
		if err != nil {
			return err
		}
		for i := range batch {
			if err := batch[i].cells(cells, x.petitionStatus); err != nil {
				return err
			}
			if err := sink.row(serial+i+1, cells); err != nil {
				return err
			}
		}
		return nil
	})
}

// cells fills the printed columns after STT; status derives the petition's status as of today.
func (e *petitionEntry) cells(out []string, status func(dueOn string, decidedOn *string) (string, error)) error {
	st, err := status(e.dueOn, e.decidedOn)
	if err != nil {
		return err
	}
	source := vocab.PetitionChannel.VI(e.channel)
	if e.forwardedFrom.Valid {
		source += ": " + e.forwardedFrom.String
	}
	decidedOn := ""
	if e.decidedOn != nil {
		decidedOn = viDate(*e.decidedOn)
	}
	out[0] = e.code
	out[1] = viDate(e.receivedOn)
	out[2] = source
	out[3], out[4] = personCells(e.persons, e.secret)
	out[5] = strconv.Itoa(e.senderCount)
	out[6] = viDate(e.documentDate.String)
	out[7] = caseContent(e.title, e.content)
	out[8] = vocab.CaseCategory.VI(e.category)
	out[9] = viDate(e.dueOn)
	out[10] = e.handling()
	out[11] = decidedOn
	out[12] = vocab.DeadlineStatus.VI(st)
	out[13] = e.note.String
	return nil
}

// handling is how the petition was handled, written as the visits' handling column is: the
// decision's label, where a transferred petition went, the decision document's number, then the
// guidance given on a line of its own ("Chuyển đơn đến UBND huyện Hải Lăng, văn bản số
// 45/PC-TCD"). Empty while undecided.
func (e *petitionEntry) handling() string {
	if !e.decision.Valid {
		return ""
	}
	out := vocab.PetitionDecision.VI(e.decision.String)
	if e.transferredTo.Valid {
		out += " đến " + e.transferredTo.String
	}
	if e.decisionNumber.Valid {
		out += ", văn bản số " + e.decisionNumber.String
	}
	if e.guidance.Valid {
		out += "\n" + e.guidance.String
	}
	return out
}
