package reports

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// Weekly is everything the weekly executive report shows, computed before
// any HTML is written, so the figures can be tested (and compared with
// `voc query`) without parsing a page.
type Weekly struct {
	Week Week
	Lang string
	Zone string // IANA name of the zone the week is cut in
	Days string // "2026-11-16 – 2026-11-22", local
	// Period and Prev are the report's week and the week before, as UTC
	// instants; every "change" compares the two.
	Period, Prev warehouse.Period

	Summary  []Figure
	Sources  []Breakdown // volume and satisfaction by source
	Products []Breakdown
	Channels []Breakdown
	Trend    []TrendWeek // oldest first, the report's week last

	// ThemesFrom says where the theme counts come from: "theme_weeks" (the
	// pipeline's weekly figures, with emerging/recurring verdicts) or
	// "theme_hits" when the pipeline has not computed theme weeks for this
	// week yet (counts per tagged theme, no verdicts).
	ThemesFrom string
	Themes     []ThemeLine // every theme with complaints this week or last, most first
	Emerging   []ThemeAlert
	Recurring  []ThemeAlert
	Verbatims  []ThemeAlert // representative items of the top themes

	Escalations     []Item
	EscalationTotal int
	Repeat          []Complainant
	Disagreements   []Item
	DisagreeTotal   int
	HiddenTotal     int

	// Complaints is complaint handling and silent dissatisfaction.
	Complaints *ComplaintSection
}

// Figure is one headline number with last week's for comparison. Has and
// HasPrev are false when there was nothing to compute it from (no rated
// item, no NPS answer ...): the page then says "n/a" rather than 0.
type Figure struct {
	Key     string // "items", "satisfaction", "mean_level", "nps", ...
	Unit    string // "count", "share" (0-1), "level" (1-5) or "score" (-100..100)
	Value   float64
	Prev    float64
	Has     bool
	HasPrev bool
	// Better is +1 when a rise is good news, -1 when it is bad, 0 neutral.
	Better int
}

// Change is Value - Prev; ok is false unless both exist.
func (f Figure) Change() (float64, bool) {
	if !f.Has || !f.HasPrev {
		return 0, false
	}
	return f.Value - f.Prev, true
}

// Breakdown is one group (a source, product or channel) this week and last.
// Products are grouped by their key, so that one product written several
// ways (降噪耳機, 降噪耳机) is one row, shown by its commonest spelling.
type Breakdown struct {
	Key                      string // "" when the items have none
	Name                     string // how to show it: Key, or for a product its commonest spelling
	Items, PrevItems         int
	Satisfaction, PrevSat    float64 // share of levels 4-5; see HasSat
	HasSat, HasPrevSat       bool
	MeanLevel, PrevMean      float64
	HasMean, HasPrevMean     bool
	Rated, PrevRated         int
	Satisfied, PrevSatisfied int
}

// TrendWeek is one week of the trend charts.
type TrendWeek struct {
	Week         Week
	Items        int
	Levels       [6]int // Levels[l]: items at level l
	Satisfaction float64
	HasSat       bool
	MeanLevel    float64
}

// ThemeLine is one complaint theme's figures for the week.
type ThemeLine struct {
	ID             string
	Name           string
	Owner          string
	Slug           string // file-name-safe form of ID for its page
	Complaints     int
	PrevComplaints int
	Share          float64 // complaints / the week's items (theme_weeks.items)
	MeanLevel      float64 // of the complaining items; 0 if unknown
	Recurring      bool
	Emerging       bool
	Expected       float64 // emerging: the baseline count
	PValue         float64
}

// ThemeAlert is a theme with the items behind it this week.
type ThemeAlert struct {
	Theme ThemeLine
	Items []Item
	Total int // complaint items of the theme this week, of which Items is a sample
}

// Complainant is a repeat complainant: one author_key, their complaint
// items in the last 30 days.
type Complainant struct {
	AuthorKey string
	Items     []Item
}

// Item is one piece of feedback as a page shows it. Text is the raw,
// untrusted text; templates escape it. When a clause is highlighted, Text
// is split into Before, Clause and After.
type Item struct {
	ID           int64
	When         string // local time, "2006-01-02 15:04"
	Week         string // "2026-W47", local
	Source       string
	Kind         string
	Product      string // as the item wrote it
	ProductKey   string // the key it groups and filters under
	Channel      string
	AuthorKey    string
	Level        int // 0 when unknown
	Rating       int
	TextLevel    int
	Text         string
	Before       string
	Clause       string
	After        string
	Theme        string
	Escalation   bool
	Terms        []string
	Disagreement bool
}

// repeatWindow is how close two complaints of one author must be for the
// author to count as a repeat complainant.
const repeatWindow = 30 * 24 * time.Hour

// listLimit caps each list of items in the weekly report: it is read by
// people, and the drill-down pages hold the rest.
const listLimit = 20

// BuildWeekly computes the weekly report of week from the warehouse.
func BuildWeekly(ctx context.Context, db *warehouse.DB, week Week, opt Options) (*Weekly, error) {
	opt = opt.withDefaults()
	loc := opt.Location
	w := &Weekly{Week: week, Lang: opt.Lang, Zone: loc.String(), Period: week.Period(loc), Prev: week.Add(-1).Period(loc)}
	w.Days = w.Period.Start.In(loc).Format(time.DateOnly) + " – " + w.Period.End.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)

	n := max(opt.TrendWeeks, 2)
	periods := make([]warehouse.Period, n)
	weeks := make([]Week, n)
	for i := range n {
		weeks[i] = week.Add(i - n + 1)
		periods[i] = weeks[i].Period(loc)
	}
	figs, err := db.ReportFigures(ctx, periods)
	if err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}
	for i, f := range figs {
		sat, ok := f.SatisfactionIndex()
		mean, _ := f.MeanLevel()
		w.Trend = append(w.Trend, TrendWeek{Week: weeks[i], Items: f.Items, Levels: f.Levels, Satisfaction: sat, HasSat: ok, MeanLevel: mean})
	}
	cur, prev := figs[n-1], figs[n-2]
	w.Summary = summary(cur, prev)
	w.EscalationTotal, w.DisagreeTotal, w.HiddenTotal = cur.Escalations, cur.Disagreements, cur.HiddenDissatisfaction

	src, prod, ch, err := db.ReportBreakdowns(ctx, []warehouse.Period{w.Prev, w.Period})
	if err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}
	w.Sources, w.Products, w.Channels = breakdowns(src), breakdowns(prod), breakdowns(ch)

	if err := w.themes(ctx, db, opt); err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}
	if err := w.complaints(ctx, db, opt); err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}

	esc, err := db.ReportEscalations(ctx, w.Period, listLimit)
	if err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}
	w.Escalations = items(esc, loc)
	rc, err := db.ReportRepeatComplainants(ctx, w.Period, repeatWindow, repeatLimit)
	if err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}
	for _, r := range rc {
		w.Repeat = append(w.Repeat, Complainant{AuthorKey: r.AuthorKey, Items: items(r.Items, loc)})
	}
	dis, err := db.ReportDisagreements(ctx, w.Period, listLimit)
	if err != nil {
		return nil, fmt.Errorf("weekly report %s: %w", week, err)
	}
	w.Disagreements = items(dis, loc)
	return w, nil
}

// repeatLimit caps the repeat complainants listed: the most insistent
// ones are the ones to call back.
const repeatLimit = 10

// topThemes is how many themes get representative verbatims.
const topThemes = 5

func (w *Weekly) themes(ctx context.Context, db *warehouse.DB, opt Options) error {
	loc := opt.Location
	thisMon, prevMon := w.Week.Monday(loc), w.Week.Add(-1).Monday(loc)
	rows, err := db.ReportThemeWeeks(ctx, prevMon, thisMon, "")
	if err != nil {
		return err
	}
	byID := map[string]*ThemeLine{}
	line := func(id string) *ThemeLine {
		if l, ok := byID[id]; ok {
			return l
		}
		info := opt.theme(id)
		l := &ThemeLine{ID: id, Name: info.Name(opt.Lang), Owner: info.Owner, Slug: slug(id)}
		byID[id] = l
		return l
	}
	haveThis := false
	for _, r := range rows {
		l := line(r.Theme)
		if r.Week.Equal(thisMon) {
			haveThis = true
			l.Complaints, l.MeanLevel, l.Recurring, l.Emerging = r.Complaints, r.MeanLevel, r.Recurring, r.Emerging
			l.Expected, l.PValue = r.Expected, r.PValue
			if r.Items > 0 {
				l.Share = float64(r.Complaints) / float64(r.Items)
			}
		} else {
			l.PrevComplaints = r.Complaints
		}
	}
	w.ThemesFrom = "theme_weeks"
	if !haveThis {
		// The pipeline has not computed this week's theme figures: count
		// the tagged hits directly, and say so on the page.
		w.ThemesFrom = "theme_hits"
		clear(byID)
		for i, p := range []warehouse.Period{w.Prev, w.Period} {
			counts, err := db.ReportComplaintThemes(ctx, p)
			if err != nil {
				return err
			}
			for _, c := range counts {
				l := line(c.Key)
				if i == 0 {
					l.PrevComplaints = c.Items
				} else {
					l.Complaints = c.Items
				}
			}
		}
		if items := w.Summary[0].Value; items > 0 {
			for _, l := range byID {
				l.Share = float64(l.Complaints) / items
			}
		}
	}
	for _, l := range byID {
		if l.Complaints > 0 || l.PrevComplaints > 0 {
			w.Themes = append(w.Themes, *l)
		}
	}
	slices.SortFunc(w.Themes, func(a, b ThemeLine) int {
		return cmp.Or(cmp.Compare(b.Complaints, a.Complaints), cmp.Compare(b.PrevComplaints, a.PrevComplaints), cmp.Compare(a.ID, b.ID))
	})
	// A few items for every alert and the top themes' verbatims, in one
	// pass over the week's hits rather than one query per theme.
	var alerts, top []string
	for _, l := range w.Themes {
		if l.Emerging || l.Recurring {
			alerts = append(alerts, l.ID)
		}
		if len(top) < topThemes && l.Complaints > 0 {
			top = append(top, l.ID)
		}
	}
	sets, err := db.ReportThemeSampleSets(ctx, w.Period,
		warehouse.SampleSet{Themes: alerts, N: 5}, warehouse.SampleSet{Themes: top, N: 3, Strongest: true})
	if err != nil {
		return err
	}
	newest, strongest := sets[0], sets[1]
	for _, l := range w.Themes {
		a := ThemeAlert{Theme: l, Items: items(newest.Items[l.ID], loc), Total: newest.Total[l.ID]}
		if l.Emerging {
			w.Emerging = append(w.Emerging, a)
		}
		if l.Recurring {
			w.Recurring = append(w.Recurring, a)
		}
		if slices.Contains(top, l.ID) {
			w.Verbatims = append(w.Verbatims, ThemeAlert{Theme: l, Items: items(strongest.Items[l.ID], loc), Total: l.Complaints})
		}
	}
	return nil
}

func summary(cur, prev warehouse.PeriodFigures) []Figure {
	pair := func(key, unit string, better int, f func(warehouse.PeriodFigures) (float64, bool)) Figure {
		v, ok := f(cur)
		p, pok := f(prev)
		return Figure{Key: key, Unit: unit, Value: v, Prev: p, Has: ok, HasPrev: pok, Better: better}
	}
	count := func(f func(warehouse.PeriodFigures) int) func(warehouse.PeriodFigures) (float64, bool) {
		return func(p warehouse.PeriodFigures) (float64, bool) { return float64(f(p)), true }
	}
	return []Figure{
		pair("items", "count", 0, count(func(p warehouse.PeriodFigures) int { return p.Items })),
		pair("satisfaction", "share", 1, warehouse.PeriodFigures.SatisfactionIndex),
		pair("mean_level", "level", 1, warehouse.PeriodFigures.MeanLevel),
		pair("nps", "score", 1, warehouse.PeriodFigures.NPS),
		pair("repurchase", "share", 1, warehouse.PeriodFigures.RepurchaseRate),
		pair("complaint_items", "count", -1, count(func(p warehouse.PeriodFigures) int { return p.ComplaintThemeItems })),
		pair("escalations", "count", -1, count(func(p warehouse.PeriodFigures) int { return p.Escalations })),
		pair("hidden", "count", -1, count(func(p warehouse.PeriodFigures) int { return p.HiddenDissatisfaction })),
		pair("disagreements", "count", -1, count(func(p warehouse.PeriodFigures) int { return p.Disagreements })),
	}
}

// breakdowns joins the two periods' rows (period 0 last week, 1 this
// week) by key, in this week's order, then groups only seen last week.
func breakdowns(rows []warehouse.BreakdownRow) []Breakdown {
	var out []Breakdown
	idx := map[string]int{}
	get := func(k string) *Breakdown {
		if i, ok := idx[k]; ok {
			return &out[i]
		}
		idx[k] = len(out)
		out = append(out, Breakdown{Key: k})
		return &out[len(out)-1]
	}
	for _, pass := range []int{1, 0} {
		for _, r := range rows {
			if r.Period != pass {
				continue
			}
			b := get(r.Key)
			if b.Name == "" {
				b.Name = r.Name
			}
			sat, sok := r.SatisfactionIndex()
			mean, mok := r.MeanLevel()
			if pass == 1 {
				b.Items, b.Satisfaction, b.HasSat, b.MeanLevel, b.HasMean = r.Items, sat, sok, mean, mok
				b.Rated, b.Satisfied = r.Rated, r.Satisfied
			} else {
				b.PrevItems, b.PrevSat, b.HasPrevSat, b.PrevMean, b.HasPrevMean = r.Items, sat, sok, mean, mok
				b.PrevRated, b.PrevSatisfied = r.Rated, r.Satisfied
			}
		}
	}
	return out
}

// maxTextRunes bounds how much of one text a page shows: a 50,000-character
// paste must not make the report unreadable. The highlighted clause is
// kept in view.
const maxTextRunes = 600

func items(in []warehouse.ReportItem, loc *time.Location) []Item {
	out := make([]Item, len(in))
	for i, r := range in {
		it := Item{ID: r.ID, Source: r.Source, Kind: string(r.Kind), Product: r.Product, ProductKey: r.ProductKey, Channel: r.Channel,
			AuthorKey: r.AuthorKey, Level: int(r.Level), Rating: int(r.Rating), TextLevel: int(r.TextLevel),
			Theme: r.Theme, Escalation: r.Escalation, Terms: r.EscalationTerms, Disagreement: r.Disagreement}
		if !r.CreatedAt.IsZero() {
			t := r.CreatedAt.In(loc)
			it.When, it.Week = t.Format("2006-01-02 15:04"), WeekOf(t).String()
		}
		it.Before, it.Clause, it.After = highlight(r.Text, r.Clause, r.ClauseStart, r.ClauseEnd, maxTextRunes)
		it.Text = it.Before + it.Clause + it.After
		out[i] = it
	}
	return out
}

// highlight splits text around clause, which the tagger located at rune
// offsets [start, end). Offsets that do not match the text (an edited item,
// a tagger bug) fall back to the clause's first occurrence, then to no
// highlight at all. The result is cut to at most max runes around the
// clause, with "…" marking each cut.
func highlight(text, clause string, start, end, max int) (before, mid, after string) {
	rs := []rune(text)
	cr := []rune(clause)
	switch {
	case clause == "":
		start, end = 0, 0
	case start >= 0 && end <= len(rs) && start < end && string(rs[start:end]) == clause:
	default:
		start = -1
		for i := 0; i+len(cr) <= len(rs); i++ {
			if string(rs[i:i+len(cr)]) == clause {
				start = i
				break
			}
		}
		if start < 0 {
			start, end = 0, 0
		} else {
			end = start + len(cr)
		}
	}
	lo, hi := 0, len(rs)
	if len(rs) > max {
		if end-start >= max { // a clause longer than the window: show its start
			lo, hi = start, start+max
			end = hi
		} else { // centre the window on the clause, clipped to the text
			lo = max0(start - (max-(end-start))/2)
			hi = min(len(rs), lo+max)
			lo = max0(hi - max)
		}
	}
	before, mid, after = string(rs[lo:start]), string(rs[start:end]), string(rs[end:hi])
	if lo > 0 {
		before = "…" + before
	}
	if hi < len(rs) {
		after += "…"
	}
	return before, mid, after
}

func max0(n int) int { return max(n, 0) }

// levelLabel is a level's label in lang, "" for none.
func levelLabel(l int, lang string) string {
	if !voc.Level(l).Valid() {
		return ""
	}
	return voc.Level(l).Label(lang)
}

// slug makes a theme id safe as a file name and URL path segment. Taxonomy
// ids (lower-case words, dots, underscores) are kept as they are, so links
// stay readable; anything else becomes a hash of the id.
func slug(id string) string {
	ok := id != "" && len(id) <= 100 && id[0] != '.'
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			ok = false
			break
		}
	}
	if ok && !strings.Contains(id, "..") {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "t-" + hex.EncodeToString(sum[:8])
}
