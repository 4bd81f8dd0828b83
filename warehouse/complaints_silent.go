package warehouse

import (
	"context"
	"database/sql"
	"encoding/json"
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

const selectSilentItems = `
SELECT i.kind, i.created_at, coalesce(s.level, 0),
	coalesce((SELECT to_json(list(DISTINCT h.theme))::VARCHAR FROM theme_hits h
	          WHERE h.item_id = i.id AND h.polarity = 'complaint'), '[]')
FROM items i LEFT JOIN scores s ON s.item_id = i.id
WHERE i.created_at >= ? AND i.created_at < ?
  AND (i.kind = 'complaint' OR (i.kind IN ('review', 'survey') AND s.level IN (1, 2)))`

// SilentDissatisfaction compares, per theme and week of [from, to) (weeks
// cut in loc, nil for UTC), dissatisfied reviews and survey answers with
// complaint tickets; see SilentWeek. Rows are ordered by week, then theme
// "" first, then most dissatisfied. It reads scores and theme hits, so it
// means something once the pipeline ran.
func (db *DB) SilentDissatisfaction(ctx context.Context, from, to time.Time, loc *time.Location) ([]SilentWeek, error) {
	if loc == nil {
		loc = time.UTC
	}
	rows, err := db.sql.QueryContext(ctx, selectSilentItems, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("silent dissatisfaction: %w", err)
	}
	defer rows.Close()
	type key struct {
		week  time.Time
		theme string
	}
	groups := map[key]*SilentWeek{}
	add := func(k key) *SilentWeek {
		g := groups[k]
		if g == nil {
			g = &SilentWeek{Week: k.week, Theme: k.theme}
			groups[k] = g
		}
		return g
	}
	for rows.Next() {
		var kind, themes string
		var at time.Time
		var level int
		if err := rows.Scan(&kind, &at, &level, &themes); err != nil {
			return nil, fmt.Errorf("silent dissatisfaction: %w", err)
		}
		var hit []string
		if err := json.Unmarshal([]byte(themes), &hit); err != nil {
			return nil, fmt.Errorf("silent dissatisfaction: themes: %w", err)
		}
		week := WeekStart(at, loc)
		for _, th := range append([]string{""}, withAncestors(hit)...) {
			g := add(key{week, th})
			switch voc.Kind(kind) {
			case voc.KindComplaint:
				g.Complaints++
			case voc.KindReview:
				g.Dissatisfied++
				g.Reviews++
			case voc.KindSurvey:
				g.Dissatisfied++
				g.Surveys++
			}
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
