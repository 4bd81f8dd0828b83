package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/voc-analytics/voc"
)

// SilentWeek sets, for one theme and week, the customers who told a review
// or a survey they were dissatisfied against those who filed a complaint:
// most dissatisfied customers never complain, they stop buying.
//
// Dissatisfied counts review and survey items created that week with
// scores.level 1 or 2 and a complaint hit on the theme (or a sub-theme);
// Complaints counts complaint items opened that week with a complaint hit
// on the theme. Theme "" is every theme together: all dissatisfied reviews
// and survey answers, tagged or not, against all complaint items.
type SilentWeek struct {
	Week         time.Time `json:"week"` // Monday 00:00 in the zone asked for
	Theme        string    `json:"theme"`
	Dissatisfied int       `json:"dissatisfied"`
	Reviews      int       `json:"reviews"` // of Dissatisfied, reviews
	Surveys      int       `json:"surveys"` // of Dissatisfied, survey answers
	Complaints   int       `json:"complaints"`
	// PerComplaint is Dissatisfied / Complaints: "for every complaint about
	// delivery there were N dissatisfied customers who never complained".
	// 0 when there were no complaints; Dissatisfied then says it all.
	PerComplaint float64 `json:"per_complaint"`
}

// silentSlot is the time grain SilentDissatisfaction counts in before it
// cuts weeks in Go: every zone's offset is a whole number of quarter
// hours, so a week starts on a slot boundary in any zone.
const silentSlot = 15 * time.Minute

// selectSilentCounts counts dissatisfied reviews and survey answers and
// complaint items per kind and slot: overall (theme "") and per theme
// with a complaint hit, a sub-theme's hit also counting for its parents
// (quality.battery for quality), each item once per theme.
const selectSilentCounts = `
WITH base AS (
	SELECT i.id, i.kind, epoch_us(i.created_at) // $slot AS slot
	FROM items i LEFT JOIN scores s ON s.item_id = i.id
	WHERE i.created_at >= $from AND i.created_at < $to
	  AND (i.kind = 'complaint' OR (i.kind IN ('review', 'survey') AND s.level IN (1, 2)))
),
hit AS (
	SELECT DISTINCT h.item_id, h.theme FROM theme_hits h SEMI JOIN base b ON b.id = h.item_id
	WHERE h.polarity = 'complaint'
),
themed AS (
	SELECT DISTINCT item_id, unnest(list_transform(range(1, len(string_split(theme, '.')) + 1),
		k -> array_to_string(string_split(theme, '.')[1:k], '.'))) AS theme
	FROM hit
)
SELECT kind, slot, '' AS theme, count(*) AS n FROM base GROUP BY kind, slot
UNION ALL
SELECT b.kind, b.slot, t.theme, count(*) AS n FROM base b JOIN themed t ON t.item_id = b.id GROUP BY b.kind, b.slot, t.theme`

// SilentDissatisfaction compares, per theme and week of [from, to) (weeks
// cut in loc, nil for UTC), dissatisfied reviews and survey answers with
// complaint tickets; see SilentWeek. Rows are ordered by week, then theme
// "" first, then most dissatisfied. It reads scores and theme hits, so it
// means something once the pipeline ran.
//
// DuckDB counts per quarter-hour slot and Go only folds slots into weeks,
// so the cost does not grow with the rows a week holds: a million items
// are a few thousand rows here.
func (db *DB) SilentDissatisfaction(ctx context.Context, from, to time.Time, loc *time.Location) ([]SilentWeek, error) {
	if loc == nil {
		loc = time.UTC
	}
	rows, err := db.sql.QueryContext(ctx, selectSilentCounts,
		sql.Named("slot", silentSlot.Microseconds()), sql.Named("from", from.UTC()), sql.Named("to", to.UTC()))
	if err != nil {
		return nil, fmt.Errorf("silent dissatisfaction: %w", err)
	}
	defer rows.Close()
	type key struct {
		week  time.Time
		theme string
	}
	groups := map[key]*SilentWeek{}
	for rows.Next() {
		var kind, theme string
		var slot, n int64
		if err := rows.Scan(&kind, &slot, &theme, &n); err != nil {
			return nil, fmt.Errorf("silent dissatisfaction: %w", err)
		}
		k := key{WeekStart(time.UnixMicro(slot*silentSlot.Microseconds()), loc), theme}
		g := groups[k]
		if g == nil {
			g = &SilentWeek{Week: k.week, Theme: k.theme}
			groups[k] = g
		}
		switch voc.Kind(kind) {
		case voc.KindComplaint:
			g.Complaints += int(n)
		case voc.KindReview:
			g.Dissatisfied += int(n)
			g.Reviews += int(n)
		case voc.KindSurvey:
			g.Dissatisfied += int(n)
			g.Surveys += int(n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("silent dissatisfaction: %w", err)
	}
	out := make([]SilentWeek, 0, len(groups))
	for _, g := range groups {
		if g.Complaints > 0 {
			g.PerComplaint = float64(g.Dissatisfied) / float64(g.Complaints)
		}
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case !a.Week.Equal(b.Week):
			return a.Week.Before(b.Week)
		case (a.Theme == "") != (b.Theme == ""):
			return a.Theme == ""
		case a.Dissatisfied != b.Dissatisfied:
			return a.Dissatisfied > b.Dissatisfied
		}
		return a.Theme < b.Theme
	})
	return out, nil
}

// AtRiskOptions say who counts as at risk of being lost.
type AtRiskOptions struct {
	// Silence is how long a customer must have been quiet since a
	// dissatisfied last word (default 30 days).
	Silence time.Duration
	// Now is the clock silence is measured against; zero is time.Now().
	Now time.Time
	// Limit caps the list (longest silent first ... see AtRiskCustomers);
	// 0 lists all.
	Limit int
}

// AtRiskCustomer is a customer whose last word was dissatisfied and who
// has not been heard from since.
type AtRiskCustomer struct {
	Key string `json:"key"` // items.author_key: review author, respondent or complainant
	// The last item: when, what level, which kind and source, its text.
	LastAt     time.Time `json:"last_at"`
	LastLevel  voc.Level `json:"last_level"`
	LastKind   voc.Kind  `json:"last_kind"`
	LastSource string    `json:"last_source"`
	LastItemID int64     `json:"last_item_id"`
	LastText   string    `json:"last_text"`
	// Items and Complaints count everything the customer ever said.
	Items      int     `json:"items"`
	Complaints int     `json:"complaints"`
	SilentDays float64 `json:"silent_days"`
}

// selectAtRisk finds each author's latest item and its level: for a
// complaint the satisfaction after handling when the customer answered
// (a recovered complainant is not at risk), else the item's scores.level.
// Keys that name nobody (匿名, anonymous) are left out: they are many
// customers, not one.
const selectAtRisk = `
WITH said AS (
	SELECT i.author_key AS k, i.id, i.kind, i.source, i.created_at, coalesce(i.text, '') AS text,
		CASE WHEN i.kind = 'complaint' AND c.satisfaction IS NOT NULL THEN c.satisfaction ELSE s.level END AS level,
		count(*) OVER (PARTITION BY i.author_key) AS items,
		count(*) FILTER (WHERE i.kind = 'complaint') OVER (PARTITION BY i.author_key) AS complaints,
		row_number() OVER (PARTITION BY i.author_key ORDER BY i.created_at DESC, i.id DESC) AS rn
	FROM items i
	LEFT JOIN scores s ON s.item_id = i.id
	LEFT JOIN complaints c ON c.item_id = i.id
	WHERE i.author_key IS NOT NULL AND trim(i.author_key) <> '' AND i.created_at IS NOT NULL
	  AND lower(trim(i.author_key)) NOT IN ('匿名', '匿名用户', '匿名用戶', '匿名买家', '匿名買家', '匿名客户', '游客', '遊客', 'anonymous', 'guest', 'n/a', '-')
)
SELECT k, id, kind, source, created_at, text, level, items, complaints
FROM said
WHERE rn = 1 AND level IN (1, 2) AND created_at <= ?
ORDER BY created_at, k`

// AtRiskCustomers lists the customers whose latest item (of any kind and
// source, matched by author_key) was at level 1-2 and is at least
// opt.Silence old: longest silent first. They are the ones a win-back call
// is for.
func (db *DB) AtRiskCustomers(ctx context.Context, opt AtRiskOptions) ([]AtRiskCustomer, error) {
	if opt.Silence <= 0 {
		opt.Silence = 30 * 24 * time.Hour
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	rows, err := db.sql.QueryContext(ctx, selectAtRisk, opt.Now.Add(-opt.Silence).UTC())
	if err != nil {
		return nil, fmt.Errorf("at-risk customers: %w", err)
	}
	defer rows.Close()
	out := []AtRiskCustomer{}
	for rows.Next() {
		var c AtRiskCustomer
		var kind string
		var level sql.NullInt64
		if err := rows.Scan(&c.Key, &c.LastItemID, &kind, &c.LastSource, &c.LastAt, &c.LastText, &level, &c.Items, &c.Complaints); err != nil {
			return nil, fmt.Errorf("at-risk customers: %w", err)
		}
		c.LastAt = c.LastAt.UTC()
		c.LastKind, c.LastLevel = voc.Kind(kind), voc.Level(level.Int64)
		c.SilentDays = opt.Now.Sub(c.LastAt).Hours() / 24
		out = append(out, c)
		if opt.Limit > 0 && len(out) == opt.Limit {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("at-risk customers: %w", err)
	}
	return out, nil
}
