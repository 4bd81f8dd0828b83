package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/themes"
	"github.com/voc-analytics/voc/warehouse"
)

// Tagger finds complaint themes in a text. models/themes' Matcher is one.
// Tag is called from several goroutines at once.
type Tagger interface {
	Tag(text string) themes.Tagging
}

// TagOptions tunes a tagging pass. The zero value is sensible.
type TagOptions struct {
	BatchSize int
	Progress  func(done, total int)
}

// TagSummary says what a tagging pass did.
type TagSummary struct {
	Taxonomy    string         `json:"taxonomy"`
	Tagged      int            `json:"tagged"`
	WithThemes  int            `json:"with_themes"`
	Escalations int            `json:"escalations"`
	Complaints  map[string]int `json:"complaints"` // items with a complaint hit, per theme
	Duration    time.Duration  `json:"duration_ns"`
}

// Tag runs the theme matcher over every item that has no tags from this
// taxonomy version (fingerprint) for its current content, and stores its
// hits and escalation flag, batch by batch.
func Tag(ctx context.Context, db *warehouse.DB, m Tagger, fingerprint string, opt TagOptions) (TagSummary, error) {
	start := time.Now()
	if opt.BatchSize <= 0 {
		opt.BatchSize = 5000
	}
	sum := TagSummary{Taxonomy: fingerprint, Complaints: map[string]int{}}
	total, err := db.CountToTag(ctx, fingerprint)
	if err != nil {
		return sum, err
	}
	out := make([]warehouse.TaggedItem, 0, opt.BatchSize)
	sum.Tagged, err = batches(ctx, "tag", opt.BatchSize,
		func(after int64, n int) ([]warehouse.TagInput, error) {
			return db.ItemsToTag(ctx, fingerprint, after, n)
		},
		func(in warehouse.TagInput) int64 { return in.ID },
		func(batch []warehouse.TagInput) error {
			out = slices.Grow(out[:0], len(batch))[:len(batch)]
			parallel(len(batch), func(i int) {
				in := batch[i]
				tg := TagText(m, in.Text)
				tg.ItemID, tg.Taxonomy = in.ID, fingerprint
				out[i] = warehouse.TaggedItem{Tagging: tg, ContentHash: in.ContentHash}
			})
			for _, it := range out {
				tg := it.Tagging
				if len(tg.Hits) > 0 {
					sum.WithThemes++
				}
				if tg.Escalation {
					sum.Escalations++
				}
				seen := map[string]bool{}
				for _, h := range tg.Hits {
					if h.Polarity == voc.Complaint && !seen[h.Theme] {
						seen[h.Theme] = true
						sum.Complaints[h.Theme]++
					}
				}
			}
			return db.SaveTags(ctx, out)
		},
		progressOf(opt.Progress, total))
	if err != nil {
		return sum, err
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// TagText tags one text as the pipeline stores it.
func TagText(m Tagger, text string) voc.Tagging {
	r := m.Tag(text)
	tg := voc.Tagging{Escalation: r.Escalation, EscalationTerms: r.EscalationTerms}
	for _, h := range r.Themes {
		tg.Hits = append(tg.Hits, voc.ThemeHit{
			Theme: h.Theme, Polarity: voc.Polarity(h.Polarity), Clause: h.Clause,
			Start: h.Start, End: h.End, Sentiment: h.Sentiment,
		})
	}
	return tg
}

// TrendOptions are the recurring/emerging thresholds (see themes.Trend) and
// the zone whose ISO weeks the figures are counted in.
type TrendOptions struct {
	Location *time.Location
	Trend    themes.TrendOptions
}

// Trends recomputes the theme_weeks table: for every theme that was ever
// hit, each ISO week from its first hit to the latest week with any item,
// the week's complaint count, share and mean level, and whether the theme
// was recurring and emerging as of that week. Weeks without complaints are
// kept (as zeros): a trend line with gaps would lie.
func Trends(ctx context.Context, db *warehouse.DB, opt TrendOptions) ([]voc.ThemeWeek, error) {
	loc := opt.Location
	if loc == nil {
		loc = time.Local
	}
	counts, totals, err := db.ThemeWeekCounts(ctx, zoneName(loc))
	if err != nil {
		return nil, err
	}
	var last time.Time
	for w := range totals {
		if w.After(last) {
			last = w
		}
	}
	byTheme := map[string]map[time.Time]warehouse.ThemeWeekCount{}
	first := map[string]time.Time{}
	for _, c := range counts {
		if byTheme[c.Theme] == nil {
			byTheme[c.Theme] = map[time.Time]warehouse.ThemeWeekCount{}
			first[c.Theme] = c.Week
		}
		byTheme[c.Theme][c.Week] = c
		if c.Week.Before(first[c.Theme]) {
			first[c.Theme] = c.Week
		}
	}
	ids := make([]string, 0, len(byTheme))
	for id := range byTheme {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []voc.ThemeWeek
	for _, id := range ids {
		var hist []themes.Week
		for w := first[id]; !w.After(last); w = w.AddDate(0, 0, 7) {
			c := byTheme[id][w]
			hist = append(hist, themes.Week{Complaints: c.Complaints, Total: max(totals[w], c.Complaints)})
			tr, err := themes.Trend(hist, opt.Trend)
			if err != nil {
				return nil, fmt.Errorf("trend of %s, week of %s: %w", id, w.Format(time.DateOnly), err)
			}
			out = append(out, voc.ThemeWeek{
				Theme: id, Week: w, Complaints: c.Complaints, Praises: c.Praises, Items: totals[w],
				MeanLevel: c.MeanLevel, Recurring: tr.Recurring, Emerging: tr.Emerging,
				Expected: tr.Expected, PValue: tr.PValue,
			})
		}
	}
	if err := db.ReplaceThemeWeeks(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// zoneName is the IANA name DuckDB needs; time.Local is resolved to the
// machine's zone name, falling back to UTC when it has none.
func zoneName(loc *time.Location) string {
	if name := loc.String(); name != "Local" {
		return name
	}
	if tz := localZoneName(); tz != "" {
		return tz
	}
	return "UTC"
}
