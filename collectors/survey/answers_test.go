package survey

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/voc-analytics/voc"
)

func TestParseLikert(t *testing.T) {
	tests := []struct {
		in   string
		want voc.Level
	}{
		// numbers and decorated numbers
		{"1", 1}, {"2", 2}, {"3", 3}, {"4", 4}, {"5", 5}, {" 4 ", 4}, {"4.0", 4},
		{"5分", 5}, {"3 分", 3}, {"5星", 5}, {"2 stars", 2}, {"５", 5}, {"４分", 4},
		{"5 - Very satisfied", 5}, {"1 - Very dissatisfied", 1}, {"4: Satisfied", 4},
		{"非常满意(5)", 5}, {"满意（4）", 4}, {"(3)", 3}, {"★★★★★", 5}, {"★★☆☆☆", 2},
		{"5 - Superb", 5},         // unknown label, the number decides
		{"1 - Very satisfied", 5}, // reversed scale: a known label wins over its code
		// Chinese, level 5
		{"非常满意", 5}, {"非常滿意", 5}, {"很满意", 5}, {"高度满意", 5}, {"十分满意", 5},
		// level 4
		{"满意", 4}, {"滿意", 4}, {"比较满意", 4}, {"一般满意", 4},
		// level 3
		{"一般", 3}, {"无意见", 3}, {"無意見", 3}, {"中立", 3}, {"普通", 3}, {"还行", 3}, {"還行", 3},
		// level 2
		{"不太满意", 2}, {"不太滿意", 2}, {"有些不满意", 2}, {"有點不滿意", 2}, {"比较不满意", 2},
		{"不满意", 2}, {"不滿意", 2},
		// level 1
		{"非常不满意", 1}, {"非常不滿意", 1}, {"很不满意", 1}, {"极不满意", 1}, {"極不滿意", 1}, {"十分不满意", 1},
		// English, any case and spacing
		{"Very satisfied", 5}, {"Extremely satisfied", 5}, {"Completely satisfied", 5}, {"VERY  SATISFIED", 5},
		{"Satisfied", 4}, {"Somewhat satisfied", 4}, {"Mostly satisfied", 4},
		{"Neutral", 3}, {"Neither satisfied nor dissatisfied", 3}, {"Neither", 3}, {"OK", 3}, {"ok", 3},
		{"Somewhat dissatisfied", 2}, {"Dissatisfied", 2}, {"Not very satisfied", 2},
		{"Very dissatisfied", 1}, {"Extremely dissatisfied", 1}, {"Not at all satisfied", 1},
		// full-width letters
		{"ＶＥＲＹ ｓａｔｉｓｆｉｅｄ", 5},
		// no answer
		{"", voc.LevelNone}, {"   ", voc.LevelNone}, {"\u3000", voc.LevelNone},
	}
	for _, tt := range tests {
		got, err := ParseLikert(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLikert(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"超级棒", `unknown satisfaction answer "超级棒"`},
		{"Meh", `unknown satisfaction answer "Meh"`},
		{"0", "out of range 1-5"},
		{"6", "out of range 1-5"},
		{"10分", "out of range 1-5"},
		{"4.5", "not a whole number"},
		{"12345", "out of range"},
		{"☆☆☆", "out of range"},
		{"-3", "unknown satisfaction answer"},
		{"!", "unknown satisfaction answer"},
	}
	for _, tt := range bad {
		got, err := ParseLikert(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) || got != voc.LevelNone {
			t.Errorf("ParseLikert(%q) = %v, %v; want error with %q", tt.in, got, err, tt.msg)
		}
	}
}

func TestParseRecommend(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"0", 0}, {"7", 7}, {"10", 10}, {" 9 ", 9}, {"10分", 10}, {"１０", 10}, {"8.0", 8},
		{"10 - Extremely likely", 10}, {"0 - Not at all likely", 0}, {"0 (不可能)", 0}, {"0（不可能）", 0},
		{"Extremely likely", 10}, {"not at all likely", 0}, {"极有可能", 10}, {"不可能", 0}, {"可能性(6)", 6},
	}
	for _, tt := range tests {
		got, err := ParseRecommend(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRecommend(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"11", `recommend answer "11" out of range 0-10`},
		{"100", "out of range"},
		{"ten", `unknown recommend answer "ten"`},
		{"7.5", "not a whole number"},
		{"-1", "unknown recommend answer"},
		{"...", "unknown recommend answer"},
	}
	for _, tt := range bad {
		if got, err := ParseRecommend(tt.in); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseRecommend(%q) = %d, %v; want error with %q", tt.in, got, err, tt.msg)
		}
	}
	if _, err := ParseRecommend("  "); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("ParseRecommend(blank) error %v, want ErrNoAnswer", err)
	}
}

func TestParseRepurchase(t *testing.T) {
	tests := []struct {
		in   string
		want voc.Level
	}{
		{"一定会", 5}, {"肯定会", 5}, {"一定會", 5}, {"会", 5}, {"會", 5},
		{"可能会", 4}, {"可能會", 4},
		{"不确定", 3}, {"不確定", 3},
		{"可能不会", 2}, {"可能不會", 2},
		{"不会", 1}, {"肯定不会", 1}, {"一定不会", 1}, {"肯定不會", 1},
		{"Definitely will", 5}, {"Probably will", 4}, {"Might or might not", 3}, {"Probably not", 2},
		{"Definitely not", 1}, {"definitely  NOT", 1},
		{"Yes", 5}, {"Maybe", 3}, {"No", 1}, {"yes", 5},
		{"Extremely likely", 5}, {"Unlikely", 2}, {"Neither likely nor unlikely", 3},
		{"4", 4}, {"2 - Probably not", 2},
		{"", voc.LevelNone},
	}
	for _, tt := range tests {
		got, err := ParseRepurchase(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRepurchase(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"sometimes", "6", "0", "。"} {
		if got, err := ParseRepurchase(in); err == nil {
			t.Errorf("ParseRepurchase(%q) = %v, want error", in, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, cst) }
	tests := []struct {
		in     string
		layout string
		want   time.Time
	}{
		{"2026/11/3 14:05:09", "", at(2026, 11, 3, 14, 5, 9)},
		{"2026/11/03 14:05", "", at(2026, 11, 3, 14, 5, 0)},
		{"2026-11-03 14:05", "", at(2026, 11, 3, 14, 5, 0)},
		{"2026-11-03 14:05:09", "", at(2026, 11, 3, 14, 5, 9)},
		{"2026-11-03 14:05:09.250", "", time.Date(2026, 11, 3, 14, 5, 9, 250e6, cst)},
		{"2026-11-03T14:05:09", "", at(2026, 11, 3, 14, 5, 9)},
		{"2026-11-03T14:05:09Z", "", time.Date(2026, 11, 3, 14, 5, 9, 0, time.UTC)},
		{"2026-11-03t14:05:09z", "", time.Date(2026, 11, 3, 14, 5, 9, 0, time.UTC)},
		{"2026-11-03T14:05:09+09:00", "", time.Date(2026, 11, 3, 5, 5, 9, 0, time.UTC)},
		{"2026-11-03T14:05:09.5-05:00", "", time.Date(2026, 11, 3, 19, 5, 9, 5e8, time.UTC)},
		{"2026-11-03 14:05:09 +0100", "", time.Date(2026, 11, 3, 13, 5, 9, 0, time.UTC)},
		{"2026年11月3日 14:05", "", at(2026, 11, 3, 14, 5, 0)},
		{"2026年11月3日", "", at(2026, 11, 3, 0, 0, 0)},
		{"2026年11月3日 下午2:05", "", at(2026, 11, 3, 14, 5, 0)},
		{"2026年11月3日14时05分09秒", "", at(2026, 11, 3, 14, 5, 9)},
		{"11/3/2026 14:05:09", "", at(2026, 11, 3, 14, 5, 9)},
		{"11/03/2026 02:05:09 PM", "", at(2026, 11, 3, 14, 5, 9)},
		{"11/03/2026 12:05:09 am", "", at(2026, 11, 3, 0, 5, 9)},
		{"11/3/2026 2:05 PM", "", at(2026, 11, 3, 14, 5, 0)},
		{"11/3/2026", "", at(2026, 11, 3, 0, 0, 0)},
		{"2026-11-03", "", at(2026, 11, 3, 0, 0, 0)},
		{"2026/11/3", "", at(2026, 11, 3, 0, 0, 0)},
		{"2026.11.3 8:00", "", at(2026, 11, 3, 8, 0, 0)},
		{"20261103", "", at(2026, 11, 3, 0, 0, 0)},
		// Excel serials: 46329 is 2026-11-03; .5 is noon
		{"46329", "", at(2026, 11, 3, 0, 0, 0)},
		{"46329.5", "", at(2026, 11, 3, 12, 0, 0)},
		{"46329.586909722224", "", at(2026, 11, 3, 14, 5, 9)},
		// explicit layout
		{"03.11.2026 14:05", "02.01.2006 15:04", at(2026, 11, 3, 14, 5, 0)},
		{"3/11/2026", "2/1/2006", at(2026, 11, 3, 0, 0, 0)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, cst, tt.layout)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q, %q) = %v, %v; want %v", tt.in, tt.layout, got, err, tt.want)
		}
	}
	bad := []struct{ in, layout string }{
		{"", ""}, {"yesterday", ""}, {"2026/13/45 25:00", ""}, {"11/31/2026", ""}, {"2026-02-30", ""},
		{"2026", ""}, {"12", ""}, {"200000", ""}, {"1850-01-01", ""}, {"2300-01-01", ""},
		{"2026-11-03 14:05", "02.01.2006 15:04"}, // layout set: no fallback
		{"31/12/2026", ""},                       // day-first needs a layout
	}
	for _, tt := range bad {
		if got, err := ParseTime(tt.in, cst, tt.layout); err == nil {
			t.Errorf("ParseTime(%q, %q) = %v, want error", tt.in, tt.layout, got)
		}
	}
	// nil location is time.Local
	got, err := ParseTime("2026-11-03 14:05", nil, "")
	if err != nil || got.Location() != time.Local {
		t.Errorf("nil location: %v %v", got, err)
	}
	// a 1904-based workbook counts from 1904-01-01
	got, err = parseTime("44867", cst, "", true)
	if err != nil || !got.Equal(at(2026, 11, 3, 0, 0, 0)) {
		t.Errorf("1904 serial: %v %v", got, err)
	}
}

func TestDetectEncoding(t *testing.T) {
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gb18030 := func(s string) []byte {
		b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	big5 := func(s string) []byte {
		b, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	utf16 := func(e unicode.Endianness, bom unicode.BOMPolicy, s string) []byte {
		b, err := unicode.UTF16(e, bom).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, EncodingUTF8},
		{"ascii", []byte("a,b\n1,2\n"), EncodingUTF8},
		{"utf-8", []byte("满意度,意见\n满意,很好\n"), EncodingUTF8},
		{"utf-8 bom", []byte("\uFEFF满意度\n"), EncodingUTF8},
		{"utf-16le bom", utf16(unicode.LittleEndian, unicode.UseBOM, "满意度\t意见\n"), EncodingUTF16LE},
		{"utf-16be bom", utf16(unicode.BigEndian, unicode.UseBOM, "满意度\t意见\n"), EncodingUTF16BE},
		{"utf-16le no bom", utf16(unicode.LittleEndian, unicode.IgnoreBOM, "Respondent ID\tSatisfaction\n1\t5\n"), EncodingUTF16LE},
		{"utf-16be no bom", utf16(unicode.BigEndian, unicode.IgnoreBOM, "Respondent ID\tSatisfaction\n1\t5\n"), EncodingUTF16BE},
		{"gbk", gbk("序号,满意度,意见\n1,非常满意,物流很快\n2,一般,包装一般\n"), EncodingGBK},
		{"gbk short", gbk("满意"), EncodingGBK},
		{"gb18030 four-byte", gb18030("意见:€😀很好\n"), EncodingGB18030},
		{"big5", big5("編號,整體滿意度,意見\nT01,非常滿意,店員很親切\nT02,普通,停車不方便\n"), EncodingBig5},
		{"big5 short", big5("滿意度,意見\n"), EncodingBig5},
	}
	for _, tt := range tests {
		if got := DetectEncoding(tt.in); got != tt.want {
			t.Errorf("%s: DetectEncoding = %q, want %q", tt.name, got, tt.want)
		}
	}
}
