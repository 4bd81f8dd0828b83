// Package demo makes the data `voc demo` shows a new user the product with:
// for now a realistic satisfaction-survey export in the shape 问卷星 (wjx)
// produces, GBK-encoded as Excel saves it, with answers in Chinese
// (simplified and traditional) and English.
//
// Everything is generated from a seed, so two runs with the same seed and end
// date write the same bytes. No text here is taken from a real corpus.
package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Survey describes a generated export.
type Survey struct {
	Seed      uint64
	Responses int       // answers to generate, before the deliberate bad rows
	End       time.Time // the newest answer is on the day before End
	Weeks     int       // answers spread over this many weeks
	// Spike makes this share (0-1) of the last week's answers unhappy about
	// packages arriving crushed, as when a courier hub mishandles parcels:
	// the kind of new problem the emerging-theme detection is for.
	Spike float64
}

// DefaultSurvey is what `voc demo` generates: eight weeks of answers ending
// before end.
func DefaultSurvey(end time.Time) Survey {
	return Survey{Seed: 20261125, Responses: 480, End: end, Weeks: 8, Spike: 0.35}
}

// BadRows is how many deliberately malformed rows Export adds, so the demo
// shows quarantine at work: an unreadable date, an answer that is not on the
// scale, and a row cut short.
const BadRows = 3

var header = []string{
	"序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
	"1、您购买的商品", "2、购买渠道", "3、您对本次购物的总体满意度",
	"4、您向朋友推荐我们的可能性有多大？(0-10分)", "5、您是否会再次购买？", "6、您的意见和建议",
}

var (
	products = []string{"AirSound Pro 降噪耳机", "暖暖智能保温杯", "轻跑 Runner 3 运动鞋", "清风 X3 空气净化器"}
	channels = []string{"天猫旗舰店", "京东自营", "抖音小店", "品牌官网"}
	origins  = []string{"微信", "手机提交", "链接"}

	labelsZH = map[int][]string{5: {"非常满意", "很满意"}, 4: {"满意", "比较满意"}, 3: {"一般", "无意见"}, 2: {"不太满意", "不满意"}, 1: {"非常不满意", "极不满意"}}
	labelsTW = map[int][]string{5: {"非常滿意"}, 4: {"滿意"}, 3: {"普通"}, 2: {"不太滿意"}, 1: {"非常不滿意"}}
	labelsEN = map[int][]string{5: {"Very satisfied"}, 4: {"Satisfied"}, 3: {"Neutral"}, 2: {"Somewhat dissatisfied"}, 1: {"Very dissatisfied"}}

	repurchaseZH = map[int]string{5: "一定会", 4: "可能会", 3: "不确定", 2: "可能不会", 1: "肯定不会"}
	repurchaseEN = map[int]string{5: "Definitely will", 4: "Probably will", 3: "Might or might not", 2: "Probably not", 1: "Definitely not"}

	// Comment fragments by level and language. Complaints name the themes
	// the product detects later (物流慢, 包装破损, 质量差, 客服态度差, 假货,
	// 退换货难 ...), so the demo has something to find.
	praiseZH = []string{"物流很快，第二天就到了", "质量很好，做工精细", "客服很耐心，解答很详细", "包装很用心，一点没压坏", "性价比高，下次还来买", "音质超出预期", "保温效果很好，一整天都是热的", "鞋子很轻，跑步很舒服"}
	praiseTW = []string{"出貨很快，隔天就收到", "品質很好，做工細緻", "客服很有耐心"}
	praiseEN = []string{"Fast delivery, arrived the next day", "Great quality for the price", "Support was friendly and quick", "Works exactly as described"}

	neutralZH = []string{"还行吧，中规中矩", "一般般，没有什么惊喜", "东西可以，就是等得有点久", "和预期差不多"}
	neutralEN = []string{"It's okay, nothing special", "Does the job"}

	complaintZH = []string{
		"物流太慢了，等了一个星期才到", "包装破损，盒子都压扁了", "质量很差，用了两天就坏了",
		"客服态度差，问了半天没人回", "怀疑是假货，和专柜的不一样", "退货太麻烦，申请了三次都没通过",
		"颜色和图片差别很大", "尺码偏小，建议大一码", "少发了一个配件，联系客服也没补",
		"刚买就降价了，也不给保价", "发票一直没开", "电池不耐用，半天就没电了",
	}
	complaintTW = []string{"物流太慢了，等了十天", "品質很差，用兩天就壞了", "客服態度很差，一直推託"}
	complaintEN = []string{"Shipping took forever", "The box arrived crushed", "Stopped working after a week", "Customer service never answered my emails", "Looks like a fake, not the real brand", "Returning it was a nightmare"}
	damageZH    = []string{"包装破损，盒子都压扁了。", "外箱破了，东西也摔坏了。", "快递包装破破烂烂，里面的东西压坏了。", "收到时包装是破的，很失望。"}
	damageTW    = []string{"包裝破損，盒子都壓扁了。", "外箱破了，東西也摔壞了。"}
	damageEN    = []string{"The box arrived crushed.", "Package was damaged in transit, item broken."}
	escalation  = []string{"再不处理我就去12315投诉", "已经联系律师了，等着吧", "我要找媒体曝光你们"}
)

// levelWeights gives a plausible spread: most customers satisfied, a long
// tail of unhappy ones.
var levelWeights = []struct{ level, weight int }{{5, 34}, {4, 30}, {3, 15}, {2, 12}, {1, 9}}

// Export writes the survey as a GBK (GB18030) encoded CSV, as 问卷星 gives
// it to Excel users.
func (s Survey) Export() ([]byte, error) {
	rows, err := s.Rows()
	if err != nil {
		return nil, err
	}
	return gbkCSV("demo survey", rows)
}

// gbkCSV writes rows as CSV with CRLF line ends, encoded GB18030 (GBK for
// every character GBK has): what Excel on a Chinese Windows saves.
func gbkCSV(what string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: encode GBK: %w", what, err)
	}
	return out, nil
}

// Rows returns the export as text rows, header first.
func (s Survey) Rows() ([][]string, error) {
	if s.Responses < 1 || s.Weeks < 1 {
		return nil, fmt.Errorf("demo survey: need at least one response and one week, got %d and %d", s.Responses, s.Weeks)
	}
	r := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	rows := [][]string{header}
	span := time.Duration(s.Weeks) * 7 * 24 * time.Hour
	start := s.End.Add(-span)
	for i := 1; i <= s.Responses; i++ {
		at := start.Add(time.Duration(r.Int64N(int64(span - 24*time.Hour))))
		rows = append(rows, s.response(r, i, at))
	}
	// The deliberate bad rows, spread through the file.
	n := len(rows)
	bad := [][]string{
		s.broken(r, n, start, func(row []string) { row[1] = "昨天下午三点" }),
		s.broken(r, n+1, start, func(row []string) { row[8] = "看心情" }),
		s.broken(r, n+2, start, nil)[:7],
	}
	for k, b := range bad {
		pos := 1 + (k+1)*len(rows)/(len(bad)+1)
		rows = append(rows[:pos], append([][]string{b}, rows[pos:]...)...)
	}
	return rows, nil
}

func (s Survey) broken(r *rand.Rand, id int, at time.Time, spoil func([]string)) []string {
	row := s.response(r, id, at.Add(36*time.Hour))
	if spoil != nil {
		spoil(row)
	}
	return row
}

func (s Survey) response(r *rand.Rand, id int, at time.Time) []string {
	level := pickLevel(r)
	spiked := !at.Before(s.End.AddDate(0, 0, -7)) && r.Float64() < s.Spike
	if spiked {
		level = 1 + r.IntN(2)
	}
	lang := "zh"
	switch x := r.IntN(100); {
	case x < 18:
		lang = "en"
	case x < 28:
		lang = "tw"
	}
	var label, repurchase string
	switch lang {
	case "en":
		label, repurchase = pick(r, labelsEN[level]), repurchaseEN[clampLevel(level+r.IntN(3)-1)]
	case "tw":
		label, repurchase = pick(r, labelsTW[level]), repurchaseZH[clampLevel(level+r.IntN(3)-1)]
	default:
		label, repurchase = pick(r, labelsZH[level]), repurchaseZH[clampLevel(level+r.IntN(3)-1)]
	}
	// Likelihood to recommend follows satisfaction, with noise: a satisfied
	// customer is a passive (7-8) as often as a promoter.
	base := []int{0, 2, 4, 6, 8, 9}[level]
	rec := min(10, max(0, base+r.IntN(3)-1))
	return []string{
		fmt.Sprint(id),
		at.Format("2006/1/2 15:04:05"),
		fmt.Sprintf("%d秒", 40+r.IntN(400)),
		pick(r, origins),
		"直接访问",
		fmt.Sprintf("%d.%d.%d.%d(%s)", 36+r.IntN(180), r.IntN(256), r.IntN(256), r.IntN(256), pick(r, []string{"广东-深圳", "浙江-杭州", "北京", "上海", "四川-成都", "台湾-台北"})),
		pick(r, products),
		pick(r, channels),
		label,
		fmt.Sprint(rec),
		repurchase,
		s.comment(r, level, lang, spiked),
	}
}

// comment writes the free text. About a third of respondents leave it empty,
// as real survey takers do; a few satisfied ratings carry angry words, the
// hidden dissatisfaction voc is meant to surface.
func (s Survey) comment(r *rand.Rand, level int, lang string, spiked bool) string {
	if spiked {
		return pickLang(r, lang, damageZH, damageTW, damageEN)
	}
	if r.IntN(100) < 30 {
		return ""
	}
	if level >= 4 && r.IntN(100) < 4 {
		level = 1 // 5 stars, angry words
	}
	var parts []string
	switch {
	case level >= 4:
		parts = append(parts, pickLang(r, lang, praiseZH, praiseTW, praiseEN))
		if r.IntN(100) < 25 {
			parts = append(parts, pickLang(r, lang, praiseZH, praiseTW, praiseEN))
		}
	case level == 3:
		parts = append(parts, pickLang(r, lang, neutralZH, neutralZH, neutralEN))
		if r.IntN(100) < 40 {
			parts = append(parts, pickLang(r, lang, complaintZH, complaintTW, complaintEN))
		}
	default:
		parts = append(parts, pickLang(r, lang, complaintZH, complaintTW, complaintEN))
		if r.IntN(100) < 45 {
			parts = append(parts, pickLang(r, lang, complaintZH, complaintTW, complaintEN))
		}
		if level == 1 && lang != "en" && r.IntN(100) < 15 {
			parts = append(parts, pick(r, escalation))
		}
	}
	if lang == "en" {
		return strings.Join(dedupe(parts), ". ") + "."
	}
	return strings.Join(dedupe(parts), "，") + "。"
}

func pickLevel(r *rand.Rand) int {
	total := 0
	for _, w := range levelWeights {
		total += w.weight
	}
	x := r.IntN(total)
	for _, w := range levelWeights {
		if x < w.weight {
			return w.level
		}
		x -= w.weight
	}
	return 3
}

func pickLang(r *rand.Rand, lang string, zh, tw, en []string) string {
	switch lang {
	case "en":
		return pick(r, en)
	case "tw":
		return pick(r, tw)
	}
	return pick(r, zh)
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

func clampLevel(l int) int { return min(5, max(1, l)) }

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
