package survey

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/voc-analytics/voc"
)

var (
	cst       = time.FixedZone("CST", 8*3600)
	collected = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
)

func testOptions() Options {
	return Options{Source: "test-survey", Location: cst, Now: func() time.Time { return collected }}
}

func intp(n int) *int { return &n }

type rejectWant struct {
	line   int
	reason string // substring of Reason
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file      string
		opt       func(*Options)
		format    string
		encoding  string
		itemLines []int
		rejects   []rejectWant
		columns   map[string]string // must all be present with these headers
		noColumns []string          // roles that must stay unmapped
		// first is the full expected first item, RawRef and CollectedAt
		// excluded (checked for all items separately).
		first voc.Item
		// more checks on other items, by line
		check func(t *testing.T, byLine map[int]voc.Item)
	}{
		{
			file: "wjx_gbk.csv", format: FormatWJX, encoding: EncodingGBK,
			itemLines: []int{2, 3, 4, 5, 7, 8, 14, 15, 16, 17},
			rejects: []rejectWant{
				{9, `unknown satisfaction answer "超级棒"`},
				{11, `unparseable submitted time`},
				{12, `recommend answer "11" out of range 0-10`},
				{13, `row has 4 fields, header has 12`},
			},
			columns: map[string]string{
				"id": "序号", "submitted": "提交答卷时间", "channel": "来源",
				"satisfaction": "1、您对本次购物的总体满意度",
				"recommend":    "2、您向朋友推荐我们的可能性有多大？",
				"repurchase":   "3、您是否会再次购买？",
				"product":      "4、您购买的商品类别",
				"comment":      "6、您的意见和建议",
			},
			noColumns: []string{"author"},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "1", Product: "家电", Channel: "手机提交",
				CreatedAt: time.Date(2026, 11, 3, 6, 5, 9, 0, time.UTC), Rating: voc.VerySatisfied,
				Text: "物流很快，包装也很结实", Lang: "zh-Hans", Recommend: intp(10), Repurchase: voc.VerySatisfied,
				Extra: map[string]string{"5、您是通过什么途径知道我们的？": "朋友介绍"},
			},
			check: func(t *testing.T, by map[int]voc.Item) {
				wantRating := map[int]voc.Level{3: 4, 4: 5, 5: 3, 7: 2, 8: 1, 14: 5, 15: 2, 16: 5, 17: 2}
				for line, lv := range wantRating {
					if by[line].Rating != lv {
						t.Errorf("line %d rating %v, want %v", line, by[line].Rating, lv)
					}
				}
				if got := by[5].Text; got != "安装师傅迟到了\n一个小时" {
					t.Errorf("multi-line comment = %q", got)
				}
				if by[4].Lang != "en" || by[14].Lang != "" || by[14].Text != "" {
					t.Errorf("lang line 4 %q, line 14 %q text %q", by[4].Lang, by[14].Lang, by[14].Text)
				}
				if by[15].Recommend != nil || by[15].Repurchase != voc.LevelNone || by[15].Extra != nil {
					t.Errorf("line 15 blank answers read as %v %v %v", by[15].Recommend, by[15].Repurchase, by[15].Extra)
				}
				if r := by[16].Recommend; r == nil || *r != 10 || by[16].Repurchase != voc.VerySatisfied {
					t.Errorf("line 16 full-width recommend / Yes: %v %v", r, by[16].Repurchase)
				}
				if by[17].Text != `说明书写得"很含糊"` || by[17].Repurchase != voc.VeryDissatisfied {
					t.Errorf("line 17: %q %v", by[17].Text, by[17].Repurchase)
				}
			},
		},
		{
			file: "google_forms_bom.csv", format: FormatGoogleForms, encoding: EncodingUTF8,
			itemLines: []int{2, 3, 4, 6, 9},
			rejects: []rejectWant{
				{5, `unknown satisfaction answer "Meh"`},
				{8, `"11/31/2026 10:00:00"`},
			},
			columns: map[string]string{
				"submitted": "Timestamp", "author": "Email address",
				"satisfaction": "How satisfied are you with your order overall?",
				"recommend":    "How likely are you to recommend Lumen Lamps to a friend? (0-10)",
				"repurchase":   "Would you buy from us again?",
				"product":      "Which product did you buy?",
				"comment":      "Anything else you would like to tell us?",
			},
			noColumns: []string{"id", "channel"},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, Product: "Desk lamp", AuthorKey: "ana.li@example.com",
				CreatedAt: time.Date(2026, 11, 3, 6, 5, 9, 0, time.UTC), Rating: voc.VerySatisfied,
				Text: "Bright and easy to set up.", Lang: "en", Recommend: intp(10), Repurchase: voc.VerySatisfied,
			},
			check: func(t *testing.T, by map[int]voc.Item) {
				if by[6].Text != "Arrived cracked.\nSupport never replied." || by[6].Rating != voc.VeryDissatisfied || *by[6].Recommend != 0 {
					t.Errorf("line 6: %+v", by[6])
				}
				if by[9].Lang != "zh-Hans" || by[9].Repurchase != voc.VerySatisfied {
					t.Errorf("line 9 lang %q repurchase %v", by[9].Lang, by[9].Repurchase)
				}
				if by[4].AuthorKey != "" || by[4].Rating != voc.Neutral {
					t.Errorf("line 4: %+v", by[4])
				}
			},
		},
		{
			file: "surveymonkey_utf16le.txt", format: FormatSurveyMonkey, encoding: EncodingUTF16LE,
			opt:       func(o *Options) { o.Channel = "support-csat" },
			itemLines: []int{3, 4, 6},
			rejects: []rejectWant{
				{5, "row has no answers"},
				{7, `unknown recommend answer "ten"`},
			},
			columns: map[string]string{
				"id": "Respondent ID", "submitted": "End Date", "author": "Email Address",
				"satisfaction": "Overall, how satisfied are you with our support team?",
				"recommend":    "How likely is it that you would recommend us to a friend or colleague?",
				"comment":      "What could we do better?",
			},
			noColumns: []string{"channel", "product", "repurchase"},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "114000000001", Channel: "support-csat",
				AuthorKey: "chen.w@example.com", CreatedAt: time.Date(2026, 11, 3, 6, 5, 9, 0, time.UTC),
				Rating: voc.VerySatisfied, Text: "Quick answer on the phone, thanks.", Lang: "en", Recommend: intp(10),
				Extra: map[string]string{"Which channels did you use to contact us? - Phone": "Phone"},
			},
			check: func(t *testing.T, by map[int]voc.Item) {
				want := map[string]string{
					"Which channels did you use to contact us? - Phone": "Phone",
					"Which channels did you use to contact us? - Email": "Email",
				}
				if !reflect.DeepEqual(by[6].Extra, want) {
					t.Errorf("line 6 extra %v", by[6].Extra)
				}
				if by[6].Text != "没人接电话，邮件回复也很慢" || by[6].Lang != "zh-Hans" || by[6].Rating != voc.SomewhatDissatisfied {
					t.Errorf("line 6: %+v", by[6])
				}
			},
		},
		{
			// No Location: the export's own time zone (America/Denver) applies.
			file: "qualtrics.csv", format: FormatQualtrics, encoding: EncodingUTF8,
			opt:       func(o *Options) { o.Location = nil },
			itemLines: []int{4, 5, 6, 7},
			rejects:   []rejectWant{{8, `"2026-11-31 10:05:00"`}},
			columns: map[string]string{
				"id": "Response ID", "submitted": "Recorded Date", "author": "Recipient Email",
				"channel":      "Distribution Channel",
				"satisfaction": "Overall, how satisfied are you with your order?",
				"recommend":    "How likely are you to recommend Northwind Tea to a friend or colleague?",
				"repurchase":   "How likely are you to buy again from us?",
				"comment":      "Please tell us why you gave this score.",
			},
			noColumns: []string{"product"},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "R_1a2B3c4D5e6F7g8", Channel: "email",
				AuthorKey: "mia@example.com", CreatedAt: time.Date(2026, 11, 3, 21, 5, 9, 0, time.UTC),
				Rating: voc.VerySatisfied, Text: "The tea arrived fresh and well sealed.", Lang: "en",
				Recommend: intp(9), Repurchase: voc.VerySatisfied,
				Extra: map[string]string{"Which tea did you order?": "Oolong sampler"},
			},
			check: func(t *testing.T, by map[int]voc.Item) {
				if by[5].Repurchase != voc.SomewhatDissatisfied || by[6].Repurchase != voc.Neutral {
					t.Errorf("repurchase %v %v", by[5].Repurchase, by[6].Repurchase)
				}
				if it := by[7]; it.Rating != voc.Satisfied || it.Recommend != nil || it.Extra != nil {
					t.Errorf("partial response: %+v", it)
				}
			},
		},
		{
			file: "survey.xlsx", format: FormatGeneric, encoding: "",
			itemLines: []int{2, 3, 5, 8},
			rejects: []rejectWant{
				{6, `"yesterday"`},
				{7, `satisfaction answer "7" out of range 1-5`},
			},
			columns: map[string]string{
				"id": "编号", "submitted": "提交时间", "satisfaction": "满意度", "recommend": "推荐意愿(0-10)",
				"repurchase": "是否回购", "product": "产品", "channel": "渠道", "author": "手机号", "comment": "留言",
			},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "A001", Product: "保温杯", Channel: "天猫",
				AuthorKey: "13800000001", CreatedAt: time.Date(2026, 11, 3, 6, 5, 9, 0, time.UTC),
				Rating: voc.VerySatisfied, Text: "保温效果很好", Lang: "zh-Hans", Recommend: intp(9), Repurchase: voc.VerySatisfied,
			},
			check: func(t *testing.T, by map[int]voc.Item) {
				if got := by[3].CreatedAt; !got.Equal(time.Date(2026, 11, 4, 1, 30, 0, 0, time.UTC)) {
					t.Errorf("text date cell: %v", got)
				}
				if got := by[8].CreatedAt; !got.Equal(time.Date(2026, 11, 5, 1, 30, 30, 0, time.UTC)) {
					t.Errorf("serial date cell: %v", got)
				}
				if by[8].Rating != voc.Satisfied || by[8].Repurchase != voc.Satisfied {
					t.Errorf("row 8: %+v", by[8])
				}
			},
		},
		{
			file: "generic_mapped.csv", format: FormatMapped, encoding: EncodingUTF8,
			opt: func(o *Options) {
				o.Mapping = &Mapping{ID: "resp_no", Submitted: "WHEN", Satisfaction: "Score_Overall",
					Recommend: "nps_score", Comment: "remarks", Product: "sku", Channel: "shop",
					DateFormat: "02.01.2006 15:04"}
			},
			itemLines: []int{2, 3, 5},
			rejects:   []rejectWant{{4, `does not match layout "02.01.2006 15:04"`}},
			columns: map[string]string{
				"id": "resp_no", "submitted": "when", "satisfaction": "score_overall", "recommend": "nps_score",
				"comment": "remarks", "product": "sku", "channel": "shop",
			},
			noColumns: []string{"author", "repurchase"},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "R-1001", Product: "BK-200", Channel: "Berlin store",
				CreatedAt: time.Date(2026, 11, 3, 6, 5, 0, 0, time.UTC), Rating: voc.Satisfied,
				Text: "Delivery was on time", Lang: "en", Recommend: intp(9),
				Extra: map[string]string{"region": "DE"},
			},
		},
		{
			file: "generic_auto.csv", format: FormatGeneric, encoding: EncodingUTF8,
			opt:       func(o *Options) { o.Product = "unused default"; o.Channel = "unused default" },
			itemLines: []int{2, 3},
			columns: map[string]string{
				"id": "ID", "submitted": "Date submitted", "satisfaction": "Customer satisfaction (CSAT)",
				"comment": "Comment", "product": "Product", "channel": "Channel",
			},
			noColumns: []string{"author", "recommend"},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "7", Product: "Travel mug", Channel: "Web",
				CreatedAt: time.Date(2026, 11, 2, 16, 0, 0, 0, time.UTC), Rating: voc.Satisfied,
				Text: "Good, but the lid leaks", Lang: "en",
			},
		},
		{
			file: "big5.csv", format: FormatGeneric, encoding: EncodingBig5,
			itemLines: []int{2, 3, 4, 5, 6, 7},
			rejects:   []rejectWant{{8, `unknown satisfaction answer "超讚"`}},
			columns: map[string]string{
				"id": "編號", "submitted": "提交時間", "satisfaction": "整體滿意度", "recommend": "推薦意願",
				"repurchase": "是否會再次購買", "channel": "門市", "comment": "意見",
			},
			first: voc.Item{
				Source: "test-survey", Kind: voc.KindSurvey, ExternalID: "T01", Channel: "台北信義店",
				CreatedAt: time.Date(2026, 11, 3, 6, 5, 0, 0, time.UTC), Rating: voc.VerySatisfied,
				Text: "店員很親切，結帳很快", Lang: "zh-Hant", Recommend: intp(10), Repurchase: voc.VerySatisfied,
			},
			check: func(t *testing.T, by map[int]voc.Item) {
				want := map[int][2]voc.Level{3: {4, 4}, 4: {3, 3}, 5: {2, 2}, 6: {1, 1}, 7: {3, 5}}
				for line, w := range want {
					if by[line].Rating != w[0] || by[line].Repurchase != w[1] {
						t.Errorf("line %d rating %v repurchase %v, want %v", line, by[line].Rating, by[line].Repurchase, w)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			opt := testOptions()
			if tt.opt != nil {
				tt.opt(&opt)
			}
			path := filepath.Join("testdata", tt.file)
			res, err := ParseFile(context.Background(), path, opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != tt.format || res.Encoding != tt.encoding {
				t.Errorf("format %q encoding %q, want %q %q", res.Format, res.Encoding, tt.format, tt.encoding)
			}
			body, _ := os.ReadFile(path)
			p := res.Payload
			if p.ID != voc.PayloadID(body) || !bytes.Equal(p.Body, body) || p.URI != path || p.Source != "test-survey" || !p.FetchedAt.Equal(collected) {
				t.Errorf("payload %q %q %q %v", p.ID, p.URI, p.Source, p.FetchedAt)
			}
			wantCT := ContentTypeCSV
			if strings.HasSuffix(tt.file, ".xlsx") {
				wantCT = ContentTypeXLSX
			}
			if p.ContentType != wantCT {
				t.Errorf("content type %q", p.ContentType)
			}
			if res.Rows != len(tt.itemLines)+len(tt.rejects) || res.Rows != len(res.Items)+len(res.Rejects) {
				t.Errorf("rows %d, items %d, rejects %d; want %d items %d rejects",
					res.Rows, len(res.Items), len(res.Rejects), len(tt.itemLines), len(tt.rejects))
			}
			for role, header := range tt.columns {
				if res.Columns[role] != header {
					t.Errorf("column %s = %q, want %q", role, res.Columns[role], header)
				}
			}
			for _, role := range tt.noColumns {
				if h, ok := res.Columns[role]; ok {
					t.Errorf("column %s mapped to %q, want none", role, h)
				}
			}
			byLine := map[int]voc.Item{}
			var lines []int
			for _, it := range res.Items {
				id, loc, ok := strings.Cut(it.RawRef, "#L")
				if !ok || id != p.ID {
					t.Fatalf("RawRef %q does not point into payload %s", it.RawRef, p.ID)
				}
				var line int
				for _, c := range loc {
					line = line*10 + int(c-'0')
				}
				lines = append(lines, line)
				byLine[line] = it
				if !it.CollectedAt.Equal(collected) || it.CreatedAt.Location() != time.UTC {
					t.Errorf("line %d: collected %v created %v", line, it.CollectedAt, it.CreatedAt)
				}
			}
			if !reflect.DeepEqual(lines, tt.itemLines) {
				t.Errorf("item lines %v, want %v", lines, tt.itemLines)
			}
			for i, rw := range tt.rejects {
				if i >= len(res.Rejects) {
					t.Errorf("missing reject at line %d", rw.line)
					continue
				}
				r := res.Rejects[i]
				if r.Line != rw.line || !strings.Contains(r.Reason, rw.reason) || r.File != path || r.Source != "test-survey" || r.Raw == "" {
					t.Errorf("reject %d = %+v, want line %d reason containing %q", i, r, rw.line, rw.reason)
				}
			}
			if len(res.Items) > 0 {
				got := res.Items[0]
				got.RawRef, got.CollectedAt = "", time.Time{}
				if !reflect.DeepEqual(got, tt.first) {
					t.Errorf("first item\n got %+v\nwant %+v", got, tt.first)
				}
			}
			if tt.check != nil {
				tt.check(t, byLine)
			}
		})
	}
}

// TestParseShapes covers detection paths too small for a fixture file of
// their own: BOM-less UTF-16, Excel's "sep=" line, a two-row Qualtrics
// export, and precedence between look-alike questions.
func TestParseShapes(t *testing.T) {
	utf16NoBOM := func(s string) []byte {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		body     []byte
		opt      Options
		encoding string
		format   string
		columns  map[string]string
		lines    []int // item lines
		rejects  []int
	}{
		{
			name: "utf-16le without BOM, tab", body: utf16NoBOM("满意度\t意见\r\n满意\t不错\r\n一般\t\r\n"),
			encoding: EncodingUTF16LE, format: FormatGeneric,
			columns: map[string]string{"satisfaction": "满意度", "comment": "意见"}, lines: []int{2, 3},
		},
		{
			// valid UTF-8, but the configured encoding is used regardless
			name: "explicit encoding wins", body: []byte("satisfaction,comment\n5,好\n"), opt: Options{Encoding: "GB18030"},
			encoding: EncodingGB18030, format: FormatGeneric,
			columns: map[string]string{"satisfaction": "satisfaction"}, lines: []int{2},
		},
		{
			name: "sep line", body: []byte("sep=;\nSatisfaction;Comment, if any\n5;ok, fine\n"),
			encoding: EncodingUTF8, format: FormatGeneric,
			columns: map[string]string{"satisfaction": "Satisfaction", "comment": "Comment, if any"}, lines: []int{3},
		},
		{
			name:     "qualtrics legacy two header rows",
			body:     []byte("StartDate,EndDate,Status,ResponseId,Q1\nStart Date,End Date,Response Type,Response ID,How satisfied were you?\n2026-11-03 10:00:00,2026-11-03 10:05:00,0,R_1,Very satisfied\n"),
			encoding: EncodingUTF8, format: FormatQualtrics,
			columns: map[string]string{"id": "Response ID", "submitted": "End Date", "satisfaction": "How satisfied were you?"},
			lines:   []int{3},
		},
		{
			name:     "recommend-like satisfaction and reasons",
			body:     []byte("您对推荐商品的满意度,您向朋友推荐的可能性,推荐理由,您再次购买的可能性\n满意,9,好用,可能会\n"),
			encoding: EncodingUTF8, format: FormatGeneric,
			columns: map[string]string{"satisfaction": "您对推荐商品的满意度", "recommend": "您向朋友推荐的可能性",
				"comment": "推荐理由", "repurchase": "您再次购买的可能性"},
			lines: []int{2},
		},
		{
			name: "a channel question beats wjx's 来源", body: []byte("来源,1、您对本次购物的总体满意度,2、购买渠道\n微信,满意,天猫旗舰店\n"),
			encoding: EncodingUTF8, format: FormatGeneric,
			columns: map[string]string{"channel": "2、购买渠道"}, lines: []int{2},
		},
		{
			name:     "trailing empty fields and blank rows",
			body:     []byte("\n满意度,意见\n满意,好,,\n , \n\n,\n非常满意,\"\"\n"),
			encoding: EncodingUTF8, format: FormatGeneric,
			columns: map[string]string{"satisfaction": "满意度"}, lines: []int{3, 7},
		},
		{
			name: "malformed quote is a reject", body: []byte("comment,satisfaction\n\"ok\"x,5\nfine,4\n"),
			encoding: EncodingUTF8, format: FormatGeneric,
			columns: map[string]string{"comment": "comment"}, lines: []int{3}, rejects: []int{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			opt.Location, opt.Now = cst, func() time.Time { return collected }
			res, err := Parse(context.Background(), bytes.NewReader(tt.body), "in.csv", opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Encoding != tt.encoding || res.Format != tt.format {
				t.Errorf("encoding %q format %q", res.Encoding, res.Format)
			}
			for role, h := range tt.columns {
				if res.Columns[role] != h {
					t.Errorf("column %s = %q, want %q (all: %v)", role, res.Columns[role], h, res.Columns)
				}
			}
			var lines, rejects []int
			for _, it := range res.Items {
				_, l, _ := strings.Cut(it.RawRef, "#L")
				var n int
				for _, c := range l {
					n = n*10 + int(c-'0')
				}
				lines = append(lines, n)
			}
			for _, r := range res.Rejects {
				rejects = append(rejects, r.Line)
			}
			if !reflect.DeepEqual(lines, tt.lines) || !reflect.DeepEqual(rejects, tt.rejects) {
				t.Errorf("item lines %v rejects %v (%v), want %v %v", lines, rejects, res.Rejects, tt.lines, tt.rejects)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		body string
		opt  Options
		want []string // substrings of the error
	}{
		{"empty", context.Background(), "", Options{}, []string{"bad.csv", "no header row"}},
		{"only blank lines", context.Background(), "\n\n , \n", Options{}, []string{"bad.csv", "no header row"}},
		{"no answer columns", context.Background(), "name,city\nA,B\n", Options{}, []string{"bad.csv line 1", "no satisfaction or comment column", `"city"`}},
		{"mapping header missing", context.Background(), "a,b\n1,2\n", Options{Mapping: &Mapping{Satisfaction: "score"}}, []string{"bad.csv", "mapping satisfaction", `"score"`}},
		{"mapping twice", context.Background(), "a,b\n1,2\n", Options{Mapping: &Mapping{Satisfaction: "a", Comment: "A"}}, []string{"both satisfaction and comment"}},
		{"unknown encoding", context.Background(), "a\n", Options{Encoding: "latin-9"}, []string{"bad.csv", `unknown encoding "latin-9"`}},
		{"bad header quote", context.Background(), "\"满意度,意见\n", Options{}, []string{"bad.csv line 1", "header"}},
		{"broken xlsx", context.Background(), "PK\x03\x04not really a zip", Options{}, []string{"bad.csv", "xlsx"}},
		{"cancelled", cancelled, "满意度\n满意\n", Options{}, []string{"bad.csv", "context canceled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(tt.ctx, strings.NewReader(tt.body), "bad.csv", tt.opt)
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := ParseFile(context.Background(), filepath.Join(t.TempDir(), "missing.csv"), Options{}); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}
