package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/themes"
	"github.com/voc-analytics/voc/warehouse"
)

var benchSentences = []string{
	"物流太慢了，等了一个星期才到，包装也破了",
	"质量很好，做工精细，非常满意，下次还来",
	"客服态度很差，问了半天没人回，怀疑是假货",
	"尺码偏小一码，穿着挤脚，退货还要自己出运费",
	"Arrived late and the box was crushed. Customer service never replied.",
	"Great value, works perfectly, would buy again",
	"房間很乾淨，早餐普通，服務人員很熱情",
	"价格有点贵，不过东西还不错",
}

// benchWarehouse is a warehouse of n items with varied texts, none scored
// or tagged yet.
func benchWarehouse(b *testing.B, n int) *warehouse.DB {
	b.Helper()
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(b.TempDir(), "voc.duckdb"), warehouse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	items := make([]voc.Item, n)
	for i := range items {
		items[i] = voc.Item{Source: "bench", Kind: voc.KindReview, ExternalID: fmt.Sprint(i),
			Text: fmt.Sprintf("%s（订单%d）", benchSentences[i%len(benchSentences)], i), CreatedAt: at.Add(time.Duration(i) * time.Minute)}
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkScorePass and BenchmarkTagPass run the pipeline's scoring (with
// reasons, reconciled with the themes) and tagging stages over 20,000
// stored items: read, compute on every core, one write per batch.
func BenchmarkScorePass(b *testing.B) {
	const n = 20000
	sm := defaultModel(b)
	md, err := themes.DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	tax := themes.DefaultTaxonomy()
	c := NewConsistent(sm, themes.NewMatcher(tax, themes.WithModel(md, sm)), themes.Fingerprint(tax, md))
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := benchWarehouse(b, n)
		b.StartTimer()
		if _, err := Score(context.Background(), db, c, ScoreOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkTagPass(b *testing.B) {
	const n = 20000
	sm := defaultModel(b)
	md, err := themes.DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	tax := themes.DefaultTaxonomy()
	m := themes.NewMatcher(tax, themes.WithModel(md, sm))
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := benchWarehouse(b, n)
		b.StartTimer()
		if _, err := Tag(context.Background(), db, m, themes.Fingerprint(tax, md), TagOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}
