package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/voc-analytics/voc/warehouse"
)

// Week is an ISO 8601 week, "2026-W47": Monday to Sunday, numbered so that
// week 1 holds the year's first Thursday. Reports are weekly because
// complaint themes and satisfaction move on that rhythm, and ISO numbering
// is what Chinese and European calendars and spreadsheets agree on.
type Week struct {
	Year, Num int
}

// ParseWeek reads "2026-W47" (also "2026W47" and lower-case w).
func ParseWeek(s string) (Week, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	y, n, ok := strings.Cut(t, "W")
	y = strings.TrimSuffix(y, "-")
	if !ok {
		return Week{}, fmt.Errorf("week %q: want YYYY-Www, e.g. 2026-W47", s)
	}
	year, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || len(y) != 4 || len(n) != 2 {
		return Week{}, fmt.Errorf("week %q: want YYYY-Www, e.g. 2026-W47", s)
	}
	w := Week{year, num}
	if num < 1 || num > 53 {
		return Week{}, fmt.Errorf("week %q: week number must be 1-53", s)
	}
	// Week 53 exists only in years with 53 ISO weeks.
	if got := WeekOf(w.Monday(time.UTC)); got != w {
		return Week{}, fmt.Errorf("week %q: %d has no week %d", s, year, num)
	}
	return w, nil
}

// String renders the week as "2026-W47", the form ParseWeek reads and
// file names use.
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// WeekOf is the ISO week t falls in, in t's own location.
func WeekOf(t time.Time) Week {
	y, n := t.ISOWeek()
	return Week{y, n}
}

// Monday is 00:00 on the week's Monday in loc.
func (w Week) Monday(loc *time.Location) time.Time {
	// January 4th is always in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	offset := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return time.Date(w.Year, time.January, 4-offset+7*(w.Num-1), 0, 0, 0, 0, loc)
}

// Period is the week as a span of instants in loc: local Monday 00:00 up
// to the next local Monday 00:00, which is not always 168 hours away when
// the zone changes its clocks.
func (w Week) Period(loc *time.Location) warehouse.Period {
	m := w.Monday(loc)
	return warehouse.Period{Start: m, End: time.Date(m.Year(), m.Month(), m.Day()+7, 0, 0, 0, 0, loc)}
}

// Add moves n weeks forward (or back, for negative n).
func (w Week) Add(n int) Week {
	m := w.Monday(time.UTC)
	return WeekOf(time.Date(m.Year(), m.Month(), m.Day()+7*n, 0, 0, 0, 0, time.UTC))
}

// Before reports whether w comes before o.
func (w Week) Before(o Week) bool {
	return w.Year < o.Year || w.Year == o.Year && w.Num < o.Num
}

// LastCompleteWeek is the ISO week before the one now falls in, in loc:
// the default week of a report, since the current week is still filling.
func LastCompleteWeek(now time.Time, loc *time.Location) Week {
	return WeekOf(now.In(loc)).Add(-1)
}
