package html

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

// memSink keeps pages in memory and stops once stopAfter pages came in
// (0: never).
type memSink struct {
	mu        sync.Mutex
	pages     []*collectors.Page
	stopAfter int
}

func (s *memSink) Page(_ context.Context, p *collectors.Page) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages = append(s.pages, p)
	return s.stopAfter == 0 || len(s.pages) < s.stopAfter, nil
}

func (s *memSink) PayloadSeen(context.Context, string) (bool, error) { return false, nil }

func (s *memSink) items() []voc.Item {
	var out []voc.Item
	for _, p := range s.pages {
		out = append(out, p.Items...)
	}
	return out
}

func fast() config.HTTP {
	return config.HTTP{Delay: time.Microsecond, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Timeout: 2 * time.Second}
}

// serve serves testdata files by path, with content types.
func serve(t *testing.T, routes map[string]string, types map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		if key == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
			return
		}
		file, ok := routes[key]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Error(err)
			return
		}
		if ct := types[key]; ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

var shopSelectors = config.HTML{Review: "li.review", ID: "@data-id", Rating: ".stars", Text: ".content", Author: ".author",
	Date: "time.date", Product: "h1.product-name", Reply: ".reply", Next: "a.next"}

func run(t *testing.T, src config.Source, sink collectors.Sink) (*collectors.Run, error) {
	t.Helper()
	c, err := collectors.New("shop", src)
	if err != nil {
		t.Fatal(err)
	}
	r := collectors.NewRun("shop", src, sink)
	r.Location, _ = time.LoadLocation("Asia/Shanghai")
	r.Now = time.Date(2024, 3, 10, 15, 0, 0, 0, r.Location)
	return r, c.Collect(context.Background(), r)
}

func TestShopPagination(t *testing.T) {
	srv := serve(t, map[string]string{
		"/shop/p/1/reviews":        "shop-page1.html",
		"/shop/p/1/reviews?page=2": "shop-page2.html",
		"/shop/p/1/reviews?page=3": "shop-page3.html",
	}, nil)
	sel := shopSelectors
	sink := &memSink{}
	r, err := run(t, config.Source{Type: "html", Channel: "天猫旗舰店", URLs: []string{srv.URL + "/shop/p/1/reviews"}, HTTP: fast(), HTML: &sel}, sink)
	if err != nil {
		t.Fatal(err)
	}
	items := sink.items()
	if len(sink.pages) != 3 || len(items) != 7 {
		t.Fatalf("%d pages, %d items; want 3 pages of 7 reviews", len(sink.pages), len(items))
	}
	if s := r.Stats.Snapshot(); s.Stopped != collectors.StopEnd || s.Pages != 3 {
		t.Errorf("stats = %+v", s)
	}
	sh := r.Location
	want := []struct {
		id     string
		level  voc.Level
		when   time.Time
		lang   string
		author string
	}{
		{"r107", 5, time.Date(2024, 3, 7, 9, 15, 0, 0, sh), "zh-Hans", "小王"},
		{"r106", 2, time.Date(2024, 3, 6, 20, 1, 0, 0, sh), "zh-Hans", ""}, // masked or anonymous names identify nobody
		{"r105", 4, time.Date(2024, 3, 5, 0, 0, 0, 0, sh), "en", "Anna"},
		{"r104", 1, time.Date(2024, 3, 4, 0, 0, 0, 0, sh), "zh-Hans", ""},
		{"r103", 5, time.Date(2024, 3, 3, 12, 1, 0, 0, sh), "zh-Hans", ""},
		{"r102", 3, time.Date(2024, 3, 2, 0, 0, 0, 0, sh), "zh-Hans", ""},
		{"r101", 5, time.Date(2024, 3, 1, 0, 0, 0, 0, sh), "en", "Tom"},
	}
	for i, w := range want {
		it := items[i]
		if it.ExternalID != w.id || it.Rating != w.level || !it.CreatedAt.Equal(w.when) || it.Lang != w.lang || it.AuthorKey != w.author {
			t.Errorf("item %d = %s %d %v %s %s; want %+v", i, it.ExternalID, it.Rating, it.CreatedAt, it.Lang, it.AuthorKey, w)
		}
		if it.Product != "AirSound Pro 降噪耳机" || it.Channel != "天猫旗舰店" || it.Kind != voc.KindReview || it.Source != "shop" {
			t.Errorf("item %d: product %q channel %q kind %q source %q", i, it.Product, it.Channel, it.Kind, it.Source)
		}
		if !strings.HasPrefix(it.RawRef, sinkPayload(sink, it.RawRef)+"#review-") {
			t.Errorf("item %d RawRef %q does not point at its page's payload", i, it.RawRef)
		}
	}
	if items[0].Extra["reply"] != "商家回复：感谢您的支持！" || items[1].Extra != nil {
		t.Errorf("replies: %v / %v", items[0].Extra, items[1].Extra)
	}
}

// sinkPayload finds the payload id a RawRef names among the stored pages.
func sinkPayload(s *memSink, ref string) string {
	for _, p := range s.pages {
		if strings.HasPrefix(ref, p.Payload.ID+"#") {
			return p.Payload.ID
		}
	}
	return "(no page)"
}

func TestStopsWhenSinkSaysSo(t *testing.T) {
	srv := serve(t, map[string]string{
		"/shop/p/1/reviews":        "shop-page1.html",
		"/shop/p/1/reviews?page=2": "shop-page2.html",
		"/shop/p/1/reviews?page=3": "shop-page3.html",
	}, nil)
	sel := shopSelectors
	sink := &memSink{stopAfter: 1}
	r, err := run(t, config.Source{Type: "html", URLs: []string{srv.URL + "/shop/p/1/reviews"}, HTTP: fast(), HTML: &sel}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Stats.Snapshot(); len(sink.pages) != 1 || s.Stopped != collectors.StopWatermark || s.Status["200"] != 2 {
		t.Errorf("%d pages, stats %+v; want one page fetched (plus robots.txt) and a stop at the watermark", len(sink.pages), s)
	}
}

func TestPageBudgetAndLoop(t *testing.T) {
	srv := serve(t, map[string]string{
		"/a?page=1": "shop-page1.html",
		"/a?page=2": "shop-page2.html",
		"/a?page=3": "shop-page3.html",
		// A site whose pages 2 and 3 both link back to page 2.
		"/loop":                    "shop-page1.html",
		"/shop/p/1/reviews?page=2": "shop-page1.html",
	}, nil)
	sel := shopSelectors
	sink := &memSink{}
	r, err := run(t, config.Source{Type: "html", URLs: []string{srv.URL + "/loop"}, HTTP: fast(), HTML: &sel}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Stats.Snapshot(); s.Stopped != collectors.StopLoop || len(sink.pages) != 1 {
		t.Errorf("loop: %d pages stored, stats %+v; want the repeated page not stored and a loop stop", len(sink.pages), s)
	}

	tmpl := shopSelectors
	tmpl.Next, tmpl.PageURL = "", srv.URL+"/a?page={page}"
	sink = &memSink{}
	r, err = run(t, config.Source{Type: "html", MaxPages: 2, HTTP: fast(), HTML: &tmpl}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Stats.Snapshot(); s.Stopped != collectors.StopBudget || len(sink.pages) != 2 {
		t.Errorf("budget: %d pages, stats %+v", len(sink.pages), s)
	}
}

func TestTemplateEndsAt404OrEmptyPage(t *testing.T) {
	srv := serve(t, map[string]string{"/a?page=1": "shop-page1.html", "/a?page=2": "shop-page2.html", "/a?page=3": "shop-page3.html"}, nil)
	tmpl := shopSelectors
	tmpl.Next, tmpl.PageURL = "", srv.URL+"/a?page={page}"
	sink := &memSink{}
	r, err := run(t, config.Source{Type: "html", HTTP: fast(), HTML: &tmpl}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Stats.Snapshot(); len(sink.items()) != 7 || s.Stopped != collectors.StopEnd || s.Status["404"] != 1 {
		t.Errorf("%d items, stats %+v; want 7 and an end at page 4's 404", len(sink.items()), s)
	}
}

func TestLayoutChanged(t *testing.T) {
	srv := serve(t, map[string]string{"/redesigned": "shop-redesigned.html", "/shop": "shop-page1.html"}, nil)
	tests := []struct {
		name string
		url  string
		sel  func(*config.HTML)
		key  string
	}{
		{"review selector matches nothing", "/redesigned", nil, "review"},
		{"rating selector matches in no review", "/shop", func(h *config.HTML) { h.Rating = ".star-rating" }, "rating"},
		{"text selector matches in no review", "/shop", func(h *config.HTML) { h.Text = "p.body" }, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := shopSelectors
			if tt.sel != nil {
				tt.sel(&sel)
			}
			sink := &memSink{}
			_, err := run(t, config.Source{Type: "html", URLs: []string{srv.URL + tt.url}, HTTP: fast(), HTML: &sel}, sink)
			var le *collectors.LayoutError
			if !errors.Is(err, collectors.ErrLayoutChanged) || !errors.As(err, &le) || le.Key != tt.key {
				t.Fatalf("err = %v, want a layout change of %s", err, tt.key)
			}
			if !strings.Contains(err.Error(), "source shop") || !strings.Contains(err.Error(), srv.URL+tt.url) {
				t.Errorf("error %q does not name the source and URL", err)
			}
			if len(sink.pages) != 0 {
				t.Errorf("a changed layout must not be stored as a page of zero reviews")
			}
		})
	}
}

func TestLegacyCharsetsAndRatingForms(t *testing.T) {
	srv := serve(t, map[string]string{"/cup": "cup-gbk.html", "/tw": "tw-big5.html"},
		map[string]string{"/cup": "text/html", "/tw": "text/html; charset=big5"})
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2024, 3, 10, 15, 0, 0, 0, sh)
	tests := []struct {
		name   string
		url    string
		sel    config.HTML
		texts  []string
		levels []voc.Level
		dates  []time.Time
	}{
		{"GBK, class sa40, relative dates", "/cup",
			config.HTML{Review: "div.rv", ID: "@id", Rating: "span.sa@class", Text: "p", Date: "em"},
			[]string{"保温效果很好，就是物流慢", "假货！和专柜的不一样，退换货难", "颜色很正，喜欢"}, []voc.Level{4, 1, 5},
			[]time.Time{time.Date(2024, 3, 7, 0, 0, 0, 0, sh), time.Date(2024, 3, 9, 18, 30, 0, 0, sh), now}},
		{"Big5, width:80%, English dates", "/tw",
			config.HTML{Review: "div.rv", ID: "@id", Rating: "span.bar@style", Text: "p", Date: "em"},
			[]string{"品質很好，出貨很快", "客服態度很差，一直推託"}, []voc.Level{4, 1},
			[]time.Time{time.Date(2024, 3, 5, 0, 0, 0, 0, sh), time.Date(2024, 3, 4, 0, 0, 0, 0, sh)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := tt.sel
			sink := &memSink{}
			src := config.Source{Type: "html", URLs: []string{srv.URL + tt.url}, HTTP: fast(), HTML: &sel}
			c, err := collectors.New("shop", src)
			if err != nil {
				t.Fatal(err)
			}
			r := collectors.NewRun("shop", src, sink)
			r.Location, r.Now = sh, now
			if err := c.Collect(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			items := sink.items()
			if len(items) != len(tt.texts) {
				t.Fatalf("%d items, want %d", len(items), len(tt.texts))
			}
			for i := range items {
				if items[i].Text != tt.texts[i] || items[i].Rating != tt.levels[i] || !items[i].CreatedAt.Equal(tt.dates[i]) {
					t.Errorf("item %d = %q %d %v; want %q %d %v", i, items[i].Text, items[i].Rating, items[i].CreatedAt, tt.texts[i], tt.levels[i], tt.dates[i])
				}
			}
		})
	}
}

func TestRobotsDisallowed(t *testing.T) {
	srv := serve(t, map[string]string{"/private/reviews": "shop-page1.html"}, nil)
	sel := shopSelectors
	sink := &memSink{}
	_, err := run(t, config.Source{Type: "html", URLs: []string{srv.URL + "/private/reviews"}, HTTP: fast(), HTML: &sel}, sink)
	if !errors.Is(err, collectors.ErrRobotsDisallowed) || len(sink.pages) != 0 {
		t.Fatalf("err = %v, %d pages; want robots.txt to forbid the page", err, len(sink.pages))
	}
}

func TestNewChecksSettings(t *testing.T) {
	tests := []struct {
		name string
		html *config.HTML
		urls []string
		want string
	}{
		{"no html block", nil, []string{"http://127.0.0.1/"}, "html.review"},
		{"bad selector", &config.HTML{Review: "li[", Text: "p"}, []string{"http://127.0.0.1/"}, "html.review"},
		{"bad field selector", &config.HTML{Review: "li", Text: "p[[", Rating: ".s"}, []string{"http://127.0.0.1/"}, "html.text"},
		{"no fields", &config.HTML{Review: "li"}, []string{"http://127.0.0.1/"}, "rating or a text"},
		{"template without page", &config.HTML{Review: "li", Text: "p", PageURL: "http://127.0.0.1/r"}, nil, "{page}"},
		{"no urls", &config.HTML{Review: "li", Text: "p"}, nil, "urls"},
		{"relative url", &config.HTML{Review: "li", Text: "p"}, []string{"/reviews"}, "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := collectors.New("shop", config.Source{Type: "html", HTML: tt.html, URLs: tt.urls})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "source shop") {
				t.Errorf("err = %v, want one naming the source and %q", err, tt.want)
			}
		})
	}
}

func TestParseField(t *testing.T) {
	tests := []struct{ in, css, attr string }{
		{".stars", ".stars", ""},
		{"span.sa@class", "span.sa", "class"},
		{"@data-id", "", "data-id"},
		{`a[href*="@"]`, `a[href*="@"]`, ""},
	}
	for _, tt := range tests {
		f, err := ParseField("x", tt.in)
		if err != nil || f.CSS != tt.css || f.Attr != tt.attr {
			t.Errorf("ParseField(%q) = %+v, %v", tt.in, f, err)
		}
	}
}
