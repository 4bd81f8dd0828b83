package schedules

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// BenchmarkOpenPerJob is what the daemon pays per job for leaving the
// warehouse to readers between jobs: a read-write open (with its schema
// check) and a close (with its checkpoint) of a file of 50,000 items.
func BenchmarkOpenPerJob(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "voc.duckdb")
	db, err := warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	items := make([]voc.Item, 50000)
	for i := range items {
		items[i] = voc.Item{Source: "bench", Kind: voc.KindReview, ExternalID: fmt.Sprint(i), Text: "物流很快，包装也好", Rating: voc.Satisfied}
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		b.Fatal(err)
	}
	db.Close()
	b.ResetTimer()
	for b.Loop() {
		db, err := warehouse.Open(ctx, path, warehouse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.RecordRun(ctx, voc.Run{Job: "bench", Status: voc.RunOK}); err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
