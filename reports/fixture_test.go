package reports

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// The fixture's report week and zone. Shanghai has no DST but is 8 hours
// off UTC, so an item at local Monday 00:30 is on Sunday in UTC: a report
// that cut weeks in UTC would count it in the wrong week.
var (
	fixtureWeek = Week{2026, 47}
	shanghai    = mustZone("Asia/Shanghai")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The hostile strings every page must show as text and never run.
var xssTexts = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`</script><script>alert(2)</script>`,
	`javascript:alert(1)`,
	`"><svg onload=alert(3)>`,
	"\u2028</script><!--",
}

var fixtureThemes = []ThemeInfo{
	{ID: "delivery_speed", NameZH: "物流速度", NameEN: "Delivery speed", Owner: "logistics"},
	{ID: "quality", NameZH: "质量", NameEN: "Product quality", Owner: "product"},
	{ID: "quality.battery", NameZH: "电池与续航", NameEN: "Battery life", Owner: "product"},
	{ID: "customer_service", NameZH: "客服", NameEN: "Customer service", Owner: "service"},
	{ID: "refund", NameZH: "退款", NameEN: "Refunds", Owner: "finance"},
	// "price" is deliberately missing: pages must fall back to its id.
}

// clauses per theme: complaint phrases and a praise phrase.
var themeClauses = map[string]struct{ complaints, praise []string }{
	"delivery_speed":   {[]string{"物流太慢了", "等了一个星期才到", "delivery took forever", "快递三天不更新"}, []string{"物流很快"}},
	"quality":          {[]string{"做工粗糙", "用了两天就坏了", "质量太差", "poor build quality"}, []string{"质量很好"}},
	"quality.battery":  {[]string{"电池不耐用", "半天就没电", "battery dies fast"}, []string{"续航持久"}},
	"customer_service": {[]string{"客服态度很差", "客服不回消息", "support never answered"}, []string{"客服很耐心"}},
	"refund":           {[]string{"退款迟迟不到账", "申请退款被拒", "refund still pending"}, []string{"退款很快"}},
	"price":            {[]string{"价格太贵", "刚买就降价"}, []string{"价格实惠"}},
	// A theme id as hostile as review text: it reaches file names, links
	// and chart labels.
	`x"><img src=x onerror=alert(9)>`: {[]string{"奇怪的主题"}, nil},
}

var products = []string{"扫地机器人 X1", "空气净化器 A3", "电动牙刷 S2", `<img id=pwned src=x onerror=alert(1)>`}
var channels = []string{"天猫", "京东", "app", "javascript:alert(1)"}

type fixtureSource struct {
	name string
	kind voc.Kind
}

var fixtureSources = []fixtureSource{{"tmall-reviews", voc.KindReview}, {"jd-reviews", voc.KindReview}, {"nps-survey", voc.KindSurvey}, {"hotline", voc.KindComplaint}}

type fixtureItem struct {
	item      voc.Item
	textLevel voc.Level
	hits      []voc.ThemeHit
	escalate  []string
}

// buildFixture writes a realistic warehouse of about n items a week over
// 14 weeks ending with the week after fixtureWeek, scored, tagged, with
// theme_weeks computed from the hits the way the pipeline does (sub-theme
// hits count for the parent). It is deterministic.
func buildFixture(dir string, perWeek int) (*warehouse.DB, error) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(dir, "voc.duckdb"), warehouse.Options{})
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(47, 2026))
	var all []fixtureItem
	first := fixtureWeek.Add(-12)
	for wi := 0; wi < 14; wi++ {
		wk := first.Add(wi)
		start := wk.Period(shanghai).Start
		n := perWeek + r.IntN(perWeek/3+1)
		for j := 0; j < n; j++ {
			at := start.Add(time.Duration(r.Int64N(int64(7 * 24 * time.Hour))))
			all = append(all, fixtureRandom(r, wi, len(all), at))
		}
	}
	all = append(all, fixtureEdges()...)

	items := make([]voc.Item, len(all))
	for i := range all {
		items[i] = all[i].item
	}
	for i := 0; i < len(items); i += 5000 {
		if _, err := db.UpsertItems(ctx, items[i:min(i+5000, len(items))]); err != nil {
			return nil, err
		}
	}
	byKey := map[string]*fixtureItem{}
	for i := range all {
		byKey[all[i].item.Source+"\x00"+all[i].item.ExternalID] = &all[i]
	}
	// Scores and tags need the ids the warehouse gave the items.
	res, err := db.Query(ctx, `SELECT id, content_hash, source, external_id FROM items ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var scores []warehouse.ScoredItem
	var tags []warehouse.TaggedItem
	for _, row := range res.Rows {
		id, hash := row[0].(int64), row[1].(string)
		f := byKey[row[2].(string)+"\x00"+row[3].(string)]
		if f == nil {
			return nil, fmt.Errorf("fixture item %d not found by key", id)
		}
		scores = append(scores, warehouse.ScoredItem{ContentHash: hash, Score: voc.Score{ItemID: id, Model: "fixture",
			TextLevel: f.textLevel, Value: float64(f.textLevel), Confidence: 0.9, Rating: f.item.Rating}})
		tags = append(tags, warehouse.TaggedItem{ContentHash: hash, Tagging: voc.Tagging{ItemID: id, Taxonomy: "fixture",
			Hits: f.hits, Escalation: len(f.escalate) > 0, EscalationTerms: f.escalate}})
	}
	if err := db.SaveScores(ctx, scores); err != nil {
		return nil, err
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		return nil, err
	}
	if err := db.ReplaceThemeWeeks(ctx, fixtureThemeWeeks(all, first, 14)); err != nil {
		return nil, err
	}
	return db, nil
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// fixtureRandom makes one ordinary item. Week index wi drifts the data:
// delivery complaints surge in the report week (an emerging theme), quality
// complaints come every week (recurring).
func fixtureRandom(r *rand.Rand, wi, n int, at time.Time) fixtureItem {
	src := fixtureSources[r.IntN(len(fixtureSources))]
	if r.IntN(10) < 4 {
		src = fixtureSources[2] // surveys are the bulk
	}
	it := voc.Item{Source: src.name, Kind: src.kind, ExternalID: fmt.Sprintf("f%d", n), Product: pick(r, products[:3]),
		Channel: pick(r, channels[:3]), AuthorKey: fmt.Sprintf("c%03d", r.IntN(400)), CreatedAt: at, CollectedAt: at.Add(time.Hour)}
	if r.IntN(50) == 0 {
		it.Product, it.Channel = products[3], channels[3]
	}
	level := voc.Level(1 + r.IntN(5))
	if r.IntN(3) > 0 {
		level = voc.Level(3 + r.IntN(3)) // mostly satisfied
	}
	if src.kind == voc.KindComplaint {
		level = voc.Level(1 + r.IntN(2))
	}
	text := level
	if r.IntN(12) == 0 { // the stars and the words disagree
		text = voc.Level(1 + (int(level)+1)%5)
	}
	f := fixtureItem{item: it, textLevel: text}
	if src.kind != voc.KindComplaint {
		f.item.Rating = level
	}
	if src.kind == voc.KindSurvey {
		rec := min(10, max(0, int(level)*2+r.IntN(3)-1))
		f.item.Recommend = &rec
		f.item.Repurchase = voc.Level(min(5, max(1, int(level)+r.IntN(3)-1)))
	}
	var parts []string
	addHit := func(theme string, polarity voc.Polarity, clause string) {
		start := len([]rune(strings.Join(parts, "，")))
		if len(parts) > 0 {
			start++
		}
		parts = append(parts, clause)
		h := voc.ThemeHit{Theme: theme, Polarity: polarity, Clause: clause, Start: start, End: start + len([]rune(clause)), Sentiment: -0.3 - r.Float64()*0.6}
		if polarity == voc.Praise {
			h.Sentiment = 0.6
		}
		f.hits = append(f.hits, h)
	}
	if text <= 2 || src.kind == voc.KindComplaint || r.IntN(6) == 0 {
		themes := []string{"quality", "quality", "quality.battery", "customer_service", "refund", "price", "delivery_speed"}
		if wi == 12 && r.IntN(2) == 0 {
			themes = []string{"delivery_speed"} // this week's surge
		}
		th := pick(r, themes)
		addHit(th, voc.Complaint, pick(r, themeClauses[th].complaints))
		if r.IntN(4) == 0 {
			th2 := pick(r, []string{"customer_service", "refund", "delivery_speed"})
			if th2 != th {
				addHit(th2, voc.Complaint, pick(r, themeClauses[th2].complaints))
			}
		}
		if r.IntN(25) == 0 {
			parts = append(parts, "再不解决我就去12315投诉")
			f.escalate = []string{"12315"}
		}
	} else {
		th := pick(r, []string{"quality", "delivery_speed", "customer_service", "price"})
		addHit(th, voc.Praise, themeClauses[th].praise[0])
		parts = append(parts, pick(r, []string{"总体满意", "会推荐给朋友", "还不错", "good value"}))
	}
	f.item.Text = strings.Join(parts, "，")
	return f
}

// fixtureEdges are the hand-made items: the hostile ones in the report
// week, items either side of the week's local edges, a very long text, and
// a repeat complainant.
func fixtureEdges() []fixtureItem {
	p := fixtureWeek.Period(shanghai)
	mid := p.Start.Add(50 * time.Hour)
	var out []fixtureItem
	mk := func(id string, at time.Time, rating, text voc.Level, body, author string) fixtureItem {
		return fixtureItem{item: voc.Item{Source: "tmall-reviews", Kind: voc.KindReview, ExternalID: id, Product: products[0],
			Channel: channels[0], AuthorKey: author, CreatedAt: at, CollectedAt: at, Rating: rating, Text: body}, textLevel: text}
	}
	for i, x := range xssTexts {
		f := mk(fmt.Sprintf("xss%d", i), mid.Add(time.Duration(i)*time.Minute), 5, 1, "物流太慢了 "+x, "xss-author")
		f.item.Product, f.item.Channel = products[3], channels[3]
		f.hits = []voc.ThemeHit{{Theme: "delivery_speed", Polarity: voc.Complaint, Clause: "物流太慢了 " + x, Start: 0, End: len([]rune("物流太慢了 " + x)), Sentiment: -0.99}}
		f.escalate = []string{x}
		out = append(out, f)
	}
	weird := `x"><img src=x onerror=alert(9)>`
	f := mk("weird-theme", mid, 2, 2, "奇怪的主题 <b>bold</b>", "c900")
	f.hits = []voc.ThemeHit{{Theme: weird, Polarity: voc.Complaint, Clause: "奇怪的主题", End: 5, Sentiment: -0.5}}
	out = append(out, f)
	long := strings.Repeat("很长的评论。", 3000) + "质量太差" + strings.Repeat("还有很多字。", 3000)
	f = mk("long", mid, 1, 1, long, "c901")
	f.hits = []voc.ThemeHit{{Theme: "quality", Polarity: voc.Complaint, Clause: "质量太差", Start: 18000, End: 18004, Sentiment: -0.9}}
	out = append(out, f)
	// Local Monday 00:30 (Sunday 16:30 UTC) is in the week; local Sunday
	// 23:30 before it is not; neither is local Monday 00:00 after it.
	out = append(out,
		mk("edge-in", p.Start.Add(30*time.Minute), 1, 1, "edge in", "c902"),
		mk("edge-before", p.Start.Add(-30*time.Minute), 1, 1, "edge before", "c902"),
		mk("edge-after", p.End, 1, 1, "edge after", "c903"),
	)
	return out
}

// fixtureThemeWeeks computes theme_weeks as the pipeline would: per theme
// (a sub-theme's hits also count for its parent) and local week, items
// with a complaint or praise hit, the week's items, the complaining items'
// mean level; recurring = complaints in at least 3 of the last 4 weeks;
// emerging = more than twice the previous four weeks' mean plus 2.
func fixtureThemeWeeks(all []fixtureItem, first Week, n int) []voc.ThemeWeek {
	type key struct {
		theme string
		week  Week
	}
	type acc struct {
		complaints, praises, levelSum, rated int
	}
	accs := map[key]*acc{}
	weekItems := map[Week]int{}
	var themes []string
	for _, f := range all {
		if f.item.CreatedAt.IsZero() {
			continue
		}
		wk := WeekOf(f.item.CreatedAt.In(shanghai))
		weekItems[wk]++
		level := f.item.Rating
		if !level.Valid() {
			level = f.textLevel
		}
		seen := map[string]bool{}
		for _, h := range f.hits {
			for _, th := range append([]string{h.Theme}, ancestors(h.Theme)...) {
				k := string(h.Polarity) + "\x00" + th
				if seen[k] {
					continue
				}
				seen[k] = true
				a := accs[key{th, wk}]
				if a == nil {
					a = &acc{}
					accs[key{th, wk}] = a
					if !slices.Contains(themes, th) {
						themes = append(themes, th)
					}
				}
				if h.Polarity == voc.Complaint {
					a.complaints++
					if level.Valid() {
						a.levelSum += int(level)
						a.rated++
					}
				} else {
					a.praises++
				}
			}
		}
	}
	slices.Sort(themes)
	var out []voc.ThemeWeek
	for _, th := range themes {
		var counts []int
		for i := 0; i < n; i++ {
			wk := first.Add(i)
			a := accs[key{th, wk}]
			if a == nil {
				a = &acc{}
			}
			counts = append(counts, a.complaints)
			if a.complaints == 0 && a.praises == 0 {
				continue
			}
			tw := voc.ThemeWeek{Theme: th, Week: wk.Monday(shanghai), Complaints: a.complaints, Praises: a.praises, Items: weekItems[wk]}
			if a.rated > 0 {
				tw.MeanLevel = float64(a.levelSum) / float64(a.rated)
			}
			if i >= 4 {
				hist := counts[i-4 : i]
				k, sum := 0, 0
				for _, c := range counts[i-3 : i+1] {
					if c > 0 {
						k++
					}
				}
				for _, c := range hist {
					sum += c
				}
				mean := float64(sum) / 4
				tw.Recurring = k >= 3
				if float64(a.complaints) > 2*mean+2 {
					tw.Emerging, tw.Expected, tw.PValue = true, mean, 0.001
				}
			}
			out = append(out, tw)
		}
	}
	return out
}

func ancestors(theme string) []string {
	var out []string
	for {
		i := strings.LastIndexByte(theme, '.')
		if i < 0 {
			return out
		}
		theme = theme[:i]
		out = append(out, theme)
	}
}
