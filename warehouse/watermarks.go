package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/voc-analytics/voc"
)

// Watermark returns what SetWatermark stored for source: how far its
// collection got, in the collector's own words. "" when none was set or
// the source is unknown.
func (db *DB) Watermark(ctx context.Context, source string) (string, error) {
	var w sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT watermark FROM sources WHERE name = ?`, source).Scan(&w)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read watermark of %s: %w", source, err)
	}
	return w.String, nil
}

// SetWatermark stores how far the collection of source got. The source
// must have been recorded (EnsureSource). The warehouse does not read the
// value; collectors define it.
func (db *DB) SetWatermark(ctx context.Context, source, watermark string) error {
	if err := db.writable("set watermark of " + source); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error { return tx.SetWatermark(ctx, source, watermark) })
}

// SetWatermark is DB.SetWatermark inside a transaction, so a watermark can
// move together with the batch that moved it.
func (t *Tx) SetWatermark(ctx context.Context, source, watermark string) error {
	if err := t.check("set watermark of " + source); err != nil {
		return err
	}
	n, err := t.exec(ctx, `UPDATE sources SET watermark = ? WHERE name = ?`, nullString(watermark), source)
	if err != nil {
		return fmt.Errorf("set watermark of %s: %w", source, err)
	}
	if n == 0 {
		return fmt.Errorf("set watermark of %s: no such source", source)
	}
	return nil
}

// HasPayload reports whether source stored a raw payload with this id
// (the sha256 of its bytes) before: a file collector's memory of what it
// imported.
func (db *DB) HasPayload(ctx context.Context, source, id string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM raw_payloads WHERE id = ? AND source = ?`, id, source).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up payload %s of %s: %w", id, source, err)
	}
	return n > 0, nil
}

// SourceHealth is how a source stands: what it holds and how its last run
// went, for `voc sources`.
type SourceHealth struct {
	Name      string
	Type      string
	Watermark string
	Items     int
	Newest    time.Time // latest created_at of its items; zero when none has one
	// LastRun is the source's latest run of any job; zero ID when it never ran.
	LastRun voc.Run
	// LastError is the error of the latest run that failed or was partial
	// with an error, even if later runs went well; "" when none did.
	LastError string
}

// SourcesHealth lists every recorded source with its item count and latest
// run, ordered by name.
func (db *DB) SourcesHealth(ctx context.Context) ([]SourceHealth, error) {
	rows, err := db.sql.QueryContext(ctx, `
WITH counts AS (
	SELECT source, count(*) AS n, max(created_at) AS newest FROM items GROUP BY source
), last AS (
	SELECT * FROM (
		SELECT *, row_number() OVER (PARTITION BY source ORDER BY started DESC, id DESC) AS rn FROM runs WHERE source IS NOT NULL
	) WHERE rn = 1
), errs AS (
	SELECT source, arg_max(error, started) AS error FROM runs WHERE source IS NOT NULL AND error IS NOT NULL GROUP BY source
)
SELECT s.name, s.type, coalesce(s.watermark, ''), coalesce(c.n, 0), c.newest,
	coalesce(l.id, 0), coalesce(l.job, ''), l.started, l.finished, coalesce(l.status, ''),
	coalesce(l.loaded, 0), coalesce(l.dupes, 0), coalesce(l.updated, 0), coalesce(l.rejected, 0),
	coalesce(l.error, ''), coalesce(l.detail::VARCHAR, ''), coalesce(e.error, '')
FROM sources s
LEFT JOIN counts c ON c.source = s.name
LEFT JOIN last l ON l.source = s.name
LEFT JOIN errs e ON e.source = s.name
ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	defer rows.Close()
	var out []SourceHealth
	for rows.Next() {
		var (
			h               SourceHealth
			newest, started sql.NullTime
			finished        sql.NullTime
			status          string
		)
		err := rows.Scan(&h.Name, &h.Type, &h.Watermark, &h.Items, &newest,
			&h.LastRun.ID, &h.LastRun.Job, &started, &finished, &status,
			&h.LastRun.Loaded, &h.LastRun.Dupes, &h.LastRun.Updated, &h.LastRun.Rejected,
			&h.LastRun.Error, &h.LastRun.Detail, &h.LastError)
		if err != nil {
			return nil, fmt.Errorf("source health: %w", err)
		}
		h.LastRun.Source, h.LastRun.Status = h.Name, voc.RunStatus(status)
		if newest.Valid {
			h.Newest = newest.Time.UTC()
		}
		if started.Valid {
			h.LastRun.Started = started.Time.UTC()
		}
		if finished.Valid {
			h.LastRun.Finished = finished.Time.UTC()
		}
		out = append(out, h)
	}
	return out, rowsErr(rows.Err(), "source health")
}
