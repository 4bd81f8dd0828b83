package schedules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/voc-analytics/voc"
)

// Options tunes a Daemon. The zero value is sensible.
type Options struct {
	// Location is the time zone of specs that name none (CRON_TZ=...);
	// nil means the machine's.
	Location *time.Location
	// Grace is how long the running job may take to finish once the
	// daemon is told to stop, before its context is cancelled (default
	// 30s). After the cancel it gets as long again to return.
	Grace time.Duration
	// LockWait is how long a job waits for the warehouse while another
	// process holds it (default 1m).
	LockWait time.Duration
	// Hold keeps the warehouse open read-write for the daemon's life
	// instead of only while a job runs. Readers are then locked out.
	Hold bool
	// MemoryLimit caps DuckDB's memory (warehouse.Options.MemoryLimit).
	MemoryLimit string
	// Log receives what the daemon does; nil discards it.
	Log *slog.Logger
}

// Daemon runs jobs on their schedules until its context ends.
type Daemon struct {
	path    string
	opt     Options
	entries []*entry // in dependency order
	log     *slog.Logger

	h     *handle // set by Run
	ready chan struct{}

	mu    sync.Mutex
	queue []queued
	wake  chan struct{}
}

type entry struct {
	job   Job
	sched Schedule
	next  time.Time // owned by the loop goroutine
	// guarded by Daemon.mu
	queued, running bool
	runStart        time.Time
}

type queued struct {
	e       *entry
	trigger string
	due     time.Time
}

// New checks jobs (names, unique IDs, cron specs, After without cycles)
// for a daemon on the warehouse file at path. Errors name the job.
func New(path string, jobs []Job, opt Options) (*Daemon, error) {
	if path == "" {
		return nil, errors.New("schedule: no warehouse path")
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Grace <= 0 {
		opt.Grace = 30 * time.Second
	}
	if opt.LockWait <= 0 {
		opt.LockWait = time.Minute
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := check(jobs); err != nil {
		return nil, err
	}
	ordered, err := order(jobs)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	d := &Daemon{path: path, opt: opt, log: log, wake: make(chan struct{}, 1), ready: make(chan struct{})}
	for _, j := range ordered {
		s, err := ParseSpec(j.Spec, opt.Location)
		if err != nil {
			return nil, fmt.Errorf("schedule: job %s: %w", j.ID(), err)
		}
		d.entries = append(d.entries, &entry{job: j, sched: s})
	}
	return d, nil
}

// check refuses jobs without a name or Run, and two jobs with one ID.
func check(jobs []Job) error {
	seen := map[string]bool{}
	for i, j := range jobs {
		if j.Name == "" {
			return fmt.Errorf("schedule: job %d has no name", i+1)
		}
		if j.Run == nil {
			return fmt.Errorf("schedule: job %s has no Run function", j.ID())
		}
		if seen[j.ID()] {
			return fmt.Errorf("schedule: job %s is listed twice", j.ID())
		}
		seen[j.ID()] = true
	}
	return nil
}

// Ready is closed once Run holds the daemon lock, has read the run history
// and scheduled every job (catch-ups are queued by then).
func (d *Daemon) Ready() <-chan struct{} { return d.ready }

// Run is the daemon: it takes the warehouse's daemon lock (a second daemon
// gets a *DaemonRunningError), runs the jobs whose scheduled time passed
// while no daemon ran (those with CatchUp), then each job at its times,
// one at a time, until ctx ends. Then it starts nothing more, lets the
// running job finish within Options.Grace, cancels it after that, records
// what happened and closes the warehouse. It returns nil after an orderly
// stop, whether or not a job had to be cancelled; an error when it could
// not start, or when a cancelled job would not return.
func (d *Daemon) Run(ctx context.Context) error {
	lock, err := lockDaemon(d.path)
	if err != nil {
		return err
	}
	defer lock.release()

	h := &handle{path: d.path, memoryLimit: d.opt.MemoryLimit, hold: d.opt.Hold, lockWait: d.opt.LockWait, log: d.log}
	d.h = h
	if err := d.start(ctx, h); err != nil {
		h.close()
		return err
	}
	// Jobs get a context of their own, cancelled only after the grace
	// period, so SIGTERM lets the running job finish what it is doing.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	close(d.ready)
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		d.work(ctx, jobCtx, h)
	}()

	d.loop(ctx)
	return d.shutdown(h, workerDone, cancelJobs)
}

// start opens the warehouse once to migrate it, close runs a killed
// process left open, and work out each job's next time from its last run,
// queueing the catch-ups.
func (d *Daemon) start(ctx context.Context, h *handle) error {
	db, err := h.open(ctx)
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if n, err := db.FailStaleRuns(ctx, "interrupted: the process running it ended before it finished"); err != nil {
		return fmt.Errorf("schedule: %w", err)
	} else if n > 0 {
		d.log.Warn("runs left unfinished by an earlier process marked failed", "runs", n)
	}
	last, err := db.LastRuns(ctx)
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	lastStart := map[[2]string]time.Time{}
	for _, r := range last {
		lastStart[[2]string{r.Job, r.Source}] = r.Started
	}
	now := time.Now()
	for _, e := range d.entries {
		prev := lastStart[[2]string{e.job.Name, e.job.Source}]
		next, missed := firstDue(e.sched, prev, now)
		e.next = next
		switch {
		case missed && e.job.CatchUp:
			d.log.Info("catching up", "job", e.job.ID(), "last_run", prev, "missed", e.sched.Next(prev))
			d.enqueue(e, voc.TriggerCatchUp, now)
		case missed:
			d.log.Info("missed a scheduled time; catch_up is off", "job", e.job.ID(), "last_run", prev, "missed", e.sched.Next(prev))
		}
		d.log.Info("scheduled", "job", e.job.ID(), "spec", e.job.Spec, "next", next)
	}
	h.release()
	return nil
}

// loop fires jobs at their times until ctx ends.
func (d *Daemon) loop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if len(d.entries) == 0 {
			<-ctx.Done()
			return
		}
		first := d.entries[0].next
		for _, e := range d.entries[1:] {
			if e.next.Before(first) {
				first = e.next
			}
		}
		timer.Reset(time.Until(first))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now()
		// Entries are in dependency order, so jobs due together are queued
		// with the ones they wait for first.
		for _, e := range d.entries {
			if e.next.After(now) {
				continue
			}
			due := e.next
			e.next = e.sched.Next(now)
			d.enqueue(e, voc.TriggerSchedule, due)
		}
	}
}

// enqueue queues a run of e, or records a skipped run when e is still
// running or waiting: a job never overlaps itself.
func (d *Daemon) enqueue(e *entry, trigger string, due time.Time) {
	d.mu.Lock()
	if e.running || e.queued {
		reason := "skipped: still running"
		if e.running {
			reason += " (since " + e.runStart.Format(time.RFC3339) + ")"
		} else {
			reason = "skipped: still waiting for its previous turn"
		}
		d.mu.Unlock()
		d.log.Warn("skipped", "job", e.job.ID(), "due", due, "reason", reason)
		d.h.record(voc.Run{Job: e.job.Name, Source: e.job.Source, Trigger: trigger,
			Started: due, Finished: time.Now(), Status: voc.RunSkipped, Error: reason})
		return
	}
	e.queued = true
	d.queue = append(d.queue, queued{e: e, trigger: trigger, due: due})
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// work runs queued jobs one at a time until ctx ends; a job it has taken
// runs on under jobCtx.
func (d *Daemon) work(ctx, jobCtx context.Context, h *handle) {
	for {
		d.mu.Lock()
		if ctx.Err() != nil {
			d.mu.Unlock()
			return
		}
		if len(d.queue) == 0 {
			d.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-d.wake:
			}
			continue
		}
		q := d.queue[0]
		d.queue = d.queue[1:]
		q.e.queued, q.e.running, q.e.runStart = false, true, time.Now()
		d.mu.Unlock()

		out := d.runOne(jobCtx, h, q)
		args := []any{"job", q.e.job.ID(), "trigger", q.trigger, "status", out.Status,
			"took", out.Finished.Sub(out.Started).Round(time.Millisecond), "runs", out.RunIDs}
		if out.Err != nil {
			d.log.Error("job failed", append(args, "err", out.Err)...)
		} else {
			d.log.Info("job done", append(args, "loaded", out.Loaded, "rejected", out.Rejected)...)
		}

		d.mu.Lock()
		q.e.running = false
		d.mu.Unlock()
	}
}

// runOne opens the warehouse for one job and runs it. A job that cannot
// get the warehouse is recorded as failed when the file opens again.
func (d *Daemon) runOne(ctx context.Context, h *handle, q queued) Outcome {
	db, err := h.open(ctx)
	if err != nil {
		now := time.Now()
		out := Outcome{Job: q.e.job.Name, Source: q.e.job.Source, Trigger: q.trigger, Status: voc.RunFailed,
			Started: now, Finished: now, Err: fmt.Errorf("job %s: %w", q.e.job.ID(), err)}
		out.Error = out.Err.Error()
		h.record(voc.Run{Job: out.Job, Source: out.Source, Trigger: q.trigger, Started: now, Finished: now,
			Status: voc.RunFailed, Error: err.Error()})
		return out
	}
	defer h.release()
	return execute(ctx, db, q.e.job, q.trigger, d.log)
}

// shutdown waits for the running job within the grace period, cancels it
// after that, and closes the warehouse.
func (d *Daemon) shutdown(h *handle, workerDone <-chan struct{}, cancelJobs context.CancelFunc) error {
	d.mu.Lock()
	dropped := d.queue
	d.queue = nil
	var running *entry
	for _, e := range d.entries {
		if e.running {
			running = e
		}
	}
	d.mu.Unlock()
	for _, q := range dropped {
		d.log.Info("not started: the daemon is stopping", "job", q.e.job.ID(), "due", q.due)
	}
	name := "(none)"
	if running != nil {
		name = running.job.ID()
		d.log.Info("stopping: waiting for the running job", "job", name, "grace", d.opt.Grace)
	}
	var err error
	select {
	case <-workerDone:
	case <-time.After(d.opt.Grace):
		d.log.Warn("grace period over: cancelling the running job", "job", name)
		cancelJobs()
		select {
		case <-workerDone:
		case <-time.After(d.opt.Grace):
			// The job ignores its context. Closing the warehouse would wait
			// for it; leave the file to DuckDB's recovery instead.
			return fmt.Errorf("schedule: job %s did not stop within %v of being cancelled", name, d.opt.Grace)
		}
	}
	if cerr := h.close(); cerr != nil {
		err = fmt.Errorf("schedule: %w", cerr)
	}
	// Runs that could not be written while another process held the file
	// get one last chance, so a failure is in runs, not only in the log.
	if len(h.unrecorded()) > 0 {
		h.lockWait = 5 * time.Second
		last, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, oerr := h.open(last); oerr == nil {
			h.close()
		}
		cancel()
	}
	for _, r := range h.unrecorded() {
		d.log.Error("run not recorded: the warehouse could not be opened", "job", Job{Name: r.Job, Source: r.Source}.ID(),
			"status", r.Status, "started", r.Started, "error", r.Error)
	}
	d.log.Info("stopped")
	return err
}
