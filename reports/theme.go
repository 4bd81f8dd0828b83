package reports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// ThemePage is one theme's drill-down: its trend, where its complaints come
// from, what people say, and every complaining item of the window.
type ThemePage struct {
	Theme ThemeLine // the report week's figures
	Week  Week
	Lang  string
	Zone  string
	// Window is the span the splits, phrases and items cover: the trend
	// weeks ending with Week.
	Window     warehouse.Period
	FirstWeek  Week
	Trend      []ThemeTrendWeek  // oldest first
	ByProduct  []warehouse.Count // Key is the product's name as shown (BreakdownRow.Name)
	BySource   []warehouse.Count
	ByLevel    []warehouse.Count // Key is the level, "" for unscored items
	Phrases    []warehouse.Count
	CoThemes   []NamedCount
	Items      []Item // newest first, at most Options.MaxThemeItems
	ItemTotal  int    // all complaining items of the window
	Filters    ItemFilters
	ThemesFrom string // as in Weekly
	// Sel is the item filter a live page was asked for (`voc serve`);
	// static pages filter in the browser and leave it empty.
	Sel Selection
}

// Selection is a theme page's item filter as the reader chose it.
type Selection struct {
	Week    string
	Product string // a product key (Item.ProductKey) or a written form
	Source  string
	Level   int
	Text    string
}

// ThemeTrendWeek is one week of a theme's trend. Complaints and Praises
// come from theme_weeks when the pipeline computed them, else from the
// tagged hits (Computed false: no verdicts).
type ThemeTrendWeek struct {
	Week       Week
	Complaints int
	Praises    int
	Items      int
	Share      float64
	Emerging   bool
	Recurring  bool
	Computed   bool
}

// NamedCount is a theme with a number of items.
type NamedCount struct {
	ID, Name, Slug string
	Items          int
}

// ItemFilters are the values a theme page's item filters offer.
type ItemFilters struct {
	Weeks, Sources []string
	// Products filter by product key, shown by the product's commonest
	// spelling, so one choice selects 降噪耳機 and 降噪耳机 alike.
	Products []Option
	Levels   []int
}

// Option is one choice of a filter: the value a form or link carries, and
// the text shown for it.
type Option struct {
	Value, Label string
}

// maxPhrases is how many phrases a theme page ranks.
const maxPhrases = 30

// BuildTheme computes the drill-down page of theme for the trend window
// ending with week.
func BuildTheme(ctx context.Context, db *warehouse.DB, theme string, week Week, opt Options) (*ThemePage, error) {
	opt = opt.withDefaults()
	loc := opt.Location
	first := week.Add(1 - opt.TrendWeeks)
	info := opt.theme(theme)
	p := &ThemePage{
		Theme: ThemeLine{ID: theme, Name: info.Name(opt.Lang), Owner: info.Owner, Slug: slug(theme)},
		Week:  week, Lang: opt.Lang, Zone: loc.String(), FirstWeek: first,
		Window: warehouse.Period{Start: first.Period(loc).Start, End: week.Period(loc).End},
	}
	fail := func(err error) (*ThemePage, error) {
		return nil, fmt.Errorf("theme page %q %s: %w", theme, week, err)
	}

	rows, err := db.ReportThemeWeeks(ctx, first.Monday(loc), week.Monday(loc), theme)
	if err != nil {
		return fail(err)
	}
	computed := map[Week]ThemeTrendWeek{}
	for _, r := range rows {
		tw := ThemeTrendWeek{Week: WeekOf(r.Week), Complaints: r.Complaints, Praises: r.Praises, Items: r.Items,
			Emerging: r.Emerging, Recurring: r.Recurring, Computed: true}
		if r.Items > 0 {
			tw.Share = float64(r.Complaints) / float64(r.Items)
		}
		computed[tw.Week] = tw
	}
	// Weeks the pipeline has not computed are counted from the hits, so the
	// trend has no holes that look like "no complaints".
	periods := make([]warehouse.Period, opt.TrendWeeks)
	for i := range periods {
		periods[i] = first.Add(i).Period(loc)
	}
	byWeek, err := db.ReportThemeBreakdown(ctx, theme, periods, warehouse.ByKind)
	if err != nil {
		return fail(err)
	}
	counts, err := db.ReportItemCounts(ctx, periods)
	if err != nil {
		return fail(err)
	}
	for i := range periods {
		wk := first.Add(i)
		if tw, ok := computed[wk]; ok {
			p.Trend = append(p.Trend, tw)
			continue
		}
		tw := ThemeTrendWeek{Week: wk, Items: counts[i]}
		for _, r := range byWeek {
			if r.Period == i {
				tw.Complaints += r.Items
			}
		}
		if tw.Items > 0 {
			tw.Share = float64(tw.Complaints) / float64(tw.Items)
		}
		p.Trend = append(p.Trend, tw)
	}
	p.ThemesFrom = "theme_hits"
	if tw, ok := computed[week]; ok {
		p.ThemesFrom = "theme_weeks"
		p.Theme.Complaints, p.Theme.Emerging, p.Theme.Recurring = tw.Complaints, tw.Emerging, tw.Recurring
		p.Theme.Share = tw.Share
	} else if n := len(p.Trend); n > 0 {
		p.Theme.Complaints, p.Theme.Share = p.Trend[n-1].Complaints, p.Trend[n-1].Share
	}
	if n := len(p.Trend); n > 1 {
		p.Theme.PrevComplaints = p.Trend[n-2].Complaints
	}

	window := []warehouse.Period{p.Window}
	names := map[string]string{} // product key -> name shown
	for _, s := range []struct {
		dim warehouse.Dimension
		dst *[]warehouse.Count
	}{{warehouse.ByProduct, &p.ByProduct}, {warehouse.BySource, &p.BySource}, {warehouse.ByLevel, &p.ByLevel}} {
		rows, err := db.ReportThemeBreakdown(ctx, theme, window, s.dim)
		if err != nil {
			return fail(err)
		}
		for _, r := range rows {
			*s.dst = append(*s.dst, warehouse.Count{Key: r.Name, Items: r.Items})
			if s.dim == warehouse.ByProduct {
				names[r.Key] = r.Name
			}
		}
	}
	// Levels read best in scale order, not by size.
	slices.SortFunc(p.ByLevel, func(a, b warehouse.Count) int { return levelKey(a.Key) - levelKey(b.Key) })

	if p.Phrases, err = db.ReportThemePhrases(ctx, theme, p.Window, maxPhrases); err != nil {
		return fail(err)
	}
	co, err := db.ReportCooccurring(ctx, theme, p.Window, 10)
	if err != nil {
		return fail(err)
	}
	for _, c := range co {
		p.CoThemes = append(p.CoThemes, NamedCount{ID: c.Key, Name: opt.theme(c.Key).Name(opt.Lang), Slug: slug(c.Key), Items: c.Items})
	}
	its, total, err := db.ReportThemeItems(ctx, theme, p.Window, warehouse.ItemFilter{}, opt.MaxThemeItems)
	if err != nil {
		return fail(err)
	}
	p.Items, p.ItemTotal = items(its, loc), total
	p.Filters = filters(p.Items, names)
	return p, nil
}

func levelKey(k string) int {
	n, err := strconv.Atoi(k)
	if err != nil {
		return 99 // unscored last
	}
	return n
}

// filters offers the values the items have; names are the products' names
// by key (an item whose key has none is shown as it wrote its product).
func filters(its []Item, names map[string]string) ItemFilters {
	var f ItemFilters
	seen := map[string]bool{}
	add := func(dst *[]string, kind, v string) {
		if v != "" && !seen[kind+"\x00"+v] {
			seen[kind+"\x00"+v] = true
			*dst = append(*dst, v)
		}
	}
	levels := map[int]bool{}
	for _, it := range its {
		add(&f.Weeks, "w", it.Week)
		if k := it.ProductKey; k != "" && !seen["p\x00"+k] {
			seen["p\x00"+k] = true
			f.Products = append(f.Products, Option{Value: k, Label: cmp.Or(names[k], it.Product)})
		}
		add(&f.Sources, "s", it.Source)
		if voc.Level(it.Level).Valid() {
			levels[it.Level] = true
		}
	}
	slices.Sort(f.Weeks)
	slices.Reverse(f.Weeks)
	slices.SortFunc(f.Products, func(a, b Option) int { return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Value, b.Value)) })
	slices.Sort(f.Sources)
	for l := range levels {
		f.Levels = append(f.Levels, l)
	}
	slices.Sort(f.Levels)
	return f
}
