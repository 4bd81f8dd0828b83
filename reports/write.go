package reports

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/voc-analytics/voc/warehouse"
)

// weeklyCharts builds the weekly report's charts.
func weeklyCharts(w *Weekly) ([]chart, error) {
	t := textsFor(w.Lang)
	var out []chart
	c, err := levelTrendChart(w, t)
	if err != nil {
		return nil, err
	}
	out = append(out, c)

	var keys []string
	var prev, cur []float64
	for _, s := range w.Sources {
		keys = append(keys, cmpOr(s.Name, t.Get("none")))
		prev, cur = append(prev, float64(s.PrevItems)), append(cur, float64(s.Items))
	}
	if c, err = pairChart("sources", t.Get("volume_by_source"), keys, prev, cur, t); err != nil {
		return nil, err
	}
	out = append(out, c)

	keys, prev, cur = nil, nil, nil
	for i, th := range w.Themes {
		if i == 10 {
			break
		}
		keys = append(keys, th.Name)
		prev, cur = append(prev, float64(th.PrevComplaints)), append(cur, float64(th.Complaints))
	}
	if len(keys) > 0 {
		if c, err = pairChart("themes", t.Get("top_themes"), keys, prev, cur, t); err != nil {
			return nil, err
		}
		out = append(out, c)
	}

	keys, prev, cur = nil, nil, nil
	for _, b := range w.Products {
		if len(keys) == 12 {
			break
		}
		if !b.HasSat && !b.HasPrevSat {
			continue
		}
		keys = append(keys, cmpOr(b.Name, t.Get("none")))
		prev, cur = append(prev, pct(b.PrevSat)), append(cur, pct(b.Satisfaction))
	}
	if len(keys) > 0 {
		if c, err = pairChart("products", t.Get("sat_by_product"), keys, prev, cur, t); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// themeCharts builds a theme page's charts.
func themeCharts(p *ThemePage) ([]chart, error) {
	t := textsFor(p.Lang)
	c, err := themeTrendChart(p, t)
	if err != nil {
		return nil, err
	}
	out := []chart{c}
	for _, s := range []struct {
		id, title string
		counts    []warehouse.Count
		label     func(string) string
		color     string
	}{
		{"phrases", t.Get("phrases"), p.Phrases, nil, "#c0392b"},
		{"products", t.Get("by_product"), p.ByProduct, nil, "#1f618d"},
		{"sources", t.Get("by_source"), p.BySource, nil, "#1f618d"},
		{"levels", t.Get("by_level"), p.ByLevel, func(k string) string {
			if n, err := strconv.Atoi(k); err == nil {
				return k + " " + levelLabel(n, p.Lang)
			}
			return ""
		}, "#e67e22"},
	} {
		if len(s.counts) == 0 {
			continue
		}
		keys := make([]string, len(s.counts))
		vals := make([]int, len(s.counts))
		for i, c := range s.counts {
			keys[i] = c.Key
			if s.label != nil {
				keys[i] = s.label(c.Key)
			}
			keys[i] = cmpOr(keys[i], t.Get("none"))
			vals[i] = c.Items
		}
		c, err := rankChart(s.id, s.title, t.Get("complaints"), keys, vals, s.color)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func renderWeekly(out io.Writer, w *Weekly, l linker, generated string) error {
	cs, err := weeklyCharts(w)
	if err != nil {
		return fmt.Errorf("weekly report %s: %w", w.Week, err)
	}
	t := textsFor(w.Lang)
	return renderPage(out, "weekly", page{Lang: w.Lang, Title: t.Get("weekly_title") + " " + w.Week.String(),
		Generated: generated, L: l, Charts: cs, Scripts: true, Body: w})
}

func renderTheme(out io.Writer, p *ThemePage, l linker, generated string) error {
	cs, err := themeCharts(p)
	if err != nil {
		return fmt.Errorf("theme page %q: %w", p.Theme.ID, err)
	}
	t := textsFor(p.Lang)
	return renderPage(out, "theme", page{Lang: p.Lang, Title: p.Theme.Name + " · " + t.Get("drilldown") + " " + p.Week.String(),
		Generated: generated, L: l, Charts: cs, Scripts: true, Body: p})
}

// WriteHTML writes the report as one self-contained HTML page whose theme
// links point at files named as WriteWeekly names them.
func (w *Weekly) WriteHTML(out io.Writer, generated time.Time, loc *time.Location) error {
	return renderWeekly(out, w, fileLinks{}, generatedAt(generated, loc))
}

// WriteHTML writes the drill-down as one self-contained HTML page.
func (p *ThemePage) WriteHTML(out io.Writer, generated time.Time, loc *time.Location) error {
	return renderTheme(out, p, fileLinks{}, generatedAt(generated, loc))
}

// Written says which files WriteWeekly wrote, as paths under its dir.
type Written struct {
	Weekly string   `json:"weekly"`
	Digest string   `json:"digest"` // plain text for an email body
	Themes []string `json:"themes"`
	Index  string   `json:"index"`
}

// manifestFile records every report written to a directory, so the index
// lists them all whatever order they were written in.
const manifestFile = "reports.json"

type manifestEntry struct {
	Week    string    `json:"week"`
	Lang    string    `json:"lang"`
	File    string    `json:"file"` // relative to the directory
	Items   int       `json:"items"`
	Written time.Time `json:"written"`
}

// WriteWeekly writes the weekly report of week into dir as
// <week>/weekly.<lang>.html, a drill-down page next to it for every theme
// it links to and <week>/digest.<lang>.txt (WriteDigest, for an email
// body), and rewrites dir/index.html to list every report in dir.
// Each file is written whole to a temporary name and renamed, so a reader
// never opens half a page.
func WriteWeekly(ctx context.Context, db *warehouse.DB, dir string, week Week, opt Options) (Written, error) {
	opt = opt.withDefaults()
	var res Written
	w, err := BuildWeekly(ctx, db, week, opt)
	if err != nil {
		return res, err
	}
	now := opt.Now()
	gen := generatedAt(now, opt.Location)
	sub := filepath.Join(dir, week.String())
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return res, fmt.Errorf("write weekly report: %w", err)
	}

	// A page for every theme the report links to, and for every theme with
	// complaints in the trend window, so a drill-down's "co-occurring"
	// links find their page too.
	ids := map[string]bool{}
	for _, th := range w.Themes {
		if th.Complaints > 0 {
			ids[th.ID] = true
		}
	}
	window := warehouse.Period{Start: week.Add(1 - opt.TrendWeeks).Period(opt.Location).Start, End: w.Period.End}
	inWindow, err := db.ReportComplaintThemes(ctx, window)
	if err != nil {
		return res, fmt.Errorf("write weekly report %s: %w", week, err)
	}
	for _, c := range inWindow {
		ids[c.Key] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	for _, id := range sorted {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		p, err := BuildTheme(ctx, db, id, week, opt)
		if err != nil {
			return res, err
		}
		path := filepath.Join(sub, themeFile(p.Theme.Slug, opt.Lang))
		if err := writeFile(path, func(out io.Writer) error { return renderTheme(out, p, fileLinks{}, gen) }); err != nil {
			return res, err
		}
		res.Themes = append(res.Themes, path)
	}

	res.Weekly = filepath.Join(sub, weeklyFile(opt.Lang))
	if err := writeFile(res.Weekly, func(out io.Writer) error { return renderWeekly(out, w, fileLinks{}, gen) }); err != nil {
		return res, err
	}
	res.Digest = filepath.Join(sub, digestFile(opt.Lang))
	if err := writeFile(res.Digest, func(out io.Writer) error { return w.WriteDigest(out, weeklyFile(opt.Lang)) }); err != nil {
		return res, err
	}
	entry := manifestEntry{Week: week.String(), Lang: opt.Lang, File: week.String() + "/" + weeklyFile(opt.Lang), Items: int(w.Summary[0].Value), Written: now.UTC()}
	if res.Index, err = updateIndex(dir, entry, opt); err != nil {
		return res, err
	}
	return res, nil
}

func readManifest(dir string) ([]manifestEntry, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read report index: %w", err)
	}
	var es []manifestEntry
	if err := json.Unmarshal(b, &es); err != nil {
		return nil, fmt.Errorf("read report index %s: %w", filepath.Join(dir, manifestFile), err)
	}
	return es, nil
}

// updateIndex records entry (replacing an earlier report of the same week
// and language) and rewrites index.html, newest week first.
func updateIndex(dir string, entry manifestEntry, opt Options) (string, error) {
	es, err := readManifest(dir)
	if err != nil {
		return "", err
	}
	es = slices.DeleteFunc(es, func(e manifestEntry) bool { return e.File == entry.File })
	es = append(es, entry)
	slices.SortFunc(es, func(a, b manifestEntry) int {
		return cmp.Or(cmp.Compare(b.Week, a.Week), cmp.Compare(a.Lang, b.Lang))
	})
	b, err := json.MarshalIndent(es, "", "  ")
	if err != nil {
		return "", fmt.Errorf("write report index: %w", err)
	}
	if err := writeFile(filepath.Join(dir, manifestFile), func(out io.Writer) error { _, err := out.Write(b); return err }); err != nil {
		return "", err
	}
	var ix indexPage
	ix.Zone = opt.Location.String()
	for _, e := range es {
		if n := len(ix.Entries); n > 0 && ix.Entries[n-1].Week == e.Week {
			ix.Entries[n-1].Langs = append(ix.Entries[n-1].Langs, indexLang{Lang: e.Lang, Href: e.File})
			continue
		}
		ix.Entries = append(ix.Entries, indexEntry{Week: e.Week, Href: e.File, Items: e.Items,
			Written: generatedAt(e.Written, opt.Location), Langs: []indexLang{{Lang: e.Lang, Href: e.File}}})
	}
	path := filepath.Join(dir, "index.html")
	err = writeFile(path, func(out io.Writer) error {
		return renderPage(out, "index", page{Lang: opt.Lang, Title: textsFor(opt.Lang).Get("index_title"),
			Generated: generatedAt(opt.Now(), opt.Location), L: fileLinks{fromIndex: true}, Body: ix})
	})
	return path, err
}

type indexPage struct {
	Zone    string
	Entries []indexEntry
}

type indexEntry struct {
	Week    string
	Href    string
	Items   int
	Written string
	Langs   []indexLang
}

type indexLang struct{ Lang, Href string }

// writeFile renders into memory and replaces path in one rename.
func writeFile(path string, render func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after a successful rename
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
