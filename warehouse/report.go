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

// periodOf is a CASE expression giving the index of the period of ps
// that column col falls in (NULL for none), with the span [lo, hi) that
// covers them all; the query must keep only rows in that span, a range
// DuckDB prunes row groups with. The periods must not overlap (see
// disjoint): the first match wins.
//
// A CASE over the periods' bounds costs a few milliseconds a million rows,
// where joining items to a table of periods by range cost a tenth of a
// second for twelve weeks. col is one of this file's column names, never
// caller text; the bounds are parameters.
func periodOf(col string, ps []Period) (expr string, args []any, lo, hi time.Time) {
	var b strings.Builder
	b.WriteString("CASE")
	lo, hi = ps[0].Start, ps[0].End
	for i, p := range ps {
		fmt.Fprintf(&b, " WHEN %[1]s >= ? AND %[1]s < ? THEN %[2]d", col, i)
		args = append(args, p.Start, p.End)
		if p.Start.Before(lo) {
			lo = p.Start
		}
		if p.End.After(hi) {
			hi = p.End
		}
	}
	b.WriteString(" END")
	return b.String(), args, lo, hi
}

// disjoint reports whether no two periods share an instant, so that each
// item counts in at most one: then one pass with periodOf computes all of
// them. Overlapping periods are computed one at a time.
func disjoint(ps []Period) bool {
	for i, p := range ps {
		for _, q := range ps[i+1:] {
			if p.Start.Before(q.End) && q.Start.Before(p.End) && p.Start.Before(p.End) && q.Start.Before(q.End) {
				return false
			}
		}
	}
	return true
}

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

// reportFiguresSQL counts the items of each period by every property a
// figure depends on, given a periodOf expression (%s) and its parameters,
// then the span's bounds; ReportFigures adds the counts up. Grouping by
// these few small columns costs a third less than twenty filtered counts
// over a million rows, and the rare escalations and the complaint hits
// are looked up by id rather than joined row by row. Periods without
// items have no row.
const reportFiguresSQL = `SELECT %s AS p,
	s.level,
	CASE WHEN i.kind = 'survey' THEN i.recommend END,
	i.repurchase,
	i.id IN (SELECT item_id FROM tags WHERE escalation),
	coalesce(s.disagreement, false),
	coalesce(i.rating >= 4 AND s.text_level <= 2, false),
	i.id IN (SELECT item_id FROM theme_hits WHERE polarity = 'complaint'),
	count(*)
FROM items i
LEFT JOIN scores s ON s.item_id = i.id
WHERE i.created_at >= ? AND i.created_at < ?
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
HAVING p IS NOT NULL`

// add counts n items with the given properties into f: level (scores.level),
// recommend (a survey's answer; other kinds' do not count), repurchase, and
// whether they escalate, disagree, hide dissatisfaction (rating 4-5, text
// 1-2) and have a complaint theme hit.
func (f *PeriodFigures) add(n int, level, recommend, repurchase sql.NullInt64, escalation, disagreement, hidden, complaint bool) {
	f.Items += n
	if level.Valid && level.Int64 >= 1 && level.Int64 <= 5 {
		l := int(level.Int64)
		f.Rated += n
		f.Levels[l] += n
		f.LevelSum += l * n
		if l >= 4 {
			f.Satisfied += n
		}
	}
	if recommend.Valid {
		f.NPSResponses += n
		switch {
		case recommend.Int64 >= 9:
			f.Promoters += n
		case recommend.Int64 <= 6:
			f.Detractors += n
		}
	}
	if repurchase.Valid {
		f.RepurchaseResponses += n
		f.RepurchaseSum += int(repurchase.Int64) * n
		if repurchase.Int64 >= 4 {
			f.RepurchaseLikely += n
		}
	}
	for _, c := range []struct {
		yes bool
		dst *int
	}{{escalation, &f.Escalations}, {disagreement, &f.Disagreements}, {hidden, &f.HiddenDissatisfaction}, {complaint, &f.ComplaintThemeItems}} {
		if c.yes {
			*c.dst += n
		}
	}
}

// ReportFigures computes the headline figures of each period, in the order
// given: pass the last twelve weeks for a trend, or this week and the one
// before for week-over-week change.
func (db *DB) ReportFigures(ctx context.Context, periods []Period) ([]PeriodFigures, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	out := make([]PeriodFigures, len(periods))
	if !disjoint(periods) {
		for i, p := range periods {
			f, err := db.ReportFigures(ctx, []Period{p})
			if err != nil {
				return nil, err
			}
			out[i] = f[0]
		}
		return out, nil
	}
	for i := range out {
		out[i].Period = periods[i]
	}
	expr, args, lo, hi := periodOf("i.created_at", periods)
	// expr is built by periodOf from fixed text and parameters.
	rows, err := db.sql.QueryContext(ctx, fmt.Sprintf(reportFiguresSQL, expr), append(args, lo, hi)...)
	if err != nil {
		return nil, fmt.Errorf("report figures in %s: %w", db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, n int
		var level, recommend, repurchase sql.NullInt64
		var escalation, disagreement, hidden, complaint bool
		if err := rows.Scan(&p, &level, &recommend, &repurchase, &escalation, &disagreement, &hidden, &complaint, &n); err != nil {
			return nil, fmt.Errorf("report figures in %s: %w", db.path, err)
		}
		if p < 0 || p >= len(out) {
			return nil, fmt.Errorf("report figures in %s: period %d out of range", db.path, p)
		}
		out[p].add(n, level, recommend, repurchase, escalation, disagreement, hidden, complaint)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report figures in %s: %w", db.path, err)
	}
	return out, nil
}

// ReportItemCounts counts the items of each period, in the order given:
// the Items of ReportFigures without the joins the other figures need.
func (db *DB) ReportItemCounts(ctx context.Context, periods []Period) ([]int, error) {
	out := make([]int, len(periods))
	if len(periods) == 0 {
		return out, nil
	}
	if !disjoint(periods) {
		for i, p := range periods {
			n, err := db.ReportItemCounts(ctx, []Period{p})
			if err != nil {
				return nil, err
			}
			out[i] = n[0]
		}
		return out, nil
	}
	expr, args, lo, hi := periodOf("created_at", periods)
	// expr is built by periodOf from fixed text and parameters.
	rows, err := db.sql.QueryContext(ctx, `SELECT `+expr+` AS p, count(*) FROM items
WHERE created_at >= ? AND created_at < ? GROUP BY p HAVING p IS NOT NULL`, append(args, lo, hi)...)
	if err != nil {
		return nil, fmt.Errorf("report item counts in %s: %w", db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("report item counts in %s: %w", db.path, err)
		}
		if p < 0 || p >= len(out) {
			return nil, fmt.Errorf("report item counts in %s: period %d out of range", db.path, p)
		}
		out[p] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report item counts in %s: %w", db.path, err)
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
		return productKeyExpr, nil
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
// group's value ("" for items that have none, e.g. no product); Name is
// how to show it. They differ for products only: Key is the product key
// items are grouped by, Name the product's commonest written form.
type BreakdownRow struct {
	Period    int // index into the periods asked for
	Key       string
	Name      string
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
	if !disjoint(periods) {
		for i, p := range periods {
			src, prod, ch, err := db.ReportBreakdowns(ctx, []Period{p})
			if err != nil {
				return nil, nil, nil, err
			}
			for _, r := range [][]BreakdownRow{src, prod, ch} {
				for j := range r {
					r[j].Period = i
				}
			}
			bySource, byProduct, byChannel = append(bySource, src...), append(byProduct, prod...), append(byChannel, ch...)
		}
		return bySource, byProduct, byChannel, nil
	}
	expr, args, lo, hi := periodOf("i.created_at", periods)
	// expr is built by periodOf from fixed text and parameters.
	rows, err := db.sql.QueryContext(ctx, `WITH base AS (
	SELECT `+expr+` AS p, i.source, `+productKeyExpr+` AS product, coalesce(i.channel, '') AS channel, s.level
	FROM items i LEFT JOIN scores s ON s.item_id = i.id
	WHERE i.created_at >= ? AND i.created_at < ?
)
SELECT p, CASE WHEN GROUPING(source) = 0 THEN 0 WHEN GROUPING(product) = 0 THEN 1 ELSE 2 END AS d,
	coalesce(source, product, channel) AS k,
	count(*), count(level), count(*) FILTER (WHERE level >= 4), coalesce(sum(level), 0)
FROM base
WHERE p IS NOT NULL
GROUP BY GROUPING SETS ((p, source), (p, product), (p, channel))
ORDER BY d, p, count(*) DESC, k`, append(args, lo, hi)...)
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
		r.Name = r.Key
		*dst[d] = append(*dst[d], r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("report breakdowns in %s: %w", db.path, err)
	}
	rows.Close()
	if err := db.nameProducts(ctx, byProduct); err != nil {
		return nil, nil, nil, fmt.Errorf("report breakdowns: %w", err)
	}
	return bySource, byProduct, byChannel, nil
}

// nameProducts sets the Name of product breakdown rows to the products'
// written forms (see productNames).
func (db *DB) nameProducts(ctx context.Context, rows []BreakdownRow) error {
	if len(rows) == 0 {
		return nil
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	names, err := db.productNames(ctx, db.sql, keys)
	if err != nil {
		return err
	}
	for i := range rows {
		if n, ok := names[rows[i].Key]; ok {
			rows[i].Name = n
		}
	}
	return nil
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
	if !disjoint(periods) {
		var out []BreakdownRow
		for i, p := range periods {
			rows, err := db.breakdown(ctx, []Period{p}, dim, theme)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				r.Period = i
				out = append(out, r)
			}
		}
		return out, nil
	}
	pexpr, args, lo, hi := periodOf("i.created_at", periods)
	ctes, filter := "", ""
	if theme != "" {
		ctes = "WITH " + themeItemsCTE
		filter = "JOIN theme_items ti ON ti.item_id = i.id"
		args = append([]any{theme, theme}, args...)
	}
	args = append(args, lo, hi)
	// expr comes from the fixed set in Dimension.expr, pexpr from periodOf,
	// never from input.
	q := ctes + `
SELECT ` + pexpr + ` AS p, ` + expr + ` AS k, count(*), count(s.level), count(*) FILTER (WHERE s.level >= 4), coalesce(sum(s.level), 0)
FROM items i
` + filter + `
LEFT JOIN scores s ON s.item_id = i.id
WHERE i.created_at >= ? AND i.created_at < ?
GROUP BY p, k
HAVING p IS NOT NULL
ORDER BY p, count(*) DESC, k`
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
		r.Name = r.Key
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report breakdown by %s in %s: %w", dim, db.path, err)
	}
	rows.Close()
	if dim == ByProduct {
		if err := db.nameProducts(ctx, out); err != nil {
			return nil, fmt.Errorf("report breakdown by %s: %w", dim, err)
		}
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
	ID         int64
	Source     string
	Kind       voc.Kind
	Product    string // as the item wrote it
	ProductKey string // the key it groups under, as BreakdownRow.Key and ItemFilter.Product have it
	Channel    string
	AuthorKey  string
	CreatedAt  time.Time // UTC; zero when unknown
	Rating     voc.Level // the customer's own; LevelNone if absent
	TextLevel  voc.Level // what the text reads as; LevelNone if unscored
	Level      voc.Level // scores.level
	Text       string

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
const itemColumns = `i.id, i.source, i.kind, coalesce(i.product, ''), ` + productKeyExpr + `, coalesce(i.channel, ''), coalesce(i.author_key, ''),
	i.created_at, coalesce(i.rating, 0), coalesce(s.text_level, 0), coalesce(s.level, 0), coalesce(i.text, ''),
	coalesce(t.escalation, false), coalesce(CAST(to_json(t.escalation_terms) AS VARCHAR), '[]'), coalesce(s.disagreement, false)`

type scanner interface{ Scan(dest ...any) error }

func scanItem(sc scanner, it *ReportItem, extra ...any) error {
	var (
		kind, terms              string
		created                  sql.NullTime
		rating, textLevel, level int
	)
	dest := []any{&it.ID, &it.Source, &kind, &it.Product, &it.ProductKey, &it.Channel, &it.AuthorKey, &created,
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

// reader is what report queries read through: the pool, or the
// transaction of a report that reads in steps (see snapshot).
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// snapshot runs f in one transaction, so that the steps of a list (rank
// ids, then read those items and their clauses) see the same data even
// while the pipeline writes. It only reads; the transaction is rolled back.
func (db *DB) snapshot(ctx context.Context, what string, f func(r reader) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	defer tx.Rollback() //nolint:errcheck // nothing was written
	return f(tx)
}

// idList passes item ids as one parameter, a JSON array the SQL casts to
// BIGINT[]: the number of parameters stays fixed however many items a
// list shows.
func idList(ids []int64) string {
	b, _ := json.Marshal(ids) // integers always marshal
	return string(b)
}

// itemsByIDSQL reads the report columns of the items whose ids are the
// parameter (see idList). Each table is narrowed to those ids before the
// joins: joined the other way round, DuckDB hashes all of scores and tags
// to look up a handful of items, which costs a quarter of a second on a
// million items where the semi-joins cost a few milliseconds.
const itemsByIDSQL = `WITH wanted AS (SELECT DISTINCT unnest(CAST(CAST(?::JSON AS VARCHAR[]) AS BIGINT[])) AS id)
SELECT ` + itemColumns + `
FROM (SELECT * FROM items WHERE id IN (SELECT id FROM wanted)) i
LEFT JOIN (SELECT * FROM scores WHERE item_id IN (SELECT id FROM wanted)) s ON s.item_id = i.id
LEFT JOIN (SELECT * FROM tags WHERE item_id IN (SELECT id FROM wanted)) t ON t.item_id = i.id`

// itemsByID reads the items with the given ids, in the order given; ids
// that name no item are left out.
func (db *DB) itemsByID(ctx context.Context, r reader, what string, ids []int64) ([]ReportItem, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := r.QueryContext(ctx, itemsByIDSQL, idList(ids))
	if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	defer rows.Close()
	byID := make(map[int64]ReportItem, len(ids))
	for rows.Next() {
		var it ReportItem
		if err := scanItem(rows, &it); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
		}
		byID[it.ID] = it
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	out := make([]ReportItem, 0, len(ids))
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// listItems runs q, which selects item ids in the order a list shows
// them, and reads those items. Ranking on the few columns the order needs
// and reading text and tags for the winners only keeps a million-item week
// from dragging every text through the sort.
func (db *DB) listItems(ctx context.Context, what, q string, args ...any) (items []ReportItem, err error) {
	err = db.snapshot(ctx, what, func(r reader) error {
		ids, err := db.ids(ctx, r, what, q, args...)
		if err != nil {
			return err
		}
		items, err = db.itemsByID(ctx, r, what, ids)
		return err
	})
	return items, err
}

// ids runs q, which selects one BIGINT column.
func (db *DB) ids(ctx context.Context, r reader, what, q string, args ...any) ([]int64, error) {
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
		}
		out = append(out, id)
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
SELECT i.id
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
SELECT i.id
FROM items i JOIN scores s ON s.item_id = i.id
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
	return db.repeatComplainants(ctx, p, window, limit, false)
}

// repeatComplainants backs ReportRepeatComplainants; general forces the
// form that orders every author's complaints, for tests to compare with.
func (db *DB) repeatComplainants(ctx context.Context, p Period, window time.Duration, limit int, general bool) ([]RepeatComplainant, error) {
	from := p.Start.Add(-window)
	secs := int64(window / time.Second)
	// Only authors with a complaint in p can qualify, so the complaints of
	// p are found first and earlier ones only for their authors; then one
	// aggregate per author decides, and ordering each author's complaints
	// (a window function over every complaint) is left for the rare
	// window shorter than the period.
	//
	// With a window at least as long as p, two complaints in p are always
	// close enough; an author's only complaint in p has no successor
	// before p ends, and its predecessor is the author's last complaint
	// before p, so the author qualifies exactly when that one is at most
	// window earlier: the same verdict as comparing every complaint in p
	// with its neighbours, which the general form below does.
	qualifies := `epoch(first_in) - epoch(last_before) <= $secs OR (n_in >= 2 AND $whole)`
	whole := p.End.Sub(p.Start) <= time.Duration(secs)*time.Second
	neighbours := ""
	if !whole || general {
		qualifies = `author_key IN (SELECT author_key FROM close)`
		neighbours = `,
close AS (
	SELECT author_key FROM (
		SELECT r.author_key, r.created_at, lag(r.created_at) OVER w AS prev, lead(r.created_at) OVER w AS next
		FROM recent r SEMI JOIN active a ON a.author_key = r.author_key
		WINDOW w AS (PARTITION BY r.author_key ORDER BY r.created_at, r.id))
	WHERE created_at >= $start AND (epoch(created_at) - epoch(prev) <= $secs OR epoch(next) - epoch(created_at) <= $secs)
)`
	}
	// qualifies and neighbours are fixed text chosen above, never input.
	q := `
WITH in_p AS MATERIALIZED (
	SELECT i.id, i.author_key, i.created_at
	FROM items i
	WHERE i.author_key IS NOT NULL AND i.author_key <> '' AND i.created_at >= $start AND i.created_at < $end
	  AND (` + complaintItem + `)
),
before AS (
	SELECT i.id, i.author_key, i.created_at
	FROM items i
	WHERE i.author_key IN (SELECT author_key FROM in_p) AND i.created_at >= $from AND i.created_at < $start
	  AND (` + complaintItem + `)
),
recent AS (SELECT * FROM in_p UNION ALL SELECT * FROM before),
active AS (
	SELECT author_key, count(*) AS n, max(created_at) AS last,
		count(*) FILTER (WHERE created_at >= $start) AS n_in,
		min(created_at) FILTER (WHERE created_at >= $start) AS first_in,
		max(created_at) FILTER (WHERE created_at < $start) AS last_before
	FROM recent GROUP BY author_key
	HAVING n_in >= 1 AND n >= 2
)` + neighbours + `,
ranked AS (
	SELECT author_key, n, last FROM active
	WHERE ` + qualifies + `
	ORDER BY n DESC, last DESC, author_key LIMIT $limit
)
SELECT r.id FROM ranked k JOIN recent r ON r.author_key = k.author_key
ORDER BY k.n DESC, k.last DESC, k.author_key, r.created_at DESC, r.id`
	items, err := db.listItems(ctx, "report repeat complainants", q,
		sql.Named("from", from), sql.Named("end", p.End), sql.Named("start", p.Start),
		sql.Named("secs", secs), sql.Named("whole", whole), sql.Named("limit", limit))
	if err != nil {
		return nil, err
	}
	var out []RepeatComplainant
	for _, it := range items {
		if len(out) == 0 || out[len(out)-1].AuthorKey != it.AuthorKey {
			out = append(out, RepeatComplainant{AuthorKey: it.AuthorKey})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, it)
	}
	return out, nil
}

// complaintItem is the condition for a complaint item over items i (see
// ReportRepeatComplainants). One semi-join on the ids of low scores and
// complaint hits costs a fifth less than joining every item to its score.
const complaintItem = `i.kind = 'complaint' OR i.id IN (
	SELECT item_id FROM scores WHERE level <= 2
	UNION ALL SELECT item_id FROM theme_hits WHERE polarity = 'complaint')`

// ItemFilter narrows a theme's item list. Zero fields do not filter.
type ItemFilter struct {
	// Product keeps the items of one product, named by its key
	// (BreakdownRow.Key) or by any of its written forms: either selects
	// every spelling, so a link made before products were keyed still works.
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
	err = db.snapshot(ctx, fmt.Sprintf("report items of theme %q", theme), func(r reader) error {
		items, total, err = db.themeItems(ctx, r, theme, p, f, limit)
		return err
	})
	return items, total, err
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
	out, err := db.ReportThemeSampleSets(ctx, p, SampleSet{Themes: themes, N: n, Strongest: strongest})
	if err != nil {
		return ThemeSamples{}, err
	}
	return out[0], nil
}

// SampleSet asks ReportThemeSampleSets for up to N items of each of Themes,
// the strongest or the newest (see ReportThemeSamples).
type SampleSet struct {
	Themes    []string
	N         int
	Strongest bool
}

// ReportThemeSampleSets is ReportThemeSamples for several sets at once, in
// one pass over the period's hits: a weekly report wants the newest items
// of its alerts and the strongest of its top themes.
func (db *DB) ReportThemeSampleSets(ctx context.Context, p Period, sets ...SampleSet) (out []ThemeSamples, err error) {
	err = db.snapshot(ctx, "report theme samples", func(r reader) error {
		out, err = db.themeSampleSets(ctx, r, p, sets)
		return err
	})
	return out, err
}

func (db *DB) themeSampleSets(ctx context.Context, r reader, p Period, sets []SampleSet) ([]ThemeSamples, error) {
	out := make([]ThemeSamples, len(sets))
	var all []string
	var picks []string
	var args []any
	for i, set := range sets {
		out[i] = ThemeSamples{Items: map[string][]ReportItem{}, Total: map[string]int{}}
		if len(set.Themes) == 0 || set.N <= 0 {
			picks = append(picks, "NULL")
			continue
		}
		all = append(all, set.Themes...)
		// Each item counts once per theme: its hits on the theme and its
		// sub-themes are folded first (which hit themes fall under which
		// wanted theme is settled on the few distinct themes, so the hits
		// join by equality). Its strongest sentiment there is
		// that of the clause shown (the most negative, NULLs last). The
		// top N per theme come from min_by over a sort key rather than
		// from ranking every item with a window function, which sorted
		// half a million rows for a busy week; clauses and texts are read
		// for the winners only.
		key := "{c: -epoch_us(created_at), d: -item_id}" // newest first
		if set.Strongest {
			key = "{a: sentiment IS NULL, b: coalesce(sentiment, 0), c: -epoch_us(created_at), d: -item_id}"
		}
		picks = append(picks, `CAST(to_json(min_by(item_id, `+key+`, ?) FILTER (WHERE list_contains(CAST(?::JSON AS VARCHAR[]), want))) AS VARCHAR)`)
		themes, _ := json.Marshal(set.Themes) // strings always marshal
		args = append(args, set.N, string(themes))
	}
	if len(all) == 0 {
		return out, nil
	}
	want, _ := json.Marshal(all) // strings always marshal
	// picks are built above from fixed text and parameters, never input.
	rows, err := r.QueryContext(ctx, `
WITH wanted AS (SELECT DISTINCT unnest(CAST(?::JSON AS VARCHAR[])) AS want),
matches AS (
	SELECT t.theme, w.want
	FROM (SELECT DISTINCT theme FROM theme_hits WHERE polarity = 'complaint') t
	JOIN wanted w ON t.theme = w.want OR starts_with(t.theme, w.want || '.')
),
items_of AS (
	SELECT m.want, h.item_id, min(h.sentiment) AS sentiment, any_value(i.created_at) AS created_at
	FROM theme_hits h JOIN items i ON i.id = h.item_id
	JOIN matches m ON m.theme = h.theme
	WHERE h.polarity = 'complaint' AND i.created_at >= ? AND i.created_at < ?
	GROUP BY m.want, h.item_id
)
SELECT want, count(*), `+strings.Join(picks, ", ")+`
FROM items_of GROUP BY want`, append([]any{string(want), p.Start, p.End}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("report theme samples in %s: %w", db.path, err)
	}
	defer rows.Close()
	var pairs []themeItem
	var setOf []int
	for rows.Next() {
		var theme string
		var total int
		lists := make([]sql.NullString, len(sets))
		dest := []any{&theme, &total}
		for i := range lists {
			dest = append(dest, &lists[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("report theme samples in %s: %w", db.path, err)
		}
		for i, list := range lists {
			if !list.Valid {
				continue
			}
			var ids []int64
			if err := json.Unmarshal([]byte(list.String), &ids); err != nil {
				return nil, fmt.Errorf("report theme samples in %s: items of %q: %w", db.path, theme, err)
			}
			out[i].Total[theme] = total
			for _, id := range ids {
				pairs = append(pairs, themeItem{theme, id})
				setOf = append(setOf, i)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report theme samples in %s: %w", db.path, err)
	}
	rows.Close()
	its, err := db.themeItemsByID(ctx, r, "report theme samples", pairs)
	if err != nil {
		return nil, err
	}
	for k, it := range its {
		items := out[setOf[k]].Items
		items[pairs[k].theme] = append(items[pairs[k].theme], it)
	}
	return out, nil
}

// themeItem is an item listed under a theme.
type themeItem struct {
	theme string
	id    int64
}

// themeItemsByID reads the items of pairs, in order, each with its
// strongest complaint clause on the pair's theme or a sub-theme (most
// negative first, NULLs last, then the earliest clause, then theme id).
// Every pair must name an item with such a hit.
func (db *DB) themeItemsByID(ctx context.Context, r reader, what string, pairs []themeItem) ([]ReportItem, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	themes := make([]string, len(pairs))
	ids := make([]int64, len(pairs))
	for i, p := range pairs {
		themes[i], ids[i] = p.theme, p.id
	}
	its, err := db.itemsByID(ctx, r, what, ids)
	if err != nil {
		return nil, err
	}
	if len(its) != len(pairs) {
		return nil, fmt.Errorf("%s in %s: %d of %d items found", what, db.path, len(its), len(pairs))
	}
	wantThemes, _ := json.Marshal(themes) // strings always marshal
	rows, err := r.QueryContext(ctx, `
WITH pairs AS (
	SELECT unnest(CAST(?::JSON AS VARCHAR[])) AS want,
		unnest(CAST(CAST(?::JSON AS VARCHAR[]) AS BIGINT[])) AS item_id,
		unnest(range(len(CAST(?::JSON AS VARCHAR[])))) AS k
),
hits AS (SELECT * FROM theme_hits WHERE polarity = 'complaint' AND item_id IN (SELECT item_id FROM pairs))
SELECT p.k, h.theme, coalesce(h.clause, ''), coalesce(h.clause_start, 0), coalesce(h.clause_end, 0), coalesce(h.sentiment, 0)
FROM pairs p JOIN hits h ON h.item_id = p.item_id AND (h.theme = p.want OR starts_with(h.theme, p.want || '.'))
QUALIFY row_number() OVER (PARTITION BY p.k ORDER BY h.sentiment NULLS LAST, h.clause_start, h.theme) = 1`,
		string(wantThemes), idList(ids), string(wantThemes))
	if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int
		var theme, clause string
		var start, end int
		var sentiment float64
		if err := rows.Scan(&k, &theme, &clause, &start, &end, &sentiment); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
		}
		if k < 0 || k >= len(its) {
			return nil, fmt.Errorf("%s in %s: pair %d out of range", what, db.path, k)
		}
		it := &its[k]
		it.Theme, it.Clause, it.ClauseStart, it.ClauseEnd, it.Sentiment = theme, clause, start, end, sentiment
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s in %s: %w", what, db.path, err)
	}
	return its, nil
}

// themeItems backs ReportThemeItems.
func (db *DB) themeItems(ctx context.Context, r reader, theme string, p Period, f ItemFilter, limit int) (items []ReportItem, total int, err error) {
	if limit <= 0 {
		limit = math.MaxInt64
	}
	text := strings.ToLower(f.Text)
	products, err := db.productFilterKeys(ctx, r, f.Product)
	if err != nil {
		return nil, 0, err
	}
	// The period's matching items are ranked on the few columns the order
	// and the filters need; clauses, texts and tags are read for the listed
	// ones only.
	rows, err := r.QueryContext(ctx, `
WITH `+themeItemsCTE+`
SELECT i.id, count(*) OVER ()
FROM items i
WHERE i.id IN (SELECT item_id FROM theme_items)
  AND i.created_at >= ? AND i.created_at < ?
  AND (? = '' OR list_contains(CAST(?::JSON AS VARCHAR[]), `+productKeyExpr+`))
  AND (? = '' OR i.source = ?)
  AND (? = '' OR coalesce(i.channel, '') = ?)
  AND (? = 0 OR i.id IN (SELECT item_id FROM scores WHERE level = ?))
  AND (? = '' OR contains(lower(coalesce(i.text, '')), ?))
ORDER BY i.created_at DESC, i.id DESC
LIMIT ?`, theme, theme, p.Start, p.End, f.Product, products, f.Source, f.Source, f.Channel, f.Channel,
		int(f.Level), int(f.Level), text, text, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("report items of theme %q in %s: %w", theme, db.path, err)
	}
	defer rows.Close()
	var pairs []themeItem
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, 0, fmt.Errorf("report items of theme %q in %s: %w", theme, db.path, err)
		}
		pairs = append(pairs, themeItem{theme, id})
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("report items of theme %q in %s: %w", theme, db.path, err)
	}
	rows.Close()
	items, err = db.themeItemsByID(ctx, r, fmt.Sprintf("report items of theme %q", theme), pairs)
	return items, total, err
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
