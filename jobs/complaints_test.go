package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc/collectors/complaints"
	"github.com/voc-analytics/voc/warehouse"
)

func TestImportComplaints(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	opt := complaints.Options{Location: time.FixedZone("CST", 8*3600)}
	v1, v2 := filepath.Join("testdata", "complaints-v1.csv"), filepath.Join("testdata", "complaints-v2.csv")
	steps := []struct {
		name                             string
		file                             string
		loaded, dupes, updated, rejected int
	}{
		// K3's opening time has a letter O for a zero; K4 closed before it opened.
		{"first import", v1, 2, 0, 0, 2},
		{"same file again adds nothing", v1, 0, 2, 0, 2},
		// K1 unchanged, K2 closed since (updated), K5 new.
		{"re-export with a newly closed ticket", v2, 1, 1, 1, 0},
		{"re-export again", v2, 0, 3, 0, 0},
	}
	for _, s := range steps {
		sum, err := ImportComplaints(ctx, db, "helpdesk", []string{s.file}, opt)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if sum.Loaded != s.loaded || sum.Duplicates != s.dupes || sum.Updated != s.updated || sum.Rejected != s.rejected {
			t.Errorf("%s: loaded %d dupes %d updated %d rejected %d; want %d %d %d %d", s.name,
				sum.Loaded, sum.Duplicates, sum.Updated, sum.Rejected, s.loaded, s.dupes, s.updated, s.rejected)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM items WHERE kind = 'complaint' AND source = 'helpdesk'`); n != 3 {
		t.Errorf("%d complaint items, want 3", n)
	}
	if n := count(t, db, `SELECT count(*) FROM complaints c JOIN items i ON i.id = c.item_id
		WHERE c.ticket_id = 'K2' AND c.result = 'partly' AND c.satisfaction = 3 AND c.closed_at = TIMESTAMPTZ '2026-11-05 02:00:00+00'
		  AND i.rating IS NULL AND i.author_key = 'c2' AND i.created_at = TIMESTAMPTZ '2026-11-02 02:00:00+00'`); n != 1 {
		t.Errorf("K2 not updated to its closed state")
	}
	// Rejects are stored once, with file and line.
	if n := count(t, db, `SELECT count(*) FROM rejects WHERE source = 'helpdesk' AND file = ? AND
		((line = 4 AND reason LIKE 'unparseable opened time%') OR (line = 5 AND reason LIKE 'closed % before opened %'))`, v1); n != 2 {
		t.Errorf("%d rejects at lines 4 and 5, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM runs WHERE job = ? AND status = 'partial'`, JobImportComplaints); n != 2 {
		t.Errorf("%d partial runs, want 2", n)
	}
}

func TestImportComplaintsMissingFile(t *testing.T) {
	db := openDB(t)
	_, err := ImportComplaints(context.Background(), db, "helpdesk", []string{"testdata/nope.csv"}, complaints.Options{})
	if err == nil || !strings.Contains(err.Error(), "nope.csv") {
		t.Errorf("error %v, want one naming the file", err)
	}
	if _, err := ImportComplaints(context.Background(), db, "", nil, complaints.Options{}); err == nil {
		t.Error("no source accepted")
	}
}

// BenchmarkImportComplaints reports tickets stored per second, parse and
// store together, for a 5,000-ticket export.
func BenchmarkImportComplaints(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("工单号,客户编号,投诉渠道,商品,投诉时间,首次响应时间,结案时间,投诉类型,投诉内容,处理结果,补偿,回访满意度,升级至\n")
	const n = 5000
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * 17 * time.Minute)
		fmt.Fprintf(&sb, "B%05d,c%04d,电话,耳机,%s,%s,%s,物流,物流太慢了，等了%d天，要求赔偿%d元,已解决,退款20元,满意,%s\n",
			i, i%1700, at.Format(time.DateTime), at.Add(2*time.Hour).Format(time.DateTime), at.Add(30*time.Hour).Format(time.DateTime),
			i%9+1, i%500, []string{"", "12315", "消协"}[i%3])
	}
	path := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := warehouse.Open(context.Background(), filepath.Join(b.TempDir(), fmt.Sprintf("bench-%d.duckdb", i)), warehouse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := ImportComplaints(context.Background(), db, "bench", []string{path}, complaints.Options{Location: time.UTC})
		if err != nil || sum.Loaded != n {
			b.Fatalf("%v %+v", err, sum)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
