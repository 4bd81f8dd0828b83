package html

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

// FuzzParsePage feeds arbitrary bytes to the page parser as a shop page:
// it must never panic, and every review block it finds must come out as
// exactly one item or one reject (or the page is a layout change).
func FuzzParsePage(f *testing.F) {
	for _, name := range []string{"shop-page1.html", "shop-page3.html", "shop-redesigned.html", "cup-gbk.html"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<li class="review" data-id="x"><span class="stars">★★★★★★★★</span><p class="content"><script>alert(1)</script></p><time class="date">3天前</time></li>`))
	f.Add([]byte(`<li class="review"><span class="stars" style="width:999%"></span></li><a class="next" href="javascript:alert(1)">`))
	sel := shopSelectors
	src := config.Source{Type: "html", URLs: []string{"http://127.0.0.1/r"}, HTML: &sel}
	c, err := New("shop", src)
	if err != nil {
		f.Fatal(err)
	}
	hc := c.(*collector)
	f.Fuzz(func(t *testing.T, page []byte) {
		run := collectors.NewRun("shop", src, nil)
		run.Now = time.Date(2024, 3, 7, 12, 0, 0, 0, time.UTC)
		resp := &collectors.Response{URL: "http://127.0.0.1/r?page=1", Status: 200, Body: page, Text: page}
		p, next, err := hc.Parse(run, resp, 0)
		var layout *collectors.LayoutError
		if err != nil {
			if !errors.As(err, &layout) {
				t.Fatalf("error that is not a layout change: %v", err)
			}
			return
		}
		doc, derr := goquery.NewDocumentFromReader(bytes.NewReader(page))
		if derr != nil {
			t.Fatal(derr)
		}
		if blocks := doc.Find(sel.Review).Length(); len(p.Items)+len(p.Rejects) != blocks {
			t.Fatalf("%d review blocks became %d items and %d rejects", blocks, len(p.Items), len(p.Rejects))
		}
		for _, it := range p.Items {
			if it.Rating != 0 && !it.Rating.Valid() {
				t.Fatalf("rating %d out of the scale", it.Rating)
			}
		}
		if next != "" && (bytes.HasPrefix([]byte(next), []byte("javascript:"))) {
			t.Fatalf("followed a javascript: link: %s", next)
		}
	})
}
