package appstore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

type memSink struct {
	pages []*collectors.Page
	stop  func(p *collectors.Page) bool
}

func (s *memSink) Page(_ context.Context, p *collectors.Page) (bool, error) {
	s.pages = append(s.pages, p)
	return s.stop == nil || !s.stop(p), nil
}

func (s *memSink) PayloadSeen(context.Context, string) (bool, error) { return false, nil }

func TestFeed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files := map[string]string{
			"/us/rss/customerreviews/page=1/id=123/sortby=mostrecent/json": "us-1.json",
			"/us/rss/customerreviews/page=2/id=123/sortby=mostrecent/json": "us-2.json",
			"/cn/rss/customerreviews/page=1/id=123/sortby=mostrecent/json": "cn-1.json",
		}
		f, ok := files[r.URL.Path]
		if !ok {
			f = "empty.json"
		}
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		b, _ := os.ReadFile("testdata/" + f)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	defer srv.Close()
	src := config.Source{Type: "appstore", Product: "WarmCup app", HTTP: config.HTTP{Delay: time.Microsecond},
		AppStore: &config.AppStore{AppID: "123", Countries: []string{"us", "CN"}, BaseURL: srv.URL}}
	c, err := collectors.New("app", src)
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r := collectors.NewRun("app", src, sink)
	if err := c.Collect(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	var items []voc.Item
	for _, p := range sink.pages {
		items = append(items, p.Items...)
	}
	// us: 2 + 1 + an empty page 3; cn: 1 (the app's own entry skipped) + empty page 2.
	if len(sink.pages) != 5 || len(items) != 4 {
		t.Fatalf("%d pages, %d items; want 5 and 4", len(sink.pages), len(items))
	}
	first := items[0]
	if first.ExternalID != "11002" || first.Rating != 5 || first.Text != "Love it\nSyncs instantly with my mug." || first.Product != "WarmCup app" ||
		first.Extra["country"] != "us" || first.Extra["version"] != "3.2.1" || !first.CreatedAt.Equal(time.Date(2024, 3, 6, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("first = %+v", first)
	}
	if cn := items[3]; cn.Lang != "zh-Hans" || cn.Rating != 2 || cn.Extra["country"] != "cn" {
		t.Errorf("cn = %+v", cn)
	}

	// Reaching the watermark on one country goes on with the next.
	sink = &memSink{stop: func(p *collectors.Page) bool { return strings.Contains(p.URL, "/us/") }}
	if err := c.Collect(context.Background(), collectors.NewRun("app", src, sink)); err != nil {
		t.Fatal(err)
	}
	if len(sink.pages) != 3 {
		t.Errorf("%d pages; want us page 1, then cn pages 1 and 2", len(sink.pages))
	}
}

func TestNew(t *testing.T) {
	for _, s := range []*config.AppStore{nil, {AppID: "abc"}, {AppID: "1", Countries: []string{"usa"}}, {AppID: "1", BaseURL: "not a url"}} {
		if _, err := collectors.New("app", config.Source{Type: "appstore", AppStore: s}); err == nil {
			t.Errorf("New(%+v) accepted", s)
		}
	}
}

func FuzzParseFeed(f *testing.F) {
	for _, n := range []string{"us-1.json", "us-2.json", "cn-1.json", "empty.json"} {
		b, _ := os.ReadFile("testdata/" + n)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseFeed(b)
	})
}
