package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/schedules"
)

func (a *app) statusCommand() *cobra.Command {
	var runs int
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the warehouse holds and the last jobs that ran",
		Example: `  voc status
  voc status --json --runs 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx, true)
			if err != nil {
				return err
			}
			defer db.Close()
			counts, err := db.Counts(ctx)
			if err != nil {
				return err
			}
			last, err := db.Runs(ctx, runs)
			if err != nil {
				return err
			}
			sched, err := a.scheduleStatus(ctx, db)
			if err != nil {
				return err
			}
			if a.jsonOut {
				type countJSON struct {
					Source string     `json:"source"`
					Kind   string     `json:"kind"`
					Items  int        `json:"items"`
					First  *time.Time `json:"first,omitempty"`
					Last   *time.Time `json:"last,omitempty"`
				}
				type runJSON struct {
					ID       int64      `json:"id"`
					Job      string     `json:"job"`
					Source   string     `json:"source,omitempty"`
					Trigger  string     `json:"trigger"`
					Status   string     `json:"status"`
					Started  time.Time  `json:"started"`
					Finished *time.Time `json:"finished,omitempty"`
					Loaded   int        `json:"loaded"`
					Dupes    int        `json:"duplicates"`
					Updated  int        `json:"updated"`
					Rejected int        `json:"rejected"`
					Error    string     `json:"error,omitempty"`
				}
				out := struct {
					DB       string                `json:"db"`
					Items    []countJSON           `json:"items"`
					Runs     []runJSON             `json:"runs"`
					Schedule []schedules.JobStatus `json:"schedule"`
				}{DB: db.Path(), Items: []countJSON{}, Runs: []runJSON{}, Schedule: nonNil(sched)}
				for _, c := range counts {
					out.Items = append(out.Items, countJSON{c.Source, string(c.Kind), c.Items, timePtr(c.First), timePtr(c.Last)})
				}
				for _, r := range last {
					out.Runs = append(out.Runs, runJSON{r.ID, r.Job, r.Source, r.Trigger, string(r.Status), r.Started, timePtr(r.Finished), r.Loaded, r.Dupes, r.Updated, r.Rejected, r.Error})
				}
				return a.writeJSON(out)
			}
			a.printf("warehouse %s\n\n", db.Path())
			if len(counts) == 0 {
				a.printf("no feedback stored yet: try `voc import survey FILE --source NAME` or `voc demo`\n")
			} else {
				t := output.Table{Columns: []string{"source", "kind", "items", "first", "last"}}
				total := 0
				for _, c := range counts {
					t.Rows = append(t.Rows, []any{c.Source, string(c.Kind), int64(c.Items), c.First, c.Last})
					total += c.Items
				}
				if err := output.WriteTable(a.stdout, t); err != nil {
					return err
				}
				a.printf("%d items in all\n", total)
			}
			if len(last) > 0 {
				a.printf("\nlast runs\n")
				t := output.Table{Columns: []string{"id", "job", "source", "trigger", "status", "started", "loaded", "dupes", "updated", "rejected", "error"}}
				for _, r := range last {
					t.Rows = append(t.Rows, []any{r.ID, r.Job, r.Source, r.Trigger, string(r.Status), r.Started.Local().Format(time.DateTime),
						int64(r.Loaded), int64(r.Dupes), int64(r.Updated), int64(r.Rejected), r.Error})
				}
				if err := output.WriteTable(a.stdout, t); err != nil {
					return err
				}
			}
			if len(sched) > 0 {
				a.printf("\nschedule (voc schedule)\n")
				t := output.Table{Columns: []string{"job", "source", "spec", "next", "last run", "last status", "note"}}
				for _, j := range sched {
					var lastAt, lastStatus any = "", ""
					if j.Last != nil {
						lastAt, lastStatus = j.Last.Started.Local().Format(time.DateTime), string(j.Last.Status)
					}
					note := j.Error
					if j.CatchUp {
						note = "missed a run: catches up at daemon start"
					}
					next := ""
					if !j.Next.IsZero() {
						next = j.Next.Local().Format(time.DateTime)
					}
					t.Rows = append(t.Rows, []any{j.Job, j.Source, j.Spec, next, lastAt, lastStatus, note})
				}
				return output.WriteTable(a.stdout, t)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&runs, "runs", 10, "how many recent runs to show")
	return cmd
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
