package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/sentiment"
	"github.com/voc-analytics/voc/warehouse"
)

func openDB(t *testing.T) *warehouse.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "voc.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func defaultModel(t testing.TB) *sentiment.Model {
	t.Helper()
	m, err := sentiment.Default()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// renamed wraps a scorer under another version, as a retrained model is.
type renamed struct {
	Scorer
	version string
}

func (r renamed) Version() string { return r.version }

func TestScoreStoresLevelsAndFindsHiddenDissatisfaction(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	items := []voc.Item{
		{Source: "s", Kind: voc.KindReview, ExternalID: "angry5", Rating: voc.VerySatisfied, Text: "质量太差了，用了两天就坏了，客服也不理人", CreatedAt: at},
		{Source: "s", Kind: voc.KindReview, ExternalID: "happy5", Rating: voc.VerySatisfied, Text: "非常好用，物流也快，下次还来", CreatedAt: at},
		{Source: "s", Kind: voc.KindSurvey, ExternalID: "silent", Rating: voc.SomewhatDissatisfied, Text: "", CreatedAt: at},
		{Source: "s", Kind: voc.KindReview, ExternalID: "unrated", Text: "Terrible. It broke after one day and support never answered.", CreatedAt: at},
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	m := defaultModel(t)
	var calls int
	sum, err := Score(ctx, db, m, ScoreOptions{BatchSize: 3, Progress: func(done, total int) {
		calls++
		if total != 4 {
			t.Errorf("progress total = %d, want 4", total)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Scored != 4 || sum.NoText != 1 || sum.Disagreements != 1 || calls != 2 {
		t.Errorf("summary %+v after %d progress calls; want 4 scored, 1 without text, 1 disagreement, 2 batches", sum, calls)
	}
	res, err := db.Query(ctx, `SELECT i.external_id, s.level, s.text_level, s.disagreement, s.model, json_array_length(s.reasons)
		FROM items i JOIN scores s ON s.item_id = i.id ORDER BY i.id`)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id        string
		level     int
		textLevel func(any) bool
		disagree  bool
	}{
		{"angry5", 5, func(v any) bool { return v != nil && v.(uint8) <= 2 }, true},
		{"happy5", 5, func(v any) bool { return v != nil && v.(uint8) >= 4 }, false},
		{"silent", 2, func(v any) bool { return v == nil }, false},
		{"unrated", 0, func(v any) bool { return v != nil && v.(uint8) <= 2 }, false},
	}
	for i, w := range want {
		row := res.Rows[i]
		if row[0] != w.id || !w.textLevel(row[2]) || row[3] != w.disagree || row[4] != m.Version() {
			t.Errorf("row %v, want id %s disagreement %v", row, w.id, w.disagree)
		}
		if w.level > 0 && int(row[1].(uint8)) != w.level {
			t.Errorf("%s level %v, want its rating %d", w.id, row[1], w.level)
		}
		if w.id != "silent" && (row[5] == nil || row[5].(uint64) == 0) {
			t.Errorf("%s stored no reasons", w.id)
		}
	}

	// Idempotent: nothing new, nothing scored.
	if sum, err := Score(ctx, db, m, ScoreOptions{}); err != nil || sum.Scored != 0 {
		t.Errorf("second pass scored %d (%v), want 0", sum.Scored, err)
	}
	// A new model version re-scores all of history.
	if sum, err := Score(ctx, db, renamed{m, "next"}, ScoreOptions{}); err != nil || sum.Scored != 4 {
		t.Errorf("new model scored %d (%v), want 4", sum.Scored, err)
	}
}

func TestScoreStopsCleanlyWhenCancelled(t *testing.T) {
	db := openDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	var items []voc.Item
	for i := range 50 {
		items = append(items, voc.Item{Source: "s", Kind: voc.KindReview, ExternalID: string(rune('a' + i)), Text: "还行"})
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	sum, err := Score(ctx, db, defaultModel(t), ScoreOptions{BatchSize: 10, Progress: func(done, _ int) {
		if done == 20 {
			cancel()
		}
	}})
	if err == nil || sum.Scored != 20 {
		t.Fatalf("scored %d, err %v; want a stop after 2 batches of 10", sum.Scored, err)
	}
	left, err := db.CountToScore(context.Background(), defaultModel(t).Version())
	if err != nil || left != 30 {
		t.Errorf("left to score = %d (%v), want 30: whole batches only", left, err)
	}
}
