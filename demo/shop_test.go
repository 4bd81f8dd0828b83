package demo

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/voc-analytics/voc/config"
)

func get(t *testing.T, h http.Handler, path string) (int, http.Header, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, b
}

func TestShopIsDeterministic(t *testing.T) {
	now := time.Date(2024, 3, 10, 15, 0, 0, 0, time.UTC)
	a, b := NewShop(42, now, nil), NewShop(42, now, nil)
	c := NewShop(43, now, nil)
	for _, path := range []string{"/zh/products/p1/reviews", "/tw/reviews?page=2", "/en/products/p2", "/api/reviews"} {
		_, _, ba := get(t, a, path)
		_, _, bb := get(t, b, path)
		_, _, bc := get(t, c, path)
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs between two shops of the same seed", path)
		}
		if bytes.Equal(ba, bc) {
			t.Errorf("%s is the same for another seed", path)
		}
	}
}

func TestShopPages(t *testing.T) {
	now := time.Date(2024, 3, 10, 15, 0, 0, 0, time.UTC)
	s := NewShop(1, now, nil)
	if s.Count("") != 75+40+24+60 || s.Count(ShopTW) != 40 {
		t.Fatalf("counts %d / %d", s.Count(""), s.Count(ShopTW))
	}
	tests := []struct {
		path   string
		status int
		ctype  string
		want   []string
	}{
		{"/robots.txt", 200, "text/plain; charset=utf-8", []string{"Disallow: /admin/"}},
		{"/zh/products/p1/reviews", 200, "text/html; charset=utf-8", []string{"comment-item", "★", `class="next-page" href="/zh/products/p1/reviews?page=2"`}},
		{"/zh/products/p1/reviews?page=3", 200, "text/html; charset=utf-8", []string{"comment-item"}},
		{"/zh/products/p1/reviews?page=4", 200, "text/html; charset=utf-8", []string{"暂无评价"}},
		{"/zh/products/p9/reviews", 404, "", nil},
		{"/tw/reviews?page=5", 200, "text/html; charset=big5", nil},
		{"/en/products", 200, "text/html; charset=utf-8", []string{`class="product-link" href="/en/products/p3"`}},
		{"/en/products/p1", 200, "text/html; charset=utf-8", []string{`"@type": "Product"`, `"@type": "AggregateRating"`, `"reviewBody"`}},
		{"/api/reviews", 200, "application/json; charset=utf-8", []string{`"nextCursor":"api-`}},
		{"/api/reviews?callback=jQuery_1", 200, "application/javascript; charset=utf-8", []string{"jQuery_1({"}},
		{"/api/reviews?cursor=nope", 400, "application/json", nil},
		{"/admin/", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			code, h, body := get(t, s, tt.path)
			if code != tt.status || (tt.ctype != "" && h.Get("Content-Type") != tt.ctype) {
				t.Fatalf("%d %q, want %d %q", code, h.Get("Content-Type"), tt.status, tt.ctype)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("body lacks %q", w)
				}
			}
		})
	}
	// The Big5 section is really Big5, in traditional characters.
	_, _, body := get(t, s, "/tw/reviews")
	text, err := traditionalchinese.Big5.NewDecoder().Bytes(body)
	if err != nil || !strings.Contains(string(text), "star-") || !strings.Contains(string(text), "評價") {
		t.Errorf("Big5 page: %v %.200s", err, text)
	}
}

func TestShopHasThemesAndAngryFiveStars(t *testing.T) {
	s := NewShop(20241125, time.Now(), nil)
	themes := map[string]bool{"物流慢": false, "包装破损": false, "质量差": false, "客服态度差": false, "假货": false, "退换货难": false}
	angry := 0
	for _, r := range append(s.sections[ShopZH], s.sections[ShopAPI]...) {
		for th := range themes {
			if strings.Contains(r.Text, th) {
				themes[th] = true
			}
		}
		if r.Stars == 5 && strings.ContainsAny(r.Text, "！!") {
			angry++
		}
	}
	for th, ok := range themes {
		if !ok {
			t.Errorf("no review mentions %s", th)
		}
	}
	if angry == 0 {
		t.Error("no angry five-star review")
	}
}

func TestShopAdd(t *testing.T) {
	s := NewShop(5, time.Date(2024, 3, 10, 15, 0, 0, 0, time.UTC), nil)
	before := s.Now()
	s.Add(ShopAPI, 3)
	if s.Count(ShopAPI) != 63 || !s.Now().After(before) {
		t.Fatalf("count %d, now %v", s.Count(ShopAPI), s.Now())
	}
	if !s.sections[ShopAPI][0].At.After(s.sections[ShopAPI][3].At) {
		t.Error("new reviews must be the newest")
	}
}

func TestShopSourcesYAMLLoads(t *testing.T) {
	b, err := ShopSourcesYAML("http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse(b, "demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 4 || c.Sources["demo-shop-tw"].HTML.PageURL != "http://127.0.0.1:8080/tw/reviews?page={page}" {
		t.Errorf("sources = %+v", c.Sources)
	}
}
