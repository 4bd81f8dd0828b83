package complaints

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

var validResults = map[string]bool{"": true, ResultResolved: true, ResultPartly: true, ResultUnresolved: true, ResultWithdrawn: true}
var validEscalations = map[string]bool{EscalationConsumerAssociation: true, Escalation12315: true, EscalationMedia: true,
	EscalationLawyer: true, EscalationPlatform: true, EscalationOther: true}

// checkResult holds every promise Parse makes about what it returns.
func checkResult(t *testing.T, body []byte, res *Result) {
	t.Helper()
	if res.Rows != len(res.Tickets)+len(res.Rejects) {
		t.Fatalf("rows %d != %d tickets + %d rejects", res.Rows, len(res.Tickets), len(res.Rejects))
	}
	maxLine := bytes.Count(body, []byte("\n")) + 1
	seen := map[int]bool{}
	for _, tk := range res.Tickets {
		it := tk.Item
		if it.Kind != voc.KindComplaint || it.ExternalID == "" || it.CreatedAt.IsZero() || it.Rating != voc.LevelNone {
			t.Fatalf("line %d: bad item %+v", tk.Line, it)
		}
		if (!tk.ClosedAt.IsZero() && tk.ClosedAt.Before(it.CreatedAt)) || (!tk.FirstResponseAt.IsZero() && tk.FirstResponseAt.Before(it.CreatedAt)) {
			t.Fatalf("line %d: times out of order: %v %v %v", tk.Line, it.CreatedAt, tk.FirstResponseAt, tk.ClosedAt)
		}
		if !validResults[tk.Result] || (tk.Satisfaction != voc.LevelNone && !tk.Satisfaction.Valid()) {
			t.Fatalf("line %d: result %q satisfaction %d", tk.Line, tk.Result, tk.Satisfaction)
		}
		for _, e := range tk.EscalatedTo {
			if !validEscalations[e] {
				t.Fatalf("line %d: escalation %q", tk.Line, e)
			}
		}
		for _, v := range []*float64{tk.CompensationAmount, tk.Demanded, tk.OrderValue} {
			if v != nil && (*v < 0 || *v != *v) {
				t.Fatalf("line %d: amount %v", tk.Line, *v)
			}
		}
		if tk.Reopened != nil && (*tk.Reopened < 0 || *tk.Reopened > maxReopens) {
			t.Fatalf("line %d: reopened %d times", tk.Line, *tk.Reopened)
		}
		seen[tk.Line] = true
	}
	for _, r := range res.Rejects {
		if r.Reason == "" || r.File != "fuzz.csv" {
			t.Fatalf("reject %+v", r)
		}
		seen[r.Line] = true
	}
	for line := range seen {
		if line < 1 || (!bytes.HasPrefix(body, []byte("PK\x03\x04")) && line > maxLine) {
			t.Fatalf("line %d outside 1..%d", line, maxLine)
		}
	}
	if len(seen) != res.Rows {
		t.Fatalf("%d rows at %d distinct lines", res.Rows, len(seen))
	}
}

// FuzzParse feeds arbitrary bytes (seeded with the fixtures) to Parse: it
// must not panic, and must account for every row once, at distinct lines.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("工单号,投诉时间,投诉内容\nT1,2026-11-02,\"x\"y\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := Parse(context.Background(), bytes.NewReader(body), "fuzz.csv",
			Options{Location: time.UTC, Now: func() time.Time { return collected }})
		if err != nil {
			return
		}
		checkResult(t, body, res)
	})
}

// FuzzTicketRow fuzzes one data row under a fixed header with every role,
// so each cell reader (times, results, labels, amounts, demand phrases,
// reopen counts) sees arbitrary text.
func FuzzTicketRow(f *testing.F) {
	f.Add("T1", "c1", "电话", "耳机", "2026/11/02 09:00", "2026/11/02 10:00", "2026/11/03 09:00", "物流慢，要求退一赔三，赔偿5000元", "已解决", "退款200元", "非常满意", "12315、消协", "199", "5000", "2")
	f.Add("", "", "", "", "46328.375", "", "", "x", "撤诉", "", "", "是", "", "", "是")
	f.Add("T2", "c2", "Amazon", "", "11/04/2026 08:00 AM", "x", "2026-13-01", "", "??", "1.2万", "Maybe", "lawyer and media", "abc", "¥1,299.50", "-1")
	f.Add("T3", "c3", "", "", "2026-11-02", "", "", "又坏了", "重新打开", "", "", "", "", "", "2.0次")
	header := []string{"工单号", "客户编号", "投诉渠道", "商品", "投诉时间", "首次响应时间", "结案时间", "投诉内容", "处理结果", "补偿", "回访满意度", "升级至", "订单金额", "索赔金额", "重开次数"}
	f.Fuzz(func(t *testing.T, id, customer, channel, product, opened, first, closed, content, result, comp, sat, esc, order, demand, reopened string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write(header)
		_ = w.Write([]string{id, customer, channel, product, opened, first, closed, content, result, comp, sat, esc, order, demand, reopened})
		w.Flush()
		body := buf.Bytes()
		res, err := Parse(context.Background(), bytes.NewReader(body), "fuzz.csv",
			Options{Location: time.UTC, Now: func() time.Time { return collected }})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkResult(t, body, res)
	})
}
