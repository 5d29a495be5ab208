package registry

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // the day boundary below must not depend on the machine's zoneinfo
)

func TestDirectiveStatus(t *testing.T) {
	s := func(v string) *string { return &v }
	cases := []struct {
		replied, due *string
		today, want  string
	}{
		{nil, nil, "2024-04-22", DirectivePending},
		{nil, s("2024-04-23"), "2024-04-22", DirectivePending},
		{nil, s("2024-04-22"), "2024-04-22", DirectivePending}, // due today: still in time
		{nil, s("2024-04-21"), "2024-04-22", DirectiveOverdue},
		{s("2024-04-30"), s("2024-04-21"), "2024-05-02", DirectiveReplied}, // late, but answered
		{s("2024-04-10"), s("2024-04-22"), "2024-04-12", DirectiveReplied},
		{s("2024-04-10"), nil, "2024-04-12", DirectiveReplied},
	}
	for _, c := range cases {
		if got := directiveStatus(c.replied, c.due, c.today); got != c.want {
			t.Errorf("replied %v due %v on %s: got %s, want %s", deref(c.replied), deref(c.due), c.today, got, c.want)
		}
	}
}

// At 17:30 UTC it is already 00:30 the next day in Vietnam: a letter due on the UTC date is
// overdue there, while the same instant in UTC still counts as its due day.
func TestDirectiveStatusUsesTheOrganisationsDay(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	due := "2024-04-22"
	for _, c := range []struct {
		at   string
		loc  *time.Location
		want string
	}{
		{"2024-04-22T16:59:59Z", hcm, DirectivePending}, // 23:59:59 in Vietnam
		{"2024-04-22T17:00:00Z", hcm, DirectiveOverdue}, // midnight in Vietnam
		{"2024-04-22T17:30:00Z", hcm, DirectiveOverdue},
		{"2024-04-22T17:30:00Z", time.UTC, DirectivePending},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		svc := &Service{cfg: Config{Location: c.loc}}
		svc.SetClock(func() time.Time { return at })
		row := directiveRow{IssuedOn: "2024-03-22", DueOn: &due}
		if got := row.toDirective(svc.today()).Status; got != c.want {
			t.Errorf("at %s in %s: got %s, want %s", c.at, c.loc, got, c.want)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", *p)
}
