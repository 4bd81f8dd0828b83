package warehouse

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

// reportFixture is a small warehouse built so that every report query has a
// case on each side of its rules: items on the exact period edges, an item
// with no creation time, NPS promoters/passives/detractors, hidden
// dissatisfaction, a sub-theme hit that counts for its parent, authors who
// complain twice within 30 days and one whose complaints are 40 days apart.
type reportItem struct {
	id         string
	kind       voc.Kind
	at         time.Time // zero: no creation time
	rating     voc.Level
	text       voc.Level // text level; LevelNone: no score row at all
	recommend  *int
	repurchase voc.Level
	author     string
	product    string
	hits       []voc.ThemeHit
	escalation bool
}

// The report period of the fixture: ISO week 2026-W47 in Asia/Shanghai,
// Monday 2026-11-16 00:00 +08:00 to the next Monday.
var (
	fixStart = time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC).Add(-24 * time.Hour)
	fixWeek  = Period{Start: fixStart, End: fixStart.Add(7 * 24 * time.Hour)}
	fixPrev  = Period{Start: fixStart.Add(-7 * 24 * time.Hour), End: fixStart}
)

func complaint(theme, clause string, start int, sentiment float64) voc.ThemeHit {
	return voc.ThemeHit{Theme: theme, Polarity: voc.Complaint, Clause: clause, Start: start, End: start + len([]rune(clause)), Sentiment: sentiment}
}

func reportFixture(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, _ := openTemp(t)
	in := fixWeek.Start.Add(36 * time.Hour)
	fixture := []reportItem{
		{id: "a1", kind: voc.KindSurvey, at: fixWeek.Start, rating: 5, text: 5, recommend: intp(10), repurchase: 5, author: "u1", product: "A"},
		{id: "a2", kind: voc.KindSurvey, at: fixWeek.End.Add(-time.Second), rating: 4, text: 1, recommend: intp(9), repurchase: 4, product: "A"},
		{id: "a3", kind: voc.KindSurvey, at: fixWeek.End, rating: 1, text: 1, product: "A"},
		{id: "a4", kind: voc.KindReview, at: in, text: 2, author: "u2", product: "B",
			hits: []voc.ThemeHit{complaint("quality.battery", "电池不耐用", 0, -0.9), complaint("quality", "电池不耐用", 0, -0.9)}, escalation: true},
		{id: "a5", kind: voc.KindReview, at: in.Add(time.Hour), rating: 2, text: 2, author: "u2", product: "B",
			hits: []voc.ThemeHit{complaint("quality", "质量差", 3, -0.5), complaint("delivery_speed", "物流慢", 0, -0.4)}},
		{id: "a6", kind: voc.KindComplaint, at: fixWeek.Start.Add(-72 * time.Hour), author: "u3", product: "B"},
		{id: "a7", kind: voc.KindComplaint, at: in, author: "u3", product: "B"},
		{id: "a8", kind: voc.KindComplaint, at: fixWeek.Start.Add(-40 * 24 * time.Hour), author: "u4"},
		{id: "a9", kind: voc.KindComplaint, at: in.Add(48 * time.Hour), author: "u4"},
		{id: "a10", kind: voc.KindSurvey, at: in, rating: 3, text: 3, recommend: intp(3)},
		{id: "a11", kind: voc.KindReview, rating: 1, text: 1, author: "u2"},
		{id: "a12", kind: voc.KindReview, at: in, rating: 5, text: 5, product: "A",
			hits: []voc.ThemeHit{{Theme: "quality", Polarity: voc.Praise, Clause: "质量好", End: 3}, complaint("delivery_speed", "物流太慢", 4, -0.7)}},
		{id: "a14", kind: voc.KindReview, at: in.Add(2 * time.Hour), rating: 1, text: 4, product: "C"},
		{id: "a13", kind: voc.KindReview, at: fixPrev.Start, rating: 1, text: 1, product: "A",
			hits: []voc.ThemeHit{complaint("quality", "质量差", 0, -0.8)}},
	}
	items := make([]voc.Item, len(fixture))
	for i, f := range fixture {
		items[i] = voc.Item{Source: "s", Kind: f.kind, ExternalID: f.id, Product: f.product, Channel: "tmall",
			AuthorKey: f.author, CreatedAt: f.at, CollectedAt: fixWeek.End, Rating: f.rating, Text: "text " + f.id,
			Recommend: f.recommend, Repurchase: f.repurchase}
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	byText := map[string]reportItem{}
	for _, f := range fixture {
		byText["text "+f.id] = f
	}
	toScore, err := db.ItemsToScore(ctx, "m", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var scores []ScoredItem
	for _, in := range toScore {
		f := byText[in.Text]
		if f.text == voc.LevelNone {
			continue
		}
		scores = append(scores, ScoredItem{ContentHash: in.ContentHash, Score: voc.Score{ItemID: in.ID, Model: "m", TextLevel: f.text, Value: float64(f.text), Rating: f.rating}})
	}
	if err := db.SaveScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	toTag, err := db.ItemsToTag(ctx, "x", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var tags []TaggedItem
	for _, in := range toTag {
		f := byText[in.Text]
		tg := voc.Tagging{ItemID: in.ID, Taxonomy: "x", Hits: f.hits, Escalation: f.escalation}
		if f.escalation {
			tg.EscalationTerms = []string{"12315", "</script>"}
		}
		tags = append(tags, TaggedItem{ContentHash: in.ContentHash, Tagging: tg})
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		t.Fatal(err)
	}
	return db
}

func ids(items []ReportItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Text[len("text "):]
	}
	return out
}

func TestReportFigures(t *testing.T) {
	db := reportFixture(t)
	got, err := db.ReportFigures(context.Background(), []Period{fixPrev, fixWeek, {Start: fixWeek.End, End: fixWeek.End.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []PeriodFigures{
		{Period: fixPrev, Items: 2, Rated: 1, Levels: [6]int{1: 1}, LevelSum: 1, ComplaintThemeItems: 1},
		{Period: fixWeek, Items: 9, Rated: 7, Levels: [6]int{1: 1, 2: 2, 3: 1, 4: 1, 5: 2}, LevelSum: 22, Satisfied: 3,
			NPSResponses: 3, Promoters: 2, Detractors: 1, RepurchaseResponses: 2, RepurchaseLikely: 2, RepurchaseSum: 9,
			Escalations: 1, Disagreements: 2, HiddenDissatisfaction: 1, ComplaintThemeItems: 3},
		{Period: Period{Start: fixWeek.End, End: fixWeek.End.Add(time.Hour)}, Items: 1, Rated: 1, Levels: [6]int{1: 1}, LevelSum: 1},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("period %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// Overlapping periods are each computed in full.
	wide := Period{Start: fixPrev.Start, End: fixWeek.End}
	over, err := db.ReportFigures(context.Background(), []Period{wide, fixWeek})
	if err != nil {
		t.Fatal(err)
	}
	if over[0].Items != 11 || over[0].ComplaintThemeItems != 4 || over[1] != want[1] {
		t.Errorf("overlapping periods: %+v", over)
	}
	counts, err := db.ReportItemCounts(context.Background(), []Period{fixPrev, fixWeek, want[2].Period, wide})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(counts, []int{2, 9, 1, 11}) {
		t.Errorf("item counts %v, want [2 9 1 11]", counts)
	}
	tests := []struct {
		name string
		f    func(PeriodFigures) (float64, bool)
		want float64
	}{
		{"satisfaction index", PeriodFigures.SatisfactionIndex, 3.0 / 7},
		{"mean level", PeriodFigures.MeanLevel, 22.0 / 7},
		{"NPS", PeriodFigures.NPS, 100.0 / 3},
		{"repurchase rate", PeriodFigures.RepurchaseRate, 1},
	}
	for _, tc := range tests {
		if v, ok := tc.f(got[1]); !ok || v != tc.want {
			t.Errorf("%s = %v, %v; want %v", tc.name, v, ok, tc.want)
		}
		if _, ok := tc.f(PeriodFigures{}); ok {
			t.Errorf("%s of nothing is ok", tc.name)
		}
	}
}

func TestReportBreakdown(t *testing.T) {
	db := reportFixture(t)
	ctx := context.Background()
	tests := []struct {
		dim   Dimension
		theme string
		want  []BreakdownRow
	}{
		{ByProduct, "", []BreakdownRow{
			{Period: 0, Key: "A", Items: 1, Rated: 1, LevelSum: 1},
			{Period: 0, Key: "B", Items: 1},
			{Period: 1, Key: "A", Items: 3, Rated: 3, Satisfied: 3, LevelSum: 14},
			{Period: 1, Key: "B", Items: 3, Rated: 2, LevelSum: 4},
			{Period: 1, Key: "", Items: 2, Rated: 1, LevelSum: 3},
			{Period: 1, Key: "C", Items: 1, Rated: 1, LevelSum: 1},
		}},
		{ByKind, "", []BreakdownRow{
			{Period: 0, Key: "complaint", Items: 1},
			{Period: 0, Key: "review", Items: 1, Rated: 1, LevelSum: 1},
			{Period: 1, Key: "review", Items: 4, Rated: 4, Satisfied: 1, LevelSum: 10},
			{Period: 1, Key: "survey", Items: 3, Rated: 3, Satisfied: 2, LevelSum: 12},
			{Period: 1, Key: "complaint", Items: 2},
		}},
		// "quality" takes in its sub-theme's hit (a4) but not praise (a12).
		{ByLevel, "quality", []BreakdownRow{
			{Period: 0, Key: "1", Items: 1, Rated: 1, LevelSum: 1},
			{Period: 1, Key: "2", Items: 2, Rated: 2, LevelSum: 4},
		}},
		{BySource, "quality.battery", []BreakdownRow{{Period: 1, Key: "s", Items: 1, Rated: 1, LevelSum: 2}}},
		{BySource, "qual", nil}, // a prefix that is not a parent id matches nothing
	}
	for _, tc := range tests {
		got, err := db.ReportThemeBreakdown(ctx, tc.theme, []Period{fixPrev, fixWeek}, tc.dim)
		if tc.theme == "" {
			got, err = db.ReportBreakdown(ctx, []Period{fixPrev, fixWeek}, tc.dim)
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range tc.want {
			tc.want[i].Name = tc.want[i].Key // they differ only once products are keyed
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s theme %q:\n got %+v\nwant %+v", tc.dim, tc.theme, got, tc.want)
		}
	}
	// The one-pass form agrees with the one-dimension form.
	src, prod, ch, err := db.ReportBreakdowns(ctx, []Period{fixPrev, fixWeek})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dim Dimension
		got []BreakdownRow
	}{{BySource, src}, {ByProduct, prod}, {ByChannel, ch}} {
		want, err := db.ReportBreakdown(ctx, []Period{fixPrev, fixWeek}, c.dim)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.got, want) || len(want) == 0 {
			t.Errorf("ReportBreakdowns by %s:\n got %+v\nwant %+v", c.dim, c.got, want)
		}
	}
	if _, err := db.ReportBreakdown(ctx, []Period{fixWeek}, Dimension("text; DROP TABLE items")); err == nil {
		t.Error("unknown dimension accepted")
	}
}

func TestReportItemLists(t *testing.T) {
	db := reportFixture(t)
	ctx := context.Background()
	esc, err := db.ReportEscalations(ctx, fixWeek, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(esc); !slices.Equal(got, []string{"a4"}) || !slices.Equal(esc[0].EscalationTerms, []string{"12315", "</script>"}) {
		t.Errorf("escalations %v terms %q", got, esc[0].EscalationTerms)
	}
	dis, err := db.ReportDisagreements(ctx, fixWeek, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Hidden dissatisfaction (a2: 4 stars, text 1) before the opposite
	// (a14: 1 star, text 4, a gap an unsigned subtraction would overflow).
	if got := ids(dis); !slices.Equal(got, []string{"a2", "a14"}) || dis[0].Rating != 4 || dis[0].TextLevel != 1 || dis[0].Level != 4 {
		t.Errorf("disagreements %v %+v", got, dis)
	}

	rc, err := db.ReportRepeatComplainants(ctx, fixWeek, 30*24*time.Hour, 10)
	if err != nil {
		t.Fatal(err)
	}
	var authors []string
	for _, r := range rc {
		authors = append(authors, r.AuthorKey+":"+string(rune('0'+len(r.Items))))
	}
	// u2 complains by level and themes (a4, a5; a11 has no time), u3 by
	// kind 3 days apart; u4's complaints are 40 days apart, u1 is happy.
	if want := []string{"u2:2", "u3:2"}; !slices.Equal(authors, want) {
		t.Errorf("repeat complainants %v, want %v", authors, want)
	}
	// The one-aggregate form (a window at least as long as the period)
	// agrees with ordering every author's complaints; windows shorter than
	// the period always take the general form. u3's complaints are 108
	// hours apart, u4's 43.5 days.
	for _, tc := range []struct {
		window time.Duration
		want   []string
	}{
		{2 * 24 * time.Hour, []string{"u2:2"}},
		{7 * 24 * time.Hour, []string{"u2:2", "u3:2"}},
		{43 * 24 * time.Hour, []string{"u2:2", "u3:2"}},
		{44 * 24 * time.Hour, []string{"u4:2", "u2:2", "u3:2"}},
	} {
		for _, general := range []bool{false, true} {
			rc, err := db.repeatComplainants(ctx, fixWeek, tc.window, 10, general)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rc {
				got = append(got, r.AuthorKey+":"+string(rune('0'+len(r.Items))))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("repeat complainants within %s (general %v): %v, want %v", tc.window, general, got, tc.want)
			}
		}
	}

	tests := []struct {
		theme string
		p     Period
		f     ItemFilter
		limit int
		want  []string
		total int
	}{
		{"quality", fixWeek, ItemFilter{}, 0, []string{"a5", "a4"}, 2},
		{"quality", fixWeek, ItemFilter{}, 1, []string{"a5"}, 2},
		{"quality", fixPrev, ItemFilter{}, 0, []string{"a13"}, 1},
		{"delivery_speed", fixWeek, ItemFilter{}, 0, []string{"a5", "a12"}, 2},
		{"delivery_speed", fixWeek, ItemFilter{Product: "A"}, 0, []string{"a12"}, 1},
		{"delivery_speed", fixWeek, ItemFilter{Level: 2}, 0, []string{"a5"}, 1},
		{"delivery_speed", fixWeek, ItemFilter{Text: "TEXT A1"}, 0, []string{"a12"}, 1},
		{"delivery_speed", fixWeek, ItemFilter{Text: "%"}, 0, nil, 0},
		{"delivery_speed", fixWeek, ItemFilter{Source: "other"}, 0, nil, 0},
	}
	for _, tc := range tests {
		items, total, err := db.ReportThemeItems(ctx, tc.theme, tc.p, tc.f, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(items); !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("%s %+v limit %d: %v of %d, want %v of %d", tc.theme, tc.f, tc.limit, got, total, tc.want, tc.total)
		}
	}
	// An item's strongest clause on the theme is the one listed (a4 carries
	// its sub-theme's hit twice, the second inherited by the parent).
	items, _, err := db.ReportThemeItems(ctx, "quality", fixWeek, ItemFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if items[1].Clause != "电池不耐用" || items[1].Theme != "quality" || items[1].ClauseEnd != 5 {
		t.Errorf("clause of a4: %+v", items[1])
	}
	for _, tc := range []struct {
		strongest bool
		n         int
		want      map[string][]string
	}{
		{true, 5, map[string][]string{"quality": {"a4", "a5"}, "delivery_speed": {"a12", "a5"}}},
		{false, 5, map[string][]string{"quality": {"a5", "a4"}, "delivery_speed": {"a5", "a12"}}},
		{true, 1, map[string][]string{"quality": {"a4"}, "delivery_speed": {"a12"}}},
	} {
		got, err := db.ReportThemeSamples(ctx, []string{"quality", "delivery_speed", "nothing"}, fixWeek, tc.n, tc.strongest)
		if err != nil {
			t.Fatal(err)
		}
		for theme, want := range tc.want {
			if g := ids(got.Items[theme]); !slices.Equal(g, want) || got.Total[theme] != 2 {
				t.Errorf("samples strongest=%v n=%d %s: %v of %d, want %v of 2", tc.strongest, tc.n, theme, g, got.Total[theme], want)
			}
		}
		if len(got.Items["nothing"]) != 0 {
			t.Errorf("samples of a theme without hits: %v", got.Items["nothing"])
		}
	}
	// Several sets in one pass give what each gives alone.
	sets := []SampleSet{{Themes: []string{"quality"}, N: 1}, {Themes: []string{"quality", "delivery_speed"}, N: 5, Strongest: true}, {}}
	got, err := db.ReportThemeSampleSets(ctx, fixWeek, sets...)
	if err != nil {
		t.Fatal(err)
	}
	for i, set := range sets {
		alone, err := db.ReportThemeSamples(ctx, set.Themes, fixWeek, set.N, set.Strongest)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], alone) {
			t.Errorf("set %d: %+v, alone %+v", i, got[i], alone)
		}
	}
	if !slices.Equal(ids(got[1].Items["delivery_speed"]), []string{"a12", "a5"}) || got[1].Items["delivery_speed"][0].Clause != "物流太慢" {
		t.Errorf("strongest delivery_speed in a set: %+v", got[1].Items["delivery_speed"])
	}
}

func TestReportCounts(t *testing.T) {
	db := reportFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		f    func() ([]Count, error)
		want []Count
	}{
		{"phrases", func() ([]Count, error) { return db.ReportThemePhrases(ctx, "quality", fixWeek, 10) },
			[]Count{{"电池不耐用", 1}, {"质量差", 1}}},
		{"co-occurring", func() ([]Count, error) { return db.ReportCooccurring(ctx, "quality", fixWeek, 10) },
			[]Count{{"delivery_speed", 1}}},
		{"co-occurring leaves out ancestors", func() ([]Count, error) { return db.ReportCooccurring(ctx, "quality.battery", fixWeek, 10) },
			nil},
		{"complaint themes", func() ([]Count, error) { return db.ReportComplaintThemes(ctx, fixWeek) },
			[]Count{{"delivery_speed", 2}, {"quality", 2}, {"quality.battery", 1}}},
	}
	for _, tc := range tests {
		got, err := tc.f()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	first, last, ok, err := db.ReportSpan(ctx)
	if err != nil || !ok || !first.Equal(fixWeek.Start.Add(-40*24*time.Hour)) || !last.Equal(fixWeek.End) {
		t.Errorf("span %v %v %v %v", first, last, ok, err)
	}
}

func TestReportThemeWeeks(t *testing.T) {
	db := reportFixture(t)
	ctx := context.Background()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, 11, 16, 0, 0, 0, 0, sh)
	weeks := []voc.ThemeWeek{
		{Theme: "quality", Week: mon.AddDate(0, 0, -7), Complaints: 1, Items: 2, MeanLevel: 1},
		{Theme: "quality", Week: mon, Complaints: 2, Items: 8, MeanLevel: 2, Recurring: true},
		{Theme: "delivery_speed", Week: mon, Complaints: 2, Items: 8, MeanLevel: 3.5, Emerging: true, Expected: 0.2, PValue: 0.01},
	}
	if err := db.ReplaceThemeWeeks(ctx, weeks); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to time.Time
		theme    string
		want     []voc.ThemeWeek
	}{
		{mon, mon, "", []voc.ThemeWeek{weeks[2], weeks[1]}},
		{mon.AddDate(0, 0, -7), mon, "quality", weeks[:2]},
		{mon.AddDate(0, 0, 7), mon.AddDate(0, 0, 14), "", nil},
	}
	for _, tc := range tests {
		got, err := db.ReportThemeWeeks(ctx, tc.from, tc.to, tc.theme)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%v-%v %q: %d rows, want %d", tc.from, tc.to, tc.theme, len(got), len(tc.want))
		}
		for i := range got {
			if !got[i].Week.Equal(tc.want[i].Week) || got[i] != tc.want[i] {
				t.Errorf("row %d: %+v, want %+v", i, got[i], tc.want[i])
			}
		}
	}
}
