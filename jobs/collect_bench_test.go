package jobs

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/voc-analytics/voc/demo"
	"github.com/voc-analytics/voc/warehouse"
)

// BenchmarkCollectDemoShop collects a large demo shop into a fresh
// warehouse, first run (every page) only, and reports pages/s and items/s
// end to end: HTTP on loopback with the demo's 1 ms per-host delay,
// parsing, and one DuckDB transaction per page.
func BenchmarkCollectDemoShop(b *testing.B) {
	sizes := map[string]int{demo.ShopZH: 3000, demo.ShopTW: 1000, demo.ShopEN: 300, demo.ShopAPI: 2000}
	var pages, items int
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		shop := demo.NewShop(uint64(i+1), time.Now(), sizes)
		srv := httptest.NewServer(shop)
		db, err := warehouse.Open(context.Background(), filepath.Join(b.TempDir(), "voc.duckdb"), warehouse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cfg := shopConfig(srv.URL)
		for n, s := range cfg.Sources {
			s.MaxPages = 1000
			cfg.Sources[n] = s
		}
		b.StartTimer()
		start := time.Now()
		sums, err := CollectAll(context.Background(), db, cfg, nil, CollectOptions{Now: shop.Now})
		elapsed += time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range sums {
			if s.Error != "" {
				b.Fatal(s.Error)
			}
			pages += s.Pages
			items += s.New
		}
		if items != (i+1)*shop.Count("") {
			b.Fatalf("%d items stored, shop has %d", items, shop.Count(""))
		}
		db.Close()
		srv.Close()
	}
	b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
}

// BenchmarkFetchParseDemoShop is the same shop through DryRun: HTTP and
// parsing without storing, to tell the collector's share of the time
// from the warehouse's.
func BenchmarkFetchParseDemoShop(b *testing.B) {
	sizes := map[string]int{demo.ShopZH: 3000, demo.ShopTW: 1000, demo.ShopEN: 300, demo.ShopAPI: 2000}
	var pages, items int
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		shop := demo.NewShop(uint64(i+1), time.Now(), sizes)
		srv := httptest.NewServer(shop)
		cfg := shopConfig(srv.URL)
		start := time.Now()
		for _, n := range []string{"demo-shop-api", "demo-shop-en", "demo-shop-tw", "demo-shop-zh"} {
			s := cfg.Sources[n]
			s.MaxPages = 1000
			res, err := DryRun(context.Background(), n, s, 1<<30, CollectOptions{Now: shop.Now})
			if err != nil {
				b.Fatal(err)
			}
			pages += len(res.Pages)
			items += len(res.Items)
		}
		elapsed += time.Since(start)
		srv.Close()
	}
	b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
}
