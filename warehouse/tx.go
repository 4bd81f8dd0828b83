package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Tx is a write transaction on one connection. Everything done through it
// is stored together or not at all, so an import that fails half-way leaves
// the warehouse as it was. A Tx is valid only inside the function given to
// InTx and must not be used from several goroutines.
//
// Runs are deliberately not part of Tx: a run's history must survive the
// rollback of the import it describes (see DB.StartRun).
type Tx struct {
	db   *DB
	conn *sql.Conn
	tx   *sql.Tx
	done bool
}

// InTx runs fn in one transaction: fn's error (or a panic) rolls everything
// back and is returned as is; otherwise the transaction commits. The
// single-call methods on DB (UpsertItems, AddRejects ...) each run in a
// transaction of their own; use InTx to make a whole import atomic.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if err := db.writable("begin transaction"); err != nil {
		return err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("warehouse %s: get connection: %w", db.path, err)
	}
	defer conn.Close()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse %s: begin transaction: %w", db.path, err)
	}
	t := &Tx{db: db, conn: conn, tx: stx}
	committed := false
	defer func() {
		t.done = true
		if !committed {
			if rbErr := stx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err != nil {
				err = errors.Join(err, fmt.Errorf("warehouse %s: roll back: %w", db.path, rbErr))
			}
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("warehouse %s: transaction not committed: %w", db.path, err)
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("warehouse %s: commit: %w", db.path, err)
	}
	committed = true
	return nil
}

func (t *Tx) check(op string) error {
	if t.done {
		return fmt.Errorf("%s: transaction already finished (a Tx is valid only inside InTx)", op)
	}
	return nil
}

// appendRows bulk-loads n rows into table through DuckDB's appender, which
// writes whole column chunks instead of parsing and planning one INSERT per
// row. The appender runs on this transaction's connection, so the rows are
// part of the transaction. row(i, dst) fills dst with row i's values.
func (t *Tx) appendRows(ctx context.Context, table string, width, n int, row func(i int, dst []driver.Value)) error {
	return t.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("append to %s: driver connection is %T, not a driver.Conn", table, dc)
		}
		a, err := duckdb.NewAppenderFromConn(conn, "", table)
		if err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		vals := make([]driver.Value, width)
		for i := range n {
			if i%8192 == 0 {
				if err := ctx.Err(); err != nil {
					a.Close() //nolint:errcheck // already failing; the transaction rolls back
					return fmt.Errorf("append to %s: %w", table, err)
				}
			}
			clear(vals)
			row(i, vals)
			if err := a.AppendRow(vals...); err != nil {
				a.Close() //nolint:errcheck // already failing; the transaction rolls back
				return fmt.Errorf("append to %s row %d: %w", table, i, err)
			}
		}
		if err := a.CloseWithCancel(ctx); err != nil {
			return fmt.Errorf("append to %s: flush: %w", table, err)
		}
		return nil
	})
}

// exec runs a statement in the transaction and returns the rows it touched.
func (t *Tx) exec(ctx context.Context, query string, args ...any) (int, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
