package calendar

import (
	"errors"
	"fmt"
)

// Level is an organisation's tier of government, which sets how often its head must receive
// citizens in person.
type Level string

const (
	Province Level = "province"
	District Level = "district"
	Commune  Level = "commune"
	Other    Level = "other"
)

// Per is the span a minimum is counted over.
type Per string

const (
	PerMonth Per = "month" // a calendar month
	PerWeek  Per = "week"  // Monday to Sunday
)

// Minimum is how many days the head must receive citizens per span.
type Minimum struct {
	Days int `json:"days"`
	Per  Per `json:"per"`
}

// MinimumFor returns the legal minimum of the head of an organisation of level (Law on Citizen
// Reception 2013: the chairman of a province's People's Committee at least 1 day a month,
// Art. 13; of a district, 2 days a month, Art. 14; of a commune, 1 day a week, Art. 15). Other
// levels have none.
func MinimumFor(level Level) (Minimum, bool) {
	switch level {
	case Province:
		return Minimum{Days: 1, Per: PerMonth}, true
	case District:
		return Minimum{Days: 2, Per: PerMonth}, true
	case Commune:
		return Minimum{Days: 1, Per: PerWeek}, true
	}
	return Minimum{}, false
}

// ErrNoMinimum is returned for a level the law sets no minimum for.
var ErrNoMinimum = errors.New("no minimum of reception days for this level")

// Span is one month or week of a compliance report.
type Span struct {
	Label    string `json:"label"` // 2026-02, or 2026-W08 for an ISO week
	From     Date   `json:"from" swaggertype:"string" format:"date"`
	To       Date   `json:"to" swaggertype:"string" format:"date"`
	Days     int    `json:"days"`     // distinct days on which the head received
	Required int    `json:"required"` // the minimum, or the span's working days when fewer
	Ended    bool   `json:"ended"`    // the span is over as of today
	OK       bool   `json:"ok"`       // the minimum is met, or the span is not over yet
}

// Compliance is the head's record against the minimum over a period.
type Compliance struct {
	Minimum Minimum `json:"minimum"`
	Spans   []Span  `json:"spans"`
	OK      bool    `json:"ok"` // every span is OK
}

// ComplianceSpan returns the whole months or weeks that cover from..to for level: the period a
// compliance report judges, and whose reception days the caller passes to Compliance.
func ComplianceSpan(level Level, from, to Date) (Date, Date, error) {
	m, ok := MinimumFor(level)
	if !ok {
		return 0, 0, ErrNoMinimum
	}
	return spanStart(m.Per, from), spanEnd(m.Per, to), nil
}

// Compliance judges the days on which the head of an organisation of level received citizens
// in person against the legal minimum, span by span (calendar months, or Monday-Sunday weeks)
// over every span that overlaps from..to. days may repeat and may reach outside the period.
//
// A span asks for no more days than it has working days: a week wholly inside the Tết break
// cannot hold a reception day. A span not over by today is OK while the minimum is not yet met.
func (c *Calendar) Compliance(level Level, from, to Date, days []Date, today Date) (Compliance, error) {
	m, ok := MinimumFor(level)
	if !ok {
		return Compliance{}, ErrNoMinimum
	}
	if to < from {
		return Compliance{}, &FieldError{"to", "is before from"}
	}
	received := make(map[Date]bool, len(days))
	for _, d := range days {
		received[d] = true
	}
	out := Compliance{Minimum: m, OK: true}
	for start := spanStart(m.Per, from); start <= to; start = spanEnd(m.Per, start) + 1 {
		s := Span{Label: spanLabel(m.Per, start), From: start, To: spanEnd(m.Per, start), Required: m.Days}
		working := 0
		for d := s.From; d <= s.To; d++ {
			if received[d] {
				s.Days++
			}
			if c.IsWorkingDay(d) {
				working++
			}
		}
		s.Required = min(s.Required, working)
		s.Ended = s.To < today
		s.OK = s.Days >= s.Required || !s.Ended
		out.OK = out.OK && s.OK
		out.Spans = append(out.Spans, s)
	}
	return out, nil
}

// spanStart returns the first day of the span containing d.
func spanStart(per Per, d Date) Date {
	if per == PerWeek {
		return d - Date((d.Weekday()+6)%7) // back to Monday
	}
	y, m, _ := d.Date()
	return NewDate(y, m, 1)
}

// spanEnd returns the last day of the span containing d.
func spanEnd(per Per, d Date) Date {
	if per == PerWeek {
		return spanStart(per, d) + 6
	}
	y, m, _ := d.Date()
	return NewDate(y, m+1, 1) - 1
}

func spanLabel(per Per, start Date) string {
	if per == PerWeek {
		y, w := start.Time().ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return start.Time().Format("2006-01")
}
