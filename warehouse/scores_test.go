package warehouse

import (
	"context"
	"testing"

	"github.com/voc-analytics/voc"
)

// scoreAll scores every pending item with a fixed text level, as a model
// named model would.
func scoreAll(t *testing.T, db *DB, model string, level voc.Level) int {
	t.Helper()
	ctx := context.Background()
	var n int
	var after int64
	for {
		batch, err := db.ItemsToScore(ctx, model, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return n
		}
		var out []ScoredItem
		for _, in := range batch {
			out = append(out, ScoredItem{ContentHash: in.ContentHash, Score: voc.Score{
				ItemID: in.ID, Model: model, TextLevel: level, Value: float64(level), Confidence: 0.8,
				Rating: in.Rating, Reasons: []voc.Reason{{Phrase: "慢", Weight: -1.5}},
			}})
			after = in.ID
		}
		if err := db.SaveScores(ctx, out); err != nil {
			t.Fatal(err)
		}
		n += len(batch)
	}
}

func TestScoresFollowModelAndContent(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	items := []voc.Item{item("shop", "a", "物流太慢"), item("shop", "b", "很好"), item("shop", "c", "一般")}
	items[1].Rating = voc.VerySatisfied
	items[2].Rating = voc.LevelNone
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountToScore(ctx, "m1"); n != 3 {
		t.Fatalf("pending before scoring = %d, want 3", n)
	}
	if n := scoreAll(t, db, "m1", voc.VeryDissatisfied); n != 3 {
		t.Errorf("scored %d, want 3 (paged in batches of 2)", n)
	}
	if n := scoreAll(t, db, "m1", voc.VeryDissatisfied); n != 0 {
		t.Errorf("second pass scored %d, want 0: scoring is idempotent", n)
	}
	// Rating 5 with text level 1 disagrees; rating 4 with text 1 too; no
	// rating takes the text's level and cannot disagree.
	if n := queryInt(t, db, `SELECT count(*) FROM scores WHERE disagreement`); n != 2 {
		t.Errorf("disagreements = %d, want 2", n)
	}
	if n := queryInt(t, db, `SELECT level FROM scores s JOIN items i ON i.id = s.item_id WHERE i.external_id = 'c'`); n != 1 {
		t.Errorf("unrated item level = %d, want its text level 1", n)
	}
	if n := queryInt(t, db, `SELECT level FROM scores s JOIN items i ON i.id = s.item_id WHERE i.external_id = 'b'`); n != 5 {
		t.Errorf("rated item level = %d, want its rating 5", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM scores WHERE reasons->>'$[0].phrase' = '慢'`); n != 3 {
		t.Errorf("reasons stored as JSON: %d rows match, want 3", n)
	}

	// An edited review is scored again; the others are not.
	edited := items[0]
	edited.Text = "物流其实还可以"
	if _, err := db.UpsertItems(ctx, []voc.Item{edited}); err != nil {
		t.Fatal(err)
	}
	if n := scoreAll(t, db, "m1", voc.Neutral); n != 1 {
		t.Errorf("after an edit scored %d, want 1", n)
	}
	// A new model re-scores history, in place.
	if n := scoreAll(t, db, "m2", voc.Satisfied); n != 3 {
		t.Errorf("new model scored %d, want all 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM scores WHERE model = 'm2'`); n != 3 {
		t.Errorf("scores of m2 = %d, want 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM scores`); n != 3 {
		t.Errorf("scores rows = %d, want one per item", n)
	}
	if got, _ := db.ScoreCount(ctx); got["m2"] != 3 || len(got) != 1 {
		t.Errorf("ScoreCount = %v", got)
	}
}

func TestSaveScoresNoTextAndDuplicates(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	if _, err := db.UpsertItems(ctx, []voc.Item{item("s", "x", "")}); err != nil {
		t.Fatal(err)
	}
	in, err := db.ItemsToScore(ctx, "m", 0, 10)
	if err != nil || len(in) != 1 {
		t.Fatalf("%v %v", in, err)
	}
	// No text: no text level, the item keeps its rating's level.
	s := ScoredItem{ContentHash: in[0].ContentHash, Score: voc.Score{ItemID: in[0].ID, Model: "m", Rating: in[0].Rating}}
	s2 := s
	s2.Score.Model = "m-later"
	if err := db.SaveScores(ctx, []ScoredItem{s, s2}); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM scores WHERE model = 'm-later' AND text_level IS NULL AND score IS NULL AND level = 4`); n != 1 {
		t.Errorf("no-text score stored wrong (want last copy, NULL text level, level = rating 4)")
	}
}
