package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	_ "github.com/voc-analytics/voc/collectors/all" // every collector type
	"github.com/voc-analytics/voc/collectors/appstore"
	"github.com/voc-analytics/voc/config"
	"github.com/voc-analytics/voc/warehouse"
)

// JobCollect is the job name runs of Collect are recorded under.
const JobCollect = "collect"

// CollectOptions tune a collection; the zero value works.
type CollectOptions struct {
	// Location is the zone of dates written without one (nil: time.Local).
	Location *time.Location
	// Now is the reference for relative dates ("3天前"); nil is time.Now.
	Now func() time.Time
	// Full ignores the watermark and pages to the budget (a backfill);
	// nothing is stored twice either way.
	Full bool
	Log  *slog.Logger
	// Progress, when set, is called after every stored page.
	Progress func(Progress)
	// Transport carries the HTTP requests instead of the default one.
	Transport http.RoundTripper
	// Parallel is how many sources CollectAll fetches at once (default 4,
	// 1 for one after another). Sources that share a host always run one
	// after another, so each site still sees one polite client.
	Parallel int

	// writes serialises the warehouse writes of sources collected at once:
	// fetching runs in parallel, storing one transaction at a time, the
	// single writer DuckDB wants (concurrent transactions that touch the
	// same indexes conflict at commit).
	writes *sync.Mutex
}

// DefaultParallel is CollectAll's default number of sources at once.
const DefaultParallel = 4

// Progress is where a collection stands, for a progress display.
type Progress struct {
	Source string
	URL    string
	Pages  int
	New    int
	Seen   int
}

func (o *CollectOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *CollectOptions) location() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return time.Local
}

func (o *CollectOptions) writeLock() *sync.Mutex {
	if o.writes != nil {
		return o.writes
	}
	return &sync.Mutex{}
}

func (o *CollectOptions) logger() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

// CollectSummary is what one source's collection did: the health figures
// stored in the run's detail, plus its status and error.
type CollectSummary struct {
	Source        string         `json:"source"`
	Type          string         `json:"type"`
	Status        voc.RunStatus  `json:"status"`
	RunID         int64          `json:"run_id"`
	Pages         int            `json:"pages"`
	Requests      int            `json:"requests"`
	Retries       int            `json:"retries"`
	Bytes         int64          `json:"bytes"`
	New           int            `json:"items_new"`
	Seen          int            `json:"items_seen"`
	Updated       int            `json:"items_updated"`
	ParseFailures int            `json:"parse_failures"`
	HTTPStatus    map[string]int `json:"http_status"`
	// Stopped says why paging ended: end, watermark, budget, loop or error.
	Stopped   string        `json:"stopped"`
	Error     string        `json:"error,omitempty"`
	Duration  time.Duration `json:"duration_ns"`
	Watermark string        `json:"watermark,omitempty"`
}

// Collect runs the collector of one configured source and stores what it
// finds. Every page is one transaction (raw payload, items, rejects): a
// run killed half-way leaves whole pages only, and the next run goes
// through them again without storing anything twice. The run is recorded
// with its health figures whatever happens; the returned error is the
// collector's, naming the source and URL.
//
// Status: ok; partial when something was stored but an error stopped the
// run, or some reviews could not be read (they are in rejects); failed
// when nothing could be stored.
func Collect(ctx context.Context, db *warehouse.DB, name string, src config.Source, opt CollectOptions) (*CollectSummary, error) {
	start := time.Now()
	sum := &CollectSummary{Source: name, Type: src.Type, HTTPStatus: map[string]int{}}
	writes := opt.writeLock()
	writes.Lock()
	run, err := func() (voc.Run, error) {
		defer writes.Unlock()
		if err := db.EnsureSource(ctx, name, src.Type); err != nil {
			return voc.Run{}, err
		}
		return db.StartRun(ctx, JobCollect, name)
	}()
	if err != nil {
		return sum, err
	}
	sum.RunID = run.ID
	log := opt.logger()

	sink := &storeSink{db: db, writes: writes, source: name, runID: run.ID, full: opt.Full || !src.IsIncremental(), progress: opt.Progress}
	var wm collectors.Watermark
	var cerr error
	if s, err := db.Watermark(ctx, name); err != nil {
		cerr = err
	} else if wm, err = collectors.ParseWatermark(s); err != nil {
		log.Warn("unreadable watermark: collecting as if none", "source", name, "err", err)
	}
	sink.wm = wm
	var r *collectors.Run
	if cerr == nil {
		var c collectors.Collector
		if c, cerr = collectors.New(name, src); cerr == nil {
			r = collectors.NewRun(name, src, sink)
			r.Location, r.Now, r.Log, r.Transport = opt.location(), opt.now(), log, opt.Transport
			cerr = c.Collect(ctx, r)
			if cerr == nil && ctx.Err() != nil {
				cerr = ctx.Err()
			}
		}
	}
	if r != nil {
		if cerr != nil {
			r.Stats.Stop(collectors.StopError)
		}
		st := r.Stats.Snapshot()
		sum.Requests, sum.Retries, sum.Bytes, sum.HTTPStatus, sum.Stopped = st.Requests, st.Retries, st.Bytes, st.Status, st.Stopped
		if sum.Stopped == "" {
			sum.Stopped = collectors.StopEnd
		}
	}
	sink.mu.Lock()
	sum.Pages, sum.New, sum.Seen, sum.Updated, sum.ParseFailures = sink.pages, sink.new, sink.seen, sink.updated, sink.rejected
	tracker := sink.tracker
	sink.mu.Unlock()

	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr == nil {
		// The watermark moves only after a run that ended well: a killed
		// or failed run must not hide the pages it never reached.
		next := tracker.Next(wm, time.Now().UTC())
		if next.String() != wm.String() {
			writes.Lock()
			err := db.SetWatermark(finishCtx, name, next.String())
			writes.Unlock()
			if err != nil {
				cerr = err
			}
		}
		sum.Watermark = next.String()
	} else {
		sum.Watermark = wm.String()
	}

	switch {
	case cerr != nil && sum.Pages > 0:
		sum.Status = voc.RunPartial
	case cerr != nil:
		sum.Status = voc.RunFailed
	case sum.ParseFailures > 0:
		sum.Status = voc.RunPartial
	default:
		sum.Status = voc.RunOK
	}
	if cerr != nil {
		sum.Error = cerr.Error()
		if errors.Is(cerr, context.Canceled) {
			sum.Error = fmt.Sprintf("source %s: interrupted: %v", name, cerr)
		}
	}
	sum.Duration = time.Since(start)
	run.Status, run.Error = sum.Status, sum.Error
	run.Loaded, run.Dupes, run.Updated, run.Rejected = sum.New, sum.Seen, sum.Updated, sum.ParseFailures
	detail, _ := json.Marshal(map[string]any{
		"type": sum.Type, "pages": sum.Pages, "requests": sum.Requests, "retries": sum.Retries, "bytes": sum.Bytes,
		"items_new": sum.New, "items_seen": sum.Seen, "items_updated": sum.Updated, "parse_failures": sum.ParseFailures,
		"http_status": sum.HTTPStatus, "stopped": sum.Stopped, "duration_ms": sum.Duration.Milliseconds(),
		"full": sink.full, "watermark_before": wm.String(), "watermark": sum.Watermark,
	})
	run.Detail = string(detail)
	writes.Lock()
	ferr := db.FinishRun(finishCtx, run)
	writes.Unlock()
	if ferr != nil && cerr == nil {
		cerr = ferr
	}
	return sum, cerr
}

// storeSink stores each page in one transaction and tells the collector
// to stop paging once a page reached the watermark.
type storeSink struct {
	db       *warehouse.DB
	writes   *sync.Mutex // shared by the sources collected at once
	source   string
	runID    int64
	full     bool
	wm       collectors.Watermark
	progress func(Progress)

	mu                                  sync.Mutex // one writer: DuckDB transactions on the same rows conflict
	tracker                             collectors.Tracker
	pages, new, seen, updated, rejected int
}

func (s *storeSink) Page(ctx context.Context, p *collectors.Page) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var up warehouse.UpsertResult
	s.writes.Lock()
	defer s.writes.Unlock()
	err := s.db.InTx(ctx, func(tx *warehouse.Tx) error {
		if _, err := tx.SaveRaw(ctx, p.Payload); err != nil {
			return err
		}
		var err error
		if up, err = tx.UpsertItems(ctx, p.Items); err != nil {
			return err
		}
		_, err = tx.AddRejects(ctx, s.runID, p.Rejects)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("source %s: store page %s: %w", s.source, p.URL, err)
	}
	// Counted only once committed: a rolled-back page stored nothing.
	s.pages++
	s.new += up.Inserted
	s.seen += up.Unchanged
	s.updated += up.Updated
	s.rejected += len(p.Rejects)
	s.tracker.Add(p.Items)
	if s.progress != nil {
		s.progress(Progress{Source: s.source, URL: p.URL, Pages: s.pages, New: s.new, Seen: s.seen})
	}
	if s.full {
		return true, nil
	}
	for i := range p.Items {
		if s.wm.Reached(&p.Items[i]) {
			return false, nil
		}
	}
	return true, nil
}

func (s *storeSink) PayloadSeen(ctx context.Context, id string) (bool, error) {
	return s.db.HasPayload(ctx, s.source, id)
}

// CollectAll collects the named sources of cfg, or every source with a
// collector when names is empty (survey sources are imported with `voc
// import survey`, not collected). Up to opt.Parallel sources are fetched at
// once; sources sharing a host run one after another; their pages are
// stored one transaction at a time. Summaries come back in the order of
// names. An unknown name is an error before anything runs; a source that
// fails does not stop the others: its summary says what went wrong.
func CollectAll(ctx context.Context, db *warehouse.DB, cfg *config.Config, names []string, opt CollectOptions) ([]*CollectSummary, error) {
	names, err := CollectableSources(cfg, names)
	if err != nil {
		return nil, err
	}
	if opt.writes == nil {
		opt.writes = &sync.Mutex{}
	}
	workers := opt.Parallel
	if workers <= 0 {
		workers = DefaultParallel
	}
	out := make([]*CollectSummary, len(names))
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	groups := hostGroups(cfg, names)
	next := make(chan []string)
	var wg sync.WaitGroup
	for range min(workers, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for group := range next {
				for _, n := range group {
					if ctx.Err() != nil {
						break
					}
					sum, err := Collect(ctx, db, n, cfg.Sources[n], opt)
					if err != nil {
						opt.logger().Info("collect failed", "source", n, "err", err) // the summary carries it too
					}
					out[index[n]] = sum
				}
			}
		}()
	}
	for _, g := range groups {
		if ctx.Err() != nil {
			break
		}
		next <- g
	}
	close(next)
	wg.Wait()
	done := out[:0]
	for _, s := range out {
		if s != nil { // not started before a cancellation
			done = append(done, s)
		}
	}
	return done, ctx.Err()
}

// hostGroups partitions names into groups that must run one after another
// because they fetch from a common host; a source without a host (a
// folder of files) is a group of its own. Groups keep the order of names,
// and the largest come first so the longest chains start early.
func hostGroups(cfg *config.Config, names []string) [][]string {
	parent := make([]int, len(names))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, n := range names {
		for _, h := range sourceHosts(cfg.Sources[n]) {
			if j, ok := owner[h]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[h] = i
			}
		}
	}
	byRoot := map[int][]string{}
	var roots []int
	for i, n := range names {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], n)
	}
	groups := make([][]string, 0, len(roots))
	for _, r := range roots {
		groups = append(groups, byRoot[r])
	}
	sort.SliceStable(groups, func(i, j int) bool { return len(groups[i]) > len(groups[j]) })
	return groups
}

// sourceHosts lists the hosts (lower case, with port) a source fetches
// from: its start URLs, its page template, and the App Store feed's base.
func sourceHosts(src config.Source) []string {
	var raw []string
	raw = append(raw, src.URLs...)
	if src.HTML != nil && src.HTML.PageURL != "" {
		raw = append(raw, strings.ReplaceAll(src.HTML.PageURL, "{page}", "1"))
	}
	if src.Type == "appstore" {
		base := appstore.DefaultBaseURL
		if src.AppStore != nil && src.AppStore.BaseURL != "" {
			base = src.AppStore.BaseURL
		}
		raw = append(raw, base)
	}
	var hosts []string
	for _, r := range raw {
		if u, err := url.Parse(strings.TrimSpace(r)); err == nil && u.Host != "" {
			hosts = append(hosts, strings.ToLower(u.Host))
		}
	}
	return hosts
}

// CollectableSources resolves names (all collectable sources when empty)
// against cfg, sorted.
func CollectableSources(cfg *config.Config, names []string) ([]string, error) {
	if len(names) == 0 {
		for n, s := range cfg.Sources {
			if collectors.Registered(s.Type) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		return names, nil
	}
	for _, n := range names {
		s, ok := cfg.Sources[n]
		if !ok {
			return nil, fmt.Errorf("source %s is not configured in %s", n, configName(cfg))
		}
		if !collectors.Registered(s.Type) {
			return nil, fmt.Errorf("source %s is of type %q, which is not collected (survey exports: voc import survey FILE --source %s)", n, s.Type, n)
		}
	}
	return names, nil
}

func configName(cfg *config.Config) string {
	if cfg.Path() == "" {
		return "the configuration (no voc.yaml found)"
	}
	return cfg.Path()
}

// DryRunResult is what a dry run found: the first items, the rejects on
// the pages they came from, and the figures.
type DryRunResult struct {
	Source  string                   `json:"source"`
	Items   []voc.Item               `json:"items"`
	Rejects []voc.Reject             `json:"rejects"`
	Pages   []string                 `json:"pages"`
	Stats   collectors.StatsSnapshot `json:"stats"`
}

// DryRun fetches and parses source until it has limit items (or runs out
// of pages) and stores nothing, not even a run: the way to try selectors
// while writing a source's configuration.
func DryRun(ctx context.Context, name string, src config.Source, limit int, opt CollectOptions) (*DryRunResult, error) {
	if limit <= 0 {
		limit = 10
	}
	res := &DryRunResult{Source: name, Items: []voc.Item{}, Rejects: []voc.Reject{}, Pages: []string{}}
	c, err := collectors.New(name, src)
	if err != nil {
		return res, err
	}
	sink := &dryRunSink{res: res, limit: limit}
	r := collectors.NewRun(name, src, sink)
	r.Location, r.Now, r.Log, r.Transport = opt.location(), opt.now(), opt.logger(), opt.Transport
	err = c.Collect(ctx, r)
	res.Stats = r.Stats.Snapshot()
	if len(res.Items) > limit {
		res.Items = res.Items[:limit]
	}
	return res, err
}

type dryRunSink struct {
	mu    sync.Mutex
	res   *DryRunResult
	limit int
}

func (s *dryRunSink) Page(_ context.Context, p *collectors.Page) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Pages = append(s.res.Pages, p.URL)
	s.res.Items = append(s.res.Items, p.Items...)
	s.res.Rejects = append(s.res.Rejects, p.Rejects...)
	return len(s.res.Items) < s.limit, nil
}

func (s *dryRunSink) PayloadSeen(context.Context, string) (bool, error) { return false, nil }
