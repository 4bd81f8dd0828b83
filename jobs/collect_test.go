package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
	"github.com/voc-analytics/voc/demo"
	"github.com/voc-analytics/voc/warehouse"
)

func openDB(t *testing.T) *warehouse.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "voc.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *warehouse.DB, query string, args ...any) int {
	t.Helper()
	res, err := db.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	switch v := res.Rows[0][0].(type) {
	case int64:
		return int(v)
	case int32:
		return int(v)
	}
	t.Fatalf("count: %T", res.Rows[0][0])
	return 0
}

func shopConfig(base string) *config.Config {
	cfg := config.Default()
	cfg.Sources = demo.ShopSources(base)
	cfg.Sources["survey-exports"] = config.Source{Type: "survey"} // imported, not collected
	return cfg
}

// TestCollectDemoShop is the incremental contract on the demo shop's four
// sources (html with a next link, html in Big5 with a page template,
// JSON-LD behind a listing, a cursor API): N reviews on the site are N
// rows; a second run adds none; three new reviews add three.
func TestCollectDemoShop(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	shop := demo.NewShop(7, time.Date(2024, 3, 10, 15, 0, 0, 0, sh), nil)
	srv := httptest.NewServer(shop)
	defer srv.Close()
	db := openDB(t)
	ctx := context.Background()
	cfg := shopConfig(srv.URL)
	opt := CollectOptions{Location: sh, Now: shop.Now}
	sections := map[string]string{"demo-shop-zh": demo.ShopZH, "demo-shop-tw": demo.ShopTW, "demo-shop-en": demo.ShopEN, "demo-shop-api": demo.ShopAPI}

	sums, err := CollectAll(ctx, db, cfg, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 4 {
		t.Fatalf("%d sources collected, want the 4 shop sources (not the survey one)", len(sums))
	}
	for _, s := range sums {
		want := shop.Count(sections[s.Source])
		if s.Status != voc.RunOK || s.New != want || s.Seen != 0 || s.ParseFailures != 0 {
			t.Errorf("first run %s: %+v; want ok with %d new", s.Source, s, want)
		}
		if got := count(t, db, `SELECT count(*) FROM items WHERE source = ?`, s.Source); got != want {
			t.Errorf("%s: %d rows, want %d", s.Source, got, want)
		}
	}
	total := count(t, db, `SELECT count(*) FROM items`)
	if total != shop.Count("") {
		t.Fatalf("%d rows, want %d reviews", total, shop.Count(""))
	}
	// Every item points at a stored page.
	if n := count(t, db, `SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM raw_payloads p WHERE p.id = split_part(i.raw_ref, '#', 1))`); n != 0 {
		t.Errorf("%d items with a RawRef to no payload", n)
	}
	if n := count(t, db, `SELECT count(*) FROM items WHERE rating IS NULL OR created_at IS NULL OR text = '' OR lang IS NULL OR channel IS NULL`); n != 0 {
		t.Errorf("%d items lack rating, time, text, lang or channel", n)
	}
	if n := count(t, db, `SELECT count(DISTINCT lang) FROM items`); n != 3 {
		t.Errorf("%d languages, want zh-Hans, zh-Hant and en", n)
	}

	sums, err = CollectAll(ctx, db, cfg, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Status != voc.RunOK || s.New != 0 || s.Updated != 0 {
			t.Errorf("second run %s: %+v; want ok, nothing new", s.Source, s)
		}
		if s.Type == "html" && s.Stopped != collectors.StopWatermark {
			t.Errorf("second run %s stopped at %q, want the watermark", s.Source, s.Stopped)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM items`); got != total {
		t.Errorf("second run: %d rows, want %d", got, total)
	}

	for _, sec := range demo.ShopSections {
		shop.Add(sec, 3)
	}
	sums, err = CollectAll(ctx, db, cfg, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.New != 3 || s.Status != voc.RunOK {
			t.Errorf("after 3 new reviews, %s: %+v; want 3 new", s.Source, s)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM items`); got != total+12 {
		t.Errorf("%d rows, want %d", got, total+12)
	}
	// The incremental runs read fewer pages than the first.
	if s := sums[0]; s.Pages >= 9 {
		t.Errorf("%s read %d pages for 3 new reviews", s.Source, s.Pages)
	}

	// The run history carries the health figures.
	res, err := db.Query(ctx, `SELECT detail FROM runs WHERE job = 'collect' AND source = 'demo-shop-zh' ORDER BY id DESC LIMIT 1`)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := res.Rows[0][0].(map[string]any)
	if d["items_new"] != 3.0 || d["stopped"] != "watermark" || d["http_status"] == nil || d["duration_ms"] == nil || d["pages"] == nil {
		t.Errorf("detail = %v", d)
	}
}

// TestInterruptedRunResumes kills a run after its second page: the pages
// stored are whole, the watermark does not move, and the next run stores
// the rest without duplicates.
func TestInterruptedRunResumes(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	shop := demo.NewShop(11, time.Date(2024, 3, 10, 15, 0, 0, 0, sh), map[string]int{demo.ShopZH: 60})
	var block atomic.Bool
	block.Store(true)
	var served atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/reviews") && block.Load() && served.Add(1) > 2 {
			cancel() // the process is killed while fetching page 3
			<-r.Context().Done()
			return
		}
		shop.ServeHTTP(w, r)
	}))
	defer srv.Close()
	db := openDB(t)
	src := demo.ShopSources(srv.URL)["demo-shop-zh"]
	opt := CollectOptions{Location: sh, Now: shop.Now}

	sum, err := Collect(ctx, db, "demo-shop-zh", src, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	if sum.Status != voc.RunPartial || sum.Pages != 2 || sum.New != 20 || !strings.Contains(sum.Error, "interrupted") {
		t.Errorf("interrupted run: %+v; want partial, 2 whole pages, 20 items", sum)
	}
	if got := count(t, db, `SELECT count(*) FROM items`); got != 20 {
		t.Errorf("%d rows after the kill, want the 20 of two whole pages", got)
	}
	if w, _ := db.Watermark(context.Background(), "demo-shop-zh"); w != "" {
		t.Errorf("watermark %q set by an interrupted run", w)
	}
	runs, _ := db.Runs(context.Background(), 1)
	if runs[0].Status != voc.RunPartial || runs[0].Error == "" {
		t.Errorf("run recorded as %+v", runs[0])
	}

	block.Store(false)
	sum, err = Collect(context.Background(), db, "demo-shop-zh", src, opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 40 || sum.Seen != 20 || sum.Status != voc.RunOK {
		t.Errorf("resumed run: %+v; want 40 new and the 20 stored ones seen", sum)
	}
	if got := count(t, db, `SELECT count(*) FROM items`); got != 60 {
		t.Errorf("%d rows, want 60", got)
	}
}

func TestCollectFailures(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /members/\n"))
		case "/busy":
			if hits.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`<div class="r"><b>★★★★☆</b><p>不错</p></div><div class="r"><b>★☆☆☆☆</b><p>物流慢</p></div>`))
		case "/redesigned", "/members/reviews":
			w.Write([]byte(`<article class="cmt"><p>好</p></article>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	fast := config.HTTP{Delay: time.Microsecond, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}
	sel := &config.HTML{Review: "div.r", Rating: "b", Text: "p"}
	tests := []struct {
		name    string
		url     string
		status  voc.RunStatus
		new     int
		errLike string
		detail  func(t *testing.T, d map[string]any)
	}{
		{"429 then OK", "/busy", voc.RunOK, 2, "", func(t *testing.T, d map[string]any) {
			st, _ := d["http_status"].(map[string]any)
			if st["429"] != 1.0 || st["200"] != 2.0 || d["retries"] != 1.0 {
				t.Errorf("detail = %v; want one 429 retried", d)
			}
		}},
		{"layout changed", "/redesigned", voc.RunFailed, 0, "layout changed", nil},
		{"robots.txt disallow", "/members/reviews", voc.RunFailed, 0, "robots.txt", nil},
		{"not found", "/gone", voc.RunFailed, 0, "HTTP 404", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			sum, err := Collect(context.Background(), db, "shop", config.Source{Type: "html", URLs: []string{srv.URL + tt.url}, HTTP: fast, HTML: sel}, CollectOptions{})
			if tt.errLike != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errLike) || !strings.Contains(err.Error(), "source shop") || !strings.Contains(err.Error(), tt.url) {
					t.Fatalf("err = %v, want %q naming source and URL", err, tt.errLike)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if sum.Status != tt.status || sum.New != tt.new {
				t.Errorf("summary = %+v; want %s with %d new", sum, tt.status, tt.new)
			}
			health, err := db.SourcesHealth(context.Background())
			if err != nil || len(health) != 1 {
				t.Fatalf("health = %+v, %v", health, err)
			}
			h := health[0]
			if h.LastRun.Status != tt.status || h.Items != tt.new || (tt.errLike != "" && !strings.Contains(h.LastError, tt.errLike)) {
				t.Errorf("health = %+v", h)
			}
			if tt.detail != nil {
				var d map[string]any
				if err := json.Unmarshal([]byte(h.LastRun.Detail), &d); err != nil {
					t.Fatal(err)
				}
				tt.detail(t, d)
			}
		})
	}
}

func TestCollectFolder(t *testing.T) {
	dir := t.TempDir()
	drop := filepath.Join(dir, "drop")
	if err := os.MkdirAll(drop, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/answers.csv")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(drop, "answers.csv"), b, 0o644)
	os.WriteFile(filepath.Join(drop, "notes.md"), []byte("not an export"), 0o644)
	db := openDB(t)
	tests := []struct {
		name    string
		src     config.Source
		setup   func()
		new     int
		rejects int
		status  voc.RunStatus
	}{
		{"first pick-up", config.Source{Type: "file", Channel: "门店问卷", File: &config.File{Dir: drop}}, nil, 3, 1, voc.RunPartial},
		{"left in place: imported once", config.Source{Type: "file", File: &config.File{Dir: drop}}, nil, 0, 0, voc.RunOK},
		{"copied in again under another name", config.Source{Type: "file", File: &config.File{Dir: drop, DoneDir: filepath.Join(dir, "done")}},
			func() { os.WriteFile(filepath.Join(drop, "copy.csv"), b, 0o644) }, 0, 0, voc.RunOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			sum, err := Collect(context.Background(), db, "store-survey", tt.src, CollectOptions{Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			if sum.New != tt.new || sum.ParseFailures != tt.rejects || sum.Status != tt.status {
				t.Errorf("summary = %+v; want %d new, %d rejected, %s", sum, tt.new, tt.rejects, tt.status)
			}
		})
	}
	if got := count(t, db, `SELECT count(*) FROM items WHERE source = 'store-survey' AND kind = 'survey' AND channel = '门店问卷'`); got != 3 {
		t.Errorf("%d survey items, want 3", got)
	}
	if got := count(t, db, `SELECT count(*) FROM rejects WHERE source = 'store-survey'`); got != 1 {
		t.Errorf("%d rejects, want 1", got)
	}
	left, _ := filepath.Glob(filepath.Join(drop, "*.csv"))
	done, _ := filepath.Glob(filepath.Join(dir, "done", "*.csv"))
	if len(left) != 0 || len(done) != 2 {
		t.Errorf("left %v, done %v: with done_dir, imported files are moved", left, done)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	shop := demo.NewShop(3, time.Date(2024, 3, 10, 15, 0, 0, 0, sh), nil)
	srv := httptest.NewServer(shop)
	defer srv.Close()
	res, err := DryRun(context.Background(), "demo-shop-tw", demo.ShopSources(srv.URL)["demo-shop-tw"], 5, CollectOptions{Location: sh, Now: shop.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 5 || len(res.Pages) != 1 || res.Items[0].Lang != "zh-Hant" || res.Items[0].Product == "" || !res.Items[0].Rating.Valid() {
		t.Errorf("dry run = %d items from %v; first %+v", len(res.Items), res.Pages, res.Items[0])
	}
}

func TestCollectableSources(t *testing.T) {
	cfg := shopConfig("http://127.0.0.1:1")
	if _, err := CollectableSources(cfg, []string{"nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown source: %v", err)
	}
	if _, err := CollectableSources(cfg, []string{"survey-exports"}); err == nil || !strings.Contains(err.Error(), "voc import survey") {
		t.Errorf("survey source: %v", err)
	}
	if got, _ := CollectableSources(cfg, nil); strings.Join(got, ",") != "demo-shop-api,demo-shop-en,demo-shop-tw,demo-shop-zh" {
		t.Errorf("all = %v", got)
	}
}

// Sources on different hosts are fetched at once, sources sharing a host
// never overlap, and everything is stored exactly once, with summaries in
// name order. Two demo shops stand in for two sites: the first request to
// each waits until the other site has been reached too, which only
// happens when they are collected in parallel (a sequential run would
// wait out the 10 s limit and fail).
func TestCollectAllParallel(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2024, 3, 10, 15, 0, 0, 0, sh)
	type site struct {
		shop     *demo.Shop
		reached  chan struct{}
		once     sync.Once
		mu       sync.Mutex
		inFlight map[string]int // section -> requests in flight
		overlap  string
	}
	sites := []*site{
		{shop: demo.NewShop(7, now, nil), reached: make(chan struct{}), inFlight: map[string]int{}},
		{shop: demo.NewShop(8, now, nil), reached: make(chan struct{}), inFlight: map[string]int{}},
	}
	var waitedOut atomic.Bool
	cfg := config.Default()
	cfg.Sources = map[string]config.Source{}
	for i, s := range sites {
		other := sites[1-i]
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.once.Do(func() { close(s.reached) })
			if !waitedOut.Load() {
				select {
				case <-other.reached:
				case <-time.After(10 * time.Second):
					waitedOut.Store(true)
				}
			}
			sec := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
			s.mu.Lock()
			for other, n := range s.inFlight {
				if other != sec && n > 0 {
					s.overlap = other + " and " + sec
				}
			}
			s.inFlight[sec]++
			s.mu.Unlock()
			time.Sleep(2 * time.Millisecond) // give an overlap the chance to show
			s.shop.ServeHTTP(w, r)
			s.mu.Lock()
			s.inFlight[sec]--
			s.mu.Unlock()
		}))
		defer srv.Close()
		for name, src := range demo.ShopSources(srv.URL) {
			cfg.Sources[[]string{"a-", "b-"}[i]+name] = src
		}
	}
	db := openDB(t)
	sums, err := CollectAll(context.Background(), db, cfg, nil, CollectOptions{Location: sh, Now: sites[0].shop.Now, Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	if waitedOut.Load() {
		t.Error("one site was collected while the other waited: sources on different hosts did not run at once")
	}
	for _, s := range sites {
		if s.overlap != "" {
			t.Errorf("two sources of one host were fetched at once: %s", s.overlap)
		}
	}
	if len(sums) != 8 {
		t.Fatalf("%d summaries, want 8", len(sums))
	}
	for i, s := range sums {
		if i > 0 && sums[i-1].Source >= s.Source {
			t.Errorf("summaries out of name order: %s before %s", sums[i-1].Source, s.Source)
		}
		if s.Status != voc.RunOK {
			t.Errorf("%s: %+v", s.Source, s)
		}
	}
	want := sites[0].shop.Count("") + sites[1].shop.Count("")
	if got := count(t, db, `SELECT count(*) FROM items`); got != want {
		t.Errorf("%d items stored, want %d", got, want)
	}
	// idempotent in parallel too
	if _, err := CollectAll(context.Background(), db, cfg, nil, CollectOptions{Location: sh, Now: sites[0].shop.Now}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, `SELECT count(*) FROM items`); got != want {
		t.Errorf("second run: %d items, want %d", got, want)
	}
	if n := count(t, db, `SELECT count(*) FROM runs WHERE job = 'collect' AND status <> 'ok'`); n != 0 {
		t.Errorf("%d collect runs not ok", n)
	}
}

func TestHostGroups(t *testing.T) {
	cfg := config.Default()
	cfg.Sources = map[string]config.Source{
		"a":     {Type: "html", URLs: []string{"https://shop.example/a"}},
		"b":     {Type: "html", HTML: &config.HTML{PageURL: "https://SHOP.example/b?page={page}"}},
		"c":     {Type: "jsonapi", URLs: []string{"https://api.example/x", "https://cdn.example/y"}},
		"d":     {Type: "jsonld", URLs: []string{"https://cdn.example/z"}},
		"e":     {Type: "appstore", AppStore: &config.AppStore{AppID: "1"}},
		"f":     {Type: "appstore", AppStore: &config.AppStore{AppID: "2"}},
		"g":     {Type: "file", File: &config.File{Dir: "drop"}},
		"other": {Type: "html", URLs: []string{"http://127.0.0.1:8080/"}},
	}
	got := hostGroups(cfg, []string{"a", "b", "c", "d", "e", "f", "g", "other"})
	want := [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g"}, {"other"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hostGroups = %v, want %v", got, want)
	}
}
