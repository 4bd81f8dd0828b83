package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/jobs"
	"github.com/voc-analytics/voc/output"
)

func (a *app) collectCommand() *cobra.Command {
	var (
		sources  []string
		dryRun   bool
		limit    int
		full     bool
		parallel int
	)
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Fetch new reviews from the sources configured in voc.yaml",
		Long: `collect runs the collectors of the sources in voc.yaml (all of them, or
those named with --source): review pages read with CSS selectors (html),
schema.org reviews on product pages (jsonld), review APIs (jsonapi), the
App Store review feed (appstore) and survey exports dropped in a folder
(file). Survey sources are imported with 'voc import survey' instead.

Runs are incremental: paging stops at reviews an earlier run stored, so a
daily run fetches only the new pages; --full pages to the budget. Every
page is stored whole (its raw bytes, its reviews) or not at all, so an
interrupted run is simply run again. robots.txt is honoured, requests to a
host are spaced (http.delay) and retried with backoff on 429 and 5xx.

Sources on different sites are fetched at once (--parallel, default 4);
sources that share a host run one after another, so no site sees more than
one voc at a time. Pages are stored one transaction at a time.

--dry-run fetches and prints the first reviews of one source and stores
nothing: use it while writing a source's selectors.

Each source's run is recorded with its health (pages, new and seen
reviews, HTTP statuses, parse failures, duration): see 'voc sources'.

Exit codes: 0 every source ok, 1 every source failed, 2 otherwise (some
failed, or some reviews could not be read and are in the rejects table).`,
		Example: `  voc collect
  voc collect --source shop-reviews --json
  voc collect --parallel 1
  voc collect --dry-run --source shop-reviews --limit 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			loc, err := a.cfg.Location()
			if err != nil {
				return err
			}
			opt := jobs.CollectOptions{Location: loc, Full: full, Log: a.log, Parallel: parallel}
			if dryRun {
				if len(sources) != 1 {
					return errors.New("collect --dry-run: name exactly one --source")
				}
				return a.dryRun(ctx, sources[0], limit, opt)
			}
			names, err := jobs.CollectableSources(a.cfg, sources)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				return fmt.Errorf("no sources to collect in %s: add one under sources: (see 'voc init' for examples)", a.configName())
			}
			db, err := a.openDB(ctx, false)
			if err != nil {
				return err
			}
			defer db.Close()
			p := a.collectProgress()
			opt.Progress = p.update
			sums, err := jobs.CollectAll(ctx, db, a.cfg, names, opt)
			p.done()
			if a.jsonOut {
				if werr := a.writeJSON(map[string]any{"db": db.Path(), "sources": sums}); werr != nil {
					return werr
				}
			} else {
				a.printCollect(sums)
			}
			if err != nil {
				return err
			}
			return collectOutcome(sums)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&sources, "source", nil, "source to collect (repeatable; default: every collected source in voc.yaml)")
	f.BoolVar(&dryRun, "dry-run", false, "fetch and print the first reviews of one --source; store nothing")
	f.IntVar(&limit, "limit", 10, "with --dry-run: how many reviews to print")
	f.BoolVar(&full, "full", false, "ignore the watermarks and page to the budget (a backfill)")
	f.IntVar(&parallel, "parallel", jobs.DefaultParallel, "sources fetched at once (sources sharing a host always run one after another)")
	return cmd
}

// collectOutcome maps the sources' statuses to the exit code: nil when all
// are ok, an error when all failed, partialError otherwise.
func collectOutcome(sums []*jobs.CollectSummary) error {
	var failed, partial []string
	for _, s := range sums {
		switch s.Status {
		case voc.RunFailed:
			failed = append(failed, s.Source)
		case voc.RunPartial:
			partial = append(partial, s.Source)
		}
	}
	switch {
	case len(sums) > 0 && len(failed) == len(sums):
		return fmt.Errorf("collect failed: %s", strings.Join(failed, ", "))
	case len(failed)+len(partial) > 0:
		return partialError{fmt.Sprintf("failed: %v, partial: %v", failed, partial)}
	}
	return nil
}

func (a *app) configName() string {
	if a.cfg.Path() == "" {
		return "the configuration (no voc.yaml here)"
	}
	return a.cfg.Path()
}

func (a *app) printCollect(sums []*jobs.CollectSummary) {
	t := output.Table{Columns: []string{"source", "type", "status", "pages", "new", "seen", "updated", "unreadable", "stopped", "time"}}
	for _, s := range sums {
		t.Rows = append(t.Rows, []any{s.Source, s.Type, string(s.Status), int64(s.Pages), int64(s.New), int64(s.Seen), int64(s.Updated),
			int64(s.ParseFailures), s.Stopped, s.Duration.Round(time.Millisecond).String()})
	}
	if err := output.WriteTable(a.stdout, t); err != nil {
		a.log.Error("write table", "err", err)
	}
	for _, s := range sums {
		if s.Error != "" {
			a.printf("%s: %s\n", s.Source, s.Error)
		}
	}
	for _, s := range sums {
		if s.ParseFailures > 0 {
			a.printf("unreadable reviews are kept in the rejects table: voc query \"SELECT source, file, line, reason FROM rejects ORDER BY id DESC\"\n")
			break
		}
	}
}

func (a *app) dryRun(ctx context.Context, name string, limit int, opt jobs.CollectOptions) error {
	names, err := jobs.CollectableSources(a.cfg, []string{name})
	if err != nil {
		return err
	}
	res, err := jobs.DryRun(ctx, names[0], a.cfg.Sources[name], limit, opt)
	if a.jsonOut {
		type itemJSON struct {
			ID      string     `json:"id"`
			Rating  int        `json:"rating,omitempty"`
			Created *time.Time `json:"created,omitempty"`
			Author  string     `json:"author,omitempty"`
			Product string     `json:"product,omitempty"`
			Lang    string     `json:"lang,omitempty"`
			Text    string     `json:"text"`
			Extra   any        `json:"extra,omitempty"`
		}
		out := struct {
			Source  string       `json:"source"`
			Pages   []string     `json:"pages"`
			Items   []itemJSON   `json:"items"`
			Rejects []voc.Reject `json:"rejects"`
			Error   string       `json:"error,omitempty"`
		}{Source: name, Pages: res.Pages, Items: []itemJSON{}, Rejects: res.Rejects}
		for _, it := range res.Items {
			var extra any
			if len(it.Extra) > 0 {
				extra = it.Extra
			}
			out.Items = append(out.Items, itemJSON{it.ExternalID, int(it.Rating), timePtr(it.CreatedAt), it.AuthorKey, it.Product, it.Lang, it.Text, extra})
		}
		if err != nil {
			out.Error = err.Error()
		}
		if werr := a.writeJSON(out); werr != nil {
			return werr
		}
		return err
	}
	a.printf("dry run of %s: %d pages fetched, nothing stored\n", name, len(res.Pages))
	for _, p := range res.Pages {
		a.printf("  %s\n", p)
	}
	t := output.Table{Columns: []string{"id", "rating", "created", "author", "product", "lang", "text"}}
	for _, it := range res.Items {
		created := ""
		if !it.CreatedAt.IsZero() {
			created = it.CreatedAt.In(opt.Location).Format("2006-01-02 15:04")
		}
		t.Rows = append(t.Rows, []any{it.ExternalID, it.Rating.String(), created, it.AuthorKey, it.Product, it.Lang, clipText(it.Text, 60)})
	}
	if werr := output.WriteTable(a.stdout, t); werr != nil {
		return werr
	}
	for i, r := range res.Rejects {
		if i == maxRejectsShown {
			a.printf("  ... and %d more unreadable\n", len(res.Rejects)-maxRejectsShown)
			break
		}
		a.printf("unreadable %s #%d: %s\n", r.File, r.Line, r.Reason)
	}
	return err
}

func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// collectLine draws one self-overwriting progress line on a terminal's
// stderr, and nothing in batch mode (--json or no terminal).
// collectLine shows the collection on one terminal line: the source that
// last stored a page when one source runs, totals when several run at once.
type collectLine struct {
	a    *app
	on   bool
	mu   sync.Mutex // sources report from their own goroutines
	last time.Time
	per  map[string]jobs.Progress
}

func (a *app) collectProgress() *collectLine {
	on := false
	if f, ok := a.stderr.(*os.File); ok && a.interactive() {
		on = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return &collectLine{a: a, on: on}
}

func (p *collectLine) update(pr jobs.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.per == nil {
		p.per = map[string]jobs.Progress{}
	}
	p.per[pr.Source] = pr
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	if len(p.per) == 1 {
		fmt.Fprintf(p.a.stderr, "\r\033[K%s: %d pages, %d new, %d seen", pr.Source, pr.Pages, pr.New, pr.Seen)
		return
	}
	var pages, fresh, seen int
	for _, q := range p.per {
		pages, fresh, seen = pages+q.Pages, fresh+q.New, seen+q.Seen
	}
	fmt.Fprintf(p.a.stderr, "\r\033[K%d sources: %d pages, %d new, %d seen (last: %s)", len(p.per), pages, fresh, seen, pr.Source)
}

func (p *collectLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		fmt.Fprint(p.a.stderr, "\r\033[K")
	}
}
