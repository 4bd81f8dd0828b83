package jsonld

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		file     string
		products []string
		reviews  int
		bad      int
		check    func(t *testing.T, f Found)
	}{
		{"mug.html", []string{"WarmCup Smart Mug"}, 2, 1, func(t *testing.T, f Found) {
			r := f.Reviews[0]
			if r.ID != "#rv-2" || r.Author != "Anna" || r.Title != "Keeps coffee hot" || r.Rating.Level() != 5 || r.Product != "WarmCup Smart Mug" {
				t.Errorf("review = %+v", r)
			}
			if f.Reviews[1].Author != "Tom" || f.Reviews[1].Rating.Level() != 2 {
				t.Errorf("string author, numeric rating: %+v", f.Reviews[1])
			}
			if len(f.Aggregates) != 1 || f.Aggregates[0].Value != 3.5 || f.Aggregates[0].Count != 2 {
				t.Errorf("aggregates = %+v", f.Aggregates)
			}
		}},
		{"bottle.html", []string{"Trail Bottle"}, 1, 0, func(t *testing.T, f Found) {
			if r := f.Reviews[0]; r.Author != "小王" || r.Rating.Level() != 4 || r.Product != "Trail Bottle" {
				t.Errorf("@graph, type list, 10-point rating: %+v", r)
			}
		}},
		{"micro.html", []string{"Micro Kettle"}, 1, 0, func(t *testing.T, f Found) {
			if r := f.Reviews[0]; r.Author != "Priya" || r.Rating.Level() != 4 || r.Date != "2024-03-02" || r.Body != "Boils fast, a little loud." || r.Product != "Micro Kettle" {
				t.Errorf("microdata: %+v", r)
			}
		}},
		{"plain.html", nil, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			f, bad, err := Extract(b)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(f.Products, ",") != strings.Join(tt.products, ",") || len(f.Reviews) != tt.reviews || bad != tt.bad {
				t.Fatalf("products %v, %d reviews, %d bad; want %v, %d, %d", f.Products, len(f.Reviews), bad, tt.products, tt.reviews, tt.bad)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
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
	return false, nil // as if every page reached the watermark: products are read anyway
}

func (s *memSink) PayloadSeen(context.Context, string) (bool, error) { return false, nil }

func TestCollectFollowsListing(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		files := map[string]string{"/mugs": "listing.html", "/p/mug": "mug.html", "/p/bottle": "bottle.html", "/p/micro": "micro.html", "/plain": "plain.html"}
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, _ := os.ReadFile("testdata/" + f)
		w.Write(b)
	}))
	defer srv.Close()
	src := config.Source{Type: "jsonld", URLs: []string{srv.URL + "/mugs"}, JSONLD: &config.JSONLD{Follow: "a.product"},
		HTTP: config.HTTP{Delay: time.Microsecond, Parallelism: 2}}
	c, err := collectors.New("mugs", src)
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r := collectors.NewRun("mugs", src, sink)
	if err := c.Collect(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	var items []voc.Item
	for _, p := range sink.pages {
		items = append(items, p.Items...)
	}
	if len(sink.pages) != 4 || len(items) != 4 {
		t.Fatalf("%d pages, %d items; want the listing and 3 products with 4 reviews", len(sink.pages), len(items))
	}
	if hits["/p/mug"] != 1 || hits["/robots.txt"] != 1 {
		t.Errorf("hits = %v: a product listed twice is fetched once, robots.txt once", hits)
	}
	var products []string
	for _, it := range items {
		products = append(products, it.Product)
	}
	sort.Strings(products)
	if strings.Join(products, "|") != "Micro Kettle|Trail Bottle|WarmCup Smart Mug|WarmCup Smart Mug" {
		t.Errorf("products = %v", products)
	}

	src.URLs, src.JSONLD = []string{srv.URL + "/plain"}, nil
	c, _ = collectors.New("mugs", src)
	err = c.Collect(context.Background(), collectors.NewRun("mugs", src, &memSink{}))
	if !errors.Is(err, collectors.ErrLayoutChanged) || !strings.Contains(err.Error(), "/plain") {
		t.Errorf("page without structured data: err = %v, want a layout change", err)
	}
}

func FuzzExtractJSONLD(f *testing.F) {
	for _, s := range []string{
		`{"@type":"Product","name":"x","review":[{"@type":"Review","reviewRating":{"ratingValue":"4"},"author":{"name":"a"}}]}`,
		`{"@graph":[{"@type":["Review"],"reviewRating":{"ratingValue":9,"bestRating":10}}]}`,
		`[{"@type":"Product","aggregateRating":{"ratingValue":"x"}}]`, `null`, `"s"`, `{"@type":{"a":1}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		found, err := ExtractJSONLD([]byte(s))
		if err != nil {
			return
		}
		for _, r := range found.Reviews {
			if r.Rating != nil {
				if l := r.Rating.Level(); l != voc.LevelNone && !l.Valid() {
					t.Fatalf("level %d from %q", l, s)
				}
			}
		}
	})
}
