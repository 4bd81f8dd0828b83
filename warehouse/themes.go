package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/voc-analytics/voc"
)

// TagInput is an item whose themes need (re)tagging.
type TagInput struct {
	ID          int64
	Text        string
	ContentHash string
}

// ItemsToTag returns up to limit items with id > afterID that have no tags
// from taxonomy version for their current content, in id order.
func (db *DB) ItemsToTag(ctx context.Context, taxonomy string, afterID int64, limit int) ([]TagInput, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT i.id, coalesce(i.text, ''), i.content_hash
FROM items i LEFT JOIN tags t ON t.item_id = i.id
WHERE i.id > ? AND (t.item_id IS NULL OR t.taxonomy <> ? OR t.content_hash <> i.content_hash)
ORDER BY i.id
LIMIT ?`, afterID, taxonomy, limit)
	if err != nil {
		return nil, fmt.Errorf("items to tag in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []TagInput
	for rows.Next() {
		var in TagInput
		if err := rows.Scan(&in.ID, &in.Text, &in.ContentHash); err != nil {
			return nil, fmt.Errorf("items to tag in %s: %w", db.path, err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("items to tag in %s: %w", db.path, err)
	}
	return out, nil
}

// CountToTag is how many items ItemsToTag would return in all.
func (db *DB) CountToTag(ctx context.Context, taxonomy string) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `
SELECT count(*) FROM items i LEFT JOIN tags t ON t.item_id = i.id
WHERE t.item_id IS NULL OR t.taxonomy <> ? OR t.content_hash <> i.content_hash`, taxonomy).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items to tag in %s: %w", db.path, err)
	}
	return n, nil
}

// TaggedItem is a tagging with the item content it was computed from.
type TaggedItem struct {
	Tagging     voc.Tagging
	ContentHash string
}

const createStageTags = `
CREATE OR REPLACE TEMP TABLE stage_tags (
	item_id          BIGINT,
	taxonomy         VARCHAR,
	content_hash     VARCHAR,
	escalation       BOOLEAN,
	escalation_terms VARCHAR
)`

const createStageHits = `
CREATE OR REPLACE TEMP TABLE stage_hits (
	item_id      BIGINT,
	theme        VARCHAR,
	polarity     VARCHAR,
	clause       VARCHAR,
	clause_start INTEGER,
	clause_end   INTEGER,
	sentiment    DOUBLE
)`

// Terms travel through staging as a JSON array and become a LIST on merge:
// the appender's LIST support is not worth the type plumbing here.
const updateTags = `
UPDATE tags SET taxonomy = s.taxonomy, content_hash = s.content_hash, escalation = s.escalation,
	escalation_terms = CAST(s.escalation_terms::JSON AS VARCHAR[]), tagged_at = ?
FROM stage_tags s WHERE tags.item_id = s.item_id`

const insertTags = `
INSERT INTO tags (item_id, taxonomy, content_hash, escalation, escalation_terms, tagged_at)
SELECT s.item_id, s.taxonomy, s.content_hash, s.escalation, CAST(s.escalation_terms::JSON AS VARCHAR[]), ?
FROM stage_tags s WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.item_id = s.item_id)`

// SaveTags stores a batch of taggings in one transaction, replacing the
// earlier tags and hits of the same items.
func (db *DB) SaveTags(ctx context.Context, tags []TaggedItem) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.SaveTags(ctx, tags) })
}

// SaveTags is DB.SaveTags inside a transaction.
func (t *Tx) SaveTags(ctx context.Context, tags []TaggedItem) error {
	if err := t.check("save tags"); err != nil {
		return err
	}
	if len(tags) == 0 {
		return nil
	}
	last := make(map[int64]int, len(tags))
	for i, tg := range tags {
		last[tg.Tagging.ItemID] = i
	}
	batch := make([]*TaggedItem, 0, len(last))
	hits := 0
	for i := range tags {
		if last[tags[i].Tagging.ItemID] == i {
			batch = append(batch, &tags[i])
			hits += len(tags[i].Tagging.Hits)
		}
	}
	for _, q := range []string{createStageTags, createStageHits} {
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("save tags: create staging table: %w", err)
		}
	}
	err := t.appendRows(ctx, "stage_tags", 5, len(batch), func(i int, v []driver.Value) {
		tg := &batch[i].Tagging
		v[0], v[1], v[2], v[3] = tg.ItemID, tg.Taxonomy, batch[i].ContentHash, tg.Escalation
		v[4] = jsonStrings(tg.EscalationTerms)
	})
	if err != nil {
		return fmt.Errorf("save tags: stage: %w", err)
	}
	type hitRef struct {
		item int64
		hit  *voc.ThemeHit
	}
	flat := make([]hitRef, 0, hits)
	for _, tg := range batch {
		for j := range tg.Tagging.Hits {
			flat = append(flat, hitRef{tg.Tagging.ItemID, &tg.Tagging.Hits[j]})
		}
	}
	err = t.appendRows(ctx, "stage_hits", 7, len(flat), func(i int, v []driver.Value) {
		h := flat[i].hit
		v[0], v[1], v[2], v[3] = flat[i].item, h.Theme, string(h.Polarity), h.Clause
		v[4], v[5], v[6] = int32(h.Start), int32(h.End), h.Sentiment
	})
	if err != nil {
		return fmt.Errorf("save tags: stage hits: %w", err)
	}
	now := time.Now().UTC()
	steps := []struct {
		what  string
		query string
		args  []any
	}{
		{"update tags", updateTags, []any{now}},
		{"insert tags", insertTags, []any{now}},
		{"drop old hits", `DELETE FROM theme_hits WHERE item_id IN (SELECT item_id FROM stage_tags)`, nil},
		{"insert hits", `INSERT INTO theme_hits SELECT * FROM stage_hits`, nil},
		{"drop staging", `DROP TABLE stage_tags; DROP TABLE stage_hits`, nil},
	}
	for _, s := range steps {
		if _, err := t.exec(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("save tags: %s: %w", s.what, err)
		}
	}
	return nil
}

// jsonStrings encodes a string list as a JSON array ("[]" for none).
func jsonStrings(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ss) // strings always marshal
	return string(b)
}

// ReplaceThemeWeeks swaps the whole theme_weeks table for weeks, in one
// transaction, so readers see the old figures or the new, never a mix.
func (db *DB) ReplaceThemeWeeks(ctx context.Context, weeks []voc.ThemeWeek) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM theme_weeks`); err != nil {
			return fmt.Errorf("replace theme weeks: %w", err)
		}
		now := time.Now().UTC()
		err := tx.appendRows(ctx, "theme_weeks", 11, len(weeks), func(i int, v []driver.Value) {
			w := &weeks[i]
			v[0], v[1], v[2], v[3], v[4] = w.Theme, time.Date(w.Week.Year(), w.Week.Month(), w.Week.Day(), 0, 0, 0, 0, time.UTC), int32(w.Complaints), int32(w.Praises), int32(w.Items)
			if w.Complaints > 0 {
				v[5] = w.MeanLevel
			}
			v[6], v[7] = w.Recurring, w.Emerging
			if w.Emerging || w.Expected > 0 {
				v[8], v[9] = w.Expected, w.PValue
			}
			v[10] = now
		})
		if err != nil {
			return fmt.Errorf("replace theme weeks: %w", err)
		}
		return nil
	})
}

// ThemeWeekCount is one theme's raw figures for one week, before the
// recurring/emerging verdicts.
type ThemeWeekCount struct {
	Theme      string
	Week       time.Time // the Monday, as a date (UTC midnight of that day)
	Complaints int
	Praises    int
	MeanLevel  float64 // mean scores.level of the complaining items; 0 if none
}

// weekExpr is an item's ISO week start (Monday) in the zone given as the
// query's first parameter. Items without a creation time count in the week
// they were collected.
const weekExpr = `CAST(date_trunc('week', timezone(?, coalesce(i.created_at, i.collected_at))) AS DATE)`

// ThemeWeekCounts counts, per theme and ISO week in zone tz (an IANA name),
// the items with a complaint and with a praise hit on the theme, and the
// mean level of the complaining items; and, per week, all items. Items with
// neither a creation nor a collection time are left out of both.
func (db *DB) ThemeWeekCounts(ctx context.Context, tz string) ([]ThemeWeekCount, map[time.Time]int, error) {
	rows, err := db.sql.QueryContext(ctx, `
WITH hits AS (
	SELECT DISTINCT h.theme, h.polarity, h.item_id, `+weekExpr+` AS week
	FROM theme_hits h JOIN items i ON i.id = h.item_id
	WHERE coalesce(i.created_at, i.collected_at) IS NOT NULL
)
SELECT h.theme, h.week,
	count(*) FILTER (WHERE h.polarity = 'complaint'),
	count(*) FILTER (WHERE h.polarity = 'praise'),
	coalesce(avg(s.level) FILTER (WHERE h.polarity = 'complaint'), 0)
FROM hits h LEFT JOIN scores s ON s.item_id = h.item_id
GROUP BY h.theme, h.week
ORDER BY h.theme, h.week`, tz)
	if err != nil {
		return nil, nil, fmt.Errorf("theme week counts in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []ThemeWeekCount
	for rows.Next() {
		var c ThemeWeekCount
		if err := rows.Scan(&c.Theme, &c.Week, &c.Complaints, &c.Praises, &c.MeanLevel); err != nil {
			return nil, nil, fmt.Errorf("theme week counts in %s: %w", db.path, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("theme week counts in %s: %w", db.path, err)
	}
	totals := map[time.Time]int{}
	trows, err := db.sql.QueryContext(ctx, `
SELECT `+weekExpr+` AS week, count(*) FROM items i
WHERE coalesce(i.created_at, i.collected_at) IS NOT NULL GROUP BY week`, tz)
	if err != nil {
		return nil, nil, fmt.Errorf("week totals in %s: %w", db.path, err)
	}
	defer trows.Close()
	for trows.Next() {
		var (
			w time.Time
			n int
		)
		if err := trows.Scan(&w, &n); err != nil {
			return nil, nil, fmt.Errorf("week totals in %s: %w", db.path, err)
		}
		totals[w] = n
	}
	if err := trows.Err(); err != nil {
		return nil, nil, fmt.Errorf("week totals in %s: %w", db.path, err)
	}
	return out, totals, nil
}

// ThemeWeeks reads the theme_weeks table, by theme then week.
func (db *DB) ThemeWeeks(ctx context.Context) ([]voc.ThemeWeek, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT theme, week, complaints, praises, items, coalesce(mean_level, 0), recurring, emerging,
	coalesce(expected, 0), coalesce(p_value, 1)
FROM theme_weeks ORDER BY theme, week`)
	if err != nil {
		return nil, fmt.Errorf("theme weeks in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []voc.ThemeWeek
	for rows.Next() {
		var w voc.ThemeWeek
		if err := rows.Scan(&w.Theme, &w.Week, &w.Complaints, &w.Praises, &w.Items, &w.MeanLevel,
			&w.Recurring, &w.Emerging, &w.Expected, &w.PValue); err != nil {
			return nil, fmt.Errorf("theme weeks in %s: %w", db.path, err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// ThemeItem is an item that hit a theme, with the clause that hit it.
type ThemeItem struct {
	ID        int64
	Source    string
	Product   string
	CreatedAt time.Time
	Level     voc.Level // scores.level, LevelNone if not scored
	Polarity  voc.Polarity
	Clause    string
	Text      string
}

// ThemeQuery selects a theme's items. Zero fields select everything.
type ThemeQuery struct {
	Theme    string
	Polarity voc.Polarity // "" for both
	From, To time.Time    // created (or collected) in [From, To)
	// Product keeps one product's items, named by its key or any written
	// form (as ItemFilter.Product); Source keeps one source's.
	Product, Source string
	Limit           int // 0: 100
}

// ThemeItems lists the items that hit q.Theme, newest first, one row per
// item (its first matching clause).
func (db *DB) ThemeItems(ctx context.Context, q ThemeQuery) ([]ThemeItem, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var from, to any
	if !q.From.IsZero() {
		from = q.From.UTC()
	}
	if !q.To.IsZero() {
		to = q.To.UTC()
	}
	products, err := db.productFilterKeys(ctx, db.sql, q.Product)
	if err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `
SELECT i.id, i.source, coalesce(i.product, ''), coalesce(i.created_at, i.collected_at) AS created,
	coalesce(s.level, 0), first(h.polarity ORDER BY h.clause_start), first(h.clause ORDER BY h.clause_start), coalesce(i.text, '')
FROM theme_hits h JOIN items i ON i.id = h.item_id LEFT JOIN scores s ON s.item_id = i.id
WHERE h.theme = ? AND (? = '' OR h.polarity = ?)
  AND (?::TIMESTAMPTZ IS NULL OR coalesce(i.created_at, i.collected_at) >= ?::TIMESTAMPTZ)
  AND (?::TIMESTAMPTZ IS NULL OR coalesce(i.created_at, i.collected_at) < ?::TIMESTAMPTZ)
  AND (? = '' OR list_contains(CAST(?::JSON AS VARCHAR[]), `+productKeyExpr+`))
  AND (? = '' OR i.source = ?)
GROUP BY ALL
ORDER BY created DESC NULLS LAST, i.id DESC
LIMIT ?`, q.Theme, string(q.Polarity), string(q.Polarity), from, from, to, to, q.Product, products, q.Source, q.Source, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("items of theme %s in %s: %w", q.Theme, db.path, err)
	}
	defer rows.Close()
	var out []ThemeItem
	for rows.Next() {
		var (
			it       ThemeItem
			at       sql.NullTime
			level    int
			polarity string
		)
		if err := rows.Scan(&it.ID, &it.Source, &it.Product, &at, &level, &polarity, &it.Clause, &it.Text); err != nil {
			return nil, fmt.Errorf("items of theme %s in %s: %w", q.Theme, db.path, err)
		}
		it.CreatedAt, it.Level, it.Polarity = at.Time, voc.Level(level), voc.Polarity(polarity)
		out = append(out, it)
	}
	return out, rows.Err()
}

// ItemText is an item's id, text and level (scores.level; LevelNone when
// not scored yet), for mining.
type ItemText struct {
	ID    int64
	Text  string
	Level voc.Level
}

// ItemTexts returns the texts of items created (or collected) since the
// given time, newest first, at most limit of them; empty texts are skipped.
func (db *DB) ItemTexts(ctx context.Context, since time.Time, limit int) ([]ItemText, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT i.id, i.text, coalesce(s.level, i.rating, 0) FROM items i LEFT JOIN scores s ON s.item_id = i.id
WHERE coalesce(i.text, '') <> '' AND coalesce(i.created_at, i.collected_at) >= ?
ORDER BY coalesce(i.created_at, i.collected_at) DESC, i.id DESC LIMIT ?`, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("item texts in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []ItemText
	for rows.Next() {
		var (
			it    ItemText
			level int
		)
		if err := rows.Scan(&it.ID, &it.Text, &level); err != nil {
			return nil, fmt.Errorf("item texts in %s: %w", db.path, err)
		}
		it.Level = voc.Level(level)
		out = append(out, it)
	}
	return out, rows.Err()
}
