package warehouse

import (
	"context"
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

func TestAddRejectsIdempotent(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r1 := voc.Reject{Source: "s", File: "in.csv", Line: 3, Reason: "bad date", Raw: "3,2026-13-01,5"}
	r2 := voc.Reject{Source: "s", File: "in.csv", Line: 7, Reason: "rating 9", Raw: "7,2026-01-01,9"}
	r3 := voc.Reject{Source: "s", File: "https://example.test/p", Reason: "no text"}

	steps := []struct {
		name    string
		run     int64
		rejects []voc.Reject
		stored  int
		total   int
	}{
		{"first import", 1, []voc.Reject{r1, r2}, 2, 2},
		{"same file again", 2, []voc.Reject{r1, r2}, 0, 2},
		{"reason reworded is the same reject", 3, []voc.Reject{{Source: r1.Source, File: r1.File, Line: r1.Line, Raw: r1.Raw, Reason: "date 2026-13-01: month 13"}}, 0, 2},
		{"repeat inside one batch, plus a new one", 4, []voc.Reject{r3, r3, r1}, 1, 3},
		{"same line, other raw text", 5, []voc.Reject{{Source: "s", File: "in.csv", Line: 3, Reason: "bad date", Raw: "3,2026-14-01,5"}}, 1, 4},
		{"no run", 0, []voc.Reject{{Source: "s", File: "other.csv", Line: 1, Reason: "empty"}}, 1, 5},
		{"nothing", 6, nil, 0, 5},
	}
	for _, st := range steps {
		n, err := db.AddRejects(ctx, st.run, st.rejects)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if n != st.stored {
			t.Errorf("%s: stored %d, want %d", st.name, n, st.stored)
		}
		if total := queryInt(t, db, `SELECT count(*) FROM rejects`); total != st.total {
			t.Errorf("%s: %d rejects in table, want %d", st.name, total, st.total)
		}
	}
	// The reject keeps the run and reason of its first sighting.
	var run int64
	var reason string
	if err := db.sql.QueryRowContext(ctx, `SELECT run_id, reason FROM rejects WHERE line = 3 AND raw = ?`, r1.Raw).Scan(&run, &reason); err != nil {
		t.Fatal(err)
	}
	if run != 1 || reason != r1.Reason {
		t.Errorf("r1 stored with run %d reason %q, want run 1 reason %q", run, reason, r1.Reason)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM rejects WHERE run_id IS NULL`); n != 1 {
		t.Errorf("%d rejects without run, want 1", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM rejects WHERE line IS NULL`); n != 1 {
		t.Errorf("%d rejects without line, want 1 (the URL one)", n)
	}
	if _, err := db.AddRejects(ctx, 1, []voc.Reject{{File: "x", Reason: "y"}}); err == nil {
		t.Error("reject without source: no error")
	}
}

func TestRunsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)

	first, err := db.StartRun(ctx, "import survey", "wjx-2026q4")
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.Status != voc.RunRunning || first.Started.IsZero() {
		t.Fatalf("StartRun = %+v", first)
	}
	second, err := db.StartRun(ctx, "pipeline", "")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatalf("two runs share id %d", first.ID)
	}

	first.Status = voc.RunPartial
	first.Finished = first.Started.Add(1500 * time.Millisecond)
	first.Loaded, first.Dupes, first.Updated, first.Rejected = 120, 30, 2, 4
	first.Error = "4 rows rejected"
	first.Detail = `{"files":1,"sheets":["Sheet1"]}`
	if err := db.FinishRun(ctx, first); err != nil {
		t.Fatal(err)
	}

	runs, err := db.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	if runs[0].ID != second.ID || runs[1].ID != first.ID {
		t.Errorf("runs not newest first: ids %d, %d", runs[0].ID, runs[1].ID)
	}
	if !reflect.DeepEqual(runs[0], second) {
		t.Errorf("running run read back\n%+v\nwant\n%+v", runs[0], second)
	}
	got := runs[1]
	var gotDetail, wantDetail any
	if err := json.Unmarshal([]byte(got.Detail), &gotDetail); err != nil {
		t.Fatalf("detail %q: %v", got.Detail, err)
	}
	json.Unmarshal([]byte(first.Detail), &wantDetail) //nolint:errcheck // our own literal
	if !reflect.DeepEqual(gotDetail, wantDetail) {
		t.Errorf("detail %s, want %s", got.Detail, first.Detail)
	}
	got.Detail, first.Detail = "", ""
	if !reflect.DeepEqual(got, first) {
		t.Errorf("finished run read back\n%+v\nwant\n%+v", got, first)
	}

	if runs, err := db.Runs(ctx, 1); err != nil || len(runs) != 1 || runs[0].ID != second.ID {
		t.Errorf("Runs(1) = %+v, %v", runs, err)
	}

	bad := []struct {
		name string
		run  voc.Run
		want string
	}{
		{"still running", voc.Run{ID: second.ID, Status: voc.RunRunning}, "status"},
		{"unknown id", voc.Run{ID: 9999, Status: voc.RunOK}, "no such run"},
		{"detail not JSON", voc.Run{ID: second.ID, Status: voc.RunOK, Detail: "pages=3"}, "finish run"},
	}
	for _, b := range bad {
		if err := db.FinishRun(ctx, b.run); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("FinishRun %s: err = %v, want %q", b.name, err, b.want)
		}
	}
	// Finished with no time given gets now.
	second.Status = voc.RunOK
	if err := db.FinishRun(ctx, second); err != nil {
		t.Fatal(err)
	}
	runs, _ = db.Runs(ctx, 1)
	if runs[0].Finished.IsZero() || runs[0].Finished.Before(second.Started) {
		t.Errorf("finished %v, want a time after %v", runs[0].Finished, second.Started)
	}
}

func TestCounts(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	if cs, err := db.Counts(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("Counts on empty warehouse = %+v, %v", cs, err)
	}
	items := []voc.Item{
		with(item("shop", "1", "a"), func(it *voc.Item) { it.CreatedAt = t0 }),
		with(item("shop", "2", "b"), func(it *voc.Item) { it.CreatedAt = t0.Add(72 * time.Hour) }),
		with(item("shop", "3", "c"), func(it *voc.Item) { it.Kind = voc.KindComplaint; it.CreatedAt = time.Time{} }),
		with(item("survey", "1", "d"), func(it *voc.Item) { it.Kind = voc.KindSurvey; it.CreatedAt = t0.In(shanghai) }),
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	got, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SourceCount{
		{Source: "shop", Kind: voc.KindComplaint, Items: 1},
		{Source: "shop", Kind: voc.KindReview, Items: 2, First: t0, Last: t0.Add(72 * time.Hour)},
		{Source: "survey", Kind: voc.KindSurvey, Items: 1, First: t0, Last: t0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Counts =\n%+v\nwant\n%+v", got, want)
	}
}

func TestQuery(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	items := []voc.Item{
		with(item("shop", "1", "好"), func(it *voc.Item) { it.Rating = 5; it.Extra = map[string]string{"城市": "上海"} }),
		with(item("shop", "2", "差"), func(it *voc.Item) { it.Rating = 1 }),
		with(item("shop", "3", "好"), func(it *voc.Item) { it.Rating = 5 }),
		with(item("shop", "4", "无评分"), func(it *voc.Item) { it.Rating = voc.LevelNone }),
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	tests := []struct {
		name    string
		query   string
		args    []any
		columns []string
		types   []string
		rows    [][]any
	}{
		{
			name:    "what a marketer types",
			query:   `SELECT rating, count(*) FROM items GROUP BY 1 ORDER BY 1 NULLS LAST`,
			columns: []string{"rating", "count_star()"},
			types:   []string{"UTINYINT", "BIGINT"},
			rows:    [][]any{{uint8(1), int64(1)}, {uint8(5), int64(2)}, {nil, int64(1)}},
		},
		{
			name:    "labels, parameters, decimals and sums",
			query:   `SELECT l.label_zh AS level, round(avg(i.rating)::DECIMAL(9,2), 2) AS avg, sum(i.rating) AS total FROM items i JOIN levels l ON l.level = i.rating WHERE i.source = ? GROUP BY 1 ORDER BY 1`,
			args:    []any{"shop"},
			columns: []string{"level", "avg", "total"},
			types:   []string{"VARCHAR", "DECIMAL(9,2)", "HUGEINT"},
			rows:    [][]any{{"极不满意", 1.0, int64(1)}, {"高度满意", 5.0, int64(10)}},
		},
		{
			name:    "timestamps, json, uuid, interval",
			query:   `SELECT created_at, extra, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS u, INTERVAL 90 MINUTE AS iv FROM items WHERE external_id = '1'`,
			columns: []string{"created_at", "extra", "u", "iv"},
			types:   []string{"TIMESTAMPTZ", "JSON", "UUID", "INTERVAL"},
			rows:    [][]any{{t0.Add(-24 * time.Hour), map[string]any{"城市": "上海"}, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "1h30m0s"}},
		},
		{
			name:    "no rows still has columns",
			query:   `SELECT id, text FROM items WHERE false`,
			columns: []string{"id", "text"},
			types:   []string{"BIGINT", "VARCHAR"},
			rows:    [][]any{},
		},
	}
	for _, tt := range tests {
		res, err := ro.Query(ctx, tt.query, tt.args...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(res.Columns, tt.columns) {
			t.Errorf("%s: columns %q, want %q", tt.name, res.Columns, tt.columns)
		}
		if !reflect.DeepEqual(res.Types, tt.types) {
			t.Errorf("%s: types %q, want %q", tt.name, res.Types, tt.types)
		}
		if !reflect.DeepEqual(res.Rows, tt.rows) {
			t.Errorf("%s: rows\n%#v\nwant\n%#v", tt.name, res.Rows, tt.rows)
		}
	}
	if _, err := ro.Query(ctx, `SELECT nope FROM items`); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("bad column: err = %v, want DuckDB's binder error", err)
	}
}

func TestPlainValueBigHugeint(t *testing.T) {
	huge, _ := new(big.Int).SetString("170141183460469231731687303715884105727", 10)
	if got := plainValue("HUGEINT", huge); got != huge {
		t.Errorf("HUGEINT beyond int64 = %v (%T), want the *big.Int", got, got)
	}
}
