package collectors

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/voc-analytics/voc"
)

// Watermark is how far an earlier, finished run of a source got: the
// newest review it saw, by id and by creation time. A run pages until it
// meets a review at or below the watermark and then stops, so a daily run
// fetches the new pages only.
//
// It advances only when a run ends without error. A run killed half-way
// leaves the old watermark, so the next run pages through the batches the
// killed one stored (they count as seen, nothing is stored twice) and on
// into the ones it never reached.
type Watermark struct {
	NewestID   string    `json:"newest_id,omitempty"`
	NewestTime time.Time `json:"newest_time,omitzero"`
	// Updated is when the run that set it finished.
	Updated time.Time `json:"updated,omitzero"`
}

// IsZero reports a watermark no run has set: page to the budget.
func (w Watermark) IsZero() bool { return w.NewestID == "" && w.NewestTime.IsZero() }

// ParseWatermark reads the stored form; "" is the zero watermark.
func ParseWatermark(s string) (Watermark, error) {
	var w Watermark
	if s == "" {
		return w, nil
	}
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return Watermark{}, fmt.Errorf("watermark %q: %w", clip(s), err)
	}
	return w, nil
}

// String is the stored form (JSON).
func (w Watermark) String() string {
	if w.IsZero() {
		return ""
	}
	b, _ := json.Marshal(w)
	return string(b)
}

// Reached reports whether it is at or below the watermark: the review the
// watermark names, or one created strictly before its time (reviews of the
// same instant may be new ones and are read on).
func (w Watermark) Reached(it *voc.Item) bool {
	if w.IsZero() {
		return false
	}
	if w.NewestID != "" && it.ExternalID == w.NewestID {
		return true
	}
	return !w.NewestTime.IsZero() && !it.CreatedAt.IsZero() && it.CreatedAt.Before(w.NewestTime)
}

// Tracker finds the new watermark while a run goes through its pages:
// the newest creation time seen (with that review's id) or, for sources
// whose reviews carry no time, the first review of the run (the top of the
// first page, the newest there is).
type Tracker struct {
	firstID  string
	newest   time.Time
	newestID string
}

// Add notes the items of one page, in page order.
func (t *Tracker) Add(items []voc.Item) {
	for i := range items {
		it := &items[i]
		if t.firstID == "" {
			t.firstID = it.ExternalID
		}
		if !it.CreatedAt.IsZero() && it.CreatedAt.After(t.newest) {
			t.newest, t.newestID = it.CreatedAt, it.ExternalID
		}
	}
}

// Next is the watermark after a run that saw what was added, starting
// from old: never older than old, so a run that saw only old reviews
// leaves it where it was.
func (t *Tracker) Next(old Watermark, now time.Time) Watermark {
	switch {
	case !t.newest.IsZero() && t.newest.After(old.NewestTime):
		return Watermark{NewestID: t.newestID, NewestTime: t.newest, Updated: now}
	case t.newest.IsZero() && old.NewestTime.IsZero() && t.firstID != "":
		return Watermark{NewestID: t.firstID, Updated: now}
	}
	if !old.IsZero() {
		old.Updated = now
	}
	return old
}
