package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// storedKeys reads every item's product key by external id; "<nil>" for
// none.
func storedKeys(t *testing.T, db *warehouse.DB) map[string]string {
	t.Helper()
	res, err := db.Query(context.Background(), `SELECT external_id, product_key FROM items`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range res.Rows {
		k := "<nil>"
		if r[1] != nil {
			k = fmt.Sprint(r[1])
		}
		out[fmt.Sprint(r[0])] = k
	}
	return out
}

func TestProductKeys(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	item := func(id, product string) voc.Item {
		return voc.Item{Source: "s", Kind: voc.KindReview, ExternalID: id, Product: product, Text: "ok " + id, CreatedAt: at}
	}
	if _, err := db.UpsertItems(ctx, []voc.Item{
		item("1", "降噪耳機"), item("2", "降噪耳机"), item("3", "降噪耳机"),
		item("4", "AirPods Pro"), item("5", "airpods  pro"), item("6", "ＡｉｒＰｏｄｓ Pro"),
		item("7", ""), item("8", " \u3000 "),
	}); err != nil {
		t.Fatal(err)
	}
	sum, err := ProductKeys(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Products != 6 || sum.Items != 7 {
		t.Errorf("first pass keyed %d products on %d items, want 6 on 7", sum.Products, sum.Items)
	}
	want := map[string]string{"1": "降噪耳机", "2": "降噪耳机", "3": "降噪耳机", "4": "airpods pro", "5": "airpods pro",
		"6": "airpods pro", "7": "<nil>", "8": ""}
	if got := storedKeys(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("keys %v, want %v", got, want)
	}

	// Idempotent: nothing left to key.
	if sum, err := ProductKeys(ctx, db); err != nil || sum.Products != 0 || sum.Items != 0 {
		t.Errorf("second pass keyed %d products on %d items (%v), want 0", sum.Products, sum.Items, err)
	}

	// An edited product and a new item are keyed by the next pass, and
	// only they are.
	if _, err := db.UpsertItems(ctx, []voc.Item{item("4", "AirPods Max"), item("9", "降噪耳機")}); err != nil {
		t.Fatal(err)
	}
	sum, err = ProductKeys(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Products != 2 || sum.Items != 2 {
		t.Errorf("after an edit keyed %d products on %d items, want 2 on 2", sum.Products, sum.Items)
	}
	want["4"], want["9"] = "airpods max", "降噪耳机"
	if got := storedKeys(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("keys after the edit %v, want %v", got, want)
	}
}
