package stats

import (
	"context"

	"github.com/tcd-registry/tcd/internal/auth"
)

// Form 01 splits receptions into three groups: the Board's regular reception, and the periodic
// and urgent sessions hosted by the head in person or by an authorised deputy. A periodic or
// urgent session that does not say who hosted it counts as the head's, the usual case, so that
// column 1 always equals the summary's visits.
const (
	groupRegular    = "regular"
	groupHead       = "head"
	groupAuthorized = "authorized"
)

func form01Group(kind, hostRole string) string {
	switch {
	case kind == "regular":
		return groupRegular
	case hostRole == "authorized":
		return groupAuthorized
	}
	return groupHead
}

const (
	hdrTotal       = "Tổng số"
	hdrRegular     = "Tiếp thường xuyên"
	hdrHeadGroup   = "Tiếp định kỳ và đột xuất của Thủ trưởng"
	hdrHead        = "Thủ trưởng tiếp"
	hdrAuthorized  = "Ủy quyền tiếp"
	hdrCases       = "Số vụ việc"
	hdrDelegations = "Trong đó: Đoàn đông người"
	lblSessions    = "Số kỳ tiếp"
	lblVisits      = "Số lượt tiếp"
	lblPersons     = "Số người được tiếp"
	lblGroups      = "Số đoàn được tiếp"
	lblFirst       = "Tiếp lần đầu"
	lblRepeat      = "Tiếp nhiều lần"
)

// groupColumns are the columns of one reception group, under the header path top.
func groupColumns(key string, withSessions bool, top ...string) []Form01Column {
	path := func(labels ...string) []string { return append(append([]string{}, top...), labels...) }
	var cols []Form01Column
	if withSessions {
		cols = append(cols, Form01Column{Key: key + ".sessions", Header: path(lblSessions)})
	}
	return append(cols,
		Form01Column{Key: key + ".visits", Header: path(lblVisits)},
		Form01Column{Key: key + ".persons", Header: path(lblPersons)},
		Form01Column{Key: key + ".cases_first", Header: path(hdrCases, lblFirst)},
		Form01Column{Key: key + ".cases_repeat", Header: path(hdrCases, lblRepeat)},
		Form01Column{Key: key + ".delegations", Header: path(hdrDelegations, lblGroups)},
		Form01Column{Key: key + ".delegation_persons", Header: path(hdrDelegations, lblPersons)},
		Form01Column{Key: key + ".delegation_cases_first", Header: path(hdrDelegations, hdrCases, lblFirst)},
		Form01Column{Key: key + ".delegation_cases_repeat", Header: path(hdrDelegations, hdrCases, lblRepeat)},
	)
}

// Form01Columns are the 29 columns of Form 01/TCD, numbered.
var Form01Columns = func() []Form01Column {
	cols := []Form01Column{
		{Key: "total.visits", Header: []string{hdrTotal, "Lượt tiếp"}},
		{Key: "total.persons", Header: []string{hdrTotal, "Người được tiếp"}},
		{Key: "total.cases", Header: []string{hdrTotal, "Vụ việc tiếp"}},
	}
	cols = append(cols, groupColumns(groupRegular, false, hdrRegular)...)
	cols = append(cols, groupColumns(groupHead, true, hdrHeadGroup, hdrHead)...)
	cols = append(cols, groupColumns(groupAuthorized, true, hdrHeadGroup, hdrAuthorized)...)
	for i := range cols {
		cols[i].Number = i + 1
	}
	return cols
}()

// form01Values lays one unit's figures out in the 29 columns (index i is column i+1).
func form01Values(groups map[string]figures) []int {
	v := make([]int, 0, len(Form01Columns))
	v = append(v, 0, 0, 0) // totals, below
	for _, g := range []string{groupRegular, groupHead, groupAuthorized} {
		f := groups[g]
		if g != groupRegular {
			v = append(v, f.Sessions)
		}
		v = append(v, f.Visits, f.Persons, f.first(), f.Repeat, f.DVisits, f.DPersons, f.dFirst(), f.DRepeat)
	}
	// The form defines its totals as sums of columns: 1 = 4+13+22, 2 = 5+14+23 and
	// 3 = 6+7+15+16+24+25, so a case seen by two groups counts in each.
	v[0] = v[3] + v[12] + v[21]
	v[1] = v[4] + v[13] + v[22]
	v[2] = v[5] + v[6] + v[14] + v[15] + v[23] + v[24]
	return v
}

// Form01 lays the period's figures out as Form 01/TCD: the subtree's total first, then each
// organisation with its own records. Cases are judged first-time or repeat from the row's own
// records: the organisation's for its row, the subtree's for the total.
func (s *Service) Form01(ctx context.Context, actor auth.Actor, q Query) (Form01, error) {
	c, err := s.prepare(ctx, actor, q)
	if err != nil {
		return Form01{}, err
	}
	// The total is unit "" (the whole scope); organisation rows are units of their own.
	cells, err := s.rollupCount(ctx, c.IDs, c.Range, c.Min, form01Group, true)
	if err != nil {
		return Form01{}, err
	}
	units := map[string]map[string]figures{}
	for _, cl := range cells {
		if units[cl.Unit] == nil {
			units[cl.Unit] = map[string]figures{}
		}
		if !cl.Total {
			units[cl.Unit][cl.Group] = cl.figures
		}
	}
	form := Form01{
		Title:         "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT",
		Subtitle:      "Số liệu tính từ ngày " + q.Range.From.Format("02/01/2006") + " đến ngày " + q.Range.To.Format("02/01/2006"),
		FormNumber:    "Biểu số: 01/TCD",
		From:          c.From,
		To:            c.To,
		OrgID:         c.RootID,
		DelegationMin: c.Min,
		Columns:       Form01Columns,
	}
	form.Rows = append(form.Rows, Form01Row{OrgID: c.RootID, OrgName: "Tổng cộng", Total: true, Values: form01Values(units[""])})
	for _, o := range c.Orgs {
		form.Rows = append(form.Rows, Form01Row{OrgID: o.ID, OrgCode: o.Code, OrgName: o.Name, Depth: o.Depth,
			Values: form01Values(units[o.ID])})
	}
	return form, nil
}

// HeaderDepth is the number of header rows the form's columns need: the longest header path.
func (f Form01) HeaderDepth() int {
	depth := 1
	for _, c := range f.Columns {
		depth = max(depth, len(c.Header))
	}
	return depth
}

// Form01HeaderCell is one cell of the form's header: Label over columns First..Last (0-based
// indexes into Columns), from header row Level down to ToLevel.
type Form01HeaderCell struct {
	Label          string
	First, Last    int
	Level, ToLevel int
}

// HeaderCells lays the columns' header paths out as the cells of a HeaderDepth-row header, the
// way every printed form of it (workbook, PDF) draws it: a label shared by adjacent columns on a
// level is one cell across them, and a column's own label reaches down to the last header row.
func (f Form01) HeaderCells() []Form01HeaderCell {
	cols, depth := f.Columns, f.HeaderDepth()
	var cells []Form01HeaderCell
	for level := 0; level < depth; level++ {
		for i := 0; i < len(cols); {
			h := cols[i].Header
			if level >= len(h) {
				i++
				continue
			}
			if level == len(h)-1 { // the column's own label fills the levels below it
				cells = append(cells, Form01HeaderCell{Label: h[level], First: i, Last: i, Level: level, ToLevel: depth - 1})
				i++
				continue
			}
			j := i
			for j+1 < len(cols) && len(cols[j+1].Header) > level+1 && samePrefix(cols[j+1].Header, h, level+1) {
				j++
			}
			cells = append(cells, Form01HeaderCell{Label: h[level], First: i, Last: j, Level: level, ToLevel: level})
			i = j + 1
		}
	}
	return cells
}

func samePrefix(a, b []string, n int) bool {
	for k := 0; k < n; k++ {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
