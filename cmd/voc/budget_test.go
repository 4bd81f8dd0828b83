package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A 10 MB header line is refused in a message that quotes a short excerpt,
// naming the file and line; a 10 MB comment is one rejected row among
// good ones, stored as an excerpt.
func TestImportQuotesExcerptsOfHugeLines(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "voc.duckdb")
	header := filepath.Join(dir, "header.csv")
	os.WriteFile(header, []byte("编号,"+strings.Repeat("问题", 5<<20/3)+"\n1,好\n"), 0o644)
	_, stderr, code := runVoc(t, "import", "survey", header, "--source", "s", "--db", db)
	if code != 1 || !strings.Contains(stderr, "header.csv line 1") {
		t.Errorf("exit %d, stderr %.300q: want a failure naming header.csv line 1", code, stderr)
	}
	if len(stderr) > 4<<10 {
		t.Errorf("stderr of %d bytes: want an excerpt", len(stderr))
	}

	body := filepath.Join(dir, "body.csv")
	os.WriteFile(body, []byte("编号,满意度,意见\n1,满意,好\n2,不满意,"+strings.Repeat("差", 4<<20)+"\n3,满意,不错\n"), 0o644)
	out, stderr, code := runVoc(t, "import", "survey", body, "--source", "b", "--db", db, "--json")
	if code != exitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := decode[importJSON](t, out)
	if got.Loaded != 2 || got.Rejected != 1 {
		t.Errorf("loaded %d rejected %d, want 2 and 1", got.Loaded, got.Rejected)
	}
	if n := queryInt(t, db, "SELECT max(length(raw)) FROM rejects"); n > 2<<10 {
		t.Errorf("a reject stores %d characters of its row: want an excerpt", n)
	}
	if len(out)+len(stderr) > 16<<10 {
		t.Errorf("%d bytes of output for one bad row", len(out)+len(stderr))
	}
}
