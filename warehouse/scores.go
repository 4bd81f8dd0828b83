package warehouse

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/voc-analytics/voc"
)

// ScoreInput is an item that needs (re)scoring: never scored, edited since,
// or scored by another model.
type ScoreInput struct {
	ID          int64
	Text        string
	Rating      voc.Level
	ContentHash string
}

// ItemsToScore returns up to limit items with id > afterID that lack a
// score from model for their current content, in id order. Callers page
// with the last id they got, so a long backlog is read in bounded batches.
func (db *DB) ItemsToScore(ctx context.Context, model string, afterID int64, limit int) ([]ScoreInput, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT i.id, coalesce(i.text, ''), coalesce(i.rating, 0), i.content_hash
FROM items i LEFT JOIN scores s ON s.item_id = i.id
WHERE i.id > ? AND (s.item_id IS NULL OR s.model <> ? OR s.content_hash <> i.content_hash)
ORDER BY i.id
LIMIT ?`, afterID, model, limit)
	if err != nil {
		return nil, fmt.Errorf("items to score in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []ScoreInput
	for rows.Next() {
		var (
			in     ScoreInput
			rating int
		)
		if err := rows.Scan(&in.ID, &in.Text, &rating, &in.ContentHash); err != nil {
			return nil, fmt.Errorf("items to score in %s: %w", db.path, err)
		}
		in.Rating = voc.Level(rating)
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("items to score in %s: %w", db.path, err)
	}
	return out, nil
}

// CountToScore is how many items ItemsToScore would return in all, for a
// progress display.
func (db *DB) CountToScore(ctx context.Context, model string) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `
SELECT count(*) FROM items i LEFT JOIN scores s ON s.item_id = i.id
WHERE s.item_id IS NULL OR s.model <> ? OR s.content_hash <> i.content_hash`, model).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items to score in %s: %w", db.path, err)
	}
	return n, nil
}

// ScoredItem is a score together with the item content it was computed
// from (ScoreInput.ContentHash).
type ScoredItem struct {
	Score       voc.Score
	ContentHash string
}

const createStageScores = `
CREATE OR REPLACE TEMP TABLE stage_scores (
	item_id      BIGINT,
	model        VARCHAR,
	content_hash VARCHAR,
	text_level   UTINYINT,
	score        DOUBLE,
	confidence   DOUBLE,
	level        UTINYINT,
	disagreement BOOLEAN,
	reasons      VARCHAR
)`

const stageScoresWidth = 9

// Rescored items are updated in place and new ones inserted: DuckDB refuses
// a delete and re-insert of one primary key inside a transaction.
const updateScores = `
UPDATE scores SET model = s.model, content_hash = s.content_hash, text_level = s.text_level,
	score = s.score, confidence = s.confidence, level = s.level, disagreement = s.disagreement,
	reasons = s.reasons::JSON, scored_at = ?
FROM stage_scores s WHERE scores.item_id = s.item_id`

const insertScores = `
INSERT INTO scores (item_id, model, content_hash, text_level, score, confidence, level, disagreement, reasons, scored_at)
SELECT s.item_id, s.model, s.content_hash, s.text_level, s.score, s.confidence, s.level, s.disagreement, s.reasons::JSON, ?
FROM stage_scores s WHERE NOT EXISTS (SELECT 1 FROM scores x WHERE x.item_id = s.item_id)`

// SaveScores stores a batch of scores in one transaction, replacing earlier
// scores of the same items. A score repeated in the batch keeps its last copy.
func (db *DB) SaveScores(ctx context.Context, scores []ScoredItem) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.SaveScores(ctx, scores) })
}

// SaveScores is DB.SaveScores inside a transaction.
func (t *Tx) SaveScores(ctx context.Context, scores []ScoredItem) error {
	if err := t.check("save scores"); err != nil {
		return err
	}
	if len(scores) == 0 {
		return nil
	}
	last := make(map[int64]int, len(scores))
	for i, s := range scores {
		last[s.Score.ItemID] = i
	}
	batch := make([]*ScoredItem, 0, len(last))
	for i := range scores {
		if last[scores[i].Score.ItemID] == i {
			batch = append(batch, &scores[i])
		}
	}
	reasons := make([]string, len(batch))
	for i, s := range batch {
		if len(s.Score.Reasons) > 0 {
			b, err := json.Marshal(s.Score.Reasons)
			if err != nil {
				return fmt.Errorf("save scores: item %d: reasons: %w", s.Score.ItemID, err)
			}
			reasons[i] = string(b)
		}
	}
	if _, err := t.tx.ExecContext(ctx, createStageScores); err != nil {
		return fmt.Errorf("save scores: create staging table: %w", err)
	}
	err := t.appendRows(ctx, "stage_scores", stageScoresWidth, len(batch), func(i int, v []driver.Value) {
		s := &batch[i].Score
		v[0] = s.ItemID
		v[1] = s.Model
		v[2] = batch[i].ContentHash
		v[3] = nullLevel(s.TextLevel)
		if s.TextLevel.Valid() {
			v[4] = s.Value
			v[5] = s.Confidence
		}
		v[6] = nullLevel(s.Level())
		v[7] = s.Disagrees()
		if reasons[i] != "" {
			v[8] = reasons[i]
		}
	})
	if err != nil {
		return fmt.Errorf("save scores: stage: %w", err)
	}
	now := time.Now().UTC()
	if _, err := t.exec(ctx, updateScores, now); err != nil {
		return fmt.Errorf("save scores: update: %w", err)
	}
	if _, err := t.exec(ctx, insertScores, now); err != nil {
		return fmt.Errorf("save scores: insert: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DROP TABLE stage_scores`); err != nil {
		return fmt.Errorf("save scores: drop staging table: %w", err)
	}
	return nil
}

// ScoreCount summarises what the scores table holds per model.
func (db *DB) ScoreCount(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT model, count(*) FROM scores GROUP BY model`)
	if err != nil {
		return nil, fmt.Errorf("count scores in %s: %w", db.path, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			m string
			n int
		)
		if err := rows.Scan(&m, &n); err != nil {
			return nil, fmt.Errorf("count scores in %s: %w", db.path, err)
		}
		out[m] = n
	}
	return out, rows.Err()
}
