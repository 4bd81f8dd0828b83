package warehouse

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/voc-analytics/voc"
)

// TestHelperCrashAfterMigrating is not a test: the crash tests run the test
// binary again with it selected. It brings the file named by
// VOC_WAREHOUSE_CRASH to migration VOC_WAREHOUSE_CRASH_STEP (all of them
// for "open", through Open), optionally stores an item, says "ready" and
// waits for the parent's kill -9.
func TestHelperCrashAfterMigrating(t *testing.T) {
	path := os.Getenv("VOC_WAREHOUSE_CRASH")
	if path == "" {
		t.Skip("helper for the crash tests; runs only as their child process")
	}
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintf(os.Stdout, "error: %v\n", err)
		os.Exit(1)
	}
	step := os.Getenv("VOC_WAREHOUSE_CRASH_STEP")
	var sdb *sql.DB
	switch step {
	case "alter":
		connector, err := duckdb.NewConnector(path, nil)
		if err != nil {
			fail(err)
		}
		sdb = sql.OpenDB(connector)
		if _, err := sdb.ExecContext(ctx, `ALTER TABLE sources ADD COLUMN extra INTEGER`); err != nil {
			fail(err)
		}
	case "open":
		db, err := Open(ctx, path, Options{})
		if err != nil {
			fail(err)
		}
		sdb = db.sql
	default:
		k, err := strconv.Atoi(step)
		if err != nil {
			fail(err)
		}
		connector, err := duckdb.NewConnector(path, nil)
		if err != nil {
			fail(err)
		}
		sdb = sql.OpenDB(connector)
		if err := migrate(ctx, sdb, migrations[:k]); err != nil {
			fail(err)
		}
	}
	if os.Getenv("VOC_WAREHOUSE_CRASH_RUN") != "" {
		db := &DB{sql: sdb, path: path}
		if _, err := db.StartRun(ctx, "import", "killed-source"); err != nil {
			fail(err)
		}
	}
	if os.Getenv("VOC_WAREHOUSE_CRASH_WRITE") != "" {
		if _, err := sdb.ExecContext(ctx, `INSERT INTO sources (name, type) VALUES ('after-crash', 'file')`); err != nil {
			fail(err)
		}
	}
	fmt.Fprintln(os.Stdout, "ready")
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // the parent kills us first
	os.Exit(0)
}

// crashAt runs the helper on path with env, waits until it is ready, and
// kills it with SIGKILL: no deferred close, no checkpoint on exit.
func crashAt(t *testing.T, path string, env ...string) {
	t.Helper()
	child := exec.Command(os.Args[0], "-test.run=^TestHelperCrashAfterMigrating$", "-test.count=1")
	child.Env = append(append(os.Environ(), "VOC_WAREHOUSE_CRASH="+path), env...)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("helper (%v) said %q, %v", env, line, err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait() //nolint:errcheck // killed: the error is the signal
}

// reopen opens path as the next voc run would and checks it reaches the
// latest schema.
func reopen(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("open after kill -9: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if v, err := db.SchemaVersion(context.Background()); err != nil || v != LatestSchema() {
		t.Fatalf("after kill -9: schema version %d, %v; want %d", v, err, LatestSchema())
	}
	return db
}

// A kill -9 after any migration of a new warehouse, or after its first
// write, leaves a file the next run opens and completes. DuckDB 1.5 could
// not replay a WAL holding some of the migrations' DDL ("INTERNAL Error:
// Failure while replaying WAL file"), so every migration is checkpointed.
func TestKillWhileCreatingWarehouse(t *testing.T) {
	dir := t.TempDir()
	for k := 1; k <= LatestSchema(); k++ {
		path := filepath.Join(dir, fmt.Sprintf("new-%d.duckdb", k))
		crashAt(t, path, "VOC_WAREHOUSE_CRASH_STEP="+strconv.Itoa(k))
		reopen(t, path)
	}
	path := filepath.Join(dir, "first-write.duckdb")
	crashAt(t, path, "VOC_WAREHOUSE_CRASH_STEP=open", "VOC_WAREHOUSE_CRASH_WRITE=1")
	db := reopen(t, path)
	var n int
	if err := db.sql.QueryRow(`SELECT count(*) FROM sources WHERE name = 'after-crash'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the committed write before the kill: %d rows, %v", n, err)
	}
}

// A kill -9 of the first run after an upgrade, from every older schema,
// loses neither the upgrade nor the data the file held.
func TestKillWhileUpgradingWarehouse(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for v := 1; v < LatestSchema(); v++ {
		path := filepath.Join(dir, fmt.Sprintf("v%d.duckdb", v))
		connector, err := duckdb.NewConnector(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		sdb := sql.OpenDB(connector)
		if err := migrate(ctx, sdb, migrations[:v]); err != nil {
			t.Fatal(err)
		}
		if _, err := sdb.ExecContext(ctx, `INSERT INTO sources (name, type) VALUES ('before-upgrade', 'file')`); err != nil {
			t.Fatal(err)
		}
		sdb.Close()
		crashAt(t, path, "VOC_WAREHOUSE_CRASH_STEP=open")
		db := reopen(t, path)
		var n int
		if err := db.sql.QueryRow(`SELECT count(*) FROM sources WHERE name = 'before-upgrade'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("v%d: the data before the upgrade: %d rows, %v", v, n, err)
		}
	}
}

// When DuckDB cannot replay a log all the same (here: an ALTER TABLE
// outside the migrations, killed before a checkpoint), Open says what
// happened and what to do, in one paragraph, and touches neither file.
func TestUnreplayableLogIsExplainedNotDeleted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	if db, err := Open(context.Background(), path, Options{}); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	crashAt(t, path, "VOC_WAREHOUSE_CRASH_STEP=alter")
	before := map[string]int64{}
	for _, f := range []string{path, path + ".wal"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("after the kill: %v", err)
		}
		before[f] = st.Size()
	}
	_, err := Open(context.Background(), path, Options{})
	if err == nil {
		t.Skip("this DuckDB replays the log: nothing to explain")
	}
	t.Log(err)
	if !errors.Is(err, ErrWAL) {
		t.Fatalf("err = %v, want ErrWAL", err)
	}
	msg := err.Error()
	for _, want := range []string{path + ".wal", "Nothing has been deleted", "mv " + path + ".wal " + path + ".wal.unreplayable"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") || len(msg) > 1200 {
		t.Errorf("message is %d bytes over %d lines: want one bounded paragraph", len(msg), strings.Count(msg, "\n")+1)
	}
	for f, size := range before {
		if st, err := os.Stat(f); err != nil || st.Size() != size {
			t.Errorf("%s changed by the failed open: %v", f, err)
		}
	}
	// the advice works: with the log moved aside, the file opens
	if err := os.Rename(path+".wal", path+".wal.unreplayable"); err != nil {
		t.Fatal(err)
	}
	reopen(t, path)
}

// A run whose process was killed is marked abandoned by the next process
// that opens the file for writing, not left "running" forever; a run of
// the opening process itself is left to finish.
func TestKilledRunsAreAbandoned(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	crashAt(t, path, "VOC_WAREHOUSE_CRASH_STEP=open", "VOC_WAREHOUSE_CRASH_RUN=1")

	db := reopen(t, path)
	mine, err := db.StartRun(ctx, "pipeline", "")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = reopen(t, path)
	runs, err := db.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]voc.Run{}
	for _, r := range runs {
		got[r.Job] = r
	}
	if r := got["import"]; r.Status != voc.RunAbandoned || r.Finished.IsZero() || !strings.Contains(r.Error, "killed or crashed") {
		t.Errorf("the killed process's run: %+v, want abandoned, finished, with a reason", r)
	}
	if r := got["pipeline"]; r.ID != mine.ID || r.Status != voc.RunRunning {
		t.Errorf("this process's own run: %+v, want still running", r)
	}
}
