package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/voc-analytics/voc/pipeline/normalize"
	"github.com/voc-analytics/voc/warehouse"
)

// ProductKeySummary says what a product-key pass did.
type ProductKeySummary struct {
	Products int           `json:"products"` // distinct product names, as written, that got a key
	Items    int           `json:"items"`    // items keyed
	Duration time.Duration `json:"duration_ns"`
}

// ProductKeys gives every item whose product has no key yet (new items,
// and items whose product was edited) the key reports group products by,
// normalize.ProductKey of its product, so that 降噪耳機 and 降噪耳机 are
// one product. Distinct product names are few next to items, so all of
// them are keyed in one pass and one transaction; a second pass finds
// nothing to do.
func ProductKeys(ctx context.Context, db *warehouse.DB) (ProductKeySummary, error) {
	start := time.Now()
	var sum ProductKeySummary
	names, err := db.ProductsWithoutKey(ctx)
	if err != nil {
		return sum, fmt.Errorf("product keys: %w", err)
	}
	if len(names) > 0 {
		keys := make([]warehouse.ProductKey, len(names))
		for i, n := range names {
			keys[i] = warehouse.ProductKey{Product: n, Key: normalize.ProductKey(n)}
		}
		if sum.Items, err = db.SaveProductKeys(ctx, keys); err != nil {
			return sum, fmt.Errorf("product keys: %w", err)
		}
		sum.Products = len(names)
	}
	sum.Duration = time.Since(start)
	return sum, nil
}
