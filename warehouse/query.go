package warehouse

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/voc-analytics/voc"
)

// SourceCount is how many items one source holds of one kind, and the span
// of their creation times, as `voc status` shows it.
type SourceCount struct {
	Source string
	Kind   voc.Kind
	Items  int
	// First and Last are the earliest and latest CreatedAt; zero when no
	// item of the group has a creation time.
	First, Last time.Time
}

// Counts summarises the items per source and kind, ordered by source then
// kind.
func (db *DB) Counts(ctx context.Context) ([]SourceCount, error) {
	rows, err := db.sql.QueryContext(ctx, `
SELECT source, kind, count(*), min(created_at), max(created_at)
FROM items GROUP BY source, kind ORDER BY source, kind`)
	if err != nil {
		return nil, fmt.Errorf("count items in %s: %w", db.path, err)
	}
	defer rows.Close()
	var out []SourceCount
	for rows.Next() {
		var (
			c           SourceCount
			kind        string
			first, last sql.NullTime
		)
		if err := rows.Scan(&c.Source, &kind, &c.Items, &first, &last); err != nil {
			return nil, fmt.Errorf("count items in %s: %w", db.path, err)
		}
		c.Kind = voc.Kind(kind)
		if first.Valid {
			c.First = first.Time.UTC()
		}
		if last.Valid {
			c.Last = last.Time.UTC()
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count items in %s: %w", db.path, err)
	}
	return out, nil
}

// Result is the answer to a free-form query: column names, DuckDB type
// names (e.g. "BIGINT", "TIMESTAMPTZ", "DECIMAL(18,3)") and rows of plain Go
// values, so callers can print or encode it without knowing the driver.
//
// Values are nil (NULL), bool, the sized Go integers (int8 ... int64,
// uint8 ... uint64), float32, float64, string, []byte (BLOB), time.Time (in
// UTC), []any (LIST), map[string]any (STRUCT, JSON objects) and whatever
// json.Unmarshal yields for other JSON values. Driver-specific values are
// converted: DECIMAL becomes float64, HUGEINT becomes int64 when it fits
// (else *big.Int), UUID becomes its string form, INTERVAL a string such as
// "1 mon 2 days 3.5s".
type Result struct {
	Columns []string
	Types   []string
	Rows    [][]any
}

// Query runs one SQL statement with parameters and returns all its rows.
// It is for `voc query`, usually on a read-only warehouse, where DuckDB
// itself refuses writes. The whole result is held in memory: add a LIMIT
// for big tables.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*Result, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", db.path, err)
	}
	return db.collect(rows)
}

// collect reads all of rows into a Result.
func (db *DB) collect(rows *sql.Rows) (*Result, error) {
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("query %s: columns: %w", db.path, err)
	}
	res := &Result{Columns: make([]string, len(cols)), Types: make([]string, len(cols)), Rows: [][]any{}}
	for i, c := range cols {
		res.Columns[i] = c.Name()
		res.Types[i] = c.DatabaseTypeName()
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("query %s: row %d: %w", db.path, len(res.Rows)+1, err)
		}
		for i, v := range vals {
			vals[i] = plainValue(res.Types[i], v)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query %s: %w", db.path, err)
	}
	return res, nil
}

// plainValue converts the driver's own value types into plain Go ones, so
// that no package but this one needs to know duckdb-go.
func plainValue(dbType string, v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return x.Float64()
	case *big.Int:
		if x != nil && x.IsInt64() {
			return x.Int64()
		}
		return x
	case duckdb.Interval:
		return formatInterval(x)
	case time.Time:
		return x.UTC()
	case []byte:
		if dbType == "UUID" && len(x) == 16 {
			return formatUUID(x)
		}
		return x
	case []any:
		for i := range x {
			x[i] = plainValue("", x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = plainValue("", x[k])
		}
		return x
	}
	return v
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func formatInterval(iv duckdb.Interval) string {
	s := ""
	if iv.Months != 0 {
		s += fmt.Sprintf("%d mon ", iv.Months)
	}
	if iv.Days != 0 {
		s += fmt.Sprintf("%d days ", iv.Days)
	}
	if iv.Micros != 0 || s == "" {
		s += (time.Duration(iv.Micros) * time.Microsecond).String()
	}
	if s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}
