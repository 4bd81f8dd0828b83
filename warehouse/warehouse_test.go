package warehouse

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/voc-analytics/voc"
)

// openTemp opens a fresh read-write warehouse in t.TempDir and closes it
// when the test ends.
func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func queryInt(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "voc.duckdb")
	var firstApplied time.Time
	for i := range 3 {
		db, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != len(migrations) {
			t.Errorf("open %d: schema version %d, want %d", i, v, len(migrations))
		}
		if n := queryInt(t, db, `SELECT count(*) FROM schema_migrations`); n != len(migrations) {
			t.Errorf("open %d: %d rows in schema_migrations, want %d", i, n, len(migrations))
		}
		if n := queryInt(t, db, `SELECT count(*) FROM levels`); n != 5 {
			t.Errorf("open %d: %d levels, want 5 (migration 2 ran twice?)", i, n)
		}
		var applied time.Time
		if err := db.sql.QueryRowContext(ctx, `SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstApplied = applied
		} else if !applied.Equal(firstApplied) {
			t.Errorf("open %d: migration 1 applied at %v, first at %v: it ran again", i, applied, firstApplied)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrationVersionsInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migrations[%d] has version %d, want %d", i, m.version, i+1)
		}
	}
	// A gap must be refused rather than silently skipped.
	bad := []migration{{1, "one", "SELECT 1"}, {3, "three", "SELECT 1"}}
	connector, err := duckdb.NewConnector(filepath.Join(t.TempDir(), "gap.duckdb"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sdb := sql.OpenDB(connector)
	defer sdb.Close()
	if err := migrate(context.Background(), sdb, bad); err == nil || !strings.Contains(err.Error(), "want 2") {
		t.Errorf("migrate with a gap: err = %v, want a version error", err)
	}
}

// upgradedFrom makes a warehouse file as a voc that knew only the first v
// migrations left it, with fill writing that voc's rows (sdb is the file at
// version v), then opens it with this build: the upgrade every test of an
// old file is about. It checks the file reached the latest schema.
func upgradedFrom(t *testing.T, v int, fill func(ctx context.Context, sdb *sql.DB, path string)) *DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("v%d.duckdb", v))
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sdb := sql.OpenDB(connector)
	if err := migrate(ctx, sdb, migrations[:v]); err != nil {
		t.Fatalf("migrate to v%d: %v", v, err)
	}
	if got, err := schemaVersion(ctx, sdb); err != nil || got != v {
		t.Fatalf("v%d file: version %d, %v", v, got, err)
	}
	fill(ctx, sdb, path)
	if err := sdb.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("open v%d file: %v", v, err)
	}
	t.Cleanup(func() { db.Close() })
	if got, _ := db.SchemaVersion(ctx); got != LatestSchema() {
		t.Errorf("v%d file upgraded to version %d, want %d", v, got, LatestSchema())
	}
	return db
}

// A file written by a voc that knew only migration 1 must upgrade in place
// and keep its data.
func TestUpgradeFromV1(t *testing.T) {
	ctx := context.Background()
	db := upgradedFrom(t, 1, func(ctx context.Context, sdb *sql.DB, _ string) {
		_, err := sdb.ExecContext(ctx, `INSERT INTO items (source, external_id, kind, rating, content_hash, updated_at)
			VALUES ('old', 'x1', 'review', 4, 'h', now())`)
		if err != nil {
			t.Fatal(err)
		}
	})
	var label string
	err := db.sql.QueryRowContext(ctx, `SELECT l.label_zh FROM items i JOIN levels l ON l.level = i.rating WHERE i.external_id = 'x1'`).Scan(&label)
	if err != nil {
		t.Fatalf("v1 item after upgrade: %v", err)
	}
	if label != "一般满意" {
		t.Errorf("label of rating 4 = %q, want 一般满意", label)
	}
}

// The levels table is frozen in migration 2; it must still say what the
// domain type says.
func TestLevelsMatchDomain(t *testing.T) {
	db, _ := openTemp(t)
	for _, l := range voc.Levels() {
		var zh, en string
		err := db.sql.QueryRowContext(context.Background(), `SELECT label_zh, label_en FROM levels WHERE level = ?`, uint8(l)).Scan(&zh, &en)
		if err != nil {
			t.Fatalf("level %d: %v", l, err)
		}
		if zh != l.LabelZH() || en != l.LabelEN() {
			t.Errorf("level %d: table says %q/%q, voc says %q/%q", l, zh, en, l.LabelZH(), l.LabelEN())
		}
	}
}

func TestOpenReadOnlyMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nothing.duckdb")
	_, err := Open(context.Background(), path, Options{ReadOnly: true})
	if !errors.Is(err, ErrNoWarehouse) {
		t.Fatalf("err = %v, want ErrNoWarehouse", err)
	}
	for _, want := range []string{path, "voc demo", "voc import"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("read-only open created %s", path)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	if _, err := db.UpsertItems(ctx, []voc.Item{item("s", "1", "before read-only")}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if v, err := ro.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Errorf("SchemaVersion = %d, %v", v, err)
	}

	writes := []struct {
		name string
		do   func() error
	}{
		{"UpsertItems", func() error { _, err := ro.UpsertItems(ctx, []voc.Item{item("s", "2", "x")}); return err }},
		{"AddRejects", func() error {
			_, err := ro.AddRejects(ctx, 0, []voc.Reject{{Source: "s", File: "f", Line: 1, Reason: "r"}})
			return err
		}},
		{"SaveRaw", func() error { _, err := ro.SaveRaw(ctx, voc.RawPayload{Source: "s", Body: []byte("x")}); return err }},
		{"EnsureSource", func() error { return ro.EnsureSource(ctx, "s", "csv") }},
		{"StartRun", func() error { _, err := ro.StartRun(ctx, "import", "s"); return err }},
		{"FinishRun", func() error { return ro.FinishRun(ctx, voc.Run{ID: 1, Status: voc.RunOK}) }},
		{"InTx", func() error { return ro.InTx(ctx, func(*Tx) error { return nil }) }},
	}
	for _, w := range writes {
		err := w.do()
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: err = %v, want ErrReadOnly", w.name, err)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%s: message %q should name the file and say read-only", w.name, err)
		}
	}
	// Free-form SQL cannot sneak a write past either: DuckDB refuses it.
	if _, err := ro.Query(ctx, `INSERT INTO sources (name, type) VALUES ('x', 'csv')`); err == nil ||
		!strings.Contains(err.Error(), "read-only") {
		t.Errorf("INSERT through Query on read-only: err = %v, want DuckDB's read-only refusal", err)
	}
	res, err := ro.Query(ctx, `SELECT count(*) AS n FROM items`)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows[0][0]; got != int64(1) {
		t.Errorf("count after refused writes = %v (%T), want 1", got, got)
	}
}

// TestHelperProcess is not a test: TestLocked runs the test binary again
// with this test selected, to hold the warehouse from another process.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("VOC_WAREHOUSE_HOLD")
	if path == "" {
		t.Skip("helper for TestLocked; runs only as its child process")
	}
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Fprintf(os.Stdout, "error: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stdout, "ready")
	// Hold the file until the parent closes our stdin (or dies).
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // EOF or error both mean stop
	db.Close()
	os.Exit(0)
}

func TestLocked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "held.duckdb")
	if db, err := Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}

	child := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	child.Env = append(os.Environ(), "VOC_WAREHOUSE_HOLD="+path)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if released {
			return
		}
		released = true
		stdin.Close()
		if err := child.Wait(); err != nil {
			t.Errorf("helper process: %v", err)
		}
	}
	defer release()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper process said %q, %v", line, err)
	}
	pid := child.Process.Pid

	for _, opt := range []Options{{}, {ReadOnly: true}} {
		db, err := Open(ctx, path, opt)
		if err == nil {
			db.Close()
			t.Fatalf("Open(%+v) while another process holds the file: no error", opt)
		}
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("Open(%+v): err = %v, want ErrLocked", opt, err)
		}
		var le *LockError
		if !errors.As(err, &le) {
			t.Fatalf("Open(%+v): err %T is not a *LockError", opt, err)
		}
		t.Logf("DuckDB said: %v", le.Err)
		if le.PID != pid {
			t.Errorf("Open(%+v): PID %d, want the helper's %d", opt, le.PID, pid)
		}
		want := "warehouse " + path + " is in use by another process (PID " + strconv.Itoa(pid) + ", "
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Open(%+v): message\n%q\nwant prefix\n%q", opt, err, want)
		}
		if !strings.HasSuffix(err.Error(), "; wait for it to finish or use --db to pick another file") {
			t.Errorf("Open(%+v): message %q lacks the advice", opt, err)
		}
	}

	release()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open after the helper exited: %v", err)
	}
	db.Close()
}

func TestLockErrorParsing(t *testing.T) {
	tests := []struct {
		msg     string
		locked  bool
		pid     int
		exe     string
		message string
	}{
		{
			msg:    `IO Error: Could not set lock on file "/d/voc.duckdb": Conflicting lock is held in /usr/local/bin/voc (PID 4242) by user ann. See also https://duckdb.org/docs/stable/connect/concurrency`,
			locked: true, pid: 4242, exe: "/usr/local/bin/voc",
			message: "warehouse voc.duckdb is in use by another process (PID 4242, /usr/local/bin/voc); wait for it to finish or use --db to pick another file",
		},
		{
			msg:    `IO Error: Could not set lock on file "/d/voc.duckdb": Conflicting lock is held in /opt/my tools/duckdb (PID 7)`,
			locked: true, pid: 7, exe: "/opt/my tools/duckdb",
			message: "warehouse voc.duckdb is in use by another process (PID 7, /opt/my tools/duckdb); wait for it to finish or use --db to pick another file",
		},
		{
			msg:     `IO Error: Could not set lock on file "/d/voc.duckdb": Resource temporarily unavailable`,
			locked:  true,
			message: "warehouse voc.duckdb is in use by another process; wait for it to finish or use --db to pick another file",
		},
		{msg: `IO Error: Cannot open file "/d/voc.duckdb": Permission denied`},
	}
	for _, tt := range tests {
		le := asLockError("voc.duckdb", errors.New(tt.msg))
		if (le != nil) != tt.locked {
			t.Errorf("%q: locked = %v, want %v", tt.msg, le != nil, tt.locked)
			continue
		}
		if le == nil {
			continue
		}
		if le.PID != tt.pid || le.Exe != tt.exe || le.Error() != tt.message {
			t.Errorf("%q:\ngot  PID %d exe %q %q\nwant PID %d exe %q %q", tt.msg, le.PID, le.Exe, le.Error(), tt.pid, tt.exe, tt.message)
		}
	}
}

func TestEnsureSource(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	for range 2 {
		if err := db.EnsureSource(ctx, "wjx-2026q4", "survey-csv"); err != nil {
			t.Fatal(err)
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM sources`); n != 1 {
		t.Errorf("%d sources after two EnsureSource, want 1", n)
	}
	if err := db.EnsureSource(ctx, "wjx-2026q4", "survey-xlsx"); err != nil {
		t.Fatal(err)
	}
	var typ string
	if err := db.sql.QueryRowContext(ctx, `SELECT type FROM sources WHERE name = 'wjx-2026q4'`).Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if typ != "survey-xlsx" {
		t.Errorf("type after change = %q, want survey-xlsx", typ)
	}
	if err := db.EnsureSource(ctx, "", "csv"); err == nil {
		t.Error("EnsureSource with empty name: no error")
	}
}

func TestSaveRaw(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	body := []byte("id,rating,text\n1,5,很好\n")
	p := voc.RawPayload{Source: "s", URI: "file:///in.csv", ContentType: "text/csv", FetchedAt: time.Now(), Body: body}

	tests := []struct {
		name    string
		p       voc.RawPayload
		stored  bool
		wantErr string
	}{
		{"first", p, true, ""},
		{"same bytes again", p, false, ""},
		{"same bytes, other uri, id given", voc.RawPayload{ID: voc.PayloadID(body), Source: "s", URI: "file:///copy.csv", Body: body}, false, ""},
		{"empty body", voc.RawPayload{Source: "s", URI: "file:///empty.csv"}, true, ""},
		{"wrong id", voc.RawPayload{ID: voc.PayloadID([]byte("other")), Source: "s", URI: "file:///x", Body: body}, false, "does not match"},
		{"no source", voc.RawPayload{URI: "file:///y", Body: []byte("y")}, false, "no source"},
	}
	for _, tt := range tests {
		stored, err := db.SaveRaw(ctx, tt.p)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if stored != tt.stored {
			t.Errorf("%s: stored = %v, want %v", tt.name, stored, tt.stored)
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM raw_payloads`); n != 2 {
		t.Errorf("%d payloads, want 2", n)
	}
	got, found, err := db.RawBody(ctx, voc.PayloadID(body))
	if err != nil || !found || string(got) != string(body) {
		t.Errorf("RawBody = %q, %v, %v; want the original bytes", got, found, err)
	}
	if _, found, err := db.RawBody(ctx, "nope"); err != nil || found {
		t.Errorf("RawBody(unknown) found = %v, err = %v", found, err)
	}
}

// Every connection, pooled or taken for a transaction, works in UTC, so the
// same file gives the same answers on any machine.
func TestConnectionsUseUTC(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	check := func(where string, q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) {
		t.Helper()
		var tz, rendered string
		err := q.QueryRowContext(ctx, `SELECT current_setting('TimeZone'), (TIMESTAMPTZ '2026-03-04 10:00:00+08')::VARCHAR`).Scan(&tz, &rendered)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if tz != "UTC" || rendered != "2026-03-04 02:00:00+00" {
			t.Errorf("%s: TimeZone %q renders %q, want UTC and 2026-03-04 02:00:00+00", where, tz, rendered)
		}
	}
	// Hold two pooled connections at once so the pool opens a second one.
	c1, err := db.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := db.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	check("conn 1", c1)
	check("conn 2", c2)
	err = db.InTx(ctx, func(tx *Tx) error { check("transaction", tx.tx); return nil })
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSaveRaw stores one 32 MiB export, the size of a 150,000-row
// survey file. Bound as a parameter of INSERT ... ON CONFLICT, DuckDB's
// planner copied such a BLOB several times (seconds and gigabytes at
// 200 MB); the appender writes it once.
func BenchmarkSaveRaw(b *testing.B) {
	ctx := context.Background()
	db, _ := openTemp(b)
	body := bytes.Repeat([]byte("id,rating,text\n1,5,很好，物流很快\n"), 32<<20/40)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		binary.BigEndian.PutUint64(body[:8], uint64(i)) // new bytes, new payload
		b.StartTimer()
		stored, err := db.SaveRaw(ctx, voc.RawPayload{Source: "bench", URI: "file:///export.csv", Body: body})
		if err != nil {
			b.Fatal(err)
		}
		if !stored {
			b.Fatal("payload not stored")
		}
	}
}

// TestMemoryLimitSpillsInsteadOfFailing: under voc.yaml's memory_limit a
// grouping far larger than the limit still answers (DuckDB spills it beside
// the file), so a tight limit costs time, never a report.
func TestMemoryLimitSpillsInsteadOfFailing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	db, err := Open(ctx, path, Options{MemoryLimit: "64MiB"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var limit string
	if err := db.sql.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != "64.0 MiB" {
		t.Errorf("memory_limit = %q, want 64.0 MiB", limit)
	}
	// About 260 MB of distinct strings to group: without a folder to spill to,
	// DuckDB refuses this at 64 MiB (out of memory).
	var n int
	err = db.sql.QueryRowContext(ctx, `
SELECT count(DISTINCT s) FROM (
	SELECT md5(range::VARCHAR) || md5((range + 1)::VARCHAR) AS s FROM range(4000000)
)`).Scan(&n)
	if err != nil {
		t.Fatalf("sort past the memory limit: %v", err)
	}
	if n != 4000000 {
		t.Errorf("%d rows, want 4000000", n)
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "x.duckdb"), Options{MemoryLimit: "lots"}); err == nil {
		t.Error("Open with memory limit \"lots\": no error")
	}
}
