package schedules

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// specParser reads the cron specs voc.yaml accepts: five fields, or six
// with seconds first, or a descriptor (@hourly, @daily, @weekly,
// @every 6h), with an optional CRON_TZ=Zone (or TZ=Zone) in front.
var specParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule says when a job is due next.
type Schedule interface {
	// Next is the first time the job is due strictly after t.
	Next(t time.Time) time.Time
}

// ParseSpec reads a cron spec. Times of a spec that names no zone are
// read in loc (nil means the machine's zone).
func ParseSpec(spec string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.Local
	}
	s, err := specParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return zoned{s, loc}, nil
}

// zoned evaluates a robfig schedule in loc. robfig's SpecSchedule takes
// times in the zone of its argument unless the spec named one, so the
// argument is moved to loc first; results are returned in loc too.
type zoned struct {
	s   cron.Schedule
	loc *time.Location
}

func (z zoned) Next(t time.Time) time.Time { return z.s.Next(t.In(z.loc)) }

// firstDue is when a job is due next at now, given the start of its last
// run (zero when it never ran), and whether a due time passed since that
// run: Next(last) when it is still ahead (so "@every 6h" counts from the
// last run, not from the daemon's start), else Next(now) and missed.
//
// For a clock-time spec the two agree when nothing was missed: no due time
// between last and now means the first one after last is the first after
// now. A job that never ran has missed nothing: nothing says it was
// expected to run before.
func firstDue(s Schedule, last, now time.Time) (next time.Time, missed bool) {
	if !last.IsZero() {
		if n := s.Next(last); n.After(now) {
			return n, false
		}
		return s.Next(now), true
	}
	return s.Next(now), false
}
