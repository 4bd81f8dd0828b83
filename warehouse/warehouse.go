package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Options says how to open a warehouse file.
type Options struct {
	// ReadOnly opens the file with DuckDB's access_mode READ_ONLY: the file
	// must exist, no migration runs, and every write is refused. Use it for
	// `voc query`, `voc status` and reports, so they can run side by side
	// with each other (DuckDB lets many read-only processes share a file,
	// but only one read-write process).
	ReadOnly bool
	// MemoryLimit caps the memory DuckDB itself uses ("1GiB", "512MB"); past
	// it, sorts, joins and aggregates spill to a folder beside the file.
	// Empty leaves DuckDB's default, 80% of the machine's memory, which a
	// voc run sharing a server with other work should not claim.
	MemoryLimit string
}

// DB is an open warehouse file. It is safe for concurrent use; batch writes
// run on a connection of their own inside a transaction (see InTx).
type DB struct {
	sql      *sql.DB
	path     string
	readOnly bool
}

// ErrLocked reports that another process holds the warehouse file. DuckDB
// allows one read-write process per file (or many read-only ones), so a
// second `voc import` or a `voc query` during an import gets this error.
// The concrete error is a *LockError naming the other process.
var ErrLocked = errors.New("warehouse is in use by another process")

// ErrReadOnly reports a write attempted on a warehouse opened with
// Options.ReadOnly.
var ErrReadOnly = errors.New("warehouse is open read-only")

// ErrNoWarehouse reports that a read-only open found no file: there is
// nothing to read yet.
var ErrNoWarehouse = errors.New("no warehouse")

// LockError is the error Open returns when another process holds the file.
// It matches ErrLocked with errors.Is and says which process to wait for.
type LockError struct {
	Path string
	PID  int    // 0 when DuckDB did not say
	Exe  string // the holder's executable as DuckDB reports it; may be empty
	Err  error  // DuckDB's own message
}

func (e *LockError) Error() string {
	holder := "another process"
	switch {
	case e.PID > 0 && e.Exe != "":
		holder = fmt.Sprintf("another process (PID %d, %s)", e.PID, e.Exe)
	case e.PID > 0:
		holder = fmt.Sprintf("another process (PID %d)", e.PID)
	}
	return fmt.Sprintf("warehouse %s is in use by %s; wait for it to finish or use --db to pick another file", e.Path, holder)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockError) Is(target error) bool { return target == ErrLocked }

// Unwrap gives DuckDB's original error.
func (e *LockError) Unwrap() error { return e.Err }

// DuckDB 1.5 (duckdb-go v2.10506.0) says, for a file another process holds
// in either mode:
//
//	IO Error: Could not set lock on file "/x/voc.duckdb": Conflicting lock is
//	held in /usr/local/bin/voc (PID 1234). See also
//	https://duckdb.org/docs/stable/connect/concurrency
//
// and the driver prefixes "database/sql/driver: could not connect to
// database: ". Some DuckDB builds add "by user <name>" after the PID; the
// pattern relies only on the text up to the PID, and without it the error
// still counts as locked, just without naming the holder.
var (
	lockFailedRe = regexp.MustCompile(`Could not set lock on file`)
	lockHolderRe = regexp.MustCompile(`Conflicting lock is held in (.*?) \(PID (\d+)\)`)
)

// asLockError turns DuckDB's lock failure into a *LockError, or returns nil
// when err is something else.
func asLockError(path string, err error) *LockError {
	if err == nil || !lockFailedRe.MatchString(err.Error()) {
		return nil
	}
	le := &LockError{Path: path, Err: err}
	if m := lockHolderRe.FindStringSubmatch(err.Error()); m != nil {
		le.Exe = m[1]
		le.PID, _ = strconv.Atoi(m[2])
	}
	return le
}

// Open opens the warehouse at path. Read-write, it creates the file (and its
// directory) when missing and brings the schema up to date; read-only, it
// never migrates and fails with ErrNoWarehouse when the file is missing.
// Another process holding the file gives an error matching ErrLocked.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open warehouse: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %s: %w", path, err)
	}
	if opt.ReadOnly {
		if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: run `voc demo` or `voc import` first", ErrNoWarehouse, path)
		} else if err != nil {
			return nil, fmt.Errorf("open warehouse %s: %w", path, err)
		}
	} else if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open warehouse %s: create directory: %w", path, err)
	}

	q := url.Values{}
	if opt.ReadOnly {
		q.Set("access_mode", "READ_ONLY")
	}
	if opt.MemoryLimit != "" {
		q.Set("memory_limit", opt.MemoryLimit)
	}
	dsn := abs
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	connector, err := duckdb.NewConnector(dsn, pinUTC)
	if err != nil {
		return nil, openError(path, err)
	}
	db := &DB{sql: sql.OpenDB(connector), path: path, readOnly: opt.ReadOnly}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, openError(path, err)
	}
	if !opt.ReadOnly {
		if err := migrate(ctx, db.sql, migrations); err != nil {
			db.sql.Close()
			return nil, fmt.Errorf("open warehouse %s: %w", path, err)
		}
		if _, err := db.abandonRuns(ctx); err != nil {
			db.sql.Close()
			return nil, fmt.Errorf("open warehouse %s: %w", path, err)
		}
	}
	return db, nil
}

// openError explains why DuckDB refused to open path: another process
// holds it (*LockError), its write-ahead log cannot be replayed
// (*WALError), or DuckDB's own words, cut to their first line.
func openError(path string, err error) error {
	if le := asLockError(path, err); le != nil {
		return le
	}
	if walReplayRe.MatchString(err.Error()) {
		return &WALError{Path: path, Err: err}
	}
	return fmt.Errorf("open warehouse %s: %s", path, firstLine(err.Error(), 300))
}

// ErrWAL matches a warehouse whose write-ahead log DuckDB cannot replay.
var ErrWAL = errors.New("warehouse write-ahead log cannot be replayed")

// WALError is a warehouse DuckDB refuses to open because it cannot replay
// the write-ahead log (path + ".wal": the changes made since the last
// checkpoint) that a killed or crashed process left. voc deletes nothing:
// the message says what the user can do.
type WALError struct {
	Path string
	Err  error // DuckDB's error, with its stack trace
}

func (e *WALError) Error() string {
	wal := e.Path + ".wal"
	return fmt.Sprintf("warehouse %s cannot be opened: DuckDB cannot replay its write-ahead log %s, the changes "+
		"made after the last checkpoint by a process that was killed or crashed (%s). Nothing has been deleted. "+
		"To open the warehouse as it was at that checkpoint, move the log aside (mv %s %s.unreplayable): the changes "+
		"in it are then lost, and the next `voc collect`, `voc import` or `voc pipeline` redoes what it can; keep "+
		"both files to report the problem", e.Path, wal, firstLine(e.Err.Error(), 200), wal, wal)
}

// Is makes errors.Is(err, ErrWAL) true.
func (e *WALError) Is(target error) bool { return target == ErrWAL }

// Unwrap gives DuckDB's original error.
func (e *WALError) Unwrap() error { return e.Err }

// walReplayRe matches DuckDB 1.5's refusal: `INTERNAL Error: Failure while
// replaying WAL file "/x/voc.duckdb.wal": ...`, followed by a stack trace.
var walReplayRe = regexp.MustCompile(`Failure while replaying WAL`)

// firstLine is the first line of s, cut to at most max bytes on a rune
// boundary: DuckDB's internal errors run to a page of stack trace.
func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// pinUTC sets each new connection's time zone to UTC. DuckDB otherwise takes
// the machine's zone, so created_at::VARCHAR, date_trunc('day', created_at)
// and strftime would give different answers on different machines for the
// same file. Queries that want local days say so:
// date_trunc('day', created_at AT TIME ZONE 'Asia/Shanghai').
//
// It is a SET per connection rather than a TimeZone option in the DSN
// because the option is checked before the bundled ICU extension loads and
// is refused ("the icu extension needs to be loaded").
func pinUTC(execer driver.ExecerContext) error {
	if _, err := execer.ExecContext(context.Background(), `SET TimeZone = 'UTC'`, nil); err != nil {
		return fmt.Errorf("set time zone to UTC: %w", err)
	}
	return nil
}

// Close releases the file so other processes may open it.
func (db *DB) Close() error {
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("close warehouse %s: %w", db.path, err)
	}
	return nil
}

// Path is the file path the warehouse was opened with, for messages.
func (db *DB) Path() string { return db.path }

// ReadOnly reports whether the warehouse was opened read-only.
func (db *DB) ReadOnly() bool { return db.readOnly }

// SchemaVersion is the highest migration applied to the file, 0 for a file
// voc never migrated.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, db.sql)
	if err != nil {
		return 0, fmt.Errorf("warehouse %s: schema version: %w", db.path, err)
	}
	return v, nil
}

// writable returns ErrReadOnly, naming the file and the operation, when the
// warehouse was opened read-only. Checking here gives a plainer message
// than DuckDB's own refusal, which the database would raise anyway.
func (db *DB) writable(op string) error {
	if db.readOnly {
		return fmt.Errorf("%s: %w (%s); open it without read-only to write", op, ErrReadOnly, db.path)
	}
	return nil
}
