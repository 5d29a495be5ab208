package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/tcd-registry/tcd/internal/imports"
	"github.com/tcd-registry/tcd/internal/registry"
)

func importCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import records kept elsewhere"}
	var orgCode, sheet, failuresPath string
	var dryRun bool
	register := &cobra.Command{
		Use:   "register FILE --org CODE [--dry-run] [--sheet NAME] [--failures PATH]",
		Short: "Import a register (Form 03) kept in a workbook or a CSV file",
		Long: `Import a reception register kept in XLSX or CSV, in the columns GET /api/v1/exports/register
writes (and the usual variations of a hand-kept one), as POST /api/v1/imports does. Prints a line
per row (created, linked, skipped or error, with what is wrong and where), then the totals; a
progress bar on standard error. A row imported before (the same content) is skipped, so running
again creates nothing. The rows that failed are written to --failures (by default FILE's name
with -loi, beside it), with a last column saying what to fix: corrected, it imports as it is.
--dry-run reports without writing anything.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			p, format, err := imports.Open(f, sheet)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			defer p.Close()
			a, err := openApp(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			org, err := a.Orgs.ByCode(cmd.Context(), orgCode)
			if err != nil {
				return fmt.Errorf("--org: %w", err)
			}
			if failuresPath == "" {
				failuresPath = strings.TrimSuffix(args[0], filepath.Ext(args[0])) + "-loi." + string(format)
			}
			failed, err := os.CreateTemp(filepath.Dir(failuresPath), ".tcd-import-*")
			if err != nil {
				return err
			}
			defer os.Remove(failed.Name())
			defer failed.Close()
			failures, err := p.Failures(failed, format)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			// drawn blank at once: the library's spinner goroutine reads the bar's start time
			// unlocked, and started before that time is set by the first row it races with it
			bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(cmd.ErrOrStderr()), progressbar.OptionSetDescription("rows"),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"), progressbar.OptionThrottle(200e6),
				progressbar.OptionClearOnFinish(), progressbar.OptionSetRenderBlankState(true))
			totals, err := a.Registry.ImportRegister(cmd.Context(), cliActor(), org.ID, p, dryRun, func(row *imports.Row, done registry.ImportedRow) error {
				_ = bar.Add(1)
				fmt.Fprintf(out, "row %d: %s\n", done.Row, done.Status)
				for _, e := range done.Errors {
					fmt.Fprintf(out, "    %s\n", e.Error())
				}
				if done.Status == registry.ImportError {
					return failures.Add(row)
				}
				return nil
			})
			_ = bar.Finish()
			if err != nil {
				return err
			}
			// the statistics' roll-ups take in what was imported now, as tcd serve would within a
			// second: the first GET /stats/summary after an import then reads roll-ups instead of
			// folding the whole import itself (measured by make bench-import)
			if !dryRun && totals.Created+totals.Linked > 0 {
				if err := a.Stats.Refresh(cmd.Context()); err != nil {
					return fmt.Errorf("statistics after the import: %w", err)
				}
			}
			verb := "imported"
			if dryRun {
				verb = "would import (dry run, nothing written)"
			}
			fmt.Fprintf(out, "%d rows: %s %d created, %d linked; %d skipped (imported before); %d with errors\n",
				totals.Rows, verb, totals.Created, totals.Linked, totals.Skipped, totals.Errors)
			if totals.Errors == 0 {
				return nil
			}
			if err := failures.Close(); err != nil {
				return err
			}
			if err := failed.Close(); err != nil {
				return err
			}
			if err := os.Rename(failed.Name(), failuresPath); err != nil {
				return err
			}
			fmt.Fprintf(out, "the rows to fix: %s\n", failuresPath)
			return nil
		},
	}
	register.Flags().StringVar(&orgCode, "org", "", "the organisation imported into (its code)")
	register.Flags().BoolVar(&dryRun, "dry-run", false, "report what the import would do, write nothing")
	register.Flags().StringVar(&sheet, "sheet", "", "the workbook's sheet (default the first with the register's header)")
	register.Flags().StringVar(&failuresPath, "failures", "", "where to write the rows that failed")
	_ = register.MarkFlagRequired("org")
	cmd.AddCommand(register)
	return cmd
}
