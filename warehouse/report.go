package warehouse

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
)

// This file holds the read-only queries behind the HTML reports. Reports
// never write SQL of their own: they ask for typed figures here, so the
// definitions of "satisfied", "complaint item" or "NPS" live in one place
// and `voc query` users can read them next to the schema.
//
// Every query takes its time spans as Periods computed by the caller in the
// report's time zone (week boundaries are local Mondays, created_at is
// stored in UTC), so the database never has to know the zone and a week in
// Asia/Shanghai is the same week whatever the server's TimeZone setting.

// Period is a half-open span of time [Start, End), usually one ISO week in
// the report's time zone. Items count in a period by their created_at;
// items without a creation time count in none.
type Period struct {
	Start, End time.Time
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// periodArgs passes a list of periods as two JSON arrays of UTC instants,
// which the SQL below turns into a table (see periodsCTE). JSON keeps the
// number of SQL parameters fixed whatever the number of periods.
func periodArgs(ps []Period) (starts, ends string) {
	s := make([]string, len(ps))
	e := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Start.UTC().Format("2006-01-02 15:04:05.999999+00")
		e[i] = p.End.UTC().Format("2006-01-02 15:04:05.999999+00")
	}
	bs, _ := json.Marshal(s) // strings always marshal
	be, _ := json.Marshal(e)
	return string(bs), string(be)
}

// periodsCTE is a CTE "periods(p, ps, pe)": index, start and end of each
// period, from the two parameters periodArgs makes.
const periodsCTE = `periods AS (
	SELECT unnest(range(len(s))) AS p, unnest(s) AS ps, unnest(e) AS pe
	FROM (SELECT CAST(CAST(?::JSON AS VARCHAR[]) AS TIMESTAMPTZ[]) AS s,
	             CAST(CAST(?::JSON AS VARCHAR[]) AS TIMESTAMPTZ[]) AS e)
)`

// PeriodFigures are the headline figures of one period.
//
// Levels are scores.level (the customer's rating when given, else the text
// level); items without a score or level count in Items only.
type PeriodFigures struct {
	Period    Period
	Items     int
	Rated     int    // items with a level
	Levels    [6]int // Levels[l] is the count of level l (index 0 unused)
	LevelSum  int    // sum of levels, for the mean
	Satisfied int    // levels 4 and 5: the satisfaction index's numerator

	// NPS: survey items with a recommend answer; promoters answered 9-10,
	// detractors 0-6.
	NPSResponses, Promoters, Detractors int
	// Repurchase intent: items with an answer, those at 4-5 (likely or
	// certain), and the sum of answers for the mean.
	RepurchaseResponses, RepurchaseLikely, RepurchaseSum int

	Escalations           int // tags.escalation
	Disagreements         int // scores.disagreement
	HiddenDissatisfaction int // rating 4-5 while the text reads 1-2
	ComplaintThemeItems   int // items with at least one complaint theme hit
}

// SatisfactionIndex is the share of rated items at levels 4-5, in [0, 1];
// ok is false when nothing was rated.
func (f PeriodFigures) SatisfactionIndex() (v float64, ok bool) {
	if f.Rated == 0 {
		return 0, false
	}
	return float64(f.Satisfied) / float64(f.Rated), true
}

// MeanLevel is the mean level of the rated items; ok is false when none was.
func (f PeriodFigures) MeanLevel() (v float64, ok bool) {
	if f.Rated == 0 {
		return 0, false
	}
	return float64(f.LevelSum) / float64(f.Rated), true
}

// NPS is the net promoter score in [-100, 100]; ok is false without answers.
func (f PeriodFigures) NPS() (v float64, ok bool) {
	if f.NPSResponses == 0 {
		return 0, false
	}
	return 100 * float64(f.Promoters-f.Detractors) / float64(f.NPSResponses), true
}

// RepurchaseRate is the share of repurchase answers at 4-5; ok is false
// without answers.
func (f PeriodFigures) RepurchaseRate() (v float64, ok bool) {
	if f.RepurchaseResponses == 0 {
		return 0, false
	}
	return float64(f.RepurchaseLikely) / float64(f.RepurchaseResponses), true
}

const reportFiguresSQL = `WITH ` + periodsCTE + `,
complaint_hit AS (SELECT DISTINCT item_id FROM theme_hits WHERE polarity = 'complaint')
SELECT p.p,
	count(i.id),
	count(s.level),
	count(*) FILTER (WHERE s.level = 1),
	count(*) FILTER (WHERE s.level = 2),
	count(*) FILTER (WHERE s.level = 3),
	count(*) FILTER (WHERE s.level = 4),
	count(*) FILTER (WHERE s.level = 5),
	coalesce(sum(s.level), 0),
	count(*) FILTER (WHERE s.level >= 4),
	count(*) FILTER (WHERE i.kind = 'survey' AND i.recommend IS NOT NULL),
	count(*) FILTER (WHERE i.kind = 'survey' AND i.recommend >= 9),
	count(*) FILTER (WHERE i.kind = 'survey' AND i.recommend <= 6),
	count(i.repurchase),
	count(*) FILTER (WHERE i.repurchase >= 4),
	coalesce(sum(i.repurchase), 0),
	count(*) FILTER (WHERE t.escalation),
	count(*) FILTER (WHERE s.disagreement),
	count(*) FILTER (WHERE i.rating >= 4 AND s.text_level <= 2),
	count(ch.item_id)
FROM periods p
LEFT JOIN items i ON i.created_at >= p.ps AND i.created_at < p.pe
LEFT JOIN scores s ON s.item_id = i.id
LEFT JOIN tags t ON t.item_id = i.id
LEFT JOIN complaint_hit ch ON ch.item_id = i.id
GROUP BY p.p
ORDER BY p.p`

// ReportFigures computes the headline figures of each period, in the order
// given: pass the last twelve weeks for a trend, or this week and the one
// before for week-over-week change.
func (db *DB) ReportFigures(ctx context.Context, periods []Period) ([]PeriodFigures, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	s, e := periodArgs(periods)
	rows, err := db.sql.QueryContext(ctx, reportFiguresSQL, s, e)
	if err != nil {
		return nil, fmt.Errorf("report figures in %s: %w", db.path, err)
	}
	defer rows.Close()
	out := make([]PeriodFigures, len(periods))
	for i := range out {
		out[i].Period = periods[i]
	}
	for rows.Next() {
		var p int
		var f PeriodFigures
		err := rows.Scan(&p, &f.Items, &f.Rated, &f.Levels[1], &f.Levels[2], &f.Levels[3], &f.Levels[4], &f.Levels[5],
			&f.LevelSum, &f.Satisfied, &f.NPSResponses, &f.Promoters, &f.Detractors,
			&f.RepurchaseResponses, &f.RepurchaseLikely, &f.RepurchaseSum,
			&f.Escalations, &f.Disagreements, &f.HiddenDissatisfaction, &f.ComplaintThemeItems)
		if err != nil {
			return nil, fmt.Errorf("report figures in %s: %w", db.path, err)
		}
		if p < 0 || p >= len(out) {
			return nil, fmt.Errorf("report figures in %s: period %d out of range", db.path, p)
		}
		f.Period = periods[p]
		out[p] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report figures in %s: %w", db.path, err)
	}
	return out, nil
}

// Dimension is what a breakdown groups items by. Only these constants are
// accepted: each maps to a fixed SQL expression, never to caller text.
type Dimension string

// The dimensions reports break figures down by.
const (
	BySource  Dimension = "source"
	ByProduct Dimension = "product"
	ByChannel Dimension = "channel"
	ByKind    Dimension = "kind"
	ByLevel   Dimension = "level"
)

func (d Dimension) expr() (string, error) {
	switch d {
	case BySource:
		return "i.source", nil
	case ByProduct:
		return "coalesce(i.product, '')", nil
	case ByChannel:
		return "coalesce(i.channel, '')", nil
	case ByKind:
		return "i.kind", nil
	case ByLevel:
		return "coalesce(CAST(s.level AS VARCHAR), '')", nil
	}
	return "", fmt.Errorf("unknown breakdown dimension %q", string(d))
}

// BreakdownRow is one group of a breakdown in one period. Key is the
// group's value ("" for items that have none, e.g. no product).
type BreakdownRow struct {
	Period    int // index into the periods asked for
	Key       string
	Items     int
	Rated     int
	Satisfied int
	LevelSum  int
}

// SatisfactionIndex is the share of rated items at levels 4-5.
func (r BreakdownRow) SatisfactionIndex() (float64, bool) {
	if r.Rated == 0 {
		return 0, false
	}
	return float64(r.Satisfied) / float64(r.Rated), true
}

// MeanLevel is the mean level of the group's rated items.
func (r BreakdownRow) MeanLevel() (float64, bool) {
	if r.Rated == 0 {
		return 0, false
	}
	return float64(r.LevelSum) / float64(r.Rated), true
}

// ReportBreakdown counts items per value of dim in each period, ordered by
// period, then items (most first), then key. Groups with no items in a
// period are absent for that period.
func (db *DB) ReportBreakdown(ctx context.Context, periods []Period, dim Dimension) ([]BreakdownRow, error) {
	return db.breakdown(ctx, periods, dim, "")
}

// ReportBreakdowns is ReportBreakdown by source, product and channel at
// once: one pass over the periods' items instead of three, which matters
// on a week of a million items.
func (db *DB) ReportBreakdowns(ctx context.Context, periods []Period) (bySource, byProduct, byChannel []BreakdownRow, err error) {
	if len(periods) == 0 {
		return nil, nil, nil, nil
	}
	s, e := periodArgs(periods)
	rows, err := db.sql.QueryContext(ctx, `WITH `+periodsCTE+`,
base AS (
	SELECT p.p, i.source, coalesce(i.product, '') AS product, coalesce(i.channel, '') AS channel, s.level
	FROM periods p
	JOIN items i ON i.created_at >= p.ps AND i.created_at < p.pe
	LEFT JOIN scores s ON s.item_id = i.id
)
SELECT p, CASE WHEN GROUPING(source) = 0 THEN 0 WHEN GROUPING(product) = 0 THEN 1 ELSE 2 END AS d,
	coalesce(source, product, channel) AS k,
	count(*), count(level), count(*) FILTER (WHERE level >= 4), coalesce(sum(level), 0)
FROM base
GROUP BY GROUPING SETS ((p, source), (p, product), (p, channel))
ORDER BY d, p, count(*) DESC, k`, s, e)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("report breakdowns in %s: %w", db.path, err)
	}
	defer rows.Close()
	dst := [3]*[]BreakdownRow{&bySource, &byProduct, &byChannel}
	for rows.Next() {
		var r BreakdownRow
		var d int
		if err := rows.Scan(&r.Period, &d, &r.Key, &r.Items, &r.Rated, &r.Satisfied, &r.LevelSum); err != nil {
			return nil, nil, nil, fmt.Errorf("report breakdowns in %s: %w", db.path, err)
		}
		*dst[d] = append(*dst[d], r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("report breakdowns in %s: %w", db.path, err)
	}
	return bySource, byProduct, byChannel, nil
}

// ReportThemeBreakdown is ReportBreakdown over the items with a complaint
// hit on theme or one of its sub-themes ("quality" includes
// "quality.battery"), as theme_weeks counts them.
func (db *DB) ReportThemeBreakdown(ctx context.Context, theme string, periods []Period, dim Dimension) ([]BreakdownRow, error) {
	return db.breakdown(ctx, periods, dim, theme)
}

// themeItemsCTE selects the items with a complaint hit on the theme given
// as the parameter (twice), sub-themes included.
const themeItemsCTE = `theme_items AS (
	SELECT DISTINCT item_id FROM theme_hits
	WHERE polarity = 'complaint' AND (theme = ? OR starts_with(theme, ? || '.'))
)`

func (db *DB) breakdown(ctx context.Context, periods []Period, dim Dimension, theme string) ([]BreakdownRow, error) {
	expr, err := dim.expr()
	if err != nil {
		return nil, err
	}
	if len(periods) == 0 {
		return nil, nil
	}
	s, e := periodArgs(periods)
	args := []any{s, e}
	ctes, filter := periodsCTE, ""
	if theme != "" {
		ctes += ",\n" + themeItemsCTE
		filter = "JOIN theme_items ti ON ti.item_id = i.id"
		args = append(args, theme, theme)
	}
	// expr comes from the fixed set in Dimension.expr, never from input.
	q := `WITH ` + ctes + `
SELECT p.p, ` + expr + ` AS k, count(*), count(s.level), count(*) FILTER (WHERE s.level >= 4), coalesce(sum(s.level), 0)
FROM periods p
JOIN items i ON i.created_at >= p.ps AND i.created_at < p.pe
` + filter + `
LEFT JOIN scores s ON s.item_id = i.id
GROUP BY p.p, k
ORDER BY p.p, count(*) DESC, k`
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report breakdown by %s in %s: %w", dim, db.path, err)
	}
	defer rows.Close()
	var out []BreakdownRow
	for rows.Next() {
		var r BreakdownRow
		if err := rows.Scan(&r.Period, &r.Key, &r.Items, &r.Rated, &r.Satisfied, &r.LevelSum); err != nil {
			return nil, fmt.Errorf("report breakdown by %s in %s: %w", dim, db.path, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report breakdown by %s in %s: %w", dim, db.path, err)
	}
	return out, nil
}

// ReportThemeWeeks reads theme_weeks rows whose week (a local Monday, as a
// date) lies in [from, to], for one theme or, with theme "", for all, in
// week then theme order. The pipeline computes these figures in the
// configured time zone; reports show them as stored.
func (db *DB) ReportThemeWeeks(ctx context.Context, from, to time.Time, theme string) ([]voc.ThemeWeek, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT theme, CAST(week AS VARCHAR), complaints, praises, items, coalesce(mean_level, 0), recurring, emerging,
	coalesce(expected, 0), coalesce(p_value, 0)
FROM theme_weeks
WHERE week BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) AND (? = '' OR theme = ?)
ORDER BY week, theme`, from.Format(time.DateOnly), to.Format(time.DateOnly), theme, theme)
	if err != nil {
		return nil, fmt.Errorf("report theme weeks in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []voc.ThemeWeek
	for rows.Next() {
		var w voc.ThemeWeek
		var week string
		if err := rows.Scan(&w.Theme, &week, &w.Complaints, &w.Praises, &w.Items, &w.MeanLevel, &w.Recurring, &w.Emerging, &w.Expected, &w.PValue); err != nil {
			return nil, fmt.Errorf("report theme weeks in %s: %w", db.path, err)
		}
		d, err := time.ParseInLocation(time.DateOnly, week, from.Location())
		if err != nil {
			return nil, fmt.Errorf("report theme weeks in %s: week %q: %w", db.path, week, err)
		}
		w.Week = d
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report theme weeks in %s: %w", db.path, err)
	}
	return out, nil
}

// ReportItem is one item as a report lists it: what the customer said,
// where, and how voc read it.
type ReportItem struct {
	ID        int64
	Source    string
	Kind      voc.Kind
	Product   string
	Channel   string
	AuthorKey string
	CreatedAt time.Time // UTC; zero when unknown
	Rating    voc.Level // the customer's own; LevelNone if absent
	TextLevel voc.Level // what the text reads as; LevelNone if unscored
	Level     voc.Level // scores.level
	Text      string

	Escalation      bool
	EscalationTerms []string
	Disagreement    bool

	// For theme listings: the item's strongest complaint clause on the
	// theme, with its rune offsets in Text. Empty elsewhere.
	Theme       string
	Clause      string
	ClauseStart int
	ClauseEnd   int
	Sentiment   float64
}

// itemColumns are the columns scanItem reads, over items i, scores s and
// tags t.
const itemColumns = `i.id, i.source, i.kind, coalesce(i.product, ''), coalesce(i.channel, ''), coalesce(i.author_key, ''),
	i.created_at, coalesce(i.rating, 0), coalesce(s.text_level, 0), coalesce(s.level, 0), coalesce(i.text, ''),
	coalesce(t.escalation, false), coalesce(CAST(to_json(t.escalation_terms) AS VARCHAR), '[]'), coalesce(s.disagreement, false)`

type scanner interface{ Scan(dest ...any) error }

func scanItem(sc scanner, it *ReportItem, extra ...any) error {
	var (
		kind, terms              string
		created                  sql.NullTime
		rating, textLevel, level int
	)
	dest := []any{&it.ID, &it.Source, &kind, &it.Product, &it.Channel, &it.AuthorKey, &created,
		&rating, &textLevel, &level, &it.Text, &it.Escalation, &terms, &it.Disagreement}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	it.Kind = voc.Kind(kind)
	if created.Valid {
		it.CreatedAt = created.Time.UTC()
	}
	it.Rating, it.TextLevel, it.Level = voc.Level(rating), voc.Level(textLevel), voc.Level(level)
	if terms != "" && terms != "null" {
		if err := json.Unmarshal([]byte(terms), &it.EscalationTerms); err != nil {
			return fmt.Errorf("escalation terms of item %d: %w", it.ID, err)
		}
	}
	return nil
}

func (db *DB) listItems(ctx context.Context, what, q string, args ...any) ([]ReportItem, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	defer rows.Close()
	var out []ReportItem
	for rows.Next() {
		var it ReportItem
		if err := scanItem(rows, &it); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	return out, nil
}

// ReportEscalations lists up to limit items of the period that threaten
// escalation (tags.escalation), lowest level then newest first: these need
// someone's attention today.
func (db *DB) ReportEscalations(ctx context.Context, p Period, limit int) ([]ReportItem, error) {
	return db.listItems(ctx, "report escalations", `
SELECT `+itemColumns+`
FROM items i JOIN tags t ON t.item_id = i.id LEFT JOIN scores s ON s.item_id = i.id
WHERE t.escalation AND i.created_at >= ? AND i.created_at < ?
ORDER BY coalesce(s.level, 9), i.created_at DESC, i.id
LIMIT ?`, p.Start, p.End, limit)
}

// ReportDisagreements lists up to limit items of the period whose rating
// and text are two or more levels apart, the hidden dissatisfaction first
// (a high rating over angry words, which a star average never shows), then
// the largest gap, then newest.
func (db *DB) ReportDisagreements(ctx context.Context, p Period, limit int) ([]ReportItem, error) {
	return db.listItems(ctx, "report disagreements", `
SELECT `+itemColumns+`
FROM items i JOIN scores s ON s.item_id = i.id LEFT JOIN tags t ON t.item_id = i.id
WHERE s.disagreement AND i.created_at >= ? AND i.created_at < ?
ORDER BY (i.rating >= 4 AND s.text_level <= 2) DESC, abs(CAST(i.rating AS INTEGER) - CAST(s.text_level AS INTEGER)) DESC, i.created_at DESC, i.id
LIMIT ?`, p.Start, p.End, limit)
}

// RepeatComplainant is a customer (by author_key) who complained at least
// twice within the window, once at least in the report's period.
type RepeatComplainant struct {
	AuthorKey string
	// Items are the author's complaint items from window before the period
	// to its end, newest first.
	Items []ReportItem
}

// ReportRepeatComplainants finds up to limit authors with two or more
// complaint items no more than window apart, at least one of them in p;
// those with the most complaints first. Items without an author_key are
// never matched to each other.
//
// A complaint item is an item of kind complaint, or with a complaint theme
// hit, or whose level is 1 or 2: a dissatisfied survey answer complains as
// much as a filed complaint does, even before themes are tagged.
func (db *DB) ReportRepeatComplainants(ctx context.Context, p Period, window time.Duration, limit int) ([]RepeatComplainant, error) {
	from := p.Start.Add(-window)
	secs := int64(window / time.Second)
	// Two complaints at most window apart, one in p, exist exactly when
	// some complaint in p is that close to its neighbour in time: the
	// nearest other complaint is its predecessor or successor.
	rows, err := db.sql.QueryContext(ctx, `
WITH recent AS (
	SELECT i.id, i.author_key, i.created_at
	FROM items i LEFT JOIN scores s ON s.item_id = i.id
	WHERE i.author_key IS NOT NULL AND i.author_key <> '' AND i.created_at >= ? AND i.created_at < ?
	  AND (i.kind = 'complaint' OR s.level <= 2
	       OR i.id IN (SELECT item_id FROM theme_hits WHERE polarity = 'complaint'))
),
neighbours AS (
	SELECT author_key, created_at,
		lag(created_at) OVER w AS prev, lead(created_at) OVER w AS next
	FROM recent WINDOW w AS (PARTITION BY author_key ORDER BY created_at, id)
),
authors AS (
	SELECT DISTINCT author_key FROM neighbours
	WHERE created_at >= ? AND (epoch(created_at) - epoch(prev) <= ? OR epoch(next) - epoch(created_at) <= ?)
),
ranked AS (
	SELECT r.author_key, count(*) AS n, max(r.created_at) AS last
	FROM recent r JOIN authors USING (author_key) GROUP BY r.author_key
	ORDER BY n DESC, last DESC, r.author_key LIMIT ?
)
SELECT `+itemColumns+`
FROM ranked k JOIN recent r ON r.author_key = k.author_key
JOIN items i ON i.id = r.id LEFT JOIN scores s ON s.item_id = i.id LEFT JOIN tags t ON t.item_id = i.id
ORDER BY k.n DESC, k.last DESC, k.author_key, i.created_at DESC, i.id`, from, p.End, p.Start, secs, secs, limit)
	if err != nil {
		return nil, fmt.Errorf("report repeat complainants in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []RepeatComplainant
	for rows.Next() {
		var it ReportItem
		if err := scanItem(rows, &it); err != nil {
			return nil, fmt.Errorf("report repeat complainants in %s: %w", db.path, err)
		}
		if len(out) == 0 || out[len(out)-1].AuthorKey != it.AuthorKey {
			out = append(out, RepeatComplainant{AuthorKey: it.AuthorKey})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report repeat complainants in %s: %w", db.path, err)
	}
	return out, nil
}

// ItemFilter narrows a theme's item list. Zero fields do not filter.
type ItemFilter struct {
	Product string
	Source  string
	Channel string
	Level   voc.Level
	// Text keeps items whose text contains it, case-insensitively; it is a
	// plain substring, not a pattern.
	Text string
}

// ReportThemeItems lists the items of the period with a complaint hit on
// theme or a sub-theme, each with its most negative such clause, newest
// first; at most limit of them (limit <= 0: all), and how many match in
// all, so a page can say "showing 500 of 12,034".
func (db *DB) ReportThemeItems(ctx context.Context, theme string, p Period, f ItemFilter, limit int) (items []ReportItem, total int, err error) {
	return db.themeItems(ctx, theme, p, f, limit)
}

// ThemeSamples are a few items for each of several themes, with how many
// complaint items each theme has in the period in all.
type ThemeSamples struct {
	Items map[string][]ReportItem
	Total map[string]int
}

// ReportThemeSamples picks up to n complaint items of the period for each
// theme (sub-themes included), in one pass over the period's hits rather
// than one query per theme. strongest picks the items whose clause on the
// theme is most negative (representative verbatims, with Clause set for
// highlighting); otherwise the newest.
func (db *DB) ReportThemeSamples(ctx context.Context, themes []string, p Period, n int, strongest bool) (ThemeSamples, error) {
	out := ThemeSamples{Items: map[string][]ReportItem{}, Total: map[string]int{}}
	if len(themes) == 0 || n <= 0 {
		return out, nil
	}
	order := "created_at DESC, item_id DESC"
	if strongest {
		order = "sentiment NULLS LAST, created_at DESC, item_id DESC"
	}
	want, _ := json.Marshal(themes) // strings always marshal
	// order is one of the two fixed lists above, never caller text.
	rows, err := db.sql.QueryContext(ctx, `
WITH wanted AS (SELECT unnest(CAST(?::JSON AS VARCHAR[])) AS want),
hits AS (
	SELECT w.want, h.item_id, h.theme, h.clause, h.clause_start, h.clause_end, h.sentiment, i.created_at
	FROM theme_hits h JOIN items i ON i.id = h.item_id
	JOIN wanted w ON h.theme = w.want OR starts_with(h.theme, w.want || '.')
	WHERE h.polarity = 'complaint' AND i.created_at >= ? AND i.created_at < ?
	QUALIFY row_number() OVER (PARTITION BY w.want, h.item_id ORDER BY h.sentiment NULLS LAST, h.clause_start, h.theme) = 1
),
ranked AS (
	SELECT *, count(*) OVER (PARTITION BY want) AS total,
		row_number() OVER (PARTITION BY want ORDER BY `+order+`) AS rk
	FROM hits
)
SELECT `+itemColumns+`, h.want, h.theme, coalesce(h.clause, ''), coalesce(h.clause_start, 0), coalesce(h.clause_end, 0),
	coalesce(h.sentiment, 0), h.total
FROM ranked h JOIN items i ON i.id = h.item_id
LEFT JOIN scores s ON s.item_id = i.id LEFT JOIN tags t ON t.item_id = i.id
WHERE h.rk <= ?
ORDER BY h.want, h.rk`, string(want), p.Start, p.End, n)
	if err != nil {
		return out, fmt.Errorf("report theme samples in %s: %w", db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var it ReportItem
		var theme string
		var total int
		if err := scanItem(rows, &it, &theme, &it.Theme, &it.Clause, &it.ClauseStart, &it.ClauseEnd, &it.Sentiment, &total); err != nil {
			return out, fmt.Errorf("report theme samples in %s: %w", db.path, err)
		}
		out.Items[theme] = append(out.Items[theme], it)
		out.Total[theme] = total
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("report theme samples in %s: %w", db.path, err)
	}
	return out, nil
}

// themeItems backs ReportThemeItems.
func (db *DB) themeItems(ctx context.Context, theme string, p Period, f ItemFilter, limit int) (items []ReportItem, total int, err error) {
	if limit <= 0 {
		limit = math.MaxInt64
	}
	text := strings.ToLower(f.Text)
	// The period's items are found first: ranking every hit of all time
	// before filtering costs seconds on a large warehouse.
	rows, err := db.sql.QueryContext(ctx, `
WITH hits AS (
	SELECT h.item_id, h.theme, h.clause, h.clause_start, h.clause_end, h.sentiment
	FROM theme_hits h JOIN items i ON i.id = h.item_id
	WHERE h.polarity = 'complaint' AND (h.theme = ? OR starts_with(h.theme, ? || '.'))
	  AND i.created_at >= ? AND i.created_at < ?
	QUALIFY row_number() OVER (PARTITION BY h.item_id ORDER BY h.sentiment NULLS LAST, h.clause_start, h.theme) = 1
)
SELECT `+itemColumns+`, h.theme, coalesce(h.clause, ''), coalesce(h.clause_start, 0), coalesce(h.clause_end, 0),
	coalesce(h.sentiment, 0), count(*) OVER ()
FROM hits h JOIN items i ON i.id = h.item_id
LEFT JOIN scores s ON s.item_id = i.id LEFT JOIN tags t ON t.item_id = i.id
WHERE (? = '' OR coalesce(i.product, '') = ?)
  AND (? = '' OR i.source = ?)
  AND (? = '' OR coalesce(i.channel, '') = ?)
  AND (? = 0 OR s.level = ?)
  AND (? = '' OR contains(lower(coalesce(i.text, '')), ?))
ORDER BY i.created_at DESC, i.id DESC
LIMIT ?`, theme, theme, p.Start, p.End, f.Product, f.Product, f.Source, f.Source, f.Channel, f.Channel,
		int(f.Level), int(f.Level), text, text, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("report items of theme %q in %s: %w", theme, db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var it ReportItem
		if err := scanItem(rows, &it, &it.Theme, &it.Clause, &it.ClauseStart, &it.ClauseEnd, &it.Sentiment, &total); err != nil {
			return nil, 0, fmt.Errorf("report items of theme %q in %s: %w", theme, db.path, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("report items of theme %q in %s: %w", theme, db.path, err)
	}
	return items, total, nil
}

// Count is a label with a number of items, for ranked lists.
type Count struct {
	Key   string
	Items int
}

// ReportThemePhrases ranks the complaint clauses on theme (sub-themes
// included) in the period by how many items said them, compared in lower
// case with surrounding space trimmed; at most limit of them.
func (db *DB) ReportThemePhrases(ctx context.Context, theme string, p Period, limit int) ([]Count, error) {
	return db.counts(ctx, "report phrases of theme "+theme, `
SELECT lower(trim(h.clause)) AS k, count(DISTINCT h.item_id) AS n
FROM theme_hits h JOIN items i ON i.id = h.item_id
WHERE h.polarity = 'complaint' AND (h.theme = ? OR starts_with(h.theme, ? || '.'))
  AND i.created_at >= ? AND i.created_at < ? AND coalesce(trim(h.clause), '') <> ''
GROUP BY k ORDER BY n DESC, k LIMIT ?`, theme, theme, p.Start, p.End, limit)
}

// ReportCooccurring ranks the other complaint themes found in the items
// that complain about theme in the period. The theme's own sub-themes and
// ancestors are left out: they co-occur by construction.
func (db *DB) ReportCooccurring(ctx context.Context, theme string, p Period, limit int) ([]Count, error) {
	return db.counts(ctx, "report themes co-occurring with "+theme, `
WITH `+themeItemsCTE+`
SELECT h.theme AS k, count(DISTINCT h.item_id) AS n
FROM theme_items ti JOIN theme_hits h ON h.item_id = ti.item_id JOIN items i ON i.id = h.item_id
WHERE h.polarity = 'complaint' AND h.theme <> ? AND NOT starts_with(h.theme, ? || '.')
  AND NOT starts_with(?, h.theme || '.')
  AND i.created_at >= ? AND i.created_at < ?
GROUP BY k ORDER BY n DESC, k LIMIT ?`, theme, theme, theme, theme, theme, p.Start, p.End, limit)
}

// ReportComplaintThemes counts, per theme id as tagged, the items of the
// period with a complaint hit on it, most first. Unlike theme_weeks it does
// not roll sub-themes up into their parents.
func (db *DB) ReportComplaintThemes(ctx context.Context, p Period) ([]Count, error) {
	return db.counts(ctx, "report complaint themes", `
SELECT h.theme AS k, count(DISTINCT h.item_id) AS n
FROM theme_hits h JOIN items i ON i.id = h.item_id
WHERE h.polarity = 'complaint' AND i.created_at >= ? AND i.created_at < ?
GROUP BY k ORDER BY n DESC, k`, p.Start, p.End)
}

func (db *DB) counts(ctx context.Context, what, q string, args ...any) ([]Count, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.Items); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	return out, nil
}

// ReportSpan is the earliest and latest created_at of all items; ok is
// false when no item has one. Reports derive the weeks on offer from it in
// their own time zone.
func (db *DB) ReportSpan(ctx context.Context) (first, last time.Time, ok bool, err error) {
	var f, l sql.NullTime
	if err := db.sql.QueryRowContext(ctx, `SELECT min(created_at), max(created_at) FROM items`).Scan(&f, &l); err != nil {
		return first, last, false, fmt.Errorf("report span in %s: %w", db.path, err)
	}
	if !f.Valid || !l.Valid {
		return first, last, false, nil
	}
	return f.Time.UTC(), l.Time.UTC(), true, nil
}
