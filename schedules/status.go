package schedules

import (
	"context"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// JobStatus is one scheduled job as `voc status` shows it: its last run
// and when it runs next.
type JobStatus struct {
	Job    string `json:"job"`
	Source string `json:"source,omitempty"`
	Spec   string `json:"spec"`
	// Next is the job's next scheduled time, as a daemon started at now
	// would have it: from the last run for "@every" specs, so it holds
	// whether or not a daemon is running. Zero when the spec is invalid.
	Next time.Time `json:"next"`
	// CatchUp says a scheduled time passed since the last run and the job
	// catches up: a daemon starting now runs it at once.
	CatchUp bool `json:"catch_up"`
	// Last is the job's latest run, nil when it never ran.
	Last *voc.Run `json:"last,omitempty"`
	// Error is why Spec could not be read, naming the job.
	Error string `json:"error,omitempty"`
}

// Status reads the last run of each job from db (read-only is enough; nil
// when there is no warehouse yet) and works out its next time in loc (nil:
// the machine's zone) as of now. A job with a bad spec gets its Error
// instead of failing the whole status.
func Status(ctx context.Context, db *warehouse.DB, jobs []Job, loc *time.Location, now time.Time) ([]JobStatus, error) {
	var last []voc.Run
	if db != nil {
		var err error
		if last, err = db.LastRuns(ctx); err != nil {
			return nil, err
		}
	}
	byKey := map[[2]string]voc.Run{}
	for _, r := range last {
		byKey[[2]string{r.Job, r.Source}] = r
	}
	ordered, err := order(jobs)
	if err != nil {
		ordered = jobs
	}
	out := make([]JobStatus, 0, len(jobs))
	for _, j := range ordered {
		st := JobStatus{Job: j.Name, Source: j.Source, Spec: j.Spec}
		var prev time.Time
		if r, ok := byKey[[2]string{j.Name, j.Source}]; ok {
			st.Last = &r
			prev = r.Started
		}
		s, err := ParseSpec(j.Spec, loc)
		if err != nil {
			st.Error = "job " + j.ID() + ": " + err.Error()
			out = append(out, st)
			continue
		}
		next, missed := firstDue(s, prev, now)
		st.Next, st.CatchUp = next, missed && j.CatchUp
		out = append(out, st)
	}
	return out, nil
}
