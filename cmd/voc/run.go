package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/schedules"
)

func (a *app) runCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run every stage once (collect, pipeline, report), for an outside scheduler",
		Long: `run runs the jobs of voc.yaml's schedule: section once each, in order:
collect (every source), the pipeline, the report, and exits. It is for an
outside scheduler (a systemd timer, a Kubernetes CronJob, Airflow) instead of
'voc schedule'. Jobs turned off in the schedule (off: true) are left out;
cron specs are ignored. Each job is recorded in the runs table with trigger
"manual". A failed collect does not stop the pipeline: it scores what the
other sources brought.

Exit codes: 0 every job ok; 2 partial (some input rejected, or some sources
failed); 1 failed (every job failed, or the pipeline or the report did).
SIGINT/SIGTERM cancels the running job (its transaction rolls back) and
starts no other.`,
		Example: `  voc run
  voc run --json        # {"status": "ok", "jobs": [...]} on stdout

  # systemd: voc-run.service (Type=oneshot, ExecStart=/usr/local/bin/voc run --json)
  # with a voc-run.timer (OnCalendar=*-*-* 00/6:00:00)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			sc, err := a.scheduleConfig()
			if err != nil {
				return err
			}
			list, err := a.scheduledJobs(sc)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx, false)
			if err != nil {
				return err
			}
			defer db.Close()
			outs, runErr := schedules.RunOnce(ctx, db, list, a.log)
			status := schedules.Summarize(outs)
			if runErr != nil {
				status = voc.RunFailed
			}
			if a.jsonOut {
				if outs == nil {
					outs = []schedules.Outcome{}
				}
				if err := a.writeJSON(map[string]any{"db": db.Path(), "status": status, "jobs": outs}); err != nil {
					return err
				}
			} else {
				a.printRun(outs)
			}
			if runErr != nil {
				return runErr
			}
			return runOutcome(status, outs)
		},
	}
}

// runOutcome maps the summary status to the exit code: nil for ok,
// partialError for partial, an error naming the failed jobs otherwise.
func runOutcome(status voc.RunStatus, outs []schedules.Outcome) error {
	var failed []string
	for _, o := range outs {
		if o.Err != nil {
			failed = append(failed, o.Err.Error())
		}
	}
	switch status {
	case voc.RunOK:
		return nil
	case voc.RunPartial:
		msg := "some jobs rejected input"
		if len(failed) > 0 {
			msg = "failed: " + strings.Join(failed, "; ")
		}
		return partialError{msg}
	}
	return fmt.Errorf("run failed: %s", strings.Join(failed, "; "))
}

func (a *app) printRun(outs []schedules.Outcome) {
	if len(outs) == 0 {
		a.printf("no jobs to run: every job of voc.yaml's schedule: section is off\n")
		return
	}
	t := output.Table{Columns: []string{"job", "source", "status", "took", "loaded", "rejected", "error"}}
	for _, o := range outs {
		t.Rows = append(t.Rows, []any{o.Job, o.Source, string(o.Status), o.Finished.Sub(o.Started).Round(time.Millisecond).String(),
			int64(o.Loaded), int64(o.Rejected), o.Error})
	}
	output.WriteTable(a.stdout, t) //nolint:errcheck // stdout going away leaves nothing to report to
}
