package warehouse

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/voc-analytics/voc"
)

// UpsertResult counts what a batch of items did to the warehouse. Every item
// handed in lands in exactly one of the three counts.
type UpsertResult struct {
	Inserted  int // new (source, external id): a row was added
	Unchanged int // already stored with the same content, or repeated in the batch
	Updated   int // already stored with different content (an edited review)
}

// Add sums two results, for callers that load in several batches.
func (r UpsertResult) Add(o UpsertResult) UpsertResult {
	return UpsertResult{r.Inserted + o.Inserted, r.Unchanged + o.Unchanged, r.Updated + o.Updated}
}

// UpsertItems stores a batch of items in one transaction: all of them or,
// on error, none. See Tx.UpsertItems for the rules.
func (db *DB) UpsertItems(ctx context.Context, items []voc.Item) (UpsertResult, error) {
	var res UpsertResult
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.UpsertItems(ctx, items)
		return err
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

const createStageItems = `
CREATE OR REPLACE TEMP TABLE stage_items (
	ord          INTEGER,
	source       VARCHAR,
	external_id  VARCHAR,
	kind         VARCHAR,
	product      VARCHAR,
	channel      VARCHAR,
	author_key   VARCHAR,
	created_at   TIMESTAMPTZ,
	collected_at TIMESTAMPTZ,
	rating       UTINYINT,
	text         VARCHAR,
	lang         VARCHAR,
	raw_ref      VARCHAR,
	recommend    TINYINT,
	repurchase   UTINYINT,
	extra        VARCHAR,
	content_hash VARCHAR
)`

const stageItemsWidth = 17

// updateChangedItems rewrites, in place, the stored items whose content
// differs from the staged one. id, source and external_id are left alone:
// later tables point at id, and touching indexed columns would make DuckDB
// delete and re-insert the row. A changed product drops the item's
// product_key, for the pipeline to compute again (see ProductsWithoutKey).
const updateChangedItems = `
UPDATE items SET
	kind = s.kind, product = s.product, channel = s.channel, author_key = s.author_key,
	product_key = CASE WHEN items.product IS DISTINCT FROM s.product THEN NULL ELSE items.product_key END,
	created_at = s.created_at, collected_at = s.collected_at, rating = s.rating,
	text = s.text, lang = s.lang, raw_ref = s.raw_ref, recommend = s.recommend,
	repurchase = s.repurchase, extra = s.extra::JSON, content_hash = s.content_hash,
	updated_at = ?
FROM stage_items s
WHERE items.source = s.source AND items.external_id = s.external_id
  AND items.content_hash <> s.content_hash`

// insertNewItems adds the staged items whose key is not stored yet, in
// batch order so ids follow the input. An anti-join rather than ON CONFLICT:
// DuckDB's ON CONFLICT DO UPDATE cannot touch a row twice in one statement
// and checks unique constraints over-eagerly inside transactions.
const insertNewItems = `
INSERT INTO items (source, external_id, kind, product, channel, author_key, created_at,
	collected_at, rating, text, lang, raw_ref, recommend, repurchase, extra, content_hash, updated_at)
SELECT s.source, s.external_id, s.kind, s.product, s.channel, s.author_key, s.created_at,
	s.collected_at, s.rating, s.text, s.lang, s.raw_ref, s.recommend, s.repurchase, s.extra::JSON,
	s.content_hash, ?
FROM stage_items s
WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.source = s.source AND i.external_id = s.external_id)
ORDER BY s.ord`

// UpsertItems stores a batch of items keyed by (Source, ExternalID), or by
// Item.ContentKey when ExternalID is empty:
//   - a new key is inserted (Inserted);
//   - a stored key with the same content is left alone, not even its
//     collected_at is touched (Unchanged);
//   - a stored key with different content is updated in place and keeps
//     its id, so scores and theme hits stay attached (Updated);
//   - a key repeated within the batch counts once: the last occurrence is
//     stored and the earlier ones count as Unchanged.
//
// "Content" is every field except CollectedAt and RawRef: re-importing the
// same answers from a newly saved file changes neither what the customer
// said nor the item's identity, so it must not count as an edit.
//
// Items are checked first (a known Kind, levels 1-5 or none, Recommend
// 0-10); one bad item fails the whole batch with an error naming it, since
// bad rows belong in rejects, which collectors write before this point.
func (t *Tx) UpsertItems(ctx context.Context, items []voc.Item) (UpsertResult, error) {
	if err := t.check("upsert items"); err != nil {
		return UpsertResult{}, err
	}
	if len(items) == 0 {
		return UpsertResult{}, nil
	}
	rows, err := prepareItems(items)
	if err != nil {
		return UpsertResult{}, fmt.Errorf("upsert items: %w", err)
	}
	res := UpsertResult{Unchanged: len(items) - len(rows)}

	if _, err := t.tx.ExecContext(ctx, createStageItems); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert items: create staging table: %w", err)
	}
	err = t.appendRows(ctx, "stage_items", stageItemsWidth, len(rows), func(i int, v []driver.Value) {
		r := &rows[i]
		it := r.item
		v[0] = int32(i)
		v[1] = it.Source
		v[2] = r.key
		v[3] = string(it.Kind)
		v[4] = it.Product
		v[5] = it.Channel
		v[6] = it.AuthorKey
		v[7] = nullTime(it.CreatedAt)
		v[8] = nullTime(it.CollectedAt)
		v[9] = nullLevel(it.Rating)
		v[10] = it.Text
		v[11] = it.Lang
		v[12] = it.RawRef
		if it.Recommend != nil {
			v[13] = int8(*it.Recommend)
		}
		v[14] = nullLevel(it.Repurchase)
		if r.extra != "" {
			v[15] = r.extra
		}
		v[16] = r.hash
	})
	if err != nil {
		return UpsertResult{}, fmt.Errorf("upsert items: stage: %w", err)
	}
	now := time.Now().UTC()
	if res.Updated, err = t.exec(ctx, updateChangedItems, now); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert items: update changed: %w", err)
	}
	if res.Inserted, err = t.exec(ctx, insertNewItems, now); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert items: insert new: %w", err)
	}
	res.Unchanged += len(rows) - res.Updated - res.Inserted
	if _, err := t.tx.ExecContext(ctx, `DROP TABLE stage_items`); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert items: drop staging table: %w", err)
	}
	return res, nil
}

// itemRow is an item ready for staging, with its key and hashes computed.
type itemRow struct {
	item  *voc.Item
	key   string // external id, or the content key
	extra string // JSON of item.Extra, "" for none
	hash  string
}

// prepareItems validates the batch and keeps the last occurrence of each
// key, in the order of first appearance.
func prepareItems(items []voc.Item) ([]itemRow, error) {
	type srcKey struct{ source, key string }
	pos := make(map[srcKey]int, len(items))
	rows := make([]itemRow, 0, len(items))
	for i := range items {
		it := &items[i]
		key := it.ExternalID
		if key == "" {
			key = it.ContentKey()
		}
		if err := validateItem(it); err != nil {
			return nil, fmt.Errorf("item %d (source %q, id %q): %w", i, it.Source, key, err)
		}
		var extra string
		if len(it.Extra) > 0 {
			b, err := json.Marshal(it.Extra) // map keys sorted: stable hashes
			if err != nil {
				return nil, fmt.Errorf("item %d (source %q, id %q): extra: %w", i, it.Source, key, err)
			}
			extra = string(b)
		}
		r := itemRow{item: it, key: key, extra: extra, hash: contentHash(it, extra)}
		k := srcKey{it.Source, key}
		if p, dup := pos[k]; dup {
			rows[p] = r
			continue
		}
		pos[k] = len(rows)
		rows = append(rows, r)
	}
	return rows, nil
}

func validateItem(it *voc.Item) error {
	switch {
	case it.Source == "":
		return fmt.Errorf("no source")
	case !it.Kind.Valid():
		return fmt.Errorf("kind %q: want review, survey or complaint", it.Kind)
	case it.Rating != voc.LevelNone && !it.Rating.Valid():
		return fmt.Errorf("rating %d: want 1-5 or none", it.Rating)
	case it.Repurchase != voc.LevelNone && !it.Repurchase.Valid():
		return fmt.Errorf("repurchase %d: want 1-5 or none", it.Repurchase)
	case it.Recommend != nil && (*it.Recommend < 0 || *it.Recommend > 10):
		return fmt.Errorf("recommend %d: want 0-10", *it.Recommend)
	}
	return nil
}

// contentHash fingerprints what an item says (everything but its key,
// CollectedAt and RawRef), so a re-import can tell an edit from a repeat.
// Fields are length-prefixed so no two different items hash alike by
// shifting text between fields.
func contentHash(it *voc.Item, extra string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	recommend := ""
	if it.Recommend != nil {
		recommend = strconv.Itoa(*it.Recommend)
	}
	created := ""
	if !it.CreatedAt.IsZero() {
		created = it.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, s := range []string{
		string(it.Kind), it.Product, it.Channel, it.AuthorKey, created,
		strconv.Itoa(int(it.Rating)), it.Text, it.Lang, recommend,
		strconv.Itoa(int(it.Repurchase)), extra,
	} {
		write(s)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// nullTime maps the zero time to NULL and everything else to UTC.
func nullTime(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullLevel maps LevelNone to NULL, so avg(rating) skips unrated items.
func nullLevel(l voc.Level) driver.Value {
	if l == voc.LevelNone {
		return nil
	}
	return uint8(l)
}
