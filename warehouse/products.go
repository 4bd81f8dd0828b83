package warehouse

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// Products are grouped in reports by items.product_key, the key the
// pipeline computes from the product as written (script, width, case and
// spacing folded), so that 降噪耳機 and 降噪耳机 count as one product. Until
// the pipeline has keyed an item, its product as written stands in for the
// key, so new items show up at once, if ungrouped.
//
// productKeyExpr is that grouping key over items i; "" for items without a
// product.
const productKeyExpr = `coalesce(i.product_key, i.product, '')`

// ProductKey is a product name as written on items and the key it groups
// under.
type ProductKey struct {
	Product string
	Key     string
}

// ProductsWithoutKey lists the distinct product names, as written, of the
// items whose product_key has not been computed yet (new items, and items
// whose product was edited), in byte order. Items without a product are
// left out: they group under "" with or without a key.
func (db *DB) ProductsWithoutKey(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT DISTINCT product FROM items
WHERE product_key IS NULL AND coalesce(product, '') <> ''
ORDER BY product`)
	if err != nil {
		return nil, fmt.Errorf("products without key in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("products without key in %s: %w", db.path, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("products without key in %s: %w", db.path, err)
	}
	return out, nil
}

const createStageProductKeys = `
CREATE OR REPLACE TEMP TABLE stage_product_keys (
	product     VARCHAR,
	product_key VARCHAR
)`

const stageProductKeysWidth = 2

// updateProductKeys keys the items that have a staged product and no key.
// Items keyed already are left alone, so a batch computed before an edit
// cannot overwrite the key of a product changed since.
const updateProductKeys = `
UPDATE items SET product_key = s.product_key
FROM stage_product_keys s
WHERE items.product = s.product AND items.product_key IS NULL`

// SaveProductKeys stores the keys of a batch of product names in one
// transaction: every item with that product and no key yet gets it. It
// returns how many items it keyed. A name repeated in the batch keeps its
// last key.
func (db *DB) SaveProductKeys(ctx context.Context, keys []ProductKey) (int, error) {
	var n int
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.SaveProductKeys(ctx, keys)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// SaveProductKeys is DB.SaveProductKeys inside a transaction.
func (t *Tx) SaveProductKeys(ctx context.Context, keys []ProductKey) (int, error) {
	if err := t.check("save product keys"); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	last := make(map[string]int, len(keys))
	for i, k := range keys {
		last[k.Product] = i
	}
	batch := make([]*ProductKey, 0, len(last))
	for i := range keys {
		if last[keys[i].Product] == i {
			batch = append(batch, &keys[i])
		}
	}
	if _, err := t.tx.ExecContext(ctx, createStageProductKeys); err != nil {
		return 0, fmt.Errorf("save product keys: create staging table: %w", err)
	}
	err := t.appendRows(ctx, "stage_product_keys", stageProductKeysWidth, len(batch), func(i int, v []driver.Value) {
		v[0], v[1] = batch[i].Product, batch[i].Key
	})
	if err != nil {
		return 0, fmt.Errorf("save product keys: stage: %w", err)
	}
	n, err := t.exec(ctx, updateProductKeys)
	if err != nil {
		return 0, fmt.Errorf("save product keys: update items: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DROP TABLE stage_product_keys`); err != nil {
		return 0, fmt.Errorf("save product keys: drop staging table: %w", err)
	}
	return n, nil
}

// productNamesSQL picks, for each product key in the parameter (a JSON
// array), the written form most of the key's items use, across the whole
// warehouse; ties go to the smallest in byte order. Counting the raw
// (product_key, product) pairs first and keying the few pairs afterwards
// costs about 15 ms on a million items, a fifth less than grouping by the
// key expression.
const productNamesSQL = `
WITH spellings AS (SELECT product_key, product, count(*) AS n FROM items GROUP BY ALL)
SELECT coalesce(product_key, product) AS k, min_by(product, {n: -n, product: product})
FROM spellings
WHERE coalesce(product, '') <> '' AND list_contains(CAST(?::JSON AS VARCHAR[]), coalesce(product_key, product))
GROUP BY 1`

// productNames gives the name to show for each product key: its commonest
// written form, never the key itself (a lower-cased, simplified key is
// nobody's spelling). The name is taken over all of the key's items, not
// only a report's, so a product reads the same on every page and in every
// week. Key "" (no product) is named ""; a key no item has is left out.
func (db *DB) productNames(ctx context.Context, r reader, keys []string) (map[string]string, error) {
	out := map[string]string{}
	var want []string
	for _, k := range keys {
		if k == "" {
			out[""] = ""
		} else {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	wantJSON, _ := json.Marshal(want) // strings always marshal
	rows, err := r.QueryContext(ctx, productNamesSQL, string(wantJSON))
	if err != nil {
		return nil, fmt.Errorf("product names in %s: %w", db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, name string
		if err := rows.Scan(&k, &name); err != nil {
			return nil, fmt.Errorf("product names in %s: %w", db.path, err)
		}
		out[k] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("product names in %s: %w", db.path, err)
	}
	return out, nil
}

// productFilterKeys resolves a product filter, a key or a written form, to
// the keys it selects: the value itself, and the keys of the items that
// write their product that way. The result is a JSON array for
// list_contains, which, unlike a semi-join on a subquery, leaves the plan
// of the filtered query as it was: the subquery cost a theme page's item
// list 10 ms more on a million items, filtered or not.
func (db *DB) productFilterKeys(ctx context.Context, r reader, product string) (string, error) {
	keys := []string{product}
	if product != "" {
		rows, err := r.QueryContext(ctx, `SELECT DISTINCT `+productKeyExpr+` FROM items i WHERE i.product = ?`, product)
		if err != nil {
			return "", fmt.Errorf("product filter %q in %s: %w", product, db.path, err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return "", fmt.Errorf("product filter %q in %s: %w", product, db.path, err)
			}
			keys = append(keys, k)
		}
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("product filter %q in %s: %w", product, db.path, err)
		}
	}
	b, _ := json.Marshal(keys) // strings always marshal
	return string(b), nil
}
