package warehouse

import (
	"context"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

func tagAll(t *testing.T, db *DB, taxonomy string, hits func(text string) []voc.ThemeHit) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	var after int64
	for {
		batch, err := db.ItemsToTag(ctx, taxonomy, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return n
		}
		var out []TaggedItem
		for _, in := range batch {
			out = append(out, TaggedItem{ContentHash: in.ContentHash, Tagging: voc.Tagging{
				ItemID: in.ID, Taxonomy: taxonomy, Hits: hits(in.Text),
				Escalation: in.Text == "再不退款我就去12315投诉", EscalationTerms: terms(in.Text),
			}})
			after = in.ID
		}
		if err := db.SaveTags(ctx, out); err != nil {
			t.Fatal(err)
		}
		n += len(batch)
	}
}

func terms(text string) []string {
	if text == "再不退款我就去12315投诉" {
		return []string{"12315", "投诉\"到\""}
	}
	return nil
}

func TestTagsReplaceHitsOnRetag(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	items := []voc.Item{item("s", "a", "物流太慢，包装也破了"), item("s", "b", "再不退款我就去12315投诉"), item("s", "c", "很好")}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	v1 := func(text string) []voc.ThemeHit {
		switch text {
		case "物流太慢，包装也破了":
			return []voc.ThemeHit{
				{Theme: "delivery_speed", Polarity: voc.Complaint, Clause: "物流太慢", Start: 0, End: 4, Sentiment: -0.8},
				{Theme: "delivery_damage", Polarity: voc.Complaint, Clause: "包装也破了", Start: 5, End: 10, Sentiment: -0.7},
			}
		case "再不退款我就去12315投诉":
			return []voc.ThemeHit{{Theme: "after_sales_returns", Polarity: voc.Complaint, Clause: "再不退款我就去12315投诉", End: 14}}
		}
		return nil
	}
	if n := tagAll(t, db, "tax1", v1); n != 3 {
		t.Fatalf("tagged %d, want 3", n)
	}
	if n := tagAll(t, db, "tax1", v1); n != 0 {
		t.Errorf("second pass tagged %d, want 0", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM theme_hits`); n != 3 {
		t.Errorf("hits = %d, want 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM tags WHERE escalation AND list_contains(escalation_terms, '投诉"到"')`); n != 1 {
		t.Errorf("escalation with its terms stored %d times, want 1", n)
	}
	if n := queryInt(t, db, `SELECT clause_end FROM theme_hits WHERE theme = 'delivery_damage'`); n != 10 {
		t.Errorf("clause offsets not kept: end = %d", n)
	}
	// A new taxonomy replaces every item's hits; nothing is left twice.
	v2 := func(text string) []voc.ThemeHit {
		if text == "很好" {
			return []voc.ThemeHit{{Theme: "quality", Polarity: voc.Praise, Clause: "很好", End: 2, Sentiment: 0.9}}
		}
		return nil
	}
	if n := tagAll(t, db, "tax2", v2); n != 3 {
		t.Fatalf("retagged %d, want 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM theme_hits`); n != 1 {
		t.Errorf("hits after retag = %d, want only the new one", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM tags WHERE taxonomy = 'tax2'`); n != 3 {
		t.Errorf("tags of tax2 = %d, want 3", n)
	}
	if n, _ := db.CountToTag(ctx, "tax2"); n != 0 {
		t.Errorf("left to tag = %d", n)
	}
}

func TestReplaceThemeWeeks(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	first := []voc.ThemeWeek{
		{Theme: "delivery_speed", Week: week, Complaints: 12, Items: 300, MeanLevel: 1.8, Recurring: true, Emerging: true, Expected: 3.2, PValue: 0.0004},
		{Theme: "quality", Week: week, Praises: 4, Items: 300},
	}
	if err := db.ReplaceThemeWeeks(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceThemeWeeks(ctx, first[:1]); err != nil {
		t.Fatal(err)
	}
	res, err := db.Query(ctx, `SELECT theme, week::VARCHAR, complaints, items, mean_level, emerging, p_value FROM theme_weeks`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("rows = %v, want the second set only", res.Rows)
	}
	r := res.Rows[0]
	if r[0] != "delivery_speed" || r[1] != "2026-11-16" || r[2] != int32(12) || r[4] != 1.8 || r[5] != true || r[6] != 0.0004 {
		t.Errorf("row = %v (week must stay the local Monday, not shift to Sunday in UTC)", r)
	}
}

func TestThemeWeekCountsUseLocalWeeks(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	// Sunday 2026-11-22 20:00 UTC is already Monday 04:00 in Shanghai: the
	// item belongs to the week of 11-23 there, and to the week of 11-16 in UTC.
	sunday := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)
	a := item("s", "a", "物流太慢")
	a.CreatedAt = sunday
	b := item("s", "b", "很好")
	b.CreatedAt = sunday.Add(-72 * time.Hour)
	c := item("s", "c", "慢死了")
	c.CreatedAt = time.Time{}
	c.CollectedAt = sunday.Add(-72 * time.Hour)
	if _, err := db.UpsertItems(ctx, []voc.Item{a, b, c}); err != nil {
		t.Fatal(err)
	}
	in, _ := db.ItemsToTag(ctx, "x", 0, 10)
	var tags []TaggedItem
	for _, it := range in {
		tg := TaggedItem{ContentHash: it.ContentHash, Tagging: voc.Tagging{ItemID: it.ID, Taxonomy: "x"}}
		if it.Text != "很好" {
			// Two hits on one theme in one item count once.
			tg.Tagging.Hits = []voc.ThemeHit{{Theme: "delivery_speed", Polarity: voc.Complaint}, {Theme: "delivery_speed", Polarity: voc.Complaint, Start: 3}}
		}
		tags = append(tags, tg)
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tz          string
		weeks       map[string]int // complaints per week
		totalMonday string
		total       int
	}{
		{"Asia/Shanghai", map[string]int{"2026-11-16": 1, "2026-11-23": 1}, "2026-11-16", 2},
		{"UTC", map[string]int{"2026-11-16": 2}, "2026-11-16", 3},
	} {
		counts, totals, err := db.ThemeWeekCounts(ctx, tc.tz)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range counts {
			got[c.Week.Format(time.DateOnly)] = c.Complaints
			if c.Theme != "delivery_speed" || c.MeanLevel != 0 {
				t.Errorf("%s: %+v", tc.tz, c)
			}
		}
		if len(got) != len(tc.weeks) {
			t.Errorf("%s: weeks %v, want %v", tc.tz, got, tc.weeks)
		}
		for w, n := range tc.weeks {
			if got[w] != n {
				t.Errorf("%s: week %s complaints %d, want %d", tc.tz, w, got[w], n)
			}
		}
		monday, _ := time.Parse(time.DateOnly, tc.totalMonday)
		if totals[monday] != tc.total {
			t.Errorf("%s: total items week %s = %d, want %d (all %v)", tc.tz, tc.totalMonday, totals[monday], tc.total, totals)
		}
	}
}
