package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/warehouse"
)

func (a *app) queryCommand() *cobra.Command {
	var (
		asCSV     bool
		allowDirs []string
	)
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run a read-only SQL query against the warehouse",
		Long: `query runs one SQL statement against the warehouse, opened read-only: a
query can look at everything and change nothing. One statement, of a read
kind: SELECT (and WITH, FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE) or
EXPLAIN; COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA, CHECKPOINT and
CREATE are refused. DuckDB may read no file and reach no network address
but the warehouse, unless --allow-dir names a folder to read files from
(read_csv('dir/x.csv')). Exporting data is not a query's job.

Tables: items (one row per review, survey answer or complaint), sources,
runs (job history), rejects (quarantined input with file, line and reason),
raw_payloads (the original bytes). Output is a table on a terminal, or
--csv (safe to open in Excel or WPS: cells that would run as formulas are
neutralised) or --json.`,
		Example: `  voc query "SELECT source, kind, count(*) AS n FROM items GROUP BY ALL"
  voc query --csv "SELECT created_at, rating, text FROM items WHERE rating <= 2" > unhappy.csv
  voc query --json "SELECT file, line, reason FROM rejects"
  voc query --allow-dir exports "SELECT count(*) FROM read_csv('exports/orders.csv')"`,
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
			res, err := db.ReadQuery(cmd.Context(), args[0], warehouse.ReadOptions{AllowedDirs: allowDirs})
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
	cmd.Flags().StringArrayVar(&allowDirs, "allow-dir", nil, "a folder whose files the query may read (repeatable; none by default)")
	return cmd
}
