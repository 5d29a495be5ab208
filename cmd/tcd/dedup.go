package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tcd-registry/tcd/internal/dedup"
)

func dedupCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dedup", Short: "Find duplicate persons and cases in the register"}
	var kind string
	var top int
	scan := &cobra.Command{
		Use:   "scan [--type person|case|all] [--top N]",
		Short: "Scan the whole register for likely duplicate pairs, keep them for review (GET /dedup/candidates) and print the best",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			types := []string{kind}
			switch kind {
			case "all":
				// persons first: the case scan counts the citizens the person scan paired as one
				types = []string{"person", "case"}
			case "person", "case":
			default:
				return fmt.Errorf("--type must be person, case or all")
			}
			if top < 0 {
				return fmt.Errorf("--top must be 0 or more")
			}
			a, err := openApp(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			out := cmd.OutOrStdout()
			for _, t := range types {
				res, pairs, err := a.Registry.Duplicates().ScanDuplicates(cmd.Context(), t)
				if err != nil {
					return err
				}
				cutoff := dedup.DefaultThreshold
				if t == "case" {
					cutoff = dedup.DefaultCaseThreshold
				}
				fmt.Fprintf(out, "%s: %d records, %d likely duplicate pairs (score >= %g)\n", t, res.Records, res.Pairs, cutoff)
				pairs = pairs[:min(top, len(pairs))]
				if len(pairs) == 0 {
					continue
				}
				var ids []string
				for _, p := range pairs {
					ids = append(ids, p.IDs[0], p.IDs[1])
				}
				labels, err := a.Registry.Duplicates().Labels(cmd.Context(), t, ids)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "SCORE\tRECORD\tLIKELY THE SAME AS\tREASONS")
				for _, p := range pairs {
					fmt.Fprintf(w, "%.3f\t%s\t%s\t%s\n", p.Score, clip(labels[p.IDs[0]]), clip(labels[p.IDs[1]]), strings.Join(p.Reasons, "; "))
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
			return nil
		},
	}
	scan.Flags().StringVar(&kind, "type", "all", "person, case or all")
	scan.Flags().IntVar(&top, "top", 20, "how many of the best pairs to print")
	cmd.AddCommand(scan)
	return cmd
}

// clip keeps a label to a column's width.
func clip(s string) string {
	const width = 48
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	return string([]rune(s)[:width-1]) + "…"
}
