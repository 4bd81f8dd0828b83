package survey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/voc-analytics/voc"
)

// ErrNoAnswer is returned by ParseRecommend for an empty answer, which has
// no score (an NPS of 0 is an answer; nothing is not).
var ErrNoAnswer = errors.New("no answer")

// ParseLikert reads a satisfaction answer on the five-level scale. It takes
// the numbers 1-5 however decorated ("5", "5分", "5星", "５", "5 - Very
// satisfied", "非常满意(5)", "★★★★★") and the labels of common Chinese
// (simplified and traditional) and English scales, ignoring case, spaces
// and full-width forms. On the usual five-point scale 非常满意 / 满意 / 一般
// / 不满意 / 非常不满意, 不满意 is level 2, not 1.
//
// When an answer carries both a number and a label it knows, the label
// wins: a reversed scale ("1 - Very satisfied") then still reads right. An
// empty answer is voc.LevelNone and no error; anything unrecognised is an
// error "unknown satisfaction answer", so the row is rejected, not guessed.
func ParseLikert(s string) (voc.Level, error) {
	f := foldAnswer(s)
	if f == "" {
		if strings.TrimSpace(s) != "" { // only punctuation
			return voc.LevelNone, fmt.Errorf("unknown satisfaction answer %q", s)
		}
		return voc.LevelNone, nil
	}
	if lv, ok := likertLabels[f]; ok {
		return lv, nil
	}
	if n, ok := countStars(f); ok {
		if n < 1 || n > 5 {
			return voc.LevelNone, fmt.Errorf("satisfaction answer %q out of range 1-5", s)
		}
		return voc.Level(n), nil
	}
	a := splitAnswer(f)
	if lv, ok := likertLabels[a.label]; ok && a.label != "" {
		return lv, nil
	}
	if a.hasNum {
		if a.fraction {
			return voc.LevelNone, fmt.Errorf("satisfaction answer %q is not a whole number 1-5", s)
		}
		if a.num < 1 || a.num > 5 {
			return voc.LevelNone, fmt.Errorf("satisfaction answer %q out of range 1-5", s)
		}
		return voc.Level(a.num), nil
	}
	return voc.LevelNone, fmt.Errorf("unknown satisfaction answer %q", s)
}

// ParseRecommend reads a 0-10 likelihood-to-recommend answer: "9", "10分",
// "10 - Extremely likely", "0 (不可能)", or the scale's end labels alone.
// The number decides; labels are only the scale's anchors. Empty is
// ErrNoAnswer.
func ParseRecommend(s string) (int, error) {
	f := foldAnswer(s)
	if f == "" {
		if strings.TrimSpace(s) != "" {
			return 0, fmt.Errorf("unknown recommend answer %q", s)
		}
		return 0, fmt.Errorf("recommend answer: %w", ErrNoAnswer)
	}
	if n, ok := recommendLabels[f]; ok {
		return n, nil
	}
	a := splitAnswer(f)
	if a.hasNum {
		if a.fraction {
			return 0, fmt.Errorf("recommend answer %q is not a whole number 0-10", s)
		}
		if a.num < 0 || a.num > 10 {
			return 0, fmt.Errorf("recommend answer %q out of range 0-10", s)
		}
		return a.num, nil
	}
	if n, ok := recommendLabels[a.label]; ok && a.label != "" {
		return n, nil
	}
	return 0, fmt.Errorf("unknown recommend answer %q", s)
}

// ParseRepurchase reads repurchase intent onto the five-level scale:
// definitely / probably / unsure / probably not / definitely not are 5..1
// (一定会, 可能会, 不确定, 可能不会, 一定不会). Yes/no answers take the ends
// of the scale: yes = 5, maybe = 3, no = 1, and likewise a bare 会 = 5 and
// 不会 = 1, since a two-way answer says nothing about doubt. Numbers 1-5
// are accepted as they are. Empty is voc.LevelNone and no error.
func ParseRepurchase(s string) (voc.Level, error) {
	f := foldAnswer(s)
	if f == "" {
		if strings.TrimSpace(s) != "" {
			return voc.LevelNone, fmt.Errorf("unknown repurchase answer %q", s)
		}
		return voc.LevelNone, nil
	}
	if lv, ok := repurchaseLabels[f]; ok {
		return lv, nil
	}
	a := splitAnswer(f)
	if lv, ok := repurchaseLabels[a.label]; ok && a.label != "" {
		return lv, nil
	}
	if a.hasNum && !a.fraction && a.num >= 1 && a.num <= 5 {
		return voc.Level(a.num), nil
	}
	if a.hasNum {
		return voc.LevelNone, fmt.Errorf("repurchase answer %q out of range 1-5", s)
	}
	return voc.LevelNone, fmt.Errorf("unknown repurchase answer %q", s)
}

// foldAnswer is the comparison form of an answer: NFKC (full-width digits
// and letters to ASCII), lower case, no white space, no closing
// punctuation.
func foldAnswer(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimRight(s, ".。!~")
}

func countStars(f string) (int, bool) {
	n := 0
	for _, r := range f {
		switch r {
		case '★':
			n++
		case '☆':
		default:
			return 0, false
		}
	}
	return n, true
}

// answer is a folded answer split into its number and its label.
type answer struct {
	num      int
	hasNum   bool
	fraction bool // a number with a non-zero fractional part
	label    string
}

var answerUnits = map[string]bool{
	"分": true, "星": true, "颗星": true, "顆星": true, "星级": true, "星級": true,
	"star": true, "stars": true, "point": true, "points": true, "pt": true, "pts": true,
}

// splitAnswer separates "5-verysatisfied", "5分", "非常满意(5)" or
// "satisfied:4" into number and label; either may be missing.
func splitAnswer(f string) answer {
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	i := 0
	for i < len(f) && isDigit(f[i]) {
		i++
	}
	if i > 0 {
		a := answer{hasNum: true, num: 1000} // more than three digits: out of any range
		if i <= 3 {
			a.num, _ = strconv.Atoi(f[:i])
		}
		rest := f[i:]
		if strings.HasPrefix(rest, ".") {
			j := 1
			for j < len(rest) && rest[j] == '0' {
				j++
			}
			if j < len(rest) && isDigit(rest[j]) {
				a.fraction = true
				return a
			}
			if j > 1 {
				rest = rest[j:]
			}
		}
		if answerUnits[rest] {
			rest = ""
		}
		a.label = trimSeparators(rest)
		return a
	}
	if strings.HasSuffix(f, ")") {
		if open := strings.LastIndex(f, "("); open >= 0 {
			inner := strings.TrimSuffix(f[open+1:len(f)-1], "分")
			if n, err := strconv.Atoi(inner); err == nil && len(inner) <= 3 && inner[0] != '+' && inner[0] != '-' {
				return answer{num: n, hasNum: true, label: f[:open]}
			}
		}
	}
	j := len(f)
	for j > 0 && isDigit(f[j-1]) {
		j--
	}
	if j > 0 && j < len(f) && len(f)-j <= 3 {
		before := f[:j]
		if trimmed := strings.TrimRight(before, "-–—:=_"); trimmed != before && trimmed != "" {
			n, _ := strconv.Atoi(f[j:])
			return answer{num: n, hasNum: true, label: trimmed}
		}
	}
	return answer{label: f}
}

func trimSeparators(s string) string {
	s = strings.TrimLeft(s, "-–—:.、)=_/")
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = s[1 : len(s)-1]
	}
	return s
}

func labels(m map[string]voc.Level, lv voc.Level, words ...string) {
	for _, w := range words {
		m[foldAnswer(w)] = lv
	}
}

var likertLabels = func() map[string]voc.Level {
	m := map[string]voc.Level{}
	labels(m, voc.VerySatisfied,
		"非常满意", "非常滿意", "很满意", "很滿意", "高度满意", "高度滿意", "十分满意", "十分滿意",
		"特别满意", "特別滿意", "极其满意", "極其滿意", "极满意", "極滿意", "五星",
		"Very satisfied", "Extremely satisfied", "Completely satisfied", "Highly satisfied")
	labels(m, voc.Satisfied,
		"满意", "滿意", "比较满意", "比較滿意", "一般满意", "一般滿意", "较满意", "較滿意", "基本满意", "基本滿意", "四星",
		"Satisfied", "Somewhat satisfied", "Mostly satisfied", "Moderately satisfied", "Fairly satisfied", "Slightly satisfied")
	labels(m, voc.Neutral,
		"一般", "无意见", "無意見", "中立", "普通", "还行", "還行", "还可以", "還可以", "中等", "三星",
		"Neutral", "Neither satisfied nor dissatisfied", "Neither satisfied or dissatisfied", "Neither", "OK", "Okay")
	labels(m, voc.SomewhatDissatisfied,
		"不太满意", "不太滿意", "有些不满意", "有些不滿意", "有点不满意", "有點不滿意", "比较不满意", "比較不滿意",
		"较不满意", "較不滿意", "不满意", "不滿意", "二星",
		"Somewhat dissatisfied", "Dissatisfied", "Not very satisfied", "Moderately dissatisfied",
		"Slightly dissatisfied", "Unsatisfied", "Mostly dissatisfied")
	labels(m, voc.VeryDissatisfied,
		"非常不满意", "非常不滿意", "很不满意", "很不滿意", "极不满意", "極不滿意", "十分不满意", "十分不滿意",
		"特别不满意", "特別不滿意", "极其不满意", "極其不滿意", "一星",
		"Very dissatisfied", "Extremely dissatisfied", "Not at all satisfied", "Completely dissatisfied",
		"Highly dissatisfied", "Very unsatisfied")
	return m
}()

var repurchaseLabels = func() map[string]voc.Level {
	m := map[string]voc.Level{}
	labels(m, voc.VerySatisfied,
		"一定会", "一定會", "肯定会", "肯定會", "会", "會", "是", "是的", "一定会购买", "肯定会购买",
		"Definitely will", "Definitely", "Definitely would", "Yes", "Y", "Very likely", "Extremely likely")
	labels(m, voc.Satisfied,
		"可能会", "可能會", "应该会", "應該會", "大概会", "大概會", "很可能会",
		"Probably will", "Probably would", "Probably", "Likely")
	labels(m, voc.Neutral,
		"不确定", "不確定", "不一定", "说不准", "說不準", "也许", "也許", "或许", "或許", "看情况", "看情況", "还没想好", "還沒想好",
		"Might or might not", "Maybe", "Not sure", "Unsure", "Neutral", "Neither likely nor unlikely")
	labels(m, voc.SomewhatDissatisfied,
		"可能不会", "可能不會", "应该不会", "應該不會", "大概不会", "大概不會",
		"Probably not", "Probably will not", "Probably won't", "Probably won’t", "Probably would not", "Unlikely")
	labels(m, voc.VeryDissatisfied,
		"不会", "不會", "肯定不会", "肯定不會", "一定不会", "一定不會", "绝对不会", "絕對不會", "否", "不是",
		"Definitely not", "Definitely will not", "Definitely won't", "Definitely won’t", "Definitely would not",
		"No", "N", "Very unlikely", "Extremely unlikely")
	return m
}()

var recommendLabels = func() map[string]int {
	m := map[string]int{}
	for _, w := range []string{"Extremely likely", "极有可能", "極有可能", "非常可能", "非常愿意", "非常願意"} {
		m[foldAnswer(w)] = 10
	}
	for _, w := range []string{"Not at all likely", "Not likely at all", "完全不可能", "不可能", "完全不愿意", "完全不願意"} {
		m[foldAnswer(w)] = 0
	}
	return m
}()
