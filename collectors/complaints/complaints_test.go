package complaints

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/voc-analytics/voc"
)

var (
	cst       = time.FixedZone("CST", 8*3600)
	collected = time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
)

func parseFixture(t *testing.T, name string, opt Options) *Result {
	t.Helper()
	opt.Location, opt.Now, opt.Source = cst, func() time.Time { return collected }, "helpdesk"
	res, err := ParseFile(context.Background(), filepath.Join("testdata", name), opt)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	if res.Rows != len(res.Tickets)+len(res.Rejects) {
		t.Errorf("%s: rows %d != %d tickets + %d rejects", name, res.Rows, len(res.Tickets), len(res.Rejects))
	}
	return res
}

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, cst).UTC()
}

func f(v float64) *float64 { return &v }

// want is what the test checks of one ticket.
type want struct {
	id, customer, channel, product string
	line                           int
	opened, first, closed          time.Time
	result                         string
	sat                            voc.Level
	escalated                      []string
	comp                           string
	compAmount, demanded, order    *float64
	punitive                       bool
	text                           string
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file     string
		encoding string
		tickets  []want
		rejects  map[int]string // line -> part of the reason
	}{
		{
			file: "tickets_zh_gbk.csv", encoding: "gbk",
			tickets: []want{
				{id: "T001", customer: "C01", channel: ChannelPhone, product: "降噪耳机", line: 2,
					opened: at(2026, 11, 2, 9, 0), first: at(2026, 11, 2, 10, 0), closed: at(2026, 11, 3, 9, 0),
					result: ResultResolved, sat: voc.VerySatisfied, text: "物流太慢了，等了一个星期"},
				{id: "T005", customer: "C05", channel: ChannelOnline, product: "保温杯", line: 6,
					opened: at(2026, 11, 3, 10, 0), first: at(2026, 11, 3, 11, 30), closed: at(2026, 11, 5, 10, 0),
					result: ResultPartly, sat: voc.Neutral, comp: "补发", text: "包装破损，\n盒子都压扁了"},
				{id: "T006", customer: "C06", channel: Channel12315, product: "降噪耳机", line: 8,
					opened: at(2026, 11, 4, 9, 0), first: at(2026, 11, 4, 9, 10), closed: at(2026, 11, 6, 9, 0),
					result: ResultWithdrawn, escalated: []string{Escalation12315, EscalationConsumerAssociation},
					comp: "退款200元", compAmount: f(200), demanded: f(5000), punitive: true, text: "怀疑是假货，要求退一赔三，赔偿5000元"},
				{id: "T009", customer: "C08", channel: ChannelPlatform, product: "运动鞋", line: 11,
					opened: at(2026, 11, 6, 14, 0), escalated: []string{EscalationMedia}, text: "尺码偏小"},
			},
			rejects: map[int]string{
				3:  "closed 2026-11-01 08:00:00 before opened 2026-11-02 12:00:00",
				4:  "unparseable opened time",
				5:  `unknown result "搞定了吧"`,
				9:  "row has 3 fields, header has 14",
				10: "first response 2026-11-05 08:00:00 before opened 2026-11-05 09:00:00",
			},
		},
		{
			file: "tickets_en_semicolon.csv",
			tickets: []want{
				{id: "EN-1", customer: "anna@example.com", channel: ChannelOnline, product: "WarmCup", line: 3,
					opened: at(2026, 11, 2, 9, 0), first: at(2026, 11, 2, 13, 0), closed: at(2026, 11, 4, 9, 0),
					result: ResultResolved, sat: voc.Satisfied, comp: "$10 voucher", compAmount: f(10), order: f(39.9),
					text: "Parcel arrived two weeks late"},
				{id: "EN-2", customer: "tom@example.com", channel: ChannelPhone, product: "Runner 3", line: 4,
					opened: at(2026, 11, 3, 10, 0), escalated: []string{EscalationLawyer, EscalationMedia},
					demanded: f(5000), order: f(89), text: "Sole came off after a week"},
				{id: "EN-3", customer: "priya@example.com", channel: ChannelPlatform, product: "Runner 3", line: 5,
					opened: at(2026, 11, 4, 8, 0), first: at(2026, 11, 4, 9, 0), closed: at(2026, 11, 5, 8, 0),
					result: ResultWithdrawn, sat: voc.VerySatisfied, escalated: []string{EscalationPlatform},
					comp: "Refund 89", compAmount: f(89), order: f(89), text: "Wrong size sent"},
			},
			rejects: map[int]string{6: `unknown satisfaction after handling "Maybe"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := parseFixture(t, tc.file, Options{})
			if tc.encoding != "" && res.Encoding != tc.encoding {
				t.Errorf("encoding %q, want %q", res.Encoding, tc.encoding)
			}
			if len(res.Tickets) != len(tc.tickets) {
				t.Fatalf("%d tickets, want %d: %+v", len(res.Tickets), len(tc.tickets), res.Rejects)
			}
			for i, w := range tc.tickets {
				got := res.Tickets[i]
				it := got.Item
				if it.ExternalID != w.id || it.AuthorKey != w.customer || got.Channel != w.channel || it.Channel != w.channel ||
					it.Product != w.product || got.Line != w.line || it.Kind != voc.KindComplaint || it.Rating != voc.LevelNone ||
					it.Source != "helpdesk" || it.Text != w.text {
					t.Errorf("ticket %d = %s %s %s %s line %d kind %s rating %d text %q; want %+v",
						i, it.ExternalID, it.AuthorKey, got.Channel, it.Product, got.Line, it.Kind, it.Rating, it.Text, w)
				}
				if !it.CreatedAt.Equal(w.opened) || !got.FirstResponseAt.Equal(w.first) || !got.ClosedAt.Equal(w.closed) {
					t.Errorf("%s times = %v %v %v, want %v %v %v", w.id, it.CreatedAt, got.FirstResponseAt, got.ClosedAt, w.opened, w.first, w.closed)
				}
				if got.Result != w.result || got.Satisfaction != w.sat || !reflect.DeepEqual(got.EscalatedTo, w.escalated) ||
					got.Compensation != w.comp || got.Punitive != w.punitive {
					t.Errorf("%s = result %q sat %v esc %v comp %q punitive %v; want %q %v %v %q %v",
						w.id, got.Result, got.Satisfaction, got.EscalatedTo, got.Compensation, got.Punitive, w.result, w.sat, w.escalated, w.comp, w.punitive)
				}
				for _, a := range []struct {
					name      string
					got, want *float64
				}{{"compensation", got.CompensationAmount, w.compAmount}, {"demanded", got.Demanded, w.demanded}, {"order", got.OrderValue, w.order}} {
					if (a.got == nil) != (a.want == nil) || (a.got != nil && *a.got != *a.want) {
						t.Errorf("%s %s = %v, want %v", w.id, a.name, deref(a.got), deref(a.want))
					}
				}
				if !strings.HasPrefix(it.RawRef, res.Payload.ID+"#L") {
					t.Errorf("%s raw ref %q", w.id, it.RawRef)
				}
			}
			if len(res.Rejects) != len(tc.rejects) {
				t.Errorf("%d rejects, want %d: %+v", len(res.Rejects), len(tc.rejects), res.Rejects)
			}
			for _, r := range res.Rejects {
				want, ok := tc.rejects[r.Line]
				if !ok || !strings.Contains(r.Reason, want) || r.File != filepath.Join("testdata", tc.file) || r.Source != "helpdesk" || r.Raw == "" {
					t.Errorf("reject %s: %q (raw %q), want %q", r.Location(), r.Reason, r.Raw, want)
				}
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// XLSX exports carry times as Excel serial numbers; the mapping names a
// header the matcher would not guess.
func TestParseXLSXWithMapping(t *testing.T) {
	x := excelize.NewFile()
	rows := [][]any{
		{"Case", "Client", "Logged", "Answered", "Done", "Text", "Outcome", "CSAT"},
		{"X1", "k1", 46328.375, 46328.5, 46329.375, "screen cracked", "resolved", 2},
		{"X2", "k2", 46329.0, nil, nil, "still waiting"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "cases.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	m := &Mapping{Ticket: "case", Customer: "Client", Opened: "Logged", FirstResponse: "Answered", Closed: "Done", Content: "Text", Result: "Outcome", Satisfaction: "CSAT"}
	res, err := ParseFile(context.Background(), path, Options{Location: cst, Mapping: m, Source: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tickets) != 2 || len(res.Rejects) != 0 {
		t.Fatalf("tickets %d rejects %+v", len(res.Tickets), res.Rejects)
	}
	// 46328.375 is 2026-11-02 09:00 on the wall clock.
	t1 := res.Tickets[0]
	if !t1.Item.CreatedAt.Equal(at(2026, 11, 2, 9, 0)) || !t1.ClosedAt.Equal(at(2026, 11, 3, 9, 0)) || t1.Satisfaction != 2 || t1.Result != ResultResolved {
		t.Errorf("X1 = %v %v %v %q", t1.Item.CreatedAt, t1.ClosedAt, t1.Satisfaction, t1.Result)
	}
	if t2 := res.Tickets[1]; t2.Line != 3 || !t2.ClosedAt.IsZero() || t2.Result != "" {
		t.Errorf("X2 = %+v", t2)
	}
	if res.Columns["ticket"] != "Case" || res.Columns["first_response"] != "Answered" {
		t.Errorf("columns %v", res.Columns)
	}
}

func TestParseWholeFileErrors(t *testing.T) {
	tests := []struct {
		name, body string
		mapping    *Mapping
		want       string
	}{
		{"empty", "", nil, "no header row"},
		{"no opened column", "工单号,投诉内容\nT1,慢\n", nil, "need an opening-time column"},
		{"no id nor content", "投诉时间,处理结果\n2026-11-02,已解决\n", nil, "need an opening-time column"},
		{"mapping names a missing header", "工单号,投诉时间,投诉内容\nT1,2026-11-02,慢\n", &Mapping{Result: "结果列"}, `mapping result: no header "结果列"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(context.Background(), strings.NewReader(tc.body), "bad.csv", Options{Mapping: tc.mapping})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.csv") {
				t.Errorf("error %v, want %q naming the file", err, tc.want)
			}
		})
	}
}

// Without a ticket id the content key identifies the ticket, and closing
// the ticket later does not change it.
func TestContentKeyStableAcrossClosing(t *testing.T) {
	open := "投诉时间,客户,投诉内容,结案时间,处理结果\n2026-11-02 09:00,c1,物流慢,,\n"
	closed := "投诉时间,客户,投诉内容,结案时间,处理结果\n2026-11-02 09:00,c1,物流慢,2026-11-03 09:00,已解决\n"
	var ids []string
	for _, body := range []string{open, closed} {
		res, err := Parse(context.Background(), strings.NewReader(body), "x.csv", Options{Location: cst})
		if err != nil || len(res.Tickets) != 1 {
			t.Fatalf("%v %+v", err, res)
		}
		ids = append(ids, res.Tickets[0].Item.ExternalID)
	}
	if ids[0] != ids[1] || !strings.HasPrefix(ids[0], "h:") {
		t.Errorf("ids %v", ids)
	}
}

func ip(v int) *int { return &v }

func reopenString(p *int) string {
	if p == nil {
		return "unknown"
	}
	return strconv.Itoa(*p)
}

// A reopen column in each language's wording: counts, yes/no words, empty
// cells as unknown, a status of 重新打开 / reopened as at least once, and an
// unreadable cell rejected with its line and column.
func TestParseReopenColumn(t *testing.T) {
	tests := []struct {
		file, column string
		reopened     map[string]*int // ticket id -> count; nil unknown
		rejects      map[int]string  // line -> part of the reason
	}{
		{
			file: "tickets_reopen_zh_hans.csv", column: "重开次数",
			// R6 says 0, but its status says it was reopened.
			reopened: map[string]*int{"R1": ip(0), "R2": ip(2), "R3": nil, "R4": ip(1), "R6": ip(1)},
			rejects:  map[int]string{6: `column "重开次数": unreadable reopen count "很多"`},
		},
		{
			file: "tickets_reopen_zh_hant.csv", column: "是否重開",
			reopened: map[string]*int{"H1": ip(1), "H2": ip(0), "H3": ip(1), "H4": ip(0), "H5": ip(1)},
			rejects:  map[int]string{7: `column "是否重開": unreadable reopen count "-1"`},
		},
		{
			file: "tickets_reopen_en.csv", column: "Times reopened",
			reopened: map[string]*int{"E1": ip(1), "E2": ip(0), "E3": ip(1), "E4": ip(3), "E6": ip(1), "E7": nil},
			rejects:  map[int]string{6: `column "Times reopened": unreadable reopen count "maybe"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := parseFixture(t, tc.file, Options{})
			if got := res.Columns["reopened"]; got != tc.column {
				t.Errorf("reopen column %q, want %q (columns %v)", got, tc.column, res.Columns)
			}
			got := map[string]*int{}
			for _, tk := range res.Tickets {
				got[tk.Item.ExternalID] = tk.Reopened
			}
			if len(got) != len(tc.reopened) {
				t.Errorf("%d tickets, want %d: rejects %+v", len(got), len(tc.reopened), res.Rejects)
			}
			for id, want := range tc.reopened {
				if g, ok := got[id]; !ok || reopenString(g) != reopenString(want) {
					t.Errorf("%s reopened %s, want %s", id, reopenString(g), reopenString(want))
				}
			}
			if len(res.Rejects) != len(tc.rejects) {
				t.Errorf("%d rejects, want %d: %+v", len(res.Rejects), len(tc.rejects), res.Rejects)
			}
			for _, r := range res.Rejects {
				want, ok := tc.rejects[r.Line]
				if !ok || !strings.Contains(r.Reason, want) || !strings.HasPrefix(r.Location(), filepath.Join("testdata", tc.file)+":") {
					t.Errorf("reject %s: %q, want line %v with %q", r.Location(), r.Reason, r.Line, want)
				}
			}
		})
	}
}

// Reopen headers are found in zh-Hans, zh-Hant and English, and a time
// column named after reopening is not taken for the count.
func TestReopenHeaders(t *testing.T) {
	tests := []struct {
		header  string
		mapping *Mapping
		want    string // the reopen column; "" for none
	}{
		{header: "重开次数", want: "重开次数"},
		{header: "重新打开次数", want: "重新打开次数"},
		{header: "重开", want: "重开"},
		{header: "是否重开", want: "是否重开"},
		{header: "是否重新打开", want: "是否重新打开"},
		{header: "重開次數", want: "重開次數"},
		{header: "是否重開", want: "是否重開"},
		{header: "重开次数（次）", want: "重开次数（次）"},
		{header: "Reopen count", want: "Reopen count"},
		{header: "reopens", want: "reopens"},
		{header: "Reopened", want: "Reopened"},
		{header: "Times Reopened", want: "Times Reopened"},
		{header: "REOPEN_COUNT", want: "REOPEN_COUNT"},
		{header: "重开时间", want: ""},
		{header: "Reopened at", want: ""},
		{header: "返工次数", want: ""},
		{header: "返工次数", mapping: &Mapping{Reopened: "返工次数"}, want: "返工次数"},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			body := "工单号,投诉时间,投诉内容," + tc.header + "\nT1,2026-11-02 09:00,慢,\n"
			res, err := Parse(context.Background(), strings.NewReader(body), "h.csv", Options{Location: cst, Mapping: tc.mapping})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Columns["reopened"]; got != tc.want {
				t.Errorf("reopen column %q, want %q (columns %v)", got, tc.want, res.Columns)
			}
			if res.Columns["opened"] != "投诉时间" {
				t.Errorf("opened column %q, want 投诉时间", res.Columns["opened"])
			}
		})
	}
}

// Without a reopen column the status says it: 重新打开 / reopened is
// reopened at least once and no result; any other status leaves it unknown.
func TestReopenedFromStatus(t *testing.T) {
	body := "工单号,投诉时间,投诉内容,状态\n" +
		"S1,2026-11-02 09:00,又坏了,重新打开\n" +
		"S2,2026-11-02 10:00,慢,已解决\n" +
		"S3,2026-11-02 11:00,broke,Reopened\n" +
		"S4,2026-11-02 12:00,壞了,已重開\n" +
		"S5,2026-11-02 13:00,慢,处理中\n"
	res, err := Parse(context.Background(), strings.NewReader(body), "s.csv", Options{Location: cst})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*int{"S1": ip(1), "S2": nil, "S3": ip(1), "S4": ip(1), "S5": nil}
	if len(res.Tickets) != len(want) || len(res.Rejects) != 0 {
		t.Fatalf("tickets %d rejects %+v", len(res.Tickets), res.Rejects)
	}
	for _, tk := range res.Tickets {
		id := tk.Item.ExternalID
		if reopenString(tk.Reopened) != reopenString(want[id]) {
			t.Errorf("%s reopened %s, want %s", id, reopenString(tk.Reopened), reopenString(want[id]))
		}
		if id != "S2" && tk.Result != "" {
			t.Errorf("%s result %q, want none", id, tk.Result)
		}
	}
}
