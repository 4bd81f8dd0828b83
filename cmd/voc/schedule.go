package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/config"
	"github.com/voc-analytics/voc/jobs"
	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/reports"
	"github.com/voc-analytics/voc/schedules"
	"github.com/voc-analytics/voc/warehouse"
)

// collectJobName is the name collect runs are recorded under (and what
// the pipeline's After names): one job per source.
const collectJobName = jobs.JobCollect

// scheduleConfig is voc.yaml's schedule: section (validated on load).
func (a *app) scheduleConfig() (config.Schedule, error) {
	return a.cfg.Schedule, nil
}

// scheduledJobs builds the jobs the daemon runs on their schedules and
// `voc run` runs once, from voc.yaml. Order matters only among jobs due
// together, and After says it: collects, then the pipeline, then reports.
func (a *app) scheduledJobs(sc config.Schedule) ([]schedules.Job, error) {
	var list []schedules.Job
	collects, err := a.collectJobs(sc)
	if err != nil {
		return nil, err
	}
	list = append(list, collects...)
	if !sc.Pipeline.Off {
		j, err := a.scheduledPipeline(sc.Pipeline)
		if err != nil {
			return nil, err
		}
		list = append(list, j)
	}
	list = append(list, a.reportJobs(sc)...)
	return list, nil
}

// collectJobs is one job per source of a collector type (survey sources
// are imported by hand) that the schedule does not turn off. Each records
// its own run (the trigger reaches it through ctx).
func (a *app) collectJobs(sc config.Schedule) ([]schedules.Job, error) {
	names, err := jobs.CollectableSources(a.cfg, nil)
	if err != nil {
		return nil, err
	}
	loc, err := a.cfg.Location()
	if err != nil {
		return nil, err
	}
	var list []schedules.Job
	for _, name := range names {
		js := sc.Collect.ForSource(name)
		if js.Off {
			continue
		}
		src := a.cfg.Sources[name]
		list = append(list, schedules.Job{
			Name:    collectJobName,
			Source:  name,
			Spec:    js.Cron,
			CatchUp: js.IsCatchUp(),
			Run: func(ctx context.Context, db *warehouse.DB) (voc.Run, error) {
				sum, err := jobs.Collect(ctx, db, name, src, jobs.CollectOptions{Location: loc, Log: a.log})
				var r voc.Run
				if sum != nil {
					r.ID, r.Status, r.Loaded, r.Dupes, r.Updated = sum.RunID, sum.Status, sum.New, sum.Seen, sum.Updated
				}
				return r, err
			},
		})
	}
	return list, nil
}

// reportJobName is what weekly report runs are recorded under.
const reportJobName = "report weekly"

// reportJobs writes the weekly report of the last complete week, after the
// pipeline (catching up by default: a report due on Monday morning must not
// be lost to a reboot).
func (a *app) reportJobs(sc config.Schedule) []schedules.Job {
	if sc.Report.Off {
		return nil
	}
	return []schedules.Job{{
		Name:    reportJobName,
		Spec:    sc.Report.CronOr(config.DefaultReportCron),
		CatchUp: sc.Report.IsCatchUp(),
		After:   []string{jobs.JobPipeline},
		Run: func(ctx context.Context, db *warehouse.DB) (voc.Run, error) {
			written, err := a.writeWeeklyReports(ctx, db, reports.Week{}, a.cfg.Reports.ReportLangs(), a.cfg.Reports.ReportDir())
			r := voc.Run{Status: voc.RunOK}
			for _, w := range written {
				r.Loaded += 1 + len(w.Themes) // pages written
				detail, _ := json.Marshal(map[string]any{"weekly": w.Weekly, "index": w.Index})
				r.Detail = string(detail)
			}
			return r, err
		},
	}}
}

// scheduledPipeline is the pipeline job: score, tag, trends, as `voc
// pipeline` runs them (pipelineConfig), with the model and taxonomy loaded
// once when the daemon starts: restart it after changing them.
func (a *app) scheduledPipeline(js config.JobSchedule) (schedules.Job, error) {
	p, err := a.pipelineConfig("", nil)
	if err != nil {
		return schedules.Job{}, fmt.Errorf("job %s: %w", jobs.JobPipeline, err)
	}
	return schedules.Job{
		Name:    jobs.JobPipeline,
		Spec:    js.CronOr(config.DefaultPipelineCron),
		CatchUp: js.IsCatchUp(),
		After:   []string{collectJobName},
		Run: func(ctx context.Context, db *warehouse.DB) (voc.Run, error) {
			sum, err := jobs.RunPipeline(ctx, db, p)
			var r voc.Run
			if sum != nil {
				r.ID, r.Loaded = sum.RunID, sum.Score.Scored
			}
			return r, err
		},
	}, nil
}

// scheduleStatus is what `voc status` shows of the schedule: every job
// voc.yaml schedules, its last run in db and its next time. db may be
// read-only, or nil when there is no warehouse yet.
func (a *app) scheduleStatus(ctx context.Context, db *warehouse.DB) ([]schedules.JobStatus, error) {
	sc, err := a.scheduleConfig()
	if err != nil {
		return nil, err
	}
	loc, err := sc.Location(a.cfg.Timezone)
	if err != nil {
		return nil, err
	}
	list, err := a.scheduledJobs(sc)
	if err != nil {
		return nil, err
	}
	return schedules.Status(ctx, db, list, loc, time.Now())
}

func (a *app) scheduleCommand() *cobra.Command {
	var (
		list  bool
		grace time.Duration
		hold  bool
	)
	cmd := &cobra.Command{
		Use:     "schedule",
		Aliases: []string{"daemon"},
		Short:   "Run collect, pipeline and report on their schedules until stopped",
		Long: `schedule is voc's daemon. It runs the jobs of voc.yaml's schedule: section,
each at its cron spec: collect per source, the pipeline (after the collects
due with it), the weekly report. Every run is recorded in the runs table with
its trigger (schedule, catch-up, manual) and outcome; see 'voc status'.

  - A job never overlaps itself: a time that comes while it still runs is
    recorded as skipped. Jobs run one at a time.
  - A panic in a job is recorded as a failure; the daemon carries on.
  - At start, a job whose scheduled time passed while no daemon ran (the
    machine was off on Monday morning) runs once, unless catch_up: false.
  - SIGINT or SIGTERM: nothing new starts, the running job gets the grace
    period to finish and is cancelled after it (its transaction rolls back);
    the warehouse is closed cleanly and voc exits 0.
  - One daemon per warehouse: a second one is refused, naming the first.
    Between jobs the warehouse is closed, so 'voc query', 'voc status' and
    other tools (duckdb -readonly voc.duckdb) can read it; during a job they
    get an error naming the daemon's PID. hold_warehouse: true (or --hold)
    keeps it open instead and locks readers out.

Cron specs: five fields (minute hour day month weekday), six with seconds
first, or @hourly, @daily, @weekly, @every 6h; CRON_TZ=Asia/Shanghai in front
sets the zone (default schedule.timezone, then timezone, then the machine's).`,
		Example: `  voc schedule                 # run until Ctrl-C or SIGTERM (systemd: Type=simple)
  voc schedule --list          # what runs when, and how each job last went
  voc daemon --json 2> voc.log # JSON log lines on stderr`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if list {
				return a.printSchedule(ctx)
			}
			sc, err := a.scheduleConfig()
			if err != nil {
				return err
			}
			loc, err := sc.Location(a.cfg.Timezone)
			if err != nil {
				return err
			}
			jobList, err := a.scheduledJobs(sc)
			if err != nil {
				return err
			}
			if len(jobList) == 0 {
				return errors.New("schedule: no jobs to run: every job of voc.yaml's schedule: section is off")
			}
			opt := schedules.Options{
				Location: loc, Grace: sc.GraceOrDefault(), LockWait: sc.LockWaitOrDefault(),
				Hold: sc.HoldWarehouse || hold, MemoryLimit: a.memoryLimit(), Log: a.daemonLog(),
			}
			if cmd.Flags().Changed("grace") {
				opt.Grace = grace
			}
			d, err := schedules.New(a.dbPath(), jobList, opt)
			if err != nil {
				return err
			}
			opt.Log.Info("voc daemon starting", "db", a.dbPath(), "jobs", len(jobList), "timezone", loc.String())
			return d.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&list, "list", false, "print the jobs, their next times and last runs, and exit")
	f.DurationVar(&grace, "grace", config.DefaultGrace, "how long a running job may finish after SIGINT/SIGTERM (default: voc.yaml's schedule.grace)")
	f.BoolVar(&hold, "hold", false, "keep the warehouse open for the daemon's life (readers are locked out)")
	return cmd
}

// daemonLog is the daemon's log on stderr: what it does is its output, so
// it logs at info level (debug with -v), as JSON lines with --json.
func (a *app) daemonLog() *slog.Logger {
	level := slog.LevelInfo
	if a.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.jsonOut {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

// printSchedule is `voc schedule --list`.
func (a *app) printSchedule(ctx context.Context) error {
	db, err := a.openDB(ctx, true)
	switch {
	case errors.Is(err, warehouse.ErrNoWarehouse):
		db = nil
	case err != nil:
		return err
	default:
		defer db.Close()
	}
	st, err := a.scheduleStatus(ctx, db)
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.writeJSON(map[string]any{"jobs": st})
	}
	if len(st) == 0 {
		a.printf("no jobs scheduled\n")
		return nil
	}
	t := output.Table{Columns: []string{"job", "source", "cron", "next", "last run", "status", "trigger", "error"}}
	for _, s := range st {
		next := s.Next.Format("2006-01-02 15:04:05 MST")
		if s.CatchUp {
			next = "at daemon start (missed)"
		}
		if s.Error != "" {
			next = s.Error
		}
		var started, status, trigger, errText any
		if s.Last != nil {
			started, status, trigger, errText = s.Last.Started.Local().Format(time.DateTime), string(s.Last.Status), s.Last.Trigger, s.Last.Error
		}
		t.Rows = append(t.Rows, []any{s.Job, s.Source, s.Spec, next, started, status, trigger, errText})
	}
	return output.WriteTable(a.stdout, t)
}
