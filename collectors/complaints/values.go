package complaints

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Results of a closed ticket, as stored. A ticket still being handled has
// no result ("").
const (
	ResultResolved   = "resolved"
	ResultPartly     = "partly"
	ResultUnresolved = "unresolved"
	ResultWithdrawn  = "withdrawn"
)

// Channels a complaint came in through, as stored. ChannelOther keeps
// tickets from channels voc has no name for; the export's own wording is
// kept next to it (Ticket.ChannelRaw).
const (
	ChannelPhone    = "phone"
	ChannelOnline   = "online"
	ChannelStore    = "store"
	Channel12315    = "12315"
	ChannelPlatform = "platform"
	ChannelOther    = "other"
)

// Escalation targets, as stored: a consumer association (消协), the 12315
// market-regulation hotline, the media, a lawyer or court, the platform's
// own dispute service. EscalationOther keeps targets voc has no name for.
const (
	EscalationConsumerAssociation = "consumer_association"
	Escalation12315               = "12315"
	EscalationMedia               = "media"
	EscalationLawyer              = "lawyer"
	EscalationPlatform            = "platform"
	EscalationOther               = "other"
)

// fold is the comparison form of a label: NFKC (full-width to ASCII),
// lower case, without white space and the punctuation exports decorate
// labels with.
func fold(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' || r == '。' || r == '!' || r == '！' {
			return -1
		}
		return r
	}, s)
}

func table(groups map[string][]string) map[string]string {
	m := map[string]string{}
	for v, words := range groups {
		for _, w := range words {
			m[fold(w)] = v
		}
	}
	return m
}

var resultLabels = table(map[string][]string{
	ResultResolved: {"已解决", "解决", "已解決", "解決", "已处理完毕", "处理完毕", "已妥善处理", "妥善解决", "已办结", "办结", "完全解决",
		"resolved", "solved", "fixed", "fully resolved", "closed resolved", "done"},
	ResultPartly: {"部分解决", "部分解決", "部分处理", "基本解决", "部分满意", "partly", "partly resolved", "partially resolved", "partial", "partially"},
	ResultUnresolved: {"未解决", "未解決", "无法解决", "無法解決", "不能解决", "协商不成", "调解失败", "未达成一致",
		"unresolved", "not resolved", "unsolved", "failed", "no resolution"},
	ResultWithdrawn: {"撤诉", "已撤诉", "撤销", "已撤销", "撤回", "已撤回", "客户撤回", "客户撤销", "撤銷", "撤回投诉", "取消", "已取消",
		"withdrawn", "withdrew", "cancelled", "canceled", "retracted"},
	// Still being handled, or closed without saying how: no result. Whether
	// the ticket is closed is then decided by its closed time alone. A
	// reopened ticket is being handled again (see reopenedStatusLabels).
	"": {"已结案", "結案", "结案", "已关闭", "已關閉", "已完成", "完成", "closed", "completed",
		"处理中", "處理中", "待处理", "待處理", "未处理", "跟进中", "跟進中", "受理中", "待回访", "open", "pending", "in progress", "new", "无", "-", "/", "n/a"},
})

// reopenedStatusLabels are the status (result column) labels of a ticket
// that was closed and opened again. ParseResult reads them as no result
// (handled again); Parse counts the ticket as reopened at least once,
// whatever its reopen column says. In a reopen column they mean yes.
var reopenedStatusLabels = []string{"重新打开", "已重新打开", "重开", "已重开", "重新開啟", "已重新開啟", "重新打開", "已重新打開", "重開", "已重開",
	"reopened", "re-opened", "reopen", "re-open"}

var reopenedStatus = map[string]bool{}

func init() {
	for _, w := range reopenedStatusLabels {
		reopenedStatus[fold(w)] = true
		resultLabels[fold(w)] = ""
	}
}

// ReopenedStatus reports whether a status (result column) label says the
// ticket was reopened: 重新打开, 已重开, 重開, reopened.
func ReopenedStatus(s string) bool { return reopenedStatus[fold(s)] }

// ParseResult reads a ticket's result: resolved, partly, unresolved or
// withdrawn from the labels helpdesks write in Chinese and English, "" for
// an empty cell or a ticket still being handled (处理中, pending) or being
// handled again (重新打开, reopened). Anything else is an error, so the row
// is rejected rather than guessed.
func ParseResult(s string) (string, error) {
	f := fold(s)
	if f == "" {
		return "", nil
	}
	if v, ok := resultLabels[f]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown result %q (want 已解决/resolved, 部分解决/partly, 未解决/unresolved, 撤诉/withdrawn or 处理中/pending)", s)
}

// channelWords are matched as substrings of the folded label, in order:
// "12315转办" is 12315 before anything else, "天猫在线客服" is the platform
// before it is online.
var channelWords = []struct {
	channel string
	words   []string
}{
	{Channel12315, []string{"12315", "市场监管", "市場監管", "工商", "消协转", "消協轉"}},
	{ChannelPlatform, []string{"平台", "天猫", "天貓", "淘宝", "淘寶", "京东", "京東", "拼多多", "抖音", "快手", "小红书", "platform", "marketplace", "tmall", "taobao", "jd", "amazon"}},
	{ChannelStore, []string{"门店", "門店", "门市", "門市", "柜台", "櫃檯", "线下", "線下", "到店", "store", "shop", "counter", "walkin"}},
	{ChannelPhone, []string{"电话", "電話", "热线", "熱線", "400", "800", "来电", "來電", "phone", "call", "hotline", "telephone"}},
	{ChannelOnline, []string{"在线", "在線", "网上", "網上", "官网", "官網", "邮件", "郵件", "微信", "app", "网页", "網頁", "小程序", "客服系统", "留言",
		"online", "web", "email", "e-mail", "chat", "wechat", "form", "portal", "social"}},
}

// ParseChannel normalises the channel a ticket came through to phone,
// online, store, 12315, platform or other ("" for an empty cell). Unknown
// wording is "other", not an error: the channel does not change what the
// ticket says, and the raw label is kept.
func ParseChannel(s string) string {
	f := fold(s)
	if f == "" {
		return ""
	}
	for _, c := range channelWords {
		for _, w := range c.words {
			if strings.Contains(f, fold(w)) {
				return c.channel
			}
		}
	}
	return ChannelOther
}

var escalationWords = []struct {
	target string
	words  []string
}{
	{Escalation12315, []string{"12315", "市场监管", "市場監管", "工商"}},
	{EscalationConsumerAssociation, []string{"消协", "消協", "消费者协会", "消費者協會", "消保", "consumerassociation", "consumercouncil", "cca"}},
	{EscalationMedia, []string{"媒体", "媒體", "记者", "記者", "曝光", "电视台", "電視台", "微博", "报社", "media", "press", "journalist", "newspaper", "tv"}},
	{EscalationLawyer, []string{"律师", "律師", "法院", "起诉", "起訴", "诉讼", "訴訟", "仲裁", "法律", "lawyer", "attorney", "court", "lawsuit", "legal", "sue"}},
	{EscalationPlatform, []string{"平台", "天猫", "天貓", "淘宝", "京东", "京東", "拼多多", "抖音", "小二", "platform", "marketplace", "tmall", "jd", "amazon", "chargeback"}},
}

var noneWords = map[string]bool{}

func init() {
	for _, w := range []string{"无", "無", "否", "没有", "沒有", "未升级", "未升級", "不", "-", "/", "0", "none", "no", "n/a", "na", "nil", "false"} {
		noneWords[fold(w)] = true
	}
}

var listSep = regexp.MustCompile(`[、,，;；/|+&]|\s+and\s+|及|和`)

// ParseEscalation reads where a ticket was escalated to: one or more of
// 消协 (consumer_association), 12315, media, lawyer and platform, separated
// by 、 , ; / or "and". Empty cells and 无 / 否 / none mean not escalated
// (nil). A target voc has no name for is "other" rather than an error:
// an escalation is worth counting even when its target is unusual.
func ParseEscalation(s string) []string {
	f := fold(s)
	if f == "" || noneWords[f] {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, part := range listSep.Split(strings.ToLower(norm.NFKC.String(s)), -1) {
		p := fold(part)
		if p == "" || noneWords[p] || p == "是" || p == "yes" {
			continue
		}
		found := false
		for _, e := range escalationWords {
			for _, w := range e.words {
				if strings.Contains(p, fold(w)) {
					add(e.target)
					found = true
					break
				}
			}
		}
		if !found {
			add(EscalationOther)
		}
	}
	if len(out) == 0 && (f == "是" || f == "yes" || f == "true" || f == "1") {
		out = []string{EscalationOther}
	}
	return out
}

var amountRe = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)?`)

// ParseAmount reads a money amount as exports write it: "199", "199.00",
// "¥1,299.50", "50元", "RMB 80", "1.2万" (12,000). The first number counts;
// thousands separators are dropped. ok is false for an empty cell or one
// with no number (换新, 优惠券), which is not an error: compensation in
// kind has no amount.
func ParseAmount(s string) (v float64, ok bool) {
	t := norm.NFKC.String(strings.TrimSpace(s))
	if t == "" {
		return 0, false
	}
	t = strings.ReplaceAll(t, ",", "")
	loc := amountRe.FindStringIndex(t)
	if loc == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(t[loc[0]:loc[1]], 64)
	if err != nil || v > 1e12 {
		return 0, false
	}
	if rest := strings.TrimSpace(t[loc[1]:]); strings.HasPrefix(rest, "万") || strings.HasPrefix(rest, "萬") {
		v *= 10000
	} else if strings.HasPrefix(strings.ToLower(rest), "k") {
		v *= 1000
	}
	return v, true
}

// punitivePhrases are demands for a multiple of the price, the wording of
// professional claimants (职业打假人) and of the 退一赔三 rule of the
// Consumer Protection Law: legitimate for real fraud, worth a second look
// when they come in series.
var punitivePhrases = []string{
	"退一赔三", "退一賠三", "退一赔十", "退一賠十", "假一赔三", "假一賠三", "假一赔十", "假一賠十", "假一罚十", "假一罰十",
	"三倍赔偿", "三倍賠償", "十倍赔偿", "十倍賠償", "赔偿三倍", "赔偿十倍", "赔三倍", "赔十倍", "十倍", "惩罚性赔偿", "懲罰性賠償",
	"punitive", "ten times", "three times", "triple damages", "treble damages", "10x refund",
}

// demandRe finds a demand word followed (within a few characters) by an
// amount: 赔偿5000元, 要求补偿 2000, compensation of $300.
var demandRe = regexp.MustCompile(`(?i)(赔偿|賠償|索赔|索賠|赔付|賠付|补偿|補償|赔|賠|compensation|compensate|damages|refund)[^0-9\n]{0,10}?([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|萬|k)?`)

// Demand is what a complaint's text asks for in money.
type Demand struct {
	// Terms are the demand phrases found (退一赔三, 赔偿5000元 ...), in order.
	Terms []string
	// Amount is the largest amount demanded in the text; 0 when none.
	Amount float64
	// Punitive is set when the text asks for a multiple of the price.
	Punitive bool
}

// FindDemand looks for compensation demands in a complaint's text. It is a
// heuristic for a person's review queue, never a verdict: it finds the
// words, not the intent.
func FindDemand(text string) Demand {
	var d Demand
	t := norm.NFKC.String(text)
	low := strings.ToLower(t)
	for _, p := range punitivePhrases {
		if strings.Contains(low, p) {
			d.Punitive = true
			d.Terms = append(d.Terms, p)
			break
		}
	}
	for _, m := range demandRe.FindAllStringSubmatch(t, 8) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
		if err != nil || v > 1e12 {
			continue
		}
		switch strings.ToLower(m[3]) {
		case "万", "萬":
			v *= 10000
		case "k":
			v *= 1000
		}
		d.Terms = append(d.Terms, strings.TrimSpace(m[0]))
		d.Amount = max(d.Amount, v)
	}
	return d
}

// reopenYes and reopenNo are the words of a yes/no reopen column.
var reopenYes, reopenNo = map[string]bool{}, map[string]bool{}

// reopenUnknown are cells that say nothing, like an empty one.
var reopenUnknown = map[string]bool{}

func init() {
	for _, w := range append([]string{"是", "有", "是的", "y", "yes", "true", "✓", "√"}, reopenedStatusLabels...) {
		reopenYes[fold(w)] = true
	}
	for _, w := range []string{"否", "无", "無", "没有", "沒有", "未重开", "未重開", "未重新打开", "未重新打開", "不", "n", "no", "false", "none", "never", "not reopened", "✗"} {
		reopenNo[fold(w)] = true
	}
	for _, w := range []string{"-", "/", "n/a", "na", "未知", "不详", "不詳", "unknown"} {
		reopenUnknown[fold(w)] = true
	}
}

// reopenCountRe is a whole count as exports write it, lower case without
// spaces: 2, 2次, 2times, 2.0 (a number cell of a spreadsheet).
var reopenCountRe = regexp.MustCompile(`^([0-9]+)(?:\.0+)?(?:次|回|times?|x)?$`)

// maxReopens bounds a believable count; more is a misread column (an id,
// a date serial) rather than a ticket reopened a thousand times.
const maxReopens = 999

// ParseReopened reads a reopen cell: a count (0, 1, 2, 2次, 2 times), or
// yes/no in Chinese and English (是/否, 有/无, 已重开/未重开, Y/N, yes/no,
// true/false), yes meaning at least once and so 1. An empty cell, "-" and
// 未知 / unknown are nil: the export does not say, which is not 0. Anything
// else is an error, so the row is rejected rather than guessed.
func ParseReopened(s string) (*int, error) {
	f := fold(s)
	if f == "" || reopenUnknown[f] {
		return nil, nil
	}
	// Counts are read before folding, which drops the "." of 1.0 and the
	// "-" of -1.
	t := strings.ToLower(strings.Join(strings.Fields(norm.NFKC.String(s)), ""))
	n := -1
	switch {
	case reopenYes[f]:
		n = 1
	case reopenNo[f]:
		n = 0
	default:
		if m := reopenCountRe.FindStringSubmatch(t); m != nil {
			if v, err := strconv.Atoi(m[1]); err == nil && v <= maxReopens {
				n = v
			}
		}
	}
	if n < 0 {
		return nil, fmt.Errorf("unreadable reopen count %q (want a count such as 0, 1, 2, or 是/否, yes/no)", s)
	}
	return &n, nil
}
