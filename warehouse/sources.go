package warehouse

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/voc-analytics/voc"
)

// EnsureSource records a configured source, once. Calling it again with the
// same name is harmless; a changed type replaces the stored one, since the
// configuration is the truth about what a source is.
func (db *DB) EnsureSource(ctx context.Context, name, typ string) error {
	if err := db.writable("ensure source " + name); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error { return tx.EnsureSource(ctx, name, typ) })
}

// EnsureSource is DB.EnsureSource inside a transaction.
func (t *Tx) EnsureSource(ctx context.Context, name, typ string) error {
	if err := t.check("ensure source " + name); err != nil {
		return err
	}
	if name == "" || typ == "" {
		return fmt.Errorf("ensure source %q: name and type are required (type %q)", name, typ)
	}
	_, err := t.tx.ExecContext(ctx, `
INSERT INTO sources (name, type) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET type = excluded.type WHERE sources.type <> excluded.type`, name, typ)
	if err != nil {
		return fmt.Errorf("ensure source %q: %w", name, err)
	}
	return nil
}

// SaveRaw stores the bytes a collector read, addressed by their sha256
// (voc.PayloadID), so storing the same bytes twice stores them once and
// RawRef can point at them for as long as the warehouse lives. An empty
// p.ID is filled in; a p.ID that does not match the body is an error,
// because a wrong address would silently point items at other bytes.
// stored is false when the payload was already there.
func (db *DB) SaveRaw(ctx context.Context, p voc.RawPayload) (stored bool, err error) {
	if err := db.writable("save raw payload " + p.URI); err != nil {
		return false, err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		stored, err = tx.SaveRaw(ctx, p)
		return err
	})
	return stored, err
}

// SaveRaw is DB.SaveRaw inside a transaction.
func (t *Tx) SaveRaw(ctx context.Context, p voc.RawPayload) (stored bool, err error) {
	if err := t.check("save raw payload " + p.URI); err != nil {
		return false, err
	}
	id := voc.PayloadID(p.Body)
	if p.ID != "" && p.ID != id {
		return false, fmt.Errorf("save raw payload %s: id %s does not match the body's sha256 %s", p.URI, p.ID, id)
	}
	if p.Source == "" {
		return false, fmt.Errorf("save raw payload %s: no source", p.URI)
	}
	body := p.Body
	if body == nil {
		body = []byte{} // an empty file is still a payload; NULL is not
	}
	// The bytes go through the appender after an existence check, not as a
	// parameter of INSERT ... ON CONFLICT: DuckDB's planner copies a bound
	// BLOB several times, which made a 32 MiB export take 6 s and a 200 MB
	// one most of a minute and gigabytes (BenchmarkSaveRaw). The primary key
	// still guards the id should another transaction store the same bytes.
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM raw_payloads WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("save raw payload %s (%s): look up: %w", p.URI, id, err)
	}
	if n > 0 {
		return false, nil
	}
	err = t.appendRows(ctx, "raw_payloads", 7, 1, func(_ int, v []driver.Value) {
		v[0], v[1], v[2], v[3], v[4], v[5], v[6] = id, p.Source, p.URI, p.ContentType, nullTime(p.FetchedAt), int64(len(body)), body
	})
	if err != nil {
		return false, fmt.Errorf("save raw payload %s (%s): %w", p.URI, id, err)
	}
	return true, nil
}

// RawBody returns the stored bytes of payload id, so history can be
// re-processed from the original input. found is false for an unknown id.
func (db *DB) RawBody(ctx context.Context, id string) (body []byte, found bool, err error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT body FROM raw_payloads WHERE id = ?`, id)
	if err != nil {
		return nil, false, fmt.Errorf("read raw payload %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rowsErr(rows.Err(), "read raw payload "+id)
	}
	if err := rows.Scan(&body); err != nil {
		return nil, false, fmt.Errorf("read raw payload %s: %w", id, err)
	}
	return body, true, nil
}

func rowsErr(err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
