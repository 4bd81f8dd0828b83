package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/voc-analytics/voc"
)

// How a run came about is carried in the context rather than in every job's
// signature: jobs (import, pipeline, collect, report) call StartRun as they
// always do, and whoever started the job (a command, the daemon) says why
// through the context it passes down. A context without a trigger records
// voc.TriggerManual.

type runLogKey struct{}

// RunLog collects the runs StartRun recorded through one context (see
// WithRunLog), so the caller of a job can tell whether the job recorded its
// own runs, and which of them to mark failed if it panicked half-way.
type RunLog struct {
	trigger string
	mu      sync.Mutex
	started []voc.Run
}

// WithRunLog returns a context under which StartRun records runs with
// trigger (voc.TriggerManual, voc.TriggerSchedule or voc.TriggerCatchUp)
// and notes them in the returned log. An empty trigger means manual.
func WithRunLog(ctx context.Context, trigger string) (context.Context, *RunLog) {
	if trigger == "" {
		trigger = voc.TriggerManual
	}
	l := &RunLog{trigger: trigger}
	return context.WithValue(ctx, runLogKey{}, l), l
}

// TriggerOf is the trigger runs started under ctx are recorded with.
func TriggerOf(ctx context.Context) string {
	if l, ok := ctx.Value(runLogKey{}).(*RunLog); ok {
		return l.trigger
	}
	return voc.TriggerManual
}

// Started lists the runs StartRun recorded under the log's context, in
// the order they started, as StartRun returned them (status running).
func (l *RunLog) Started() []voc.Run {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]voc.Run(nil), l.started...)
}

func noteStarted(ctx context.Context, run voc.Run) {
	if l, ok := ctx.Value(runLogKey{}).(*RunLog); ok {
		l.mu.Lock()
		l.started = append(l.started, run)
		l.mu.Unlock()
	}
}

// RecordRun stores a run that is already over, in one statement: a
// scheduled run that was skipped, or a job that does not record runs of
// its own. The status must be final (ok, partial, failed or skipped); an
// empty Trigger is taken from ctx, a zero Finished is now. It returns the
// run's id.
func (db *DB) RecordRun(ctx context.Context, run voc.Run) (int64, error) {
	if err := db.writable("record run " + run.Job); err != nil {
		return 0, err
	}
	if run.Job == "" {
		return 0, fmt.Errorf("record run: empty job name")
	}
	switch run.Status {
	case voc.RunOK, voc.RunPartial, voc.RunFailed, voc.RunSkipped:
	default:
		return 0, fmt.Errorf("record run %s: status %q: want ok, partial, failed or skipped", run.Job, run.Status)
	}
	if run.Trigger == "" {
		run.Trigger = TriggerOf(ctx)
	}
	if run.Finished.IsZero() {
		run.Finished = time.Now()
	}
	if run.Started.IsZero() {
		run.Started = run.Finished
	}
	run.Started, run.Finished = run.Started.UTC().Truncate(time.Microsecond), run.Finished.UTC().Truncate(time.Microsecond)
	var id int64
	err := db.sql.QueryRowContext(ctx, `
INSERT INTO runs (job, source, trigger, started, finished, status, loaded, dupes, updated, rejected, error, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::JSON) RETURNING id`,
		run.Job, nullString(run.Source), run.Trigger, run.Started, run.Finished, string(run.Status),
		run.Loaded, run.Dupes, run.Updated, run.Rejected, nullString(run.Error), nullString(run.Detail)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record run %s: %w", run.Job, err)
	}
	return id, nil
}

// FailRunning marks the given runs failed with msg, those of them still
// recorded as running: the runs of a job that panicked or was abandoned
// before it could finish them. Runs already finished keep their outcome.
// It returns how many runs it marked.
func (db *DB) FailRunning(ctx context.Context, ids []int64, msg string) (int, error) {
	if err := db.writable("fail running runs"); err != nil {
		return 0, err
	}
	marked := 0
	now := time.Now().UTC()
	for _, id := range ids {
		res, err := db.sql.ExecContext(ctx,
			`UPDATE runs SET status = 'failed', finished = ?, error = ? WHERE id = ? AND status = 'running'`,
			now, nullString(msg), id)
		if err != nil {
			return marked, fmt.Errorf("fail run %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return marked, fmt.Errorf("fail run %d: %w", id, err)
		}
		marked += int(n)
	}
	return marked, nil
}

// FailStaleRuns marks every run still recorded as running failed with msg.
// Only the one process holding the warehouse read-write may call it, and
// only when it has no run of its own going: then a running row is one a
// process left behind when it was killed. It returns how many it marked.
func (db *DB) FailStaleRuns(ctx context.Context, msg string) (int, error) {
	if err := db.writable("fail stale runs"); err != nil {
		return 0, err
	}
	res, err := db.sql.ExecContext(ctx,
		`UPDATE runs SET status = 'failed', finished = ?, error = ? WHERE status = 'running'`,
		time.Now().UTC(), nullString(msg))
	if err != nil {
		return 0, fmt.Errorf("fail stale runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("fail stale runs: %w", err)
	}
	return int(n), nil
}

// LastRuns returns the latest run of every (job, source) the runs table
// knows, ordered by job then source: what `voc status` shows per job, and
// what the daemon's catch-up compares with the schedule.
func (db *DB) LastRuns(ctx context.Context) ([]voc.Run, error) {
	runs, err := db.queryRuns(ctx, `
SELECT `+runColumns+` FROM runs
QUALIFY row_number() OVER (PARTITION BY job, coalesce(source, '') ORDER BY started DESC, id DESC) = 1
ORDER BY job, coalesce(source, '')`)
	if err != nil {
		return nil, fmt.Errorf("last runs: %w", err)
	}
	return runs, nil
}

// runColumns are the columns queryRuns scans, in its order.
const runColumns = `id, job, coalesce(source, ''), coalesce(trigger, 'manual'), started, finished, status,
	loaded, dupes, updated, rejected, coalesce(error, ''), coalesce(detail::VARCHAR, '')`

func (db *DB) queryRuns(ctx context.Context, query string, args ...any) ([]voc.Run, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []voc.Run
	for rows.Next() {
		var (
			r        voc.Run
			status   string
			finished sql.NullTime
		)
		err := rows.Scan(&r.ID, &r.Job, &r.Source, &r.Trigger, &r.Started, &finished, &status,
			&r.Loaded, &r.Dupes, &r.Updated, &r.Rejected, &r.Error, &r.Detail)
		if err != nil {
			return nil, err
		}
		r.Status = voc.RunStatus(status)
		r.Started = r.Started.UTC()
		if finished.Valid {
			r.Finished = finished.Time.UTC()
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return runs, nil
}
