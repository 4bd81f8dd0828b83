package reports

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/pipeline"
	"github.com/voc-analytics/voc/warehouse"
)

// spellingsWarehouse stores complaining reviews of three products, two of
// them written several ways, and keys them as the pipeline does.
func spellingsWarehouse(t *testing.T) *warehouse.DB {
	t.Helper()
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "voc.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	at := fixtureWeek.Period(shanghai).Start.Add(30 * time.Hour)
	var items []voc.Item
	for i, p := range []string{"降噪耳機", "降噪耳機", "降噪耳机", "AirPods Pro", "AirPods Pro", "airpods  pro", "Other"} {
		items = append(items, voc.Item{Source: "shop", Kind: voc.KindReview, ExternalID: fmt.Sprint(i), Product: p,
			CreatedAt: at.Add(time.Duration(i) * time.Hour), Rating: voc.SomewhatDissatisfied, Text: "物流太慢了"})
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.ProductKeys(ctx, db); err != nil {
		t.Fatal(err)
	}
	toTag, err := db.ItemsToTag(ctx, "x", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var tags []warehouse.TaggedItem
	for _, in := range toTag {
		tags = append(tags, warehouse.TaggedItem{ContentHash: in.ContentHash, Tagging: voc.Tagging{ItemID: in.ID, Taxonomy: "x",
			Hits: []voc.ThemeHit{{Theme: "delivery_speed", Polarity: voc.Complaint, Clause: "物流太慢了", End: 5, Sentiment: -0.6}}}})
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestProductsGroupedAcrossSpellings: a Taiwanese shop's 降噪耳機 and a
// mainland shop's 降噪耳机, and "AirPods Pro" next to "airpods  pro", are one
// product each on the weekly page, the theme page and its filter, counted
// together and shown by the spelling most items use.
func TestProductsGroupedAcrossSpellings(t *testing.T) {
	ctx := context.Background()
	db := spellingsWarehouse(t)
	w, err := BuildWeekly(ctx, db, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, b := range w.Products {
		rows = append(rows, fmt.Sprintf("%s=%s:%d", b.Key, b.Name, b.Items))
	}
	// The commoner spelling names the product: traditional 降噪耳機 here,
	// and never the lower-cased key.
	if want := []string{"airpods pro=AirPods Pro:3", "降噪耳机=降噪耳機:3", "other=Other:1"}; !slices.Equal(rows, want) {
		t.Errorf("weekly products %q, want %q", rows, want)
	}
	var page bytes.Buffer
	if err := renderWeekly(&page, w, fileLinks{}, "now"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<td>AirPods Pro</td><td class=\"n\">3</td>") || strings.Contains(page.String(), "airpods pro") {
		t.Error("weekly page does not show AirPods Pro once with 3 items, by its commonest spelling")
	}

	p, err := BuildTheme(ctx, db, "delivery_speed", fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	want := []warehouse.Count{{Key: "AirPods Pro", Items: 3}, {Key: "降噪耳機", Items: 3}, {Key: "Other", Items: 1}}
	if !slices.Equal(p.ByProduct, want) {
		t.Errorf("theme page by product %+v, want %+v", p.ByProduct, want)
	}
	wantOpts := []Option{{"airpods pro", "AirPods Pro"}, {"other", "Other"}, {"降噪耳机", "降噪耳機"}}
	if !slices.Equal(p.Filters.Products, wantOpts) {
		t.Errorf("product filter %+v, want %+v", p.Filters.Products, wantOpts)
	}
	page.Reset()
	if err := renderTheme(&page, p, fileLinks{}, "now"); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if !strings.Contains(html, `<option value="降噪耳机">降噪耳機</option>`) || strings.Count(html, `data-product="降噪耳机"`) != 3 {
		t.Error("static theme page: the product filter does not select 降噪耳機 and 降噪耳机 together")
	}

	// `voc serve` filters by the key, or by any spelling of the product.
	srv, err := NewServer(db, ServerOptions{Options: fixtureOptions("en")})
	if err != nil {
		t.Fatal(err)
	}
	for _, product := range []string{"降噪耳机", "降噪耳機", "airpods pro", "airpods  pro", "AirPods Pro"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/week/2026-W47/theme/delivery_speed?product="+url.QueryEscape(product), nil)
		req.Host = "127.0.0.1:8047"
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("product %q: %d %s", product, rec.Code, rec.Body.String())
		}
		if n := strings.Count(rec.Body.String(), "<tr data-week="); n != 3 {
			t.Errorf("live filter by product %q: %d rows, want 3", product, n)
		}
	}
}

// TestProductFilterInBrowser picks a product in a written theme page's
// filter: every spelling of it stays visible, nothing else does.
func TestProductFilterInBrowser(t *testing.T) {
	ctx := browser(t)
	db := spellingsWarehouse(t)
	dir := t.TempDir()
	if _, err := WriteWeekly(context.Background(), db, dir, fixtureWeek, fixtureOptions("en")); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, "file://"+filepath.Join(dir, fixtureWeek.String(), themeFile("delivery_speed", "en")))
	for _, tc := range []struct {
		value string
		want  []string
	}{
		{"降噪耳机", []string{"降噪耳機", "降噪耳機", "降噪耳机"}},
		{"airpods pro", []string{"AirPods Pro", "AirPods Pro", "airpods  pro"}},
		{"", []string{"降噪耳機", "降噪耳機", "降噪耳机", "AirPods Pro", "AirPods Pro", "airpods  pro", "Other"}},
	} {
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#filters select[name=product]`), tc.value)); err != nil {
			t.Fatal(err)
		}
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`document.getElementById("filters").dispatchEvent(new Event("change"));
Array.from(document.querySelectorAll("#items tbody tr")).filter(r => !r.hidden).map(r => r.cells[3].textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(shown)
		slices.Sort(tc.want)
		if !slices.Equal(shown, tc.want) {
			t.Errorf("product %q: rows of %q, want %q", tc.value, shown, tc.want)
		}
	}
}
