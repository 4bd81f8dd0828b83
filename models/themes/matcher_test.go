package themes

import (
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var defaultMatcher = NewMatcher(DefaultTaxonomy())

func TestTag(t *testing.T) {
	tests := []struct {
		text string
		want map[string]string // theme -> complaint / praise / mixed
	}{
		{"快递太慢了", map[string]string{"delivery_speed": Complaint}},
		{"物流很快", map[string]string{"delivery_speed": Praise}},
		{"物流不慢", map[string]string{"delivery_speed": Praise}},
		{"物流一点都不慢", map[string]string{"delivery_speed": Praise}},
		{"物流不是很快", map[string]string{"delivery_speed": Complaint}},
		{"没有破损", map[string]string{"delivery_damage": Praise}},
		{"包装破损", map[string]string{"delivery_damage": Complaint}},
		{"The box was not damaged", map[string]string{"delivery_damage": Praise}},
		{"质量不错", map[string]string{"quality": Praise}},
		{"质量不好", map[string]string{"quality": Complaint}},
		{"质量没有问题", map[string]string{"quality": Praise}},
		{"不是假货", map[string]string{"counterfeit": Praise}},
		{"假货", map[string]string{"counterfeit": Complaint}},
		{"少发了一件", map[string]string{"missing_items": Complaint}},
		{"東西還不錯，就是物流太慢了", map[string]string{"quality": Praise, "delivery_speed": Complaint}},
		{"电池鼓包了", map[string]string{"quality.battery": Complaint, "quality": Complaint}},
		{"发货不算慢，但是快递很慢", map[string]string{"delivery_speed": "mixed"}},
		{"还可以", map[string]string{}},
		{"", map[string]string{}},
		{"😂😂😂", map[string]string{}},
	}
	for _, tt := range tests {
		got := defaultMatcher.Tag(tt.text).ThemeSummary()
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tag(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestTagOffsets(t *testing.T) {
	text := "东西不错。但是物流太慢了！"
	tg := defaultMatcher.Tag(text)
	rs := []rune(text)
	found := false
	for _, h := range tg.Themes {
		if string(rs[h.Start:h.End]) != h.Clause {
			t.Errorf("hit %+v: runes [%d,%d) = %q", h, h.Start, h.End, string(rs[h.Start:h.End]))
		}
		if h.Theme == "delivery_speed" {
			found = true
			if h.Clause != "但是物流太慢了" || h.Sentiment >= 0 {
				t.Errorf("delivery hit %+v", h)
			}
		}
	}
	if !found {
		t.Fatalf("no delivery_speed hit in %+v", tg)
	}
}

func TestSubThemeRollUp(t *testing.T) {
	tg := defaultMatcher.Tag("用了两个月电池就鼓包了")
	var ids []string
	for _, h := range tg.Themes {
		ids = append(ids, h.Theme+"/"+h.Via)
	}
	sort.Strings(ids)
	if want := []string{"quality.battery/", "quality/quality.battery"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("hits %v, want %v", ids, want)
	}
}

func TestEscalation(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"再不退款我就去12315投诉", true},
		{"已经向黑猫投诉了", true},
		{"我要曝光你们", true},
		{"准备找律师", true},
		{"已經打給消基會申訴了", true},
		{"我要去315投诉", true},
		{"I will report you to the BBB", true},
		{"Filing a chargeback", true},
		{"I'm contacting my lawyer", true},
		{"going to sue you", true},
		{"电话13123156789", false},
		{"律师事务所的同事推荐的", false},
		{"我朋友是律师", false},
		{"看到315晚会报道的品牌", false},
		{"烟雾报警器很灵敏", false},
		{"再不处理就报警", true},
		{"洗衣机脱水时老是报警", false},
		{"书中集中曝光上百张照片", false},
		{"要给差评", false},
		{"my lawyer friend recommended it", false},
		{"suede shoes", false},
	}
	for _, tt := range tests {
		tg := defaultMatcher.Tag(tt.text)
		if tg.Escalation != tt.want {
			t.Errorf("Tag(%q).Escalation = %v (%v), want %v", tt.text, tg.Escalation, tg.EscalationTerms, tt.want)
		}
		if tg.Escalation && len(tg.EscalationTerms) == 0 {
			t.Errorf("Tag(%q): escalation without terms", tt.text)
		}
	}
}

type fixedScorer float64

func (f fixedScorer) ScoreClause(string) float64 { return float64(f) }

func TestWithScorer(t *testing.T) {
	// an aspect with no opinion word takes the scorer's polarity
	neg := NewMatcher(DefaultTaxonomy(), WithScorer(fixedScorer(-0.9)))
	pos := NewMatcher(DefaultTaxonomy(), WithScorer(fixedScorer(0.9)))
	off := NewMatcher(DefaultTaxonomy(), WithScorer(fixedScorer(-0.9)), WithAspectOnly(false, 0))
	const text = "客服说明天再看看"
	if got := neg.Tag(text).ThemeSummary()["service_attitude"]; got != Complaint {
		t.Errorf("negative scorer: %q", got)
	}
	if got := pos.Tag(text).ThemeSummary()["service_attitude"]; got != Praise {
		t.Errorf("positive scorer: %q", got)
	}
	if got := off.Tag(text).ThemeSummary(); len(got) != 0 {
		t.Errorf("aspect-only off: %v", got)
	}
	if h := neg.Tag("物流太慢").Themes; len(h) == 0 || h[0].Sentiment != -0.9 {
		t.Errorf("sentiment not from scorer: %+v", h)
	}
}

func TestTagConcurrent(t *testing.T) {
	items := loadEval(t)
	want := make([]Tagging, len(items))
	for i, it := range items {
		want[i] = defaultMatcher.Tag(it.Text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, it := range items {
				if got := defaultMatcher.Tag(it.Text); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("concurrent Tag(%q) differs", it.Text)
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzTag(f *testing.F) {
	for _, s := range []string{"物流太慢了，包装破损", "not damaged", "12315", "\xff不", "但是但是", "n't no not", "质量没有问题"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg := defaultMatcher.Tag(s)
		n := utf8.RuneCountInString(s)
		for _, h := range tg.Themes {
			if h.Start < 0 || h.End > n || h.Start >= h.End {
				t.Fatalf("Tag(%q): hit %+v out of [0,%d]", s, h, n)
			}
			if h.Polarity != Complaint && h.Polarity != Praise {
				t.Fatalf("Tag(%q): polarity %q", s, h.Polarity)
			}
			if h.Sentiment < -1 || h.Sentiment > 1 {
				t.Fatalf("Tag(%q): sentiment %v", s, h.Sentiment)
			}
			if !strings.Contains(s, h.Clause) {
				t.Fatalf("Tag(%q): clause %q not in text", s, h.Clause)
			}
		}
	})
}

func BenchmarkTag(b *testing.B) {
	items := loadEval(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		defaultMatcher.Tag(items[i%len(items)].Text)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkNewMatcher(b *testing.B) {
	tx := DefaultTaxonomy()
	for b.Loop() {
		NewMatcher(tx)
	}
}

func TestBareAspectsGoToTheHeadNoun(t *testing.T) {
	m := NewMatcher(DefaultTaxonomy())
	for _, tc := range []struct {
		text, want, notWant string
	}{
		{"快递包装破破烂烂", "delivery_damage", "delivery_speed"},
		{"快递盒子压扁了", "delivery_damage", "delivery_speed"},
	} {
		got := map[string]bool{}
		for _, h := range m.Tag(tc.text).Themes {
			got[h.Theme] = true
		}
		if tc.want != "" && !got[tc.want] {
			t.Errorf("%s: themes %v, want %s", tc.text, got, tc.want)
		}
		if tc.notWant != "" && got[tc.notWant] {
			t.Errorf("%s: themes %v, do not want %s", tc.text, got, tc.notWant)
		}
	}
}

// TestNotAbout holds the rule that customer-service attitude is the shop's
// people only: a courier's or installer's manner is no theme, in the clause
// that names them and in the clauses after it, until a clause names the
// shop's people again.
func TestNotAbout(t *testing.T) {
	tests := []struct {
		text string
		want map[string]string
	}{
		{"快递员态度很差", map[string]string{}},
		{"The delivery driver was rude", map[string]string{}},
		{"安装师傅很专业，服务很好", map[string]string{}},
		{"快递员态度很好，客服也很耐心", map[string]string{"service_attitude": Praise}},
		{"快递员和客服态度都很好", map[string]string{"service_attitude": Praise}},
		{"客服小哥很耐心", map[string]string{"service_attitude": Praise}},
		{"服务态度很好，下次还来", map[string]string{"service_attitude": Praise}},
		{"物流很快，服务也很好", map[string]string{"delivery_speed": Praise, "service_attitude": Praise}},
		{"快递小哥很热情，还帮我搬上楼", map[string]string{"delivery_speed": Praise}},
		{"Customer support never got back to me", map[string]string{"service_attitude": Complaint}},
	}
	for _, tt := range tests {
		if got := defaultMatcher.Tag(tt.text).ThemeSummary(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tag(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestNotAboutFromYAML: subjects and not_about work in a user's taxonomy,
// load, merge and survive a round trip.
func TestNotAboutFromYAML(t *testing.T) {
	const doc = `version: 1
themes:
  - id: staff
    subjects: [导购]
    aspects: [态度]
    not_about: [保安]
    complaint_terms: [差]
    praise_terms: [好]
`
	tx, err := LoadTaxonomy(strings.NewReader(doc), "user.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(tx)
	for text, want := range map[string]string{"导购态度很好": Praise, "保安态度很差": "", "保安很凶，态度很差": "", "保安很凶，导购态度也差": Complaint} {
		if got := m.Tag(text).ThemeSummary()["staff"]; got != want {
			t.Errorf("Tag(%q)[staff] = %q, want %q", text, got, want)
		}
	}
	merged, err := Merge(DefaultTaxonomy(), tx)
	if err != nil {
		t.Fatal(err)
	}
	th, _ := merged.Theme("staff")
	if len(th.Subjects) != 1 || len(th.NotAbout) != 1 {
		t.Errorf("merged theme %+v", th)
	}
	var buf strings.Builder
	if err := WriteYAML(&buf, merged); err != nil {
		t.Fatal(err)
	}
	back, err := LoadTaxonomy(strings.NewReader(buf.String()), "round trip")
	if err != nil {
		t.Fatal(err)
	}
	if th2, _ := back.Theme("service_attitude"); len(th2.NotAbout) == 0 || len(th2.Subjects) == 0 {
		t.Errorf("round trip lost subjects/not_about: %+v", th2)
	}
}

// TestLanguageRules holds the negation, shield and scorer rules added with
// eval2.jsonl.
func TestLanguageRules(t *testing.T) {
	tests := []struct {
		text string
		want map[string]string
	}{
		// the scorer no longer reads 快 inside 快递 as praise
		{"杯子碎了一个，快递太暴力了", map[string]string{"delivery_damage": Complaint}},
		// 不像 negates what follows
		{"不像假货，质量挺好", map[string]string{"counterfeit": Praise, "quality": Praise}},
		// "less than N" is no negation
		{"用了不到一周就坏了", map[string]string{"quality": Complaint}},
		// 价 inside 评价 is no price
		{"已经用了一段时间才来评价", map[string]string{}},
		// 弄坏的 blames the customer; it is no quality complaint
		{"客服态度恶劣，还说是我自己弄坏的", map[string]string{"service_attitude": Complaint}},
		// a praise phrase must not swallow the negator of a complaint phrase
		{"没有破损", map[string]string{"delivery_damage": Praise}},
		{"鸡蛋一个都没破，包装真厉害", map[string]string{"delivery_damage": Praise}},
		// refunds that have not arrived are after-sales, not delivery
		{"申请退款五天了还没到账", map[string]string{"after_sales_returns": Complaint}},
		{"退款到账了，但是客服态度真的很差", map[string]string{"after_sales_returns": Praise, "service_attitude": Complaint}},
		{"第二天就降价了，找客服也不给退差价", map[string]string{"price": Complaint, "after_sales_returns": Complaint}},
		{"Got my refund within 24 hours, hassle-free", map[string]string{"after_sales_returns": Praise}},
		{"买了三件只发了两件，客服说缺货", map[string]string{"missing_items": Complaint, "stock_out": Complaint}},
		{"现货秒发，不用等", map[string]string{"delivery_speed": Praise, "stock_out": Praise}},
		{"东西收到了", map[string]string{}},
		{"衣服很宽松，不合身", map[string]string{"size_fit": Complaint}},
	}
	for _, tt := range tests {
		if got := defaultMatcher.Tag(tt.text).ThemeSummary(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tag(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	for text, want := range map[string]bool{
		"不解决我就发微博曝光你们":        true,
		"再拖下去我就去平台投诉，再打12315": true,
		"打折的时候买的":             false,
	} {
		if got := defaultMatcher.Tag(text).Escalation; got != want {
			t.Errorf("Tag(%q).Escalation = %v, want %v", text, got, want)
		}
	}
}
