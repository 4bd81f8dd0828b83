package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// Job is one thing the daemon runs on a schedule, or `voc run` runs once.
type Job struct {
	// Name is the job name its runs are recorded under ("collect",
	// "pipeline", "report"): the same name the job gives StartRun when it
	// records its own runs, since catch-up and `voc status` look the job's
	// runs up by Name and Source.
	Name string
	// Source is the source a per-source job works on ("" for others).
	Source string
	// Spec is the job's cron spec (see ParseSpec). `voc run` ignores it.
	Spec string
	// CatchUp runs the job once at the daemon's start when a scheduled
	// time passed since its last run (the machine was down, say).
	CatchUp bool
	// After lists jobs that must run before this one when they fall due
	// together, by ID ("collect shop-a") or by Name ("collect": all of
	// them). Jobs not listed in the same set are ignored, so a pipeline
	// may name "collect" whether or not any source is scheduled.
	After []string
	// Run does the work on the warehouse db. It returns how the run went:
	// Status (empty means ok, or failed when err is not nil), the counts
	// and Detail. A job that records its own runs through db.StartRun
	// gets its trigger from ctx and is not recorded again; for one that
	// does not, the scheduler records the returned run. Run must honour
	// ctx: it is cancelled when the daemon stops and the grace period
	// is over.
	Run func(ctx context.Context, db *warehouse.DB) (voc.Run, error)
}

// ID names the job in messages, logs and After: "pipeline", or
// "collect shop-a" for a per-source job.
func (j Job) ID() string {
	if j.Source == "" {
		return j.Name
	}
	return j.Name + " " + j.Source
}

// Outcome is what one run of a job came to.
type Outcome struct {
	Job     string        `json:"job"`
	Source  string        `json:"source,omitempty"`
	Trigger string        `json:"trigger"`
	Status  voc.RunStatus `json:"status"`
	Started time.Time     `json:"started"`
	// Finished is when Run returned (or panicked).
	Finished time.Time `json:"finished"`
	Loaded   int       `json:"loaded"`
	Dupes    int       `json:"duplicates"`
	Updated  int       `json:"updated"`
	Rejected int       `json:"rejected"`
	// RunIDs are the runs table rows of this run: the job's own, or the
	// one the scheduler recorded for it.
	RunIDs []int64 `json:"run_ids"`
	// Err says why the run failed, naming the job; nil when it did not.
	Err error `json:"-"`
	// Error is Err's text, for JSON.
	Error string `json:"error,omitempty"`
}

// panicError is a job's panic turned into an error.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// execute runs job once on db and records it with trigger: the job's own
// runs get the trigger through ctx, a job that recorded none gets one row
// from what it returned. A panic is recovered and recorded as a failure.
func execute(ctx context.Context, db *warehouse.DB, job Job, trigger string, log *slog.Logger) Outcome {
	ctx, runLog := warehouse.WithRunLog(ctx, trigger)
	out := Outcome{Job: job.Name, Source: job.Source, Trigger: trigger, Started: time.Now()}
	res, err := callJob(ctx, db, job)
	out.Finished = time.Now()
	out.Loaded, out.Dupes, out.Updated, out.Rejected = res.Loaded, res.Dupes, res.Updated, res.Rejected
	out.Status = res.Status
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		out.Status = voc.RunFailed
		log.Error("job panicked", "job", job.ID(), "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))
	case err != nil:
		out.Status = voc.RunFailed
	case out.Status == "" || out.Status == voc.RunRunning:
		out.Status = voc.RunOK
	}
	if err != nil {
		out.Err = fmt.Errorf("job %s: %w", job.ID(), err)
		out.Error = out.Err.Error()
	} else if out.Status == voc.RunFailed {
		out.Err = fmt.Errorf("job %s: %s", job.ID(), nonEmpty(res.Error, "failed"))
		out.Error = out.Err.Error()
	}

	// Recording survives the job's cancellation: history that forgets the
	// runs cut short by a shutdown is no history.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if own := runLog.Started(); len(own) > 0 {
		ids := make([]int64, len(own))
		for i, r := range own {
			ids[i] = r.ID
		}
		out.RunIDs = ids
		if err != nil {
			// The job's own runs say how they went, unless it panicked or
			// gave up before finishing one of them.
			if _, ferr := db.FailRunning(rctx, ids, err.Error()); ferr != nil {
				log.Error("record failed run", "job", job.ID(), "err", ferr)
			}
		}
		return out
	}
	run := voc.Run{
		Job: job.Name, Source: job.Source, Trigger: trigger, Started: out.Started, Finished: out.Finished,
		Status: out.Status, Loaded: res.Loaded, Dupes: res.Dupes, Updated: res.Updated, Rejected: res.Rejected,
		Error: res.Error, Detail: res.Detail,
	}
	if err != nil {
		run.Error = err.Error()
	}
	id, rerr := db.RecordRun(rctx, run)
	if rerr != nil {
		log.Error("record run", "job", job.ID(), "err", rerr)
		if out.Err == nil {
			out.Status, out.Err = voc.RunFailed, fmt.Errorf("job %s: %w", job.ID(), rerr)
			out.Error = out.Err.Error()
		}
		return out
	}
	out.RunIDs = []int64{id}
	return out
}

// callJob calls job.Run, turning a panic into a *panicError.
func callJob(ctx context.Context, db *warehouse.DB, job Job) (res voc.Run, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = voc.Run{}, &panicError{value: v, stack: debug.Stack()}
		}
	}()
	if job.Run == nil {
		return voc.Run{}, errors.New("no Run function")
	}
	return job.Run(ctx, db)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// order sorts jobs so that every job comes after the jobs its After names
// (among these jobs; names that match none are ignored), keeping the given
// order otherwise. It fails on a cycle.
func order(jobs []Job) ([]Job, error) {
	byRef := map[string][]int{}
	for i, j := range jobs {
		byRef[j.ID()] = append(byRef[j.ID()], i)
		if j.Source != "" {
			byRef[j.Name] = append(byRef[j.Name], i)
		}
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(jobs))
	out := make([]Job, 0, len(jobs))
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch state[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("jobs wait for each other in a circle: %v", append(path, jobs[i].ID()))
		}
		state[i] = visiting
		for _, ref := range jobs[i].After {
			for _, k := range byRef[ref] {
				if k == i {
					continue
				}
				if err := visit(k, append(path, jobs[i].ID())); err != nil {
					return err
				}
			}
		}
		state[i] = done
		out = append(out, jobs[i])
		return nil
	}
	for i := range jobs {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
