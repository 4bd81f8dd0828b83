package main

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// `voc query` changes nothing, whatever the text: each attack that once
// overwrote the warehouse, deleted rows through a hard link, exported
// files, made an outbound request or ran a second statement is refused
// with a reason, and the warehouse file is byte for byte the same after.
func TestQueryChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "voc.duckdb")
	if _, stderr, code := runVoc(t, "import", "survey", filepath.Join("testdata", "survey-wjx-gbk.csv"), "--source", "wjx", "--db", db); code == 1 {
		t.Fatalf("import: %s", stderr)
	}
	link := filepath.Join(dir, "link.duckdb")
	if err := os.Link(db, link); err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	sum := func() [32]byte {
		b, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	items := queryInt(t, db, "SELECT count(*) FROM items")

	for _, tc := range []struct{ sql, want string }{
		{"COPY (SELECT 1) TO '" + db + "'", "this is COPY"},
		{"COPY items TO '" + filepath.Join(dir, "out.csv") + "'", "this is COPY|disabled by configuration"},
		{"ATTACH '" + link + "' AS l (READ_WRITE)", "this is ATTACH"},
		{"EXPORT DATABASE '" + filepath.Join(dir, "export") + "'", "this is EXPORT|disabled by configuration"},
		{"CREATE TEMP TABLE t AS SELECT 1", "this is CREATE"},
		{"CHECKPOINT", "CHECKPOINT"},
		{"INSTALL httpfs FROM '" + srv.URL + "'", "INSTALL"},
		{"LOAD httpfs", "INSTALL or LOAD"},
		{"SET enable_external_access = true", "this is SET"},
		{"SELECT 1; COPY items TO '" + filepath.Join(dir, "second.csv") + "'", "several statements"},
		{"SELECT * FROM read_text('" + srv.URL + "/x')", "disabled"},
		{"SELECT * FROM read_csv('" + filepath.Join("testdata", "complaints.csv") + "')", "disabled"},
	} {
		_, stderr, code := runVoc(t, "query", "--db", db, tc.sql)
		refused := false
		for _, w := range strings.Split(tc.want, "|") {
			refused = refused || strings.Contains(stderr, w)
		}
		if code != 1 || !refused {
			t.Errorf("%s: exit %d, stderr %q; want a refusal naming %q", tc.sql, code, stderr, tc.want)
		}
	}
	for _, f := range []string{"out.csv", "export", "second.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the network", n)
	}
	if sum() != before {
		t.Error("the warehouse file changed")
	}
	if n := queryInt(t, db, "SELECT count(*) FROM items"); n != items {
		t.Errorf("items %d, want %d", n, items)
	}
	// Reads of every shape still work, and a folder the user names is readable.
	for _, sql := range []string{"DESCRIBE items", "SHOW TABLES", "SUMMARIZE items", "FROM items LIMIT 1",
		"WITH x AS (SELECT 1 AS n) SELECT n FROM x", "EXPLAIN SELECT count(*) FROM items", "PRAGMA table_info('items')"} {
		if _, stderr, code := runVoc(t, "query", "--db", db, "--json", sql); code != 0 {
			t.Errorf("%s: exit %d: %s", sql, code, stderr)
		}
	}
	out, stderr, code := runVoc(t, "query", "--db", db, "--json", "--allow-dir", "testdata",
		"SELECT count(*) AS n FROM read_csv('"+filepath.Join("testdata", "complaints.csv")+"')")
	if code != 0 || !strings.Contains(out, `"n"`) {
		t.Errorf("--allow-dir testdata: exit %d, %s %s", code, out, stderr)
	}
	// and the next writer is not hampered by the locked-down query before it
	if _, stderr, code := runVoc(t, "import", "survey", filepath.Join("testdata", "survey-wjx-gbk.csv"), "--source", "again", "--db", db); code == 1 {
		t.Fatalf("import after queries: %s", stderr)
	}
}

// With --json, a failed command prints one JSON document: its summary,
// which names what failed, and no second {"error": ...} after it.
func TestJSONFailureIsOneDocument(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	dead := srv.URL
	srv.Close() // a loopback port nothing listens on
	dir := t.TempDir()
	cfg := filepath.Join(dir, "voc.yaml")
	os.WriteFile(cfg, []byte("db: "+filepath.Join(dir, "voc.duckdb")+"\nsources:\n  broken:\n    type: jsonapi\n    urls: ["+dead+"/reviews]\n    http: {retries: -1, timeout: 2s}\n    jsonapi:\n      items: reviews\n      fields: {text: text}\n"), 0o644)
	out, _, code := runVoc(t, "collect", "--config", cfg, "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var first map[string]any
	if err := dec.Decode(&first); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if _, ok := first["sources"]; !ok {
		t.Errorf("the document is not the summary: %s", out)
	}
	var second any
	if err := dec.Decode(&second); err != io.EOF {
		t.Errorf("a second JSON value after the summary: %v %v", second, err)
	}
}
