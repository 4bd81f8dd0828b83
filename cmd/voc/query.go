package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/output"
)

func (a *app) queryCommand() *cobra.Command {
	var asCSV bool
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run a read-only SQL query against the warehouse",
		Long: `query runs one SQL statement against the warehouse, opened read-only: a
query can look at everything and change nothing.

Tables: items (one row per review, survey answer or complaint), sources,
runs (job history), rejects (quarantined input with file, line and reason),
raw_payloads (the original bytes). Output is a table on a terminal, or
--csv (safe to open in Excel or WPS: cells that would run as formulas are
neutralised) or --json.`,
		Example: `  voc query "SELECT source, kind, count(*) AS n FROM items GROUP BY ALL"
  voc query --csv "SELECT created_at, rating, text FROM items WHERE rating <= 2" > unhappy.csv
  voc query --json "SELECT file, line, reason FROM rejects"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asCSV && a.jsonOut {
				return errors.New("choose one of --csv and --json")
			}
			db, err := a.openDB(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.Query(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			t := output.Table{Columns: res.Columns, Rows: res.Rows}
			switch {
			case a.jsonOut:
				return output.WriteJSON(a.stdout, t)
			case asCSV:
				return output.WriteCSV(a.stdout, t)
			default:
				return output.WriteTable(a.stdout, t)
			}
		},
	}
	cmd.Flags().BoolVar(&asCSV, "csv", false, "write CSV (formula-injection safe) instead of a table")
	return cmd
}
