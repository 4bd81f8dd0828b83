package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// voc runs the command in-process, as a user would from a shell.
func runVoc(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

type importJSON struct {
	Loaded, Duplicates, Updated, Rejected int
	Files                                 []struct {
		Format, Encoding string
		Rejects          []struct {
			File   string
			Line   int
			Reason string
		}
	}
}

// queryInt runs a one-value query through `voc query --json`.
func queryInt(t *testing.T, db, sql string) int {
	t.Helper()
	out, stderr, code := runVoc(t, "query", "--db", db, "--json", sql)
	if code != 0 {
		t.Fatalf("voc query %q: exit %d: %s", sql, code, stderr)
	}
	rows := decode[[]map[string]float64](t, out)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("query %q: want one value, got %s", sql, out)
	}
	for _, v := range rows[0] {
		return int(v)
	}
	return 0
}

// The acceptance test of the foundation: a GBK-encoded 问卷星 export with
// mixed Chinese and English Likert labels and three bad rows imports with
// exact counts, and importing it again stores nothing twice.
func TestImportSurveyGBKTwice(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "voc.duckdb")
	file := filepath.Join("testdata", "survey-wjx-gbk.csv")

	out, stderr, code := runVoc(t, "import", "survey", file, "--source", "wjx", "--db", db, "--json")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d (partial: rows rejected); stderr: %s", code, exitPartial, stderr)
	}
	first := decode[importJSON](t, out)
	if first.Loaded != 9 || first.Duplicates != 0 || first.Rejected != 3 {
		t.Errorf("first import: loaded %d, duplicates %d, rejected %d; want 9, 0, 3", first.Loaded, first.Duplicates, first.Rejected)
	}
	if f := first.Files[0]; f.Format != "wjx" || !strings.HasPrefix(f.Encoding, "gb") {
		t.Errorf("detected %s/%s, want wjx/gbk", f.Format, f.Encoding)
	}
	wantLines := []int{8, 9, 10}
	for i, r := range first.Files[0].Rejects {
		if i >= len(wantLines) || r.Line != wantLines[i] || r.File != file || r.Reason == "" {
			t.Errorf("reject %d = %+v, want %s line %v with a reason", i, r, file, wantLines)
		}
	}

	if n := queryInt(t, db, "SELECT count(*) AS n FROM items WHERE source = 'wjx' AND kind = 'survey'"); n != 9 {
		t.Errorf("items stored = %d, want 9", n)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM rejects"); n != 3 {
		t.Errorf("rejects stored = %d, want 3", n)
	}
	// Mixed labels land on the right levels: 非常满意, Satisfied, 一般,
	// 不满意, Very dissatisfied, 非常不滿意, 4, 中立, 很满意.
	out, _, _ = runVoc(t, "query", "--db", db, "--json", "SELECT list(rating ORDER BY created_at)::VARCHAR AS r FROM items")
	if got := decode[[]map[string]string](t, out)[0]["r"]; got != "[5, 4, 3, 2, 1, 1, 4, 3, 5]" {
		t.Errorf("ratings in order = %s", got)
	}

	out, _, code = runVoc(t, "import", "survey", file, "--source", "wjx", "--db", db, "--json")
	second := decode[importJSON](t, out)
	if code != exitPartial || second.Loaded != 0 || second.Duplicates != 9 || second.Updated != 0 || second.Rejected != 3 {
		t.Errorf("second import: exit %d, %+v; want loaded 0, duplicates 9, rejected 3", code, second)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM items"); n != 9 {
		t.Errorf("after re-import items = %d, want 9", n)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM rejects"); n != 3 {
		t.Errorf("after re-import rejects = %d, want still 3", n)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM raw_payloads"); n != 1 {
		t.Errorf("raw payloads = %d, want the file stored once", n)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM runs WHERE status = 'partial' AND job = 'import survey'"); n != 2 {
		t.Errorf("runs recorded = %d, want 2 partial imports", n)
	}
}

func TestImportHumanSummaryNamesRejectedLines(t *testing.T) {
	db := filepath.Join(t.TempDir(), "voc.duckdb")
	file := filepath.Join("testdata", "survey-wjx-gbk.csv")
	out, _, code := runVoc(t, "import", "survey", file, "--source", "wjx", "--db", db)
	if code != exitPartial {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"9 loaded, 0 duplicates, 0 updated, 3 rejected", file + ":8:", file + ":9:", file + ":10:", "看心情"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestImportFailuresNameTheFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "voc.duckdb")
	missing := filepath.Join(dir, "nope.csv")
	_, stderr, code := runVoc(t, "import", "survey", missing, "--source", "s", "--db", db)
	if code != exitFailed || !strings.Contains(stderr, missing) {
		t.Errorf("missing file: exit %d, stderr %q; want 1 naming %s", code, stderr, missing)
	}
	// --json: the error is JSON on stdout too, for batch callers.
	out, _, code := runVoc(t, "import", "survey", missing, "--source", "s", "--db", db, "--json")
	if e := decode[map[string]string](t, out); code != exitFailed || !strings.Contains(e["error"], missing) {
		t.Errorf("--json error: exit %d, %v", code, e)
	}
	if _, _, code := runVoc(t, "import", "survey", missing, "--db", db); code != exitFailed {
		t.Errorf("import without --source: exit %d, want 1", code)
	}
	// The failure is in the run history.
	if n := queryInt(t, db, "SELECT count(*) AS n FROM runs WHERE status = 'failed' AND error LIKE '%nope.csv%'"); n != 2 {
		t.Errorf("failed runs recorded = %d, want 2", n)
	}
}

func TestQueryCSVIsSafeForSpreadsheets(t *testing.T) {
	db := filepath.Join(t.TempDir(), "voc.duckdb")
	runVoc(t, "import", "survey", filepath.Join("testdata", "survey-wjx-gbk.csv"), "--source", "wjx", "--db", db)
	out, stderr, code := runVoc(t, "query", "--db", db, "--csv", "SELECT text, recommend - 20 AS delta FROM items WHERE text LIKE '%HYPERLINK%'")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "text,delta\n\"'=HYPERLINK(\"\"http://127.0.0.1/x\"\",\"\"点我\"\")\",-11\n"
	if out != want {
		t.Errorf("csv =\n%s\nwant\n%s", out, want)
	}
}

func TestQueryIsReadOnly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "voc.duckdb")
	runVoc(t, "import", "survey", filepath.Join("testdata", "survey-wjx-gbk.csv"), "--source", "wjx", "--db", db)
	for _, sql := range []string{"DELETE FROM items", "DROP TABLE items", "INSERT INTO sources (name, type) VALUES ('x', 'survey')"} {
		if _, stderr, code := runVoc(t, "query", "--db", db, sql); code != exitFailed || !strings.Contains(stderr, "read-only") {
			t.Errorf("%s: exit %d, stderr %q; want refused as read-only", sql, code, stderr)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM items"); n != 9 {
		t.Errorf("items = %d after refused writes, want 9", n)
	}
	if _, stderr, code := runVoc(t, "query", "--db", filepath.Join(t.TempDir(), "none.duckdb"), "SELECT 1"); code != exitFailed || !strings.Contains(stderr, "voc demo") {
		t.Errorf("query on no warehouse: exit %d, %q; want a hint to create one", code, stderr)
	}
}

func TestDemoRunsFreshEachTime(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		out, stderr, code := runVoc(t, "demo", "--dir", dir, "--json")
		if code != exitOK {
			t.Fatalf("demo exit %d: %s", code, stderr)
		}
		res := decode[struct {
			DB         string
			Import     importJSON
			Complaints importJSON `json:"complaints_import"`
			Collect    []struct {
				Source string
				New    int `json:"items_new"`
			}
			Pipeline struct {
				Score struct {
					Scored int
					NoText int `json:"no_text"`
				}
			}
		}](t, out)
		reviews := 0
		for _, c := range res.Collect {
			reviews += c.New
		}
		if len(res.Collect) != 4 || reviews < 100 {
			t.Errorf("demo collected %+v, want four shop sources with reviews", res.Collect)
		}
		if res.Complaints.Loaded < 150 || res.Complaints.Rejected != 2 {
			t.Errorf("demo complaints import = %+v, want the generated tickets and 2 rejected", res.Complaints)
		}
		if res.Pipeline.Score.Scored != 480+reviews+res.Complaints.Loaded || res.Pipeline.Score.NoText == 0 {
			t.Errorf("demo pipeline = %+v, want all %d items scored, some without text", res.Pipeline.Score, 480+reviews+res.Complaints.Loaded)
		}
		if res.Import.Loaded != 480 || res.Import.Rejected != 3 || res.Import.Duplicates != 0 {
			t.Errorf("demo import = %+v, want 480 loaded and 3 rejected into a fresh warehouse", res.Import)
		}
		if n := queryInt(t, res.DB, "SELECT count(*) AS n FROM items WHERE text <> ''"); n < 200 {
			t.Errorf("demo items with comments = %d, want most of 480", n)
		}
	}
	// Every level and language is represented.
	db := filepath.Join(dir, "voc.duckdb")
	if n := queryInt(t, db, "SELECT count(DISTINCT rating) AS n FROM items"); n != 5 {
		t.Errorf("demo covers %d levels, want 5", n)
	}
	if n := queryInt(t, db, "SELECT count(DISTINCT lang) AS n FROM items WHERE lang <> ''"); n < 2 {
		t.Errorf("demo languages = %d, want zh and en", n)
	}
}

func TestInitWritesConfigOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "voc.yaml")
	db := filepath.Join(dir, "w.duckdb")
	out, stderr, code := runVoc(t, "init", "--config", cfg, "--db", db, "--json")
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if r := decode[map[string]any](t, out); r["config_written"] != true || r["schema"].(float64) < 1 {
		t.Errorf("init = %v", r)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("warehouse not created: %v", err)
	}
	if err := os.WriteFile(cfg, []byte("db: mine.duckdb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = runVoc(t, "init", "--config", cfg, "--db", db)
	if b, _ := os.ReadFile(cfg); code != 0 || string(b) != "db: mine.duckdb\n" || !strings.Contains(out, "kept existing") {
		t.Errorf("second init overwrote the user's file or failed: exit %d, %q", code, out)
	}
	// The configured source's mapping is used by import.
	mapped := "db: " + db + "\nsources:\n  crm:\n    type: survey\n    mapping:\n      satisfaction: 打分\n      comment: 说明\n"
	if err := os.WriteFile(cfg, []byte(mapped), 0o644); err != nil {
		t.Fatal(err)
	}
	csvFile := filepath.Join(dir, "crm.csv")
	if err := os.WriteFile(csvFile, []byte("打分,说明\n5,很好\n1,太差了\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = runVoc(t, "import", "survey", csvFile, "--source", "crm", "--config", cfg, "--json")
	if r := decode[importJSON](t, out); code != 0 || r.Loaded != 2 {
		t.Errorf("mapped import: exit %d, %+v, %s", code, r, stderr)
	}
}

func TestStatusJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "voc.duckdb")
	runVoc(t, "import", "survey", filepath.Join("testdata", "survey-wjx-gbk.csv"), "--source", "wjx", "--db", db)
	out, stderr, code := runVoc(t, "status", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st := decode[struct {
		Items []struct {
			Source, Kind string
			Items        int
		}
		Runs []struct {
			Job, Status      string
			Loaded, Rejected int
		}
	}](t, out)
	if len(st.Items) != 1 || st.Items[0].Source != "wjx" || st.Items[0].Kind != "survey" || st.Items[0].Items != 9 {
		t.Errorf("items = %+v", st.Items)
	}
	if len(st.Runs) != 1 || st.Runs[0].Status != "partial" || st.Runs[0].Loaded != 9 || st.Runs[0].Rejected != 3 {
		t.Errorf("runs = %+v", st.Runs)
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, cmd := range [][]string{{"--help"}, {"import", "survey", "--help"}, {"query", "--help"}, {"demo", "--help"}} {
		out, _, code := runVoc(t, cmd...)
		if code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("voc %s: exit %d, no examples:\n%s", strings.Join(cmd, " "), code, out)
		}
	}
	// Every command a user runs shows how to run it.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			switch sub.Name() {
			case "help", "completion", "version":
				continue
			}
			if sub.Runnable() && sub.Example == "" {
				t.Errorf("voc %s has no examples in --help", strings.TrimPrefix(sub.CommandPath(), "voc "))
			}
			walk(sub)
		}
	}
	walk(newApp(strings.NewReader(""), io.Discard, io.Discard).rootCommand())
}
