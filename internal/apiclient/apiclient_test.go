package apiclient_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oapi-codegen/runtime/types"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// An integrator's day with the generated client: a clerk records a session and a visit that
// registers a citizen and opens a case, and the agency reads the period's statistics, which
// count them. Every call is typed by the document alone.
func TestGeneratedClientRecordsAVisitAndReadsTheStatistics(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		client := func(role auth.Role) *apiclient.ClientWithResponses {
			token := env.Token(role, "")
			c, err := apiclient.NewClientWithResponses(env.BaseURL, apiclient.WithRequestEditorFn(
				func(_ context.Context, r *http.Request) error {
					r.Header.Set("Authorization", "Bearer "+token)
					return nil
				}))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		staff, agency := client(auth.Staff), client(auth.Agency)
		ctx := t.Context()
		yesterday := time.Now().AddDate(0, 0, -1)
		day := yesterday.Format(time.DateOnly)

		session, err := staff.CreateSessionWithResponse(ctx, nil, apiclient.RegistryNewSession{Date: types.Date{Time: yesterday}, Kind: apiclient.RegistryNewSessionKindRegular})
		if err != nil || session.JSON201 == nil {
			t.Fatalf("createSession: %v %s", err, body(session.Body))
		}
		persons := []apiclient.RegistryNewPerson{{FullName: "Hoàng Văn Sáu"}, {FullName: "Hoàng Thị Bảy"}}
		visit, err := staff.CreateVisitWithResponse(ctx, nil, apiclient.RegistryNewVisit{
			SessionID: session.JSON201.ID,
			Persons:   &persons,
			Case: &apiclient.RegistryNewCase{Title: "Khiếu nại về việc cấp giấy chứng nhận quyền sử dụng đất",
				Category: apiclient.RegistryNewCaseCategoryComplaint, Field: apiclient.RegistryNewCaseFieldLand},
		})
		if err != nil || visit.JSON201 == nil {
			t.Fatalf("createVisit: %v %s", err, body(visit.Body))
		}
		if v := visit.JSON201; v.Headcount != 2 || len(v.PersonIds) != 2 || v.CaseID == "" || v.Date.Format(time.DateOnly) != day {
			t.Errorf("the visit as recorded: %+v", v)
		}

		year := day[:4]
		summary, err := agency.StatsSummaryWithResponse(ctx, &apiclient.StatsSummaryParams{Period: &year})
		if err != nil || summary.JSON200 == nil {
			t.Fatalf("statsSummary: %v %s", err, body(summary.Body))
		}
		if s := summary.JSON200; s.Visits != 1 || s.Persons != 2 || s.Cases != 1 || s.ByKind["regular"].Visits != 1 {
			t.Errorf("the year's statistics count the visit, its two persons and its case: %+v", s)
		}
		refused, err := agency.CreateVisitWithResponse(ctx, nil, apiclient.RegistryNewVisit{SessionID: session.JSON201.ID})
		if err != nil || refused.ApplicationProblemJSON403 == nil || refused.ApplicationProblemJSON403.Status != http.StatusForbidden {
			t.Errorf("an agency recording a visit: want the 403 problem, typed, got %v %s", err, body(refused.Body))
		}
	})
}

func body(b []byte) string { return string(b) }
