package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
)

func exportCmd() *cobra.Command {
	var spec, basis, format, dir, orgCode string
	cmd := &cobra.Command{
		Use:   "export --period 2023-Q3 [--basis statutory] --format xlsx|csv|json --out DIR [--org CODE]",
		Short: "Write the period's report (summary, Form 01/TCD, breakdowns) into DIR",
		Long: `Write the period's report file into DIR, the same file GET /api/v1/exports/report answers,
named by period and basis (tcd-report-2023-Q3-statutory.xlsx, with -CODE for --org). The file is
written to a temporary name, synced and renamed, so that it appears whole or not at all; running
again replaces it. Prints the path written; exits non-zero on any failure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// the arguments are checked before the database is opened, so that a typo fails fast
			b, err := period.ParseBasis(basis)
			if err != nil {
				return fmt.Errorf("--basis: %w", err)
			}
			r, err := period.Parse(spec, b)
			if err != nil {
				return fmt.Errorf("--period %q: %w", spec, err)
			}
			f, err := export.ParseFormat(format, export.ReportFormats)
			if err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			a, err := openApp(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			q := stats.Query{Range: r}
			if orgCode != "" {
				org, err := a.Orgs.ByCode(cmd.Context(), orgCode)
				if err != nil {
					return fmt.Errorf("--org: %w", err)
				}
				q.OrgID = org.ID
			}
			path, err := a.Export.WriteReportFile(cmd.Context(), auth.System, q, f, dir)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), path)
			return nil
		},
	}
	cmd.Flags().StringVar(&spec, "period", "", "2023, 2023-Q3, 2023-10, 2023-6M or 2023-9M")
	cmd.Flags().StringVar(&basis, "basis", "calendar", "calendar or statutory (the year runs 15 Dec to 14 Dec)")
	cmd.Flags().StringVar(&format, "format", "xlsx", "xlsx, csv or json")
	cmd.Flags().StringVar(&dir, "out", "", "the directory to write into (created if missing)")
	cmd.Flags().StringVar(&orgCode, "org", "", "only this organisation's subtree (its code)")
	_ = cmd.MarkFlagRequired("period")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
