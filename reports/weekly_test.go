package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voc-analytics/voc/warehouse"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the figures computed now")

// sharedFixture builds the fixture warehouse once for the tests of this
// package that only read it.
var sharedFixture = sync.OnceValues(func() (*warehouse.DB, error) {
	dir, err := os.MkdirTemp("", "voc-reports-fixture-")
	if err != nil {
		return nil, err
	}
	return buildFixture(dir, 150)
})

func fixtureDB(t *testing.T) *warehouse.DB {
	t.Helper()
	db, err := sharedFixture()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func fixtureOptions(lang string) Options {
	return Options{Lang: lang, Location: shanghai, Themes: fixtureThemes,
		Now: func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, shanghai) }}
}

// golden compares got, as indented JSON, with testdata/name; -update
// rewrites the file instead.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(b, want) {
		gotPath := filepath.Join(t.TempDir(), name)
		os.WriteFile(gotPath, b, 0o644)
		t.Errorf("figures differ from %s; got %s (diff them, and run with -update if the change is intended)", path, gotPath)
	}
}

func itemIDs(its []Item) []int64 {
	out := make([]int64, len(its))
	for i, it := range its {
		out[i] = it.ID
	}
	return out
}

// weeklyFigures is what the golden file holds of a weekly report: every
// number, and the ids of the items each list shows, not their text.
func weeklyFigures(w *Weekly) map[string]any {
	alerts := func(as []ThemeAlert) []map[string]any {
		var out []map[string]any
		for _, a := range as {
			out = append(out, map[string]any{"theme": a.Theme.ID, "total": a.Total, "items": itemIDs(a.Items)})
		}
		return out
	}
	var repeat []map[string]any
	for _, c := range w.Repeat {
		repeat = append(repeat, map[string]any{"author": c.AuthorKey, "items": itemIDs(c.Items)})
	}
	return map[string]any{
		"week": w.Week.String(), "days": w.Days, "summary": w.Summary, "sources": w.Sources, "products": w.Products,
		"channels": w.Channels, "trend": w.Trend, "themes_from": w.ThemesFrom, "themes": w.Themes,
		"emerging": alerts(w.Emerging), "recurring": alerts(w.Recurring), "verbatims": alerts(w.Verbatims),
		"escalations": itemIDs(w.Escalations), "escalation_total": w.EscalationTotal, "repeat": repeat,
		"disagreements": itemIDs(w.Disagreements), "disagree_total": w.DisagreeTotal, "hidden_total": w.HiddenTotal,
	}
}

func TestWeeklyFiguresGolden(t *testing.T) {
	db := fixtureDB(t)
	w, err := BuildWeekly(context.Background(), db, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "weekly-2026-W47.json", weeklyFigures(w))
	// The fixture is built to have an emerging and a recurring theme.
	if len(w.Emerging) == 0 || len(w.Recurring) == 0 || w.ThemesFrom != "theme_weeks" {
		t.Errorf("emerging %d recurring %d from %s", len(w.Emerging), len(w.Recurring), w.ThemesFrom)
	}
}

func TestThemeFiguresGolden(t *testing.T) {
	db := fixtureDB(t)
	for _, theme := range []string{"quality", "delivery_speed"} {
		p, err := BuildTheme(context.Background(), db, theme, fixtureWeek, fixtureOptions("zh"))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "theme-"+theme+"-2026-W47.json", map[string]any{
			"theme": p.Theme, "trend": p.Trend, "by_product": p.ByProduct, "by_source": p.BySource, "by_level": p.ByLevel,
			"phrases": p.Phrases, "co_themes": p.CoThemes, "item_total": p.ItemTotal, "items": itemIDs(p.Items),
			"filters": p.Filters, "themes_from": p.ThemesFrom,
		})
	}
}

// TestWeeklyMatchesQuery recomputes the report's figures with SQL written
// independently of the warehouse's report queries, as a user would type it
// into `voc query` (DuckDB cuts the weeks in the zone itself), and checks
// the report says exactly the same.
func TestWeeklyMatchesQuery(t *testing.T) {
	db := fixtureDB(t)
	ctx := context.Background()
	w, err := BuildWeekly(ctx, db, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	const inWeek = `date_trunc('week', timezone('Asia/Shanghai', i.created_at)) = TIMESTAMP '2026-11-16'`
	const inPrev = `date_trunc('week', timezone('Asia/Shanghai', i.created_at)) = TIMESTAMP '2026-11-09'`
	one := func(q string) float64 {
		t.Helper()
		res, err := db.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		switch v := res.Rows[0][0].(type) {
		case int64:
			return float64(v)
		case float64:
			return v
		case nil:
			return math.NaN()
		default:
			t.Fatalf("%s: %T", q, v)
		}
		return 0
	}
	queries := map[string]string{
		"items":           `SELECT count(*) FROM items i WHERE %s`,
		"satisfaction":    `SELECT avg(CASE WHEN s.level >= 4 THEN 1.0 ELSE 0.0 END) FROM items i JOIN scores s ON s.item_id = i.id WHERE s.level IS NOT NULL AND %s`,
		"mean_level":      `SELECT avg(s.level) FROM items i JOIN scores s ON s.item_id = i.id WHERE %s`,
		"nps":             `SELECT 100.0 * (count(*) FILTER (WHERE recommend >= 9) - count(*) FILTER (WHERE recommend <= 6)) / count(*) FROM items i WHERE kind = 'survey' AND recommend IS NOT NULL AND %s`,
		"repurchase":      `SELECT avg(CASE WHEN repurchase >= 4 THEN 1.0 ELSE 0.0 END) FROM items i WHERE repurchase IS NOT NULL AND %s`,
		"complaint_items": `SELECT count(*) FROM items i WHERE EXISTS (SELECT 1 FROM theme_hits h WHERE h.item_id = i.id AND h.polarity = 'complaint') AND %s`,
		"escalations":     `SELECT count(*) FROM items i JOIN tags t ON t.item_id = i.id WHERE t.escalation AND %s`,
		"hidden":          `SELECT count(*) FROM items i JOIN scores s ON s.item_id = i.id WHERE i.rating >= 4 AND s.text_level <= 2 AND %s`,
		"disagreements":   `SELECT count(*) FROM items i JOIN scores s ON s.item_id = i.id WHERE s.disagreement AND %s`,
	}
	for _, f := range w.Summary {
		q, ok := queries[f.Key]
		if !ok {
			t.Errorf("no independent query for figure %q", f.Key)
			continue
		}
		for _, c := range []struct {
			cond string
			got  float64
			has  bool
		}{{inWeek, f.Value, f.Has}, {inPrev, f.Prev, f.HasPrev}} {
			want := one(fmt.Sprintf(q, c.cond))
			if !c.has || math.Abs(c.got-want) > 1e-9 {
				t.Errorf("%s (%s): report %v (has %v), voc query %v", f.Key, c.cond[len(c.cond)-12:], c.got, c.has, want)
			}
		}
	}
	for _, s := range w.Sources {
		if want := one(fmt.Sprintf(`SELECT count(*) FROM items i WHERE source = '%s' AND %s`, s.Key, inWeek)); float64(s.Items) != want {
			t.Errorf("source %s: report %d, voc query %v", s.Key, s.Items, want)
		}
	}
	for _, th := range w.Themes {
		if strings.ContainsAny(th.ID, `'"<`) {
			continue // the hostile id is not worth quoting in SQL here
		}
		q := `SELECT count(DISTINCT h.item_id) FROM theme_hits h JOIN items i ON i.id = h.item_id
			WHERE h.polarity = 'complaint' AND (h.theme = '%[1]s' OR h.theme LIKE '%[1]s.%%') AND %[2]s`
		if want := one(fmt.Sprintf(q, th.ID, inWeek)); float64(th.Complaints) != want {
			t.Errorf("theme %s this week: report %d, voc query %v", th.ID, th.Complaints, want)
		}
		if want := one(fmt.Sprintf(q, th.ID, inPrev)); float64(th.PrevComplaints) != want {
			t.Errorf("theme %s last week: report %d, voc query %v", th.ID, th.PrevComplaints, want)
		}
	}
	// The five-level distribution of every trend week.
	for _, tw := range w.Trend {
		mon := tw.Week.Monday(time.UTC).Format(time.DateOnly)
		for l := 1; l <= 5; l++ {
			q := fmt.Sprintf(`SELECT count(*) FROM items i JOIN scores s ON s.item_id = i.id WHERE s.level = %d AND date_trunc('week', timezone('Asia/Shanghai', i.created_at)) = TIMESTAMP '%s'`, l, mon)
			if want := one(q); float64(tw.Levels[l]) != want {
				t.Errorf("week %s level %d: report %d, voc query %v", tw.Week, l, tw.Levels[l], want)
			}
		}
	}
}

func TestHighlight(t *testing.T) {
	tests := []struct {
		name              string
		text, clause      string
		start, end, max   int
		before, mid, post string
	}{
		{"offsets", "物流太慢了，包装也破了", "包装也破了", 6, 11, 100, "物流太慢了，", "包装也破了", ""},
		{"no clause", "<b>hi</b>", "", 0, 0, 100, "", "", "<b>hi</b>"},
		{"stale offsets fall back to search", "abc 物流慢 def", "物流慢", 0, 3, 100, "abc ", "物流慢", " def"},
		{"clause not in text", "abc", "xyz", 0, 3, 100, "", "", "abc"},
		{"offsets past the end", "abc", "abc", 2, 9, 100, "", "abc", ""},
		{"long text centred on clause", strings.Repeat("a", 50) + "XX" + strings.Repeat("b", 50), "XX", 50, 52, 10, "…aaaa", "XX", "bbbb…"},
		{"clause longer than window", strings.Repeat("a", 5) + strings.Repeat("X", 20), strings.Repeat("X", 20), 5, 25, 10, "…", strings.Repeat("X", 10), "…"},
		{"long text without clause", strings.Repeat("z", 20), "", 0, 0, 5, "", "", "zzzzz…"},
	}
	for _, tc := range tests {
		b, m, a := highlight(tc.text, tc.clause, tc.start, tc.end, tc.max)
		if b != tc.before || m != tc.mid || a != tc.post {
			t.Errorf("%s: %q %q %q, want %q %q %q", tc.name, b, m, a, tc.before, tc.mid, tc.post)
		}
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ id, want string }{
		{"quality.battery", "quality.battery"},
		{"delivery_speed", "delivery_speed"},
		{"../etc/passwd", "t-" + fmt.Sprintf("%x", sha256Prefix("../etc/passwd"))},
		{"a..b", "t-" + fmt.Sprintf("%x", sha256Prefix("a..b"))},
		{`x"><img>`, "t-" + fmt.Sprintf("%x", sha256Prefix(`x"><img>`))},
	}
	for _, tc := range tests {
		if got := slug(tc.id); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func sha256Prefix(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:8]
}

// TestMain removes the shared fixture's directory after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if db, err := sharedFixture(); err == nil && db != nil {
		db.Close()
		os.RemoveAll(filepath.Dir(db.Path()))
	}
	os.Exit(code)
}
