package warehouse

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/voc-analytics/voc"
)

// AddRejects stores input rows that could not be loaded, in one
// transaction. See Tx.AddRejects.
func (db *DB) AddRejects(ctx context.Context, runID int64, rejects []voc.Reject) (stored int, err error) {
	if err := db.writable("add rejects"); err != nil {
		return 0, err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		stored, err = tx.AddRejects(ctx, runID, rejects)
		return err
	})
	return stored, err
}

const createStageRejects = `
CREATE OR REPLACE TEMP TABLE stage_rejects (
	ord        INTEGER,
	source     VARCHAR,
	file       VARCHAR,
	line       INTEGER,
	reason     VARCHAR,
	raw        VARCHAR,
	reject_key VARCHAR
)`

const stageRejectsWidth = 7

const insertNewRejects = `
INSERT INTO rejects (run_id, source, file, line, reason, raw, reject_key)
SELECT ?, s.source, s.file, s.line, s.reason, s.raw, s.reject_key
FROM stage_rejects s
WHERE NOT EXISTS (SELECT 1 FROM rejects r WHERE r.reject_key = s.reject_key)
ORDER BY s.ord`

// AddRejects stores rejects for run runID (0 for none). A reject is
// identified by its source, file, line and raw text: re-importing the same
// bad file stores nothing new, so the rejects table lists each bad row once
// with the run that first met it. stored counts the rejects new to the
// warehouse.
func (t *Tx) AddRejects(ctx context.Context, runID int64, rejects []voc.Reject) (stored int, err error) {
	if err := t.check("add rejects"); err != nil {
		return 0, err
	}
	if len(rejects) == 0 {
		return 0, nil
	}
	seen := make(map[string]bool, len(rejects))
	type rejectRow struct {
		r   *voc.Reject
		key string
	}
	rows := make([]rejectRow, 0, len(rejects))
	for i := range rejects {
		r := &rejects[i]
		if r.Source == "" {
			return 0, fmt.Errorf("add rejects: reject %d (%s): no source", i, r.Location())
		}
		k := rejectKey(r)
		if seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, rejectRow{r, k})
	}
	if _, err := t.tx.ExecContext(ctx, createStageRejects); err != nil {
		return 0, fmt.Errorf("add rejects: create staging table: %w", err)
	}
	err = t.appendRows(ctx, "stage_rejects", stageRejectsWidth, len(rows), func(i int, v []driver.Value) {
		r := rows[i].r
		v[0] = int32(i)
		v[1] = r.Source
		v[2] = r.File
		if r.Line > 0 {
			v[3] = int32(r.Line)
		}
		v[4] = r.Reason
		v[5] = r.Raw
		v[6] = rows[i].key
	})
	if err != nil {
		return 0, fmt.Errorf("add rejects: stage: %w", err)
	}
	var run any
	if runID != 0 {
		run = runID
	}
	if stored, err = t.exec(ctx, insertNewRejects, run); err != nil {
		return 0, fmt.Errorf("add rejects: insert: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DROP TABLE stage_rejects`); err != nil {
		return 0, fmt.Errorf("add rejects: drop staging table: %w", err)
	}
	return stored, nil
}

// rejectKey identifies a reject by where it was and what it said; the
// reason is left out so a better error message does not duplicate the row.
func rejectKey(r *voc.Reject) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, s := range []string{r.Source, r.File, strconv.Itoa(r.Line), r.Raw} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}
