package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// chart is one ECharts chart of a page: go-echarts builds the option, and
// this package embeds it.
//
// go-echarts' own templates are not used: they print the option with
// JSONNotEscaped into a <script> as trusted JS, so a product name or a
// review phrase containing "</script>" would end the script and run
// whatever follows. Here the option is marshalled with encoding/json, which
// escapes <, > and & (and U+2028/2029), and placed in a
// <script type="application/json"> block that the page's one fixed script
// parses. The option carries no JS functions (no formatter callbacks):
// ECharts' default tooltips escape the names and values they show.
type chart struct {
	ID     string
	Title  string
	Option template.JS // JSON, safe inside <script> (see above)
	Tall   bool
}

// palette of the five levels, very dissatisfied to very satisfied, in
// colours that stay apart in print and for common colour blindness.
var levelColors = [6]string{"", "#c0392b", "#e67e22", "#b0b0b0", "#5dade2", "#1f618d"}

func newChart(id, title string, c interface{ JSON() map[string]any }, tall bool) (chart, error) {
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return chart{}, fmt.Errorf("chart %s: %w", id, err)
	}
	return chart{ID: id, Title: title, Option: template.JS(b), Tall: tall}, nil
}

func baseOpts(legend bool) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "3%", Right: "4%", Bottom: "3%", Top: "40", ContainLabel: opts.Bool(true)}),
		charts.WithAnimation(false), // print and screenshots see the final picture
	}
}

func pct(v float64) float64 { return math.Round(v*1000) / 10 }

// levelTrendChart stacks the five levels per week, with the satisfaction
// index as a line on a second axis.
func levelTrendChart(w *Weekly, t texts) (chart, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseOpts(true),
		charts.WithYAxisOpts(opts.YAxis{Name: t.Get("items"), Type: "value"}))...)
	bar.ExtendYAxis(opts.YAxis{Name: t.Get("satisfaction") + " %", Type: "value", Min: 0, Max: 100, Position: "right"})
	var x []string
	for _, tw := range w.Trend {
		x = append(x, tw.Week.String())
	}
	bar.SetXAxis(x)
	for l := 1; l <= 5; l++ {
		data := make([]opts.BarData, len(w.Trend))
		for i, tw := range w.Trend {
			data[i] = opts.BarData{Value: tw.Levels[l]}
		}
		bar.AddSeries(fmt.Sprintf("%d %s", l, levelLabel(l, w.Lang)), data,
			charts.WithBarChartOpts(opts.BarChart{Stack: "levels"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: levelColors[l]}))
	}
	line := charts.NewLine()
	line.SetXAxis(x)
	data := make([]opts.LineData, len(w.Trend))
	for i, tw := range w.Trend {
		if tw.HasSat {
			data[i] = opts.LineData{Value: pct(tw.Satisfaction), YAxisIndex: 1}
		} else {
			data[i] = opts.LineData{Value: "-", YAxisIndex: 1}
		}
	}
	line.AddSeries(t.Get("satisfaction")+" %", data,
		charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#222"}))
	bar.Overlap(line)
	bar.Validate()
	return newChart("levels", t.Get("levels_by_week"), bar, true)
}

// pairChart compares last week and this week per category, horizontally
// so long names (products, themes) stay readable.
func pairChart(id, title string, keys []string, prev, cur []float64, t texts) (chart, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseOpts(true),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Width: 160, Overflow: "truncate"}}))...)
	bar.SetXAxis(keys)
	toData := func(vs []float64) []opts.BarData {
		d := make([]opts.BarData, len(vs))
		for i, v := range vs {
			d[i] = opts.BarData{Value: v}
		}
		return d
	}
	bar.AddSeries(t.Get("last_week"), toData(prev), charts.WithItemStyleOpts(opts.ItemStyle{Color: "#b8c7d6"}))
	bar.AddSeries(t.Get("this_week"), toData(cur), charts.WithItemStyleOpts(opts.ItemStyle{Color: "#1f618d"}))
	bar.XYReversal()
	bar.Validate()
	return newChart(id, title, bar, len(keys) > 6)
}

// rankChart is a single horizontal bar series, largest first: phrases,
// co-occurring themes, splits.
func rankChart(id, title, series string, keys []string, vals []int, color string) (chart, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseOpts(false),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Width: 220, Overflow: "truncate"}}))...)
	bar.SetXAxis(keys)
	d := make([]opts.BarData, len(vals))
	for i, v := range vals {
		d[i] = opts.BarData{Value: v}
	}
	bar.AddSeries(series, d, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
	bar.XYReversal()
	bar.Validate()
	return newChart(id, title, bar, len(keys) > 8)
}

// themeTrendChart shows a theme's complaints and praises per week.
func themeTrendChart(p *ThemePage, t texts) (chart, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseOpts(true),
		charts.WithYAxisOpts(opts.YAxis{Name: t.Get("items"), Type: "value"}))...)
	var x []string
	comp := make([]opts.BarData, len(p.Trend))
	praise := make([]opts.BarData, len(p.Trend))
	for i, tw := range p.Trend {
		x = append(x, tw.Week.String())
		comp[i] = opts.BarData{Value: tw.Complaints}
		praise[i] = opts.BarData{Value: tw.Praises}
	}
	bar.SetXAxis(x)
	bar.AddSeries(t.Get("complaints"), comp, charts.WithItemStyleOpts(opts.ItemStyle{Color: levelColors[1]}))
	bar.AddSeries(t.Get("praises"), praise, charts.WithItemStyleOpts(opts.ItemStyle{Color: levelColors[5]}))
	bar.Validate()
	return newChart("trend", t.Get("theme_trend"), bar, false)
}
