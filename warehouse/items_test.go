package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

var (
	t0       = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	shanghai = time.FixedZone("CST", 8*3600)
)

// item is a rated review with an external id, collected at t0.
func item(source, id, text string) voc.Item {
	return voc.Item{
		Source: source, Kind: voc.KindReview, ExternalID: id, Product: "P1", Channel: "tmall",
		CreatedAt: t0.Add(-24 * time.Hour), CollectedAt: t0, Rating: voc.Satisfied, Text: text,
		Lang: "zh-Hans", RawRef: "abc#1",
	}
}

func with(it voc.Item, f func(*voc.Item)) voc.Item { f(&it); return it }

func intp(i int) *int { return &i }

func TestUpsertItems(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)

	a := item("shop", "a", "物流很快")
	b := item("shop", "b", "包装破了")
	c := voc.Item{Source: "survey", Kind: voc.KindSurvey, Text: "还行", Rating: voc.Neutral,
		Recommend: intp(7), Repurchase: voc.Satisfied, Extra: map[string]string{"城市": "上海", "age": "30"}}
	later := func(it voc.Item) voc.Item {
		return with(it, func(it *voc.Item) { it.CollectedAt = t0.Add(48 * time.Hour); it.RawRef = "def#9" })
	}
	d1 := item("shop", "d", "first draft")
	d2 := item("shop", "d", "final words")

	steps := []struct {
		name  string
		batch []voc.Item
		want  UpsertResult
		rows  int
	}{
		{"new items", []voc.Item{a, b, c}, UpsertResult{Inserted: 3}, 3},
		{"same content collected again from another file", []voc.Item{later(a), later(b), later(c)}, UpsertResult{Unchanged: 3}, 3},
		{"edit, repeat, new with in-batch duplicate", []voc.Item{
			with(a, func(it *voc.Item) { it.Text = "物流很快，客服也好"; it.Rating = voc.VerySatisfied }),
			b, d1, d2,
		}, UpsertResult{Inserted: 1, Updated: 1, Unchanged: 2}, 4},
		{"in-batch duplicate of a stored key, both edits", []voc.Item{
			with(b, func(it *voc.Item) { it.Text = "edit 1" }),
			with(b, func(it *voc.Item) { it.Text = "edit 2" }),
		}, UpsertResult{Updated: 1, Unchanged: 1}, 4},
		{"survey answer changed extra only", []voc.Item{with(c, func(it *voc.Item) { it.Extra = map[string]string{"城市": "北京", "age": "30"} })},
			// c has no external id, so its key is the content key, which
			// ignores Extra: the same answer, edited.
			UpsertResult{Updated: 1}, 4},
		{"empty batch", nil, UpsertResult{}, 4},
	}
	var (
		idA          int64
		total, sumOf UpsertResult
		fed          int
	)
	for _, st := range steps {
		got, err := db.UpsertItems(ctx, st.batch)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		total = total.Add(got)
		sumOf.Inserted += st.want.Inserted
		sumOf.Unchanged += st.want.Unchanged
		sumOf.Updated += st.want.Updated
		fed += len(st.batch)
		if got != st.want {
			t.Errorf("%s: %+v, want %+v", st.name, got, st.want)
		}
		if got.Inserted+got.Unchanged+got.Updated != len(st.batch) {
			t.Errorf("%s: counts %+v do not add up to %d items", st.name, got, len(st.batch))
		}
		if n := queryInt(t, db, `SELECT count(*) FROM items`); n != st.rows {
			t.Errorf("%s: %d rows, want %d", st.name, n, st.rows)
		}
		var id int64
		if err := db.sql.QueryRowContext(ctx, `SELECT id FROM items WHERE source = 'shop' AND external_id = 'a'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if idA == 0 {
			idA = id
		} else if id != idA {
			t.Errorf("%s: item a's id changed from %d to %d", st.name, idA, id)
		}
	}

	if total != sumOf || total.Inserted+total.Unchanged+total.Updated != fed {
		t.Errorf("summed results %+v, want %+v over %d items", total, sumOf, fed)
	}

	// What the edits left behind.
	checks := []struct {
		query string
		want  string
	}{
		{`SELECT text || '|' || rating FROM items WHERE external_id = 'a'`, "物流很快，客服也好|5"},
		{`SELECT text FROM items WHERE external_id = 'b'`, "edit 2"},
		{`SELECT text FROM items WHERE external_id = 'd'`, "final words"},
		// Unchanged items keep the collected_at and raw_ref of their first import.
		{`SELECT raw_ref FROM items WHERE external_id = 'b'`, "abc#1"},
		{`SELECT extra->>'$.城市' FROM items WHERE source = 'survey'`, "北京"},
		{`SELECT external_id FROM items WHERE source = 'survey'`, c.ContentKey()},
		{`SELECT concat_ws(',', rating, recommend, repurchase, created_at IS NULL, collected_at IS NULL) FROM items WHERE source = 'survey'`, "3,7,4,true,true"},
		{`SELECT created_at::VARCHAR FROM items WHERE external_id = 'a'`, "2026-02-28 09:30:00+00"},
	}
	for _, c := range checks {
		var got string
		if err := db.sql.QueryRowContext(ctx, c.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
}

func TestUpsertItemsNullRatingAndTimeZones(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	local := time.Date(2026, 5, 4, 23, 15, 0, 0, shanghai)
	it := with(item("s", "x", "no stars"), func(it *voc.Item) { it.Rating = voc.LevelNone; it.CreatedAt = local })
	if _, err := db.UpsertItems(ctx, []voc.Item{it}); err != nil {
		t.Fatal(err)
	}
	var (
		rating  sql.NullInt64
		created time.Time
	)
	if err := db.sql.QueryRowContext(ctx, `SELECT rating, created_at FROM items`).Scan(&rating, &created); err != nil {
		t.Fatal(err)
	}
	if rating.Valid {
		t.Errorf("rating = %d, want NULL for LevelNone", rating.Int64)
	}
	if !created.Equal(local) {
		t.Errorf("created_at = %v, want the instant %v", created, local)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items WHERE rating IS NULL`); n != 1 {
		t.Errorf("rating IS NULL matched %d, want 1", n)
	}
}

func TestUpsertItemsRejectsBadItemsWholesale(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	good := item("s", "ok", "fine")
	tests := []struct {
		name string
		bad  voc.Item
		want string
	}{
		{"no source", with(good, func(it *voc.Item) { it.Source = "" }), "no source"},
		{"unknown kind", with(good, func(it *voc.Item) { it.Kind = "tweet" }), `kind "tweet"`},
		{"rating 7", with(good, func(it *voc.Item) { it.Rating = 7 }), "rating 7"},
		{"repurchase -1", with(good, func(it *voc.Item) { it.Repurchase = -1 }), "repurchase -1"},
		{"recommend 11", with(good, func(it *voc.Item) { it.Recommend = intp(11) }), "recommend 11"},
	}
	for _, tt := range tests {
		_, err := db.UpsertItems(ctx, []voc.Item{good, with(tt.bad, func(it *voc.Item) { it.ExternalID = "bad" })})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `item 1`) {
			t.Errorf("%s: err = %v, want one naming item 1 and %q", tt.name, err, tt.want)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 0 {
			t.Fatalf("%s: %d items stored from a failed batch, want 0", tt.name, n)
		}
	}
}

func TestInTxAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	boom := errors.New("parse failed at line 9")
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.EnsureSource(ctx, "s", "csv"); err != nil {
			return err
		}
		if _, err := tx.SaveRaw(ctx, voc.RawPayload{Source: "s", Body: []byte("raw")}); err != nil {
			return err
		}
		if _, err := tx.UpsertItems(ctx, []voc.Item{item("s", "1", "one")}); err != nil {
			return err
		}
		if _, err := tx.AddRejects(ctx, 0, []voc.Reject{{Source: "s", File: "in.csv", Line: 3, Reason: "bad date"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx err = %v, want the callback's error", err)
	}
	for _, table := range []string{"sources", "raw_payloads", "items", "rejects"} {
		if n := queryInt(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows after a rolled-back import, want 0", table, n)
		}
	}

	// Several batches in one transaction, the second editing what the first
	// inserted: DuckDB must not see a unique-key conflict.
	var r1, r2 UpsertResult
	var leaked *Tx
	err = db.InTx(ctx, func(tx *Tx) error {
		leaked = tx
		var err error
		if r1, err = tx.UpsertItems(ctx, []voc.Item{item("s", "1", "one"), item("s", "2", "two")}); err != nil {
			return err
		}
		r2, err = tx.UpsertItems(ctx, []voc.Item{item("s", "1", "one, edited"), item("s", "3", "three")})
		return err
	})
	if err != nil {
		t.Fatalf("two batches in one transaction: %v", err)
	}
	if r1 != (UpsertResult{Inserted: 2}) || r2 != (UpsertResult{Inserted: 1, Updated: 1}) {
		t.Errorf("batch results %+v, %+v", r1, r2)
	}
	// The same goes for sources and payloads written twice in one transaction.
	var rawStored [2]bool
	err = db.InTx(ctx, func(tx *Tx) error {
		for i, typ := range []string{"csv", "xlsx"} {
			if err := tx.EnsureSource(ctx, "twice", typ); err != nil {
				return err
			}
			var err error
			if rawStored[i], err = tx.SaveRaw(ctx, voc.RawPayload{Source: "twice", Body: []byte("same")}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("source and payload twice in one transaction: %v", err)
	}
	if rawStored != [2]bool{true, false} {
		t.Errorf("SaveRaw twice in one transaction stored %v, want [true false]", rawStored)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM sources WHERE name = 'twice' AND type = 'xlsx'`); n != 1 {
		t.Errorf("source written twice in one transaction: %d rows with the last type, want 1", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 3 {
		t.Errorf("%d items after commit, want 3", n)
	}
	if _, err := leaked.UpsertItems(ctx, []voc.Item{item("s", "9", "late")}); err == nil {
		t.Error("a Tx used after InTx returned: no error")
	}

	// A cancelled context must not commit.
	cctx, cancel := context.WithCancel(ctx)
	err = db.InTx(cctx, func(tx *Tx) error {
		_, err := tx.UpsertItems(cctx, []voc.Item{item("s", "4", "four")})
		cancel()
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("InTx after cancel: err = %v, want context.Canceled", err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items WHERE external_id = '4'`); n != 0 {
		t.Errorf("cancelled transaction stored %d items", n)
	}
}

func manyItems(n int, source string) []voc.Item {
	items := make([]voc.Item, n)
	for i := range items {
		items[i] = voc.Item{
			Source: source, Kind: voc.KindReview, ExternalID: fmt.Sprintf("r%07d", i),
			Product: fmt.Sprintf("P%d", i%40), Channel: "jd", AuthorKey: fmt.Sprintf("u%d", i%9000),
			CreatedAt: t0.Add(-time.Duration(i) * time.Minute), CollectedAt: t0,
			Rating: voc.Level(i%5 + 1), Text: fmt.Sprintf("第%d条评价：质量不错，物流一般，会回购。", i),
			Lang: "zh-Hans", RawRef: fmt.Sprintf("payload#%d", i+2),
		}
	}
	return items
}

func TestUpsertLargeBatchTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 items")
	}
	ctx := context.Background()
	db, _ := openTemp(t)
	items := manyItems(50_000, "big")
	res, err := db.UpsertItems(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if res != (UpsertResult{Inserted: 50_000}) {
		t.Errorf("first load %+v, want 50000 inserted", res)
	}
	res, err = db.UpsertItems(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if res != (UpsertResult{Unchanged: 50_000}) {
		t.Errorf("second load %+v, want 50000 unchanged", res)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 50_000 {
		t.Errorf("%d rows, want 50000", n)
	}
	// ids follow the input order.
	if n := queryInt(t, db, `SELECT count(*) FROM (SELECT id, row_number() OVER (ORDER BY external_id) AS rn FROM items) WHERE id <> rn`); n != 0 {
		t.Errorf("%d items whose id does not follow input order", n)
	}
}

func BenchmarkUpsertItems(b *testing.B) {
	ctx := context.Background()
	const batch = 10_000
	db, _ := openTemp(b)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		items := manyItems(batch, fmt.Sprintf("bench%d", i))
		b.StartTimer()
		res, err := db.UpsertItems(ctx, items)
		if err != nil {
			b.Fatal(err)
		}
		if res.Inserted != batch {
			b.Fatalf("inserted %d, want %d", res.Inserted, batch)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "items/s")
}
