package reports

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/url"
	"strings"
	"time"
)

// echartsJS is ECharts' "common" build, embedded into every page so a
// report opens offline and as an e-mail attachment. assets/fetch-echarts.sh
// says where it came from; its licence and notice sit beside it.
//
//go:embed assets/echarts.min.js
var echartsJS string

//go:embed templates/*.html
var templateFS embed.FS

// bootJS is the page's only script of its own: it draws the charts from
// their JSON blocks and filters the item table. It builds nothing from
// strings: charts get parsed JSON, the table is filtered by hiding rows.
const bootJS = `(function () {
"use strict";
var charts = [];
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var src = document.getElementById(el.getAttribute("data-chart"));
  if (!src || typeof echarts === "undefined") { return; }
  var c = echarts.init(el, null, {renderer: "svg"});
  c.setOption(JSON.parse(src.textContent));
  charts.push(c);
});
function resize() { charts.forEach(function (c) { c.resize(); }); }
window.addEventListener("resize", resize);
window.addEventListener("beforeprint", resize);
var table = document.getElementById("items");
var form = document.getElementById("filters");
if (!table || !form) { return; }
var rows = Array.prototype.slice.call(table.tBodies[0].rows);
var count = document.getElementById("shown");
var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
function val(name) { var e = form.elements[name]; return e ? e.value : ""; }
function apply() {
  var week = val("week"), product = val("product"), source = val("source"), level = val("level");
  var q = val("q").toLowerCase().trim(), n = 0;
  rows.forEach(function (r, i) {
    var d = r.dataset;
    var ok = (!week || d.week === week) && (!product || d.product === product) &&
      (!source || d.source === source) && (!level || d.level === level) && (!q || text[i].indexOf(q) >= 0);
    r.hidden = !ok;
    if (ok) { n++; }
  });
  if (count) { count.textContent = String(n); }
}
form.addEventListener("input", apply);
form.addEventListener("change", apply);
if (form.getAttribute("data-static") === "1") {
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
}
apply();
})();`

// The Content-Security-Policy of every page: scripts only by hash (the
// embedded ECharts and bootJS), nothing loaded from anywhere, no plugins,
// no <base> games. Styles must allow inline: ECharts positions its SVG and
// tooltips with style attributes.
var (
	scriptHashes = "'sha256-" + hashJS(echartsJS) + "' 'sha256-" + hashJS(bootJS) + "'"
	cspStatic    = "default-src 'none'; script-src " + scriptHashes + "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
	cspLive      = "default-src 'none'; script-src " + scriptHashes + "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'"
	// frame-ancestors works only as a header (browsers ignore it in <meta>
	// and say so in the console).
	cspLiveHeader = cspLive + "; frame-ancestors 'none'"
)

func hashJS(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// linker makes the links between pages: relative file names for reports
// written to a directory, server paths for `voc serve`.
type linker interface {
	Index() string
	Weekly(w Week, lang string) string
	Theme(w Week, id, slug, lang string) string
	Live() bool
}

// fileLinks are the links of a report directory:
//
//	index.html
//	2026-W47/weekly.zh.html
//	2026-W47/theme-<slug>.zh.html
type fileLinks struct{ fromIndex bool }

func (l fileLinks) Index() string { return "../index.html" }
func (l fileLinks) Weekly(w Week, lang string) string {
	if l.fromIndex {
		return w.String() + "/" + weeklyFile(lang)
	}
	return weeklyFile(lang)
}
func (l fileLinks) Theme(_ Week, _ string, slug, lang string) string { return themeFile(slug, lang) }
func (l fileLinks) Live() bool                                       { return false }

func weeklyFile(lang string) string      { return "weekly." + lang + ".html" }
func themeFile(slug, lang string) string { return "theme-" + slug + "." + lang + ".html" }

// liveLinks are `voc serve`'s paths.
type liveLinks struct{}

func (liveLinks) Index() string { return "/" }
func (liveLinks) Weekly(w Week, lang string) string {
	return "/week/" + w.String() + "?lang=" + url.QueryEscape(lang)
}
func (liveLinks) Theme(w Week, id, _ string, lang string) string {
	return "/week/" + w.String() + "/theme/" + url.PathEscape(id) + "?lang=" + url.QueryEscape(lang)
}
func (liveLinks) Live() bool { return true }

var pageTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"fig":     formatFigure,
	"change":  formatChange,
	"trend":   changeClass,
	"num":     formatInt,
	"pct":     func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) },
	"p2":      func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"delta":   func(a, b int) string { return signed(float64(a-b), 0) },
	"level":   levelLabel,
	"inc":     func(i int) int { return i + 1 },
	"orNone":  func(s, none string) string { return cmpOr(s, none) },
	"join":    strings.Join,
	"satPair": satPair,
	"dict":    dict,
}).ParseFS(templateFS, "templates/*.html"))

func cmpOr(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// page is what the layout template needs around a page's own content.
type page struct {
	Lang      string
	Title     string
	CSP       string
	Generated string
	T         texts
	L         linker
	Charts    []chart
	Scripts   bool
	EChartsJS template.JS
	BootJS    template.JS
	Body      any
}

func renderPage(out io.Writer, name string, p page) error {
	p.T = textsFor(p.Lang)
	p.CSP = cspStatic
	if p.L.Live() {
		p.CSP = cspLive
	}
	if p.Scripts {
		p.EChartsJS, p.BootJS = template.JS(echartsJS), template.JS(bootJS)
	}
	if err := pageTemplates.ExecuteTemplate(out, name, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

func formatInt(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatFigure(f Figure, has bool, v float64, na string) string {
	if !has {
		return na
	}
	switch f.Unit {
	case "share":
		return fmt.Sprintf("%.1f%%", v*100)
	case "level":
		return fmt.Sprintf("%.2f", v)
	case "score":
		return signed(v, 1)
	}
	return formatInt(int(math.Round(v)))
}

func signed(v float64, decimals int) string {
	s := fmt.Sprintf("%+.*f", decimals, v)
	if s == fmt.Sprintf("%+.*f", decimals, 0.0) || s == fmt.Sprintf("%+.*f", decimals, math.Copysign(0, -1)) {
		return "±0" + strings.TrimPrefix(strings.TrimPrefix(s, "+0"), "-0")
	}
	return s
}

// formatChange renders a figure's week-over-week change in the unit a
// reader expects: percentage points for shares, a relative change too for
// counts.
func formatChange(f Figure, na string) string {
	d, ok := f.Change()
	if !ok {
		return na
	}
	switch f.Unit {
	case "share":
		return signed(d*100, 1) + " pt"
	case "level":
		return signed(d, 2)
	case "score":
		return signed(d, 1)
	}
	s := signed(d, 0)
	if f.Prev > 0 {
		s += fmt.Sprintf(" (%s%%)", signed(100*d/f.Prev, 1))
	}
	return s
}

// changeClass colours a change: "good", "bad" or "flat".
func changeClass(f Figure) string {
	d, ok := f.Change()
	if !ok || f.Better == 0 || math.Abs(d) < 1e-9 {
		return "flat"
	}
	if (d > 0) == (f.Better > 0) {
		return "good"
	}
	return "bad"
}

func satPair(has bool, v float64, na string) string {
	if !has {
		return na
	}
	return fmt.Sprintf("%.1f%%", v*100)
}

func generatedAt(now time.Time, loc *time.Location) string {
	return now.In(loc).Format("2006-01-02 15:04 MST")
}

// dict builds a map from key, value pairs, for sub-templates that need
// more than one value.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
