package warehouse

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

// A warehouse from before product keys keeps its items, all without a key
// until the pipeline computes them.
func TestUpgradeAddsProductKeysUnset(t *testing.T) {
	ctx := context.Background()
	db := upgradedFrom(t, 7, func(ctx context.Context, sdb *sql.DB, _ string) {
		_, err := sdb.ExecContext(ctx, `INSERT INTO items (source, external_id, kind, product, rating, content_hash, updated_at) VALUES
			('old', 'x1', 'review', '降噪耳機', 4, 'h1', now()),
			('old', 'x2', 'review', '降噪耳机', 5, 'h2', now()),
			('old', 'x3', 'survey', NULL, 3, 'h3', now())`)
		if err != nil {
			t.Fatal(err)
		}
	})
	if n := queryInt(t, db, `SELECT count(*) FROM items WHERE product_key IS NULL`); n != 3 {
		t.Errorf("%d items without a key after the upgrade, want all 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items WHERE rating IS NOT NULL`); n != 3 {
		t.Errorf("%d items kept their rating, want 3", n)
	}
	names, err := db.ProductsWithoutKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"降噪耳机", "降噪耳機"}; !slices.Equal(names, want) {
		t.Errorf("products without key %q, want %q", names, want)
	}
}

// productKeyOf reads the stored key of an item; "<nil>" for none.
func productKeyOf(t *testing.T, db *DB, externalID string) string {
	t.Helper()
	var k sql.NullString
	if err := db.sql.QueryRowContext(context.Background(), `SELECT product_key FROM items WHERE external_id = ?`, externalID).Scan(&k); err != nil {
		t.Fatalf("key of %s: %v", externalID, err)
	}
	if !k.Valid {
		return "<nil>"
	}
	return k.String
}

func TestProductKeysSavedAndReset(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	withProduct := func(id, product string) voc.Item {
		return with(item("shop", id, "text "+id), func(it *voc.Item) { it.Product = product })
	}
	items := []voc.Item{
		withProduct("a", "AirPods Pro"), withProduct("b", "AirPods Pro"), withProduct("c", "airpods  pro"),
		withProduct("d", "降噪耳機"), withProduct("e", ""), withProduct("f", "  "),
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	names, err := db.ProductsWithoutKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"  ", "AirPods Pro", "airpods  pro", "降噪耳機"}; !slices.Equal(names, want) {
		t.Fatalf("products without key %q, want %q (no empty product)", names, want)
	}
	n, err := db.SaveProductKeys(ctx, []ProductKey{
		{"AirPods Pro", "wrong"}, {"AirPods Pro", "airpods pro"}, // the last copy wins
		{"airpods  pro", "airpods pro"}, {"降噪耳機", "降噪耳机"}, {"  ", ""},
		{"no such product", "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("keyed %d items, want 5", n)
	}
	for id, want := range map[string]string{"a": "airpods pro", "b": "airpods pro", "c": "airpods pro", "d": "降噪耳机", "e": "<nil>", "f": ""} {
		if got := productKeyOf(t, db, id); got != want {
			t.Errorf("key of %s = %q, want %q", id, got, want)
		}
	}
	if names, err := db.ProductsWithoutKey(ctx); err != nil || len(names) != 0 {
		t.Errorf("after saving: products without key %q, %v; want none", names, err)
	}
	// A key once stored is left alone.
	if n, err := db.SaveProductKeys(ctx, []ProductKey{{"AirPods Pro", "other"}}); err != nil || n != 0 {
		t.Errorf("saving over stored keys touched %d items (%v), want 0", n, err)
	}

	// Editing an item's product drops its key; editing its text only, or
	// storing it unchanged, keeps it; a new item has none.
	res, err := db.UpsertItems(ctx, []voc.Item{
		withProduct("a", "AirPods Max"),
		with(withProduct("b", "AirPods Pro"), func(it *voc.Item) { it.Text = "edited" }),
		withProduct("c", "airpods  pro"),
		withProduct("g", "降噪耳机"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res != (UpsertResult{Updated: 2, Unchanged: 1, Inserted: 1}) {
		t.Errorf("upsert %+v", res)
	}
	for id, want := range map[string]string{"a": "<nil>", "b": "airpods pro", "c": "airpods pro", "g": "<nil>"} {
		if got := productKeyOf(t, db, id); got != want {
			t.Errorf("after edits, key of %s = %q, want %q", id, got, want)
		}
	}
	names, err = db.ProductsWithoutKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"AirPods Max", "降噪耳机"}; !slices.Equal(names, want) {
		t.Errorf("after edits, products without key %q, want %q", names, want)
	}
}

// keyedProducts stores items written several ways, keys all but one of
// them as the pipeline would, and tags them all with a complaint.
func keyedProducts(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, _ := openTemp(t)
	at := fixWeek.Start.Add(36 * time.Hour)
	var items []voc.Item
	for i, p := range []string{"降噪耳機", "降噪耳机", "降噪耳机", "AirPods Pro", "AirPods Pro", "airpods  pro", "ＡｉｒＰｏｄｓ Pro", "Zeta", "zeta", ""} {
		items = append(items, voc.Item{Source: "s", Kind: voc.KindReview, ExternalID: string(rune('a' + i)), Product: p,
			CreatedAt: at.Add(time.Duration(i) * time.Minute), Rating: voc.Neutral, Text: "物流太慢"})
	}
	// Not keyed yet: counts under its product as written.
	items = append(items, voc.Item{Source: "s", Kind: voc.KindReview, ExternalID: "new", Product: "AIRPODS PRO", CreatedAt: at, Text: "物流太慢"})
	if _, err := db.UpsertItems(ctx, items[:len(items)-1]); err != nil {
		t.Fatal(err)
	}
	_, err := db.SaveProductKeys(ctx, []ProductKey{{"降噪耳機", "降噪耳机"}, {"降噪耳机", "降噪耳机"},
		{"AirPods Pro", "airpods pro"}, {"airpods  pro", "airpods pro"}, {"ＡｉｒＰｏｄｓ Pro", "airpods pro"},
		{"Zeta", "zeta"}, {"zeta", "zeta"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertItems(ctx, items[len(items)-1:]); err != nil {
		t.Fatal(err)
	}
	toTag, err := db.ItemsToTag(ctx, "x", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var tags []TaggedItem
	for _, in := range toTag {
		tags = append(tags, TaggedItem{ContentHash: in.ContentHash, Tagging: voc.Tagging{ItemID: in.ID, Taxonomy: "x",
			Hits: []voc.ThemeHit{complaint("delivery_speed", "物流太慢", 0, -0.5)}}})
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestReportGroupsByProductKey(t *testing.T) {
	ctx := context.Background()
	db := keyedProducts(t)
	want := []BreakdownRow{
		// The commoner spelling names the group; a tie goes to the
		// smaller in byte order (Zeta before zeta).
		{Key: "airpods pro", Name: "AirPods Pro", Items: 4},
		{Key: "降噪耳机", Name: "降噪耳机", Items: 3},
		{Key: "zeta", Name: "Zeta", Items: 2},
		{Key: "", Name: "", Items: 1},
		{Key: "AIRPODS PRO", Name: "AIRPODS PRO", Items: 1},
	}
	for _, theme := range []string{"", "delivery_speed"} {
		got, err := db.ReportThemeBreakdown(ctx, theme, []Period{fixWeek}, ByProduct)
		if theme == "" {
			got, err = db.ReportBreakdown(ctx, []Period{fixWeek}, ByProduct)
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].Rated, got[i].LevelSum = 0, 0
		}
		if !slices.Equal(got, want) {
			t.Errorf("by product, theme %q:\n got %+v\nwant %+v", theme, got, want)
		}
	}
	_, prod, _, err := db.ReportBreakdowns(ctx, []Period{fixWeek})
	if err != nil {
		t.Fatal(err)
	}
	for i := range prod {
		prod[i].Rated, prod[i].LevelSum = 0, 0
	}
	if !slices.Equal(prod, want) {
		t.Errorf("ReportBreakdowns by product:\n got %+v\nwant %+v", prod, want)
	}

	// The item filter takes the key or any written form of the product.
	for _, f := range []string{"airpods pro", "AirPods Pro", "ＡｉｒＰｏｄｓ Pro", "降噪耳机", "降噪耳機", "no such product"} {
		its, total, err := db.ReportThemeItems(ctx, "delivery_speed", fixWeek, ItemFilter{Product: f}, 0)
		if err != nil {
			t.Fatal(err)
		}
		wantKey := map[string]string{"airpods pro": "airpods pro", "AirPods Pro": "airpods pro", "ＡｉｒＰｏｄｓ Pro": "airpods pro",
			"降噪耳机": "降噪耳机", "降噪耳機": "降噪耳机"}[f]
		wantN := map[string]int{"airpods pro": 4, "降噪耳机": 3}[wantKey]
		if total != wantN || len(its) != wantN {
			t.Errorf("filter %q: %d items of %d, want %d", f, len(its), total, wantN)
		}
		for _, it := range its {
			if it.ProductKey != wantKey {
				t.Errorf("filter %q: item %d has key %q", f, it.ID, it.ProductKey)
			}
		}
	}
}

func TestComplaintMeasuresByProductKey(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	withProduct := func(r voc.ComplaintTicket, p string) voc.ComplaintTicket {
		return with2(r, func(r *voc.ComplaintTicket) { r.Item.Product = p })
	}
	recs := []voc.ComplaintTicket{
		withProduct(tk("A", "c1", day(11, 2, 0), 1, 10, "resolved", 5), "降噪耳機"),
		withProduct(tk("B", "c2", day(11, 2, 0), 2, 20, "resolved", 4), "降噪耳机"),
		withProduct(tk("C", "c3", day(11, 3, 0), 3, 30, "partly", 2), "降噪耳機"),
		withProduct(tk("D", "c4", day(11, 3, 0), 4, 40, "resolved", 4), "Other"),
	}
	if _, err := db.UpsertComplaints(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveProductKeys(ctx, []ProductKey{{"降噪耳機", "降噪耳机"}, {"降噪耳机", "降噪耳机"}, {"Other", "other"}}); err != nil {
		t.Fatal(err)
	}
	weeks, err := db.ComplaintMeasures(ctx, day(11, 2, 0), day(11, 9, 0), ComplaintsByProduct, ComplaintOptions{Now: day(11, 20, 0)})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		key, name       string
		tickets, partly int
	}
	var got []row
	for _, w := range weeks {
		got = append(got, row{w.Key, w.Name, w.Tickets, w.Partly})
	}
	want := []row{{"降噪耳机", "降噪耳機", 3, 1}, {"other", "Other", 1, 0}}
	if !slices.Equal(got, want) {
		t.Errorf("by product %+v, want %+v", got, want)
	}
	ts, err := db.ComplaintTickets(ctx, day(11, 2, 0), day(11, 9, 0), ComplaintOptions{Now: day(11, 20, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 || ts[1].Product != "降噪耳机" || ts[1].ProductKey != "降噪耳机" || ts[1].ProductName != "降噪耳機" {
		t.Errorf("ticket B: product %q key %q name %q", ts[1].Product, ts[1].ProductKey, ts[1].ProductName)
	}
}
