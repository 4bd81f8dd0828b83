package jsonapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

func TestPath(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"data":{"comments":[{"content":"a","tags":["x","y"]},{"content":"b"}],"n":3},"list":[[1,2],[3]]}`), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want []any
	}{
		{"data.n", []any{3.0}},
		{"$.data.n", []any{3.0}},
		{"data.comments[].content", []any{"a", "b"}},
		{"data.comments[1].content", []any{"b"}},
		{"data.comments[].tags[]", []any{"x", "y"}},
		{"data.comments[5].content", nil},
		{"data.missing", nil},
		{"list[][]", []any{1.0, 2.0, 3.0}},
		{"data.n.deeper", nil},
	}
	for _, tt := range tests {
		p, err := CompilePath(tt.path)
		if err != nil {
			t.Fatalf("CompilePath(%q): %v", tt.path, err)
		}
		if got := p.Get(doc); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.path, got, tt.want)
		}
	}
	for _, bad := range []string{"a..b", "a[x]", "a[-1]", "a[", "a]", "a[1"} {
		if _, err := CompilePath(bad); err == nil {
			t.Errorf("CompilePath(%q) accepted", bad)
		}
	}
}

func TestStripJSONP(t *testing.T) {
	tests := map[string]string{
		`cb({"a":1});`:                             `{"a":1}`,
		`  jQuery1124_99( [1,2] )  `:               `[1,2]`,
		`/**/ window.cb.x({"a":1})`:                `{"a":1}`,
		`typeof cb === 'function' && cb({"a":1});`: `{"a":1}`,
		`{"a":1}`:                 `{"a":1}`,
		`alert(1); evil({"a":1})`: `alert(1); evil({"a":1})`,
		`cb({"a":1}`:              `cb({"a":1}`,
	}
	for in, want := range tests {
		if got := string(StripJSONP([]byte(in))); got != want {
			t.Errorf("StripJSONP(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompile(t *testing.T) {
	s, err := Compile(config.JSONAPI{Fields: config.JSONFields{ID: "comments[].id", Text: "comments[].content", Rating: "comments[].score"}, CursorPath: "next"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Items.String() != "comments" || s.Fields["text"].String() != "content" || s.Pagination != Cursor || s.CursorPar != "cursor" {
		t.Errorf("compiled = items %q, text %q, pagination %q", s.Items, s.Fields["text"], s.Pagination)
	}
	for _, bad := range []config.JSONAPI{
		{Fields: config.JSONFields{ID: "a[].id"}},
		{Fields: config.JSONFields{Text: "a[].t", Rating: "b[].r"}},
		{Fields: config.JSONFields{Text: "t"}, Pagination: "cursor"},
		{Fields: config.JSONFields{Text: "t"}, Pagination: "scroll"},
		{Fields: config.JSONFields{Text: "t[x]"}},
	} {
		if _, err := Compile(bad); err == nil {
			t.Errorf("Compile(%+v) accepted", bad)
		}
	}
}

type memSink struct {
	mu    sync.Mutex
	pages []*collectors.Page
}

func (s *memSink) Page(_ context.Context, p *collectors.Page) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages = append(s.pages, p)
	return true, nil
}

func (s *memSink) PayloadSeen(context.Context, string) (bool, error) { return false, nil }

func serve(t *testing.T, routes map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		file, ok := routes[key]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

var cursorAPI = config.JSONAPI{
	Fields:     config.JSONFields{ID: "data.comments[].id", Rating: "data.comments[].score", Text: "data.comments[].content", Author: "data.comments[].nickname", Date: "data.comments[].creationTime", Product: "data.comments[].referenceName", Reply: "data.comments[].replyContent"},
	CursorPath: "data.nextCursor",
}

func collect(t *testing.T, src config.Source) (*memSink, *collectors.Run, error) {
	t.Helper()
	c, err := collectors.New("api", src)
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r := collectors.NewRun("api", src, sink)
	r.Location = time.UTC
	err = c.Collect(context.Background(), r)
	return sink, r, err
}

func fast() config.HTTP {
	return config.HTTP{Delay: time.Microsecond, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, IgnoreRobotsTxt: true}
}

func TestCursorAPI(t *testing.T) {
	srv := serve(t, map[string]string{"/reviews": "cursor-1.json", "/reviews?cursor=c2": "cursor-2.json", "/jsonp": "jsonp-1.js", "/jsonp?cursor=c2": "cursor-2.json"})
	for _, path := range []string{"/reviews", "/jsonp"} {
		t.Run(path, func(t *testing.T) {
			spec := cursorAPI
			sink, r, err := collect(t, config.Source{Type: "jsonapi", URLs: []string{srv.URL + path}, RatingScale: 10, HTTP: fast(), JSONAPI: &spec})
			if err != nil {
				t.Fatal(err)
			}
			var items []voc.Item
			var rejects []voc.Reject
			for _, p := range sink.pages {
				items = append(items, p.Items...)
				rejects = append(rejects, p.Rejects...)
			}
			if len(sink.pages) != 2 || len(items) != 4 || len(rejects) != 1 {
				t.Fatalf("%d pages, %d items, %d rejects; want 2, 4, 1", len(sink.pages), len(items), len(rejects))
			}
			want := []struct {
				id    string
				level voc.Level
			}{{"9003", 5}, {"9002", 2}, {"9001", 4}, {"9000", 1}}
			for i, w := range want {
				if items[i].ExternalID != w.id || items[i].Rating != w.level || items[i].Product != "AirSound Pro" {
					t.Errorf("item %d = %s level %d product %q; want %s %d", i, items[i].ExternalID, items[i].Rating, items[i].Product, w.id, w.level)
				}
			}
			if !items[0].CreatedAt.Equal(time.UnixMilli(1709888400000)) || items[1].Extra["reply"] != "抱歉，已为您补发" {
				t.Errorf("date %v, reply %v", items[0].CreatedAt, items[1].Extra)
			}
			if !strings.Contains(rejects[0].Reason, "abc") || rejects[0].Line != 2 || !strings.Contains(rejects[0].File, "cursor=c2") {
				t.Errorf("reject = %+v", rejects[0])
			}
			if s := r.Stats.Snapshot(); s.Stopped != collectors.StopEnd {
				t.Errorf("stats = %+v", s)
			}
		})
	}
}

func TestPageNumberAPI(t *testing.T) {
	srv := serve(t, map[string]string{"/r?page=1": "pages-1.json", "/r?page=2": "pages-2.json", "/r?page=3": "pages-3.json"})
	sink, _, err := collect(t, config.Source{Type: "jsonapi", URLs: []string{srv.URL + "/r"}, HTTP: fast(), JSONAPI: &config.JSONAPI{
		Items: "comments", PageParam: "page", Fields: config.JSONFields{ID: "id", Rating: "rate", Text: "body", Date: "at"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range sink.pages {
		n += len(p.Items)
	}
	if len(sink.pages) != 3 || n != 3 {
		t.Errorf("%d pages, %d items; want 3 pages (the last empty) and 3 items", len(sink.pages), n)
	}
}

func TestAPILayoutChanged(t *testing.T) {
	srv := serve(t, map[string]string{"/reviews": "changed.json"})
	spec := cursorAPI
	sink, _, err := collect(t, config.Source{Type: "jsonapi", URLs: []string{srv.URL + "/reviews"}, HTTP: fast(), JSONAPI: &spec})
	if !errors.Is(err, collectors.ErrLayoutChanged) || !strings.Contains(err.Error(), "data.comments") || len(sink.pages) != 0 {
		t.Fatalf("err = %v; want a layout change naming the items path", err)
	}
}

func FuzzPath(f *testing.F) {
	for _, s := range []string{"a.b", "comments[].content", "$.x[0].y", "[]", "a[1][2]", "..", "a[", "a[99999999999999999999]"} {
		f.Add(s, `{"a":{"b":[1,{"c":2}]},"comments":[{"content":"x"}]}`)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := CompilePath(path)
		if err != nil {
			return
		}
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		for _, got := range p.Get(v) {
			_ = Text(got)
		}
		if p.IsZero() {
			if got := p.Get(v); len(got) != 1 {
				t.Fatalf("empty path gave %d values", len(got))
			}
		}
	})
}

func FuzzStripJSONP(f *testing.F) {
	for _, s := range []string{`cb({"a":1});`, `/**/cb([1])`, `{"a":1}`, `cb(`, `)(`, `typeof a === 'function' && a({})`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := StripJSONP([]byte(s))
		if len(out) > len(s) {
			t.Fatalf("StripJSONP grew %q to %q", s, out)
		}
		// Valid JSON is never damaged by stripping.
		if json.Valid([]byte(s)) && !json.Valid(out) {
			t.Fatalf("StripJSONP(%q) = %q broke valid JSON", s, out)
		}
	})
}

func FuzzParseAnswer(f *testing.F) {
	b, _ := os.ReadFile("testdata/cursor-1.json")
	f.Add(b)
	f.Add([]byte(`cb({"data":{"comments":[{"score":"★★","content":1}]}})`))
	spec, err := Compile(cursorAPI)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := spec.Parse(body, "http://127.0.0.1/x", Clock{Now: time.Unix(1709900000, 0), Loc: time.UTC}, 10)
		if err != nil {
			return
		}
		for _, it := range a.Items {
			if it.Rating != voc.LevelNone && !it.Rating.Valid() {
				t.Fatalf("invalid level %d", it.Rating)
			}
		}
	})
}
