package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/collectors/complaints"
	"github.com/voc-analytics/voc/collectors/survey"
	"github.com/voc-analytics/voc/config"
	"github.com/voc-analytics/voc/demo"
	"github.com/voc-analytics/voc/jobs"
	"github.com/voc-analytics/voc/reports"
	"github.com/voc-analytics/voc/warehouse"
)

// demoZone fixes the demo's clock to one zone so every machine generates
// and reads the same answers.
const demoZone = "Asia/Shanghai"

func (a *app) demoCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run voc end to end on generated data, with nothing to set up",
		Long: `demo shows voc at work without any data of your own. It generates a
realistic satisfaction-survey export (问卷星 shape, GBK-encoded, answers in
simplified and traditional Chinese and English, a few deliberately broken
rows) and imports it into a fresh warehouse in --dir; starts a demo shop on
127.0.0.1 (review pages in simplified and traditional Chinese and English,
JSON-LD, a JSON API) and collects its reviews; scores every item on the
five-level scale with the built-in model and tags complaint themes; and
prints what happened and what to try next.

The demo never touches ./voc.duckdb: it works in its own directory, and
starts that directory's warehouse afresh each time.`,
		Example: `  voc demo
  voc demo --dir /tmp/voc-demo --json`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{"config": "none"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			loc, err := time.LoadLocation(demoZone)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if a.dbFlag == "" {
				a.dbFlag = filepath.Join(dir, "voc.duckdb")
			}
			if err := removeWarehouse(a.dbFlag); err != nil {
				return err
			}

			// The demo's answers end with the last complete ISO week, the
			// week a weekly report is about.
			today := time.Now().In(loc)
			end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
			end = end.AddDate(0, 0, -((int(end.Weekday()) + 6) % 7))
			spec := demo.DefaultSurvey(end)
			body, err := spec.Export()
			if err != nil {
				return err
			}
			export := filepath.Join(dir, "survey-wjx-gbk.csv")
			if err := os.WriteFile(export, body, 0o644); err != nil {
				return fmt.Errorf("demo: %w", err)
			}

			db, err := a.openDB(ctx, false)
			if err != nil {
				return err
			}
			defer db.Close()
			sum, err := jobs.ImportSurvey(ctx, db, "demo-survey", []string{export}, survey.Options{Location: loc})
			if err != nil {
				return err
			}
			// Complaint tickets go in before the pipeline, so their texts are
			// scored and theme-tagged with everything else.
			cspec := demo.DefaultComplaints(end)
			cbody, err := cspec.Export()
			if err != nil {
				return err
			}
			cexport := filepath.Join(dir, "complaints-gbk.csv")
			if err := os.WriteFile(cexport, cbody, 0o644); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			csum, err := jobs.ImportComplaints(ctx, db, "demo-complaints", []string{cexport}, complaints.Options{Location: loc})
			if err != nil {
				return err
			}
			collected, err := collectDemoShop(ctx, db, end, loc)
			if err != nil {
				return err
			}
			a.cfg.Timezone = demoZone
			job, err := a.pipelineConfig("", nil)
			if err != nil {
				return err
			}
			scored, err := jobs.RunPipeline(ctx, db, job)
			if err != nil {
				return err
			}
			reportDir := filepath.Join(dir, "reports")
			week := reports.WeekOf(end.AddDate(0, 0, -1))
			written, err := a.writeWeeklyReports(ctx, db, week, []string{"zh", "en"}, reportDir)
			if err != nil {
				return err
			}
			cfgPath := filepath.Join(dir, "voc.yaml")
			if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("# Written by voc demo: the demo's warehouse, time zone and reports.\ndb: %s\ntimezone: %s\nreports:\n  dir: reports\n  langs: [zh, en]\n", filepath.Base(db.Path()), demoZone)), 0o644); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if a.jsonOut {
				return a.writeJSON(map[string]any{"db": db.Path(), "config": cfgPath, "survey_export": export, "import": sum,
					"complaints_export": cexport, "complaints_import": csum, "collect": collected, "pipeline": scored, "reports": written})
			}
			a.printf("generated %s: %d survey answers over %d weeks, %d of them deliberately broken\n",
				export, spec.Responses+demo.BadRows, spec.Weeks, demo.BadRows)
			a.printImport(sum)
			a.printf("generated %s: %d complaint tickets, %d of them deliberately broken\n", cexport, csum.Loaded+csum.Rejected, demo.ComplaintBadRows)
			a.printImport(csum)
			a.printf("\ncollected the demo shop on 127.0.0.1 (HTML in simplified and traditional Chinese, JSON-LD, a JSON API):\n")
			for _, c := range collected {
				a.printf("  %-10s %-8s %3d pages, %4d reviews\n", c.Source, c.Type, c.Pages, c.New)
			}
			a.printf("\n")
			a.printPipeline(scored)
			a.printf("\nweekly report of %s, offline-ready HTML:\n", week)
			for _, w := range written {
				a.printf("  %s\n", w.Weekly)
			}
			a.printf("  e-mail digest (plain text): %s\n", written[0].Digest)
			a.printf("  all reports: %s\n", written[0].Index)
			a.printf("\nwarehouse: %s (settings in %s)\n\nnext:\n", db.Path(), cfgPath)
			a.printf("  voc status --config %s\n", cfgPath)
			a.printf("  voc themes --config %s\n", cfgPath)
			a.printf("  voc themes show delivery_damage --config %s\n", cfgPath)
			a.printf("  voc complaints --config %s\n", cfgPath)
			a.printf("  voc query --config %s \"SELECT i.rating, s.text_level, i.text FROM items i JOIN scores s ON s.item_id = i.id WHERE s.disagreement\"\n", cfgPath)
			a.printf("  voc serve --config %s      # the reports and live drill-downs on http://127.0.0.1:8047\n", cfgPath)
			a.printf("  voc explain \"物流不慢，但是客服态度太差了\"\n")
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "voc-demo", "directory for the demo's files and warehouse")
	return cmd
}

// removeWarehouse deletes a DuckDB file and its write-ahead log, so the demo
// starts from nothing.
func removeWarehouse(path string) error {
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo: start afresh: %w", err)
		}
	}
	return nil
}

// collectDemoShop serves the demo shop on a loopback port for as long as it
// takes to collect it, with reviews up to end.
func collectDemoShop(ctx context.Context, db *warehouse.DB, end time.Time, loc *time.Location) ([]*jobs.CollectSummary, error) {
	shop := demo.NewShop(20261125, end, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo shop: %w", err)
	}
	srv := &http.Server{Handler: shop, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)                               //nolint:errcheck // ends with Shutdown below
	defer srv.Shutdown(context.WithoutCancel(ctx)) //nolint:errcheck
	cfg := config.Default()
	cfg.Sources = demo.ShopSources("http://" + ln.Addr().String())
	return jobs.CollectAll(ctx, db, cfg, nil, jobs.CollectOptions{Location: loc, Now: shop.Now})
}
