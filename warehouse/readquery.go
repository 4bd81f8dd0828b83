package warehouse

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// ErrNotRead matches a statement ReadQuery refuses: more than one, or one
// of a kind that writes, exports, attaches, installs or changes settings.
var ErrNotRead = errors.New("not one read-only statement")

// ReadOptions widen what ReadQuery may do. The zero value reads the
// warehouse and nothing else.
type ReadOptions struct {
	// AllowedDirs are folders whose files the query may read
	// (read_csv('dir/x.csv'), read_parquet ...). With none, DuckDB may
	// touch no file or URL but the warehouse itself.
	AllowedDirs []string
}

// readKinds are the statement kinds a read may be: SELECT covers WITH,
// FROM-first queries, VALUES, DESCRIBE, SHOW, SUMMARIZE and PRAGMA
// table_info, as DuckDB classifies them; EXPLAIN shows a plan.
var readKinds = map[duckdb.StmtType]bool{duckdb.STATEMENT_TYPE_SELECT: true, duckdb.STATEMENT_TYPE_EXPLAIN: true}

var kindNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE", duckdb.STATEMENT_TYPE_DELETE: "DELETE",
	duckdb.STATEMENT_TYPE_PREPARE: "PREPARE", duckdb.STATEMENT_TYPE_CREATE: "CREATE", duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE",
	duckdb.STATEMENT_TYPE_ALTER: "ALTER", duckdb.STATEMENT_TYPE_TRANSACTION: "a transaction", duckdb.STATEMENT_TYPE_COPY: "COPY",
	duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE", duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE",
	duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION", duckdb.STATEMENT_TYPE_DROP: "DROP", duckdb.STATEMENT_TYPE_EXPORT: "EXPORT",
	duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA", duckdb.STATEMENT_TYPE_VACUUM: "VACUUM", duckdb.STATEMENT_TYPE_CALL: "CALL or CHECKPOINT",
	duckdb.STATEMENT_TYPE_SET: "SET", duckdb.STATEMENT_TYPE_LOAD: "INSTALL or LOAD", duckdb.STATEMENT_TYPE_ATTACH: "ATTACH",
	duckdb.STATEMENT_TYPE_DETACH: "DETACH",
}

// ReadQuery runs one statement that can only read, for `voc query`. It is
// read-only by construction, not by trust in the text:
//
//   - the warehouse must have been opened read-only, so DuckDB refuses any
//     write to it;
//   - the text must be exactly one statement (DuckDB parses it; nothing
//     runs before the check), of a read kind: SELECT and its forms, or
//     EXPLAIN. COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA, CHECKPOINT,
//     CREATE (TEMP too) and the rest are refused with their name;
//   - before the statement is even prepared (DuckDB creates EXPORT's
//     folder while preparing), the connection turns off DuckDB's access to
//     files and the network (enable_external_access) except the warehouse
//     and opt.AllowedDirs, and the automatic install and load of
//     extensions (read_text('http://...') would fetch httpfs from the
//     internet), and locks the configuration, so not even a function
//     inside a SELECT can write a file, fetch a URL or load an extension.
func (db *DB) ReadQuery(ctx context.Context, query string, opt ReadOptions) (*Result, error) {
	if !db.readOnly {
		return nil, fmt.Errorf("query %s: open the warehouse read-only to query it", db.path)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", db.path, err)
	}
	defer conn.Close()
	// The restrictions come first: DuckDB does some work while it merely
	// prepares a statement (EXPORT DATABASE creates its folder).
	for _, stmt := range sandbox(opt) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("query %s: restrict DuckDB (%s): %w", db.path, stmt, err)
		}
	}
	var kind duckdb.StmtType
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		// Prepare (unlike PrepareContext) refuses several statements
		// before running any of them.
		st, err := c.Prepare(query)
		if err != nil {
			if strings.Contains(err.Error(), "multi-statement") {
				return fmt.Errorf("%w: the text holds several statements; voc query runs one", ErrNotRead)
			}
			return err
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("unexpected driver statement %T", st)
		}
		kind, err = ds.StatementType()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", db.path, err)
	}
	if !readKinds[kind] {
		name := kindNames[kind]
		if name == "" {
			name = fmt.Sprintf("statement kind %d", kind)
		}
		return nil, fmt.Errorf("query %s: %w: this is %s; voc query runs SELECT (WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN, and changes nothing", db.path, ErrNotRead, name)
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", db.path, err)
	}
	return db.collect(rows)
}

// sandbox is the settings ReadQuery applies before running a statement.
// The folders are the user's own flag, quoted as SQL string literals
// (SET takes no parameters).
func sandbox(opt ReadOptions) []string {
	var out []string
	if len(opt.AllowedDirs) > 0 {
		quoted := make([]string, len(opt.AllowedDirs))
		for i, d := range opt.AllowedDirs {
			if abs, err := filepath.Abs(d); err == nil {
				d = abs
			}
			quoted[i] = "'" + strings.ReplaceAll(strings.TrimRight(d, "/")+"/", "'", "''") + "'"
		}
		out = append(out, "SET allowed_directories = ["+strings.Join(quoted, ", ")+"]")
	}
	return append(out, "SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
		"SET enable_external_access = false", "SET lock_configuration = true")
}
