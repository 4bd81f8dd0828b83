package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/reports"
	"github.com/voc-analytics/voc/warehouse"
)

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write HTML reports from the warehouse",
		Long: `report writes self-contained HTML reports: every page carries its charts'
script, so it opens offline and travels as an e-mail attachment. Weeks are
ISO weeks cut in voc.yaml's timezone.`,
		Example: `  voc report weekly --week 2026-W47`,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(a.reportWeeklyCommand())
	return cmd
}

func (a *app) reportWeeklyCommand() *cobra.Command {
	var week, lang, out string
	cmd := &cobra.Command{
		Use:   "weekly",
		Short: "Write the weekly executive report and its theme drill-downs",
		Long: `weekly writes the executive report of one ISO week (by default the last
complete one) to --out as <week>/weekly.<lang>.html, with a drill-down page
for each complaint theme next to it, and refreshes --out/index.html, which
lists every report written there, newest first.

The report: feedback volume by source, satisfaction index (share of levels
4-5) and mean level, the five-level distribution by week, NPS and
repurchase intent, top complaint themes, emerging and recurring themes with
the items behind them, escalation risks and repeat complainants,
star-versus-text disagreements, products and channels, and verbatims; each
figure with its change from the week before.`,
		Example: `  voc report weekly
  voc report weekly --week 2026-W47 --lang en --out reports/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			langs := a.cfg.Reports.ReportLangs()
			if lang != "" {
				langs = []string{lang}
			}
			if out == "" {
				out = a.cfg.Reports.ReportDir()
			}
			var w reports.Week
			if week != "" {
				var err error
				if w, err = reports.ParseWeek(week); err != nil {
					return err
				}
			}
			db, err := a.openDB(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer db.Close()
			written, err := a.writeWeeklyReports(cmd.Context(), db, w, langs, out)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.writeJSON(written)
			}
			for _, res := range written {
				a.printf("wrote %s (%d theme pages); email digest %s\n", res.Weekly, len(res.Themes), res.Digest)
			}
			if len(written) > 0 {
				a.printf("index: %s\n", written[len(written)-1].Index)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&week, "week", "", "ISO week, e.g. 2026-W47 (default: the last complete week)")
	f.StringVar(&lang, "lang", "", "language of the pages: zh or en (default: voc.yaml's reports.langs, else zh)")
	f.StringVar(&out, "out", "", "directory to write the reports to (default: voc.yaml's reports.dir, else ./reports)")
	return cmd
}

// writeWeeklyReports writes the weekly report of week (zero: the last
// complete week in voc.yaml's zone) in each language to dir.
func (a *app) writeWeeklyReports(ctx context.Context, db *warehouse.DB, week reports.Week, langs []string, dir string) ([]reports.Written, error) {
	var out []reports.Written
	for _, lang := range langs {
		opt, err := a.reportOptions(lang)
		if err != nil {
			return out, err
		}
		if week == (reports.Week{}) {
			week = reports.LastCompleteWeek(time.Now(), opt.Location)
		}
		res, err := reports.WriteWeekly(ctx, db, dir, week, opt)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

// reportOptions gathers what every report needs from the configuration:
// the time zone weeks are cut in and the taxonomy's theme names.
func (a *app) reportOptions(lang string) (reports.Options, error) {
	if lang != "zh" && lang != "en" {
		return reports.Options{}, fmt.Errorf("--lang %q: want zh or en", lang)
	}
	loc, err := a.cfg.Location()
	if err != nil {
		return reports.Options{}, err
	}
	tax, err := a.taxonomy()
	if err != nil {
		return reports.Options{}, err
	}
	co, err := a.measureOptions(time.Time{})
	if err != nil {
		return reports.Options{}, err
	}
	opt := reports.Options{Lang: lang, Location: loc, Complaints: co, AtRiskSilence: a.cfg.Complaints.AtRiskAfter}
	for _, th := range tax.Themes {
		opt.Themes = append(opt.Themes, reports.ThemeInfo{ID: th.ID, NameZH: th.NameZH, NameEN: th.NameEN, Owner: th.Owner})
	}
	return opt, nil
}
