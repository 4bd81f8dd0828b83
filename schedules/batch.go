package schedules

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// RunOnce runs every job once, in dependency order (After), on db, each
// recorded as a run with trigger "manual": `voc run`, for an outside
// scheduler (systemd timers, a Kubernetes CronJob, Airflow). A failed job
// does not stop the ones after it (the pipeline still scores what the
// other sources brought); a panic is recovered and recorded like in the
// daemon. When ctx ends, the running job is cancelled through it and the
// remaining ones do not start; the outcomes so far come back with
// ctx's error.
func RunOnce(ctx context.Context, db *warehouse.DB, jobs []Job, log *slog.Logger) ([]Outcome, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := check(jobs); err != nil {
		return nil, err
	}
	ordered, err := order(jobs)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	outs := make([]Outcome, 0, len(ordered))
	for _, j := range ordered {
		if err := ctx.Err(); err != nil {
			return outs, fmt.Errorf("run: stopped before job %s: %w", j.ID(), err)
		}
		log.Info("job starting", "job", j.ID())
		out := execute(ctx, db, j, voc.TriggerManual, log)
		if out.Err != nil {
			log.Error("job failed", "job", j.ID(), "err", out.Err)
		}
		outs = append(outs, out)
	}
	return outs, ctx.Err()
}

// Summarize is the status of a set of runs, for the exit code of
// `voc run`: ok when all went well; partial when some input was rejected,
// or when some per-source jobs (collects) failed but not all jobs did;
// failed when every job failed, or a job of no source (the pipeline, the
// report) did, since then the run's purpose was not met.
func Summarize(outs []Outcome) voc.RunStatus {
	if len(outs) == 0 {
		return voc.RunOK
	}
	failed, partial := 0, 0
	for _, o := range outs {
		switch o.Status {
		case voc.RunFailed:
			if o.Source == "" {
				return voc.RunFailed
			}
			failed++
		case voc.RunPartial, voc.RunSkipped:
			partial++
		}
	}
	switch {
	case failed == len(outs):
		return voc.RunFailed
	case failed > 0 || partial > 0:
		return voc.RunPartial
	}
	return voc.RunOK
}
