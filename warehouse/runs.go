package warehouse

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/voc-analytics/voc"
)

// StartRun records that job began now and returns the run with its id and
// status RunRunning. Runs are written outside any import transaction, so a
// failed import still leaves its run behind to say why.
func (db *DB) StartRun(ctx context.Context, job, source string) (voc.Run, error) {
	if err := db.writable("start run " + job); err != nil {
		return voc.Run{}, err
	}
	if job == "" {
		return voc.Run{}, fmt.Errorf("start run: empty job name")
	}
	// DuckDB keeps microseconds; truncating here makes the returned run
	// equal to what Runs reads back.
	run := voc.Run{Job: job, Source: source, Trigger: TriggerOf(ctx),
		Started: time.Now().UTC().Truncate(time.Microsecond), Status: voc.RunRunning}
	err := db.sql.QueryRowContext(ctx,
		`INSERT INTO runs (job, source, trigger, started, status, pid) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		job, nullString(source), run.Trigger, run.Started, string(run.Status), os.Getpid()).Scan(&run.ID)
	if err != nil {
		return voc.Run{}, fmt.Errorf("start run %s: %w", job, err)
	}
	noteStarted(ctx, run)
	return run, nil
}

// FinishRun records how run ended: status, counts, error, detail and the
// finished time (now, when run.Finished is zero). Detail must be JSON or
// empty. The status must be a final one, not RunRunning.
func (db *DB) FinishRun(ctx context.Context, run voc.Run) error {
	if err := db.writable(fmt.Sprintf("finish run %d", run.ID)); err != nil {
		return err
	}
	switch run.Status {
	case voc.RunOK, voc.RunPartial, voc.RunFailed:
	default:
		return fmt.Errorf("finish run %d (%s): status %q: want ok, partial or failed", run.ID, run.Job, run.Status)
	}
	finished := run.Finished
	if finished.IsZero() {
		finished = time.Now()
	}
	n, err := db.sql.ExecContext(ctx, `
UPDATE runs SET finished = ?, status = ?, loaded = ?, dupes = ?, updated = ?, rejected = ?,
	error = ?, detail = ?::JSON
WHERE id = ?`,
		finished.UTC(), string(run.Status), run.Loaded, run.Dupes, run.Updated, run.Rejected,
		nullString(run.Error), nullString(run.Detail), run.ID)
	if err != nil {
		return fmt.Errorf("finish run %d (%s): %w", run.ID, run.Job, err)
	}
	if k, err := n.RowsAffected(); err != nil {
		return fmt.Errorf("finish run %d (%s): %w", run.ID, run.Job, err)
	} else if k == 0 {
		return fmt.Errorf("finish run %d (%s): no such run", run.ID, run.Job)
	}
	return nil
}

// abandonRuns marks as abandoned the runs still "running" that another
// process started: opening the file for writing takes DuckDB's exclusive
// lock, so that process has ended (killed, crashed) or let the file go
// mid-run, and its runs will never finish. Runs of this process are left
// alone: a daemon reopens the file between jobs.
func (db *DB) abandonRuns(ctx context.Context) (int64, error) {
	res, err := db.sql.ExecContext(ctx, `
UPDATE runs SET status = ?, finished = now(),
	error = coalesce(error || '; ', '') || 'abandoned: its process ended without finishing it (killed or crashed)'
WHERE status = ? AND (pid IS NULL OR pid <> ?)`, string(voc.RunAbandoned), string(voc.RunRunning), os.Getpid())
	if err != nil {
		return 0, fmt.Errorf("mark abandoned runs: %w", err)
	}
	return res.RowsAffected()
}

// Runs lists the latest runs, newest first; limit <= 0 lists all.
func (db *DB) Runs(ctx context.Context, limit int) ([]voc.Run, error) {
	query := `SELECT ` + runColumns + ` FROM runs ORDER BY started DESC, id DESC`
	var args []any
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	runs, err := db.queryRuns(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
