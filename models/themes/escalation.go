package themes

// Escalation terms. A threat to escalate pairs a target (a regulator, the
// media, a lawyer) with a verb or an intention in the same clause:
// "我要去12315投诉" is a threat, "315晚会报道的品牌" and "律师事务所的同事
// 推荐的" are not. Strong terms are threats on their own (起诉, 报警,
// chargeback; 报警 only in forms like 就报警/我要报警, because a washing
// machine that 报警 is raising an error code). Digits and Latin words match whole only, so "12315" inside
// a phone number does not count. Traditional forms (消基會, 律師) are
// normalised to simplified before matching, so they are covered too.
var (
	escalationStrong = []string{
		"律师函", "起诉", "曝光你们", "曝光你家", "曝光这家", "网上曝光", "打官司", "我要报警", "就报警", "去报警", "只能报警", "已经报警", "已报警", "报警处理", "黑猫投诉", "告你们", "告到", "上法院", "走法律程序", "法律途径", "12315投诉", "消协投诉",
		"投诉主管部门", "投诉相关部门", "维权电话", "消费者热线",
		"chargeback", "charge back", "lawsuit", "sue", "suing", "report you", "small claims", "dispute the charge", "filed a dispute", "legal action",
	}
	escalationTargets = []string{
		"律师", "法院", "媒体", "记者", "电视台", "曝光", "工商", "工商局", "市场监管局", "市场监督管理局", "12315", "315", "消协", "消费者协会", "消保会", "消基会", "消保官", "黑猫", "举报",
		"主管部门", "质检总局", "质监局", "税务局", "税务", "卫生局", "卫生署", "食药监", "物价局", "12345", "市长热线",
		"lawyer", "attorney", "court", "bbb", "better business bureau", "ftc", "news station", "local news", "consumer protection", "attorney general",
	}
	// escalationPlatforms are marketplaces and booking or delivery
	// platforms: going to one of them about the hotel, restaurant or shop
	// that sold through it is a step outside the shop ("向携程投诉",
	// "打百度客服催"). They need a verb of complaining or asking for help
	// in the clause, narrower than escalationIntent: "携程要加强管理" is a
	// wish, and calling Ctrip to confirm a booking is no complaint (read
	// on the labelled hotel reviews, where contact verbs alone were wrong
	// more often than right).
	escalationPlatforms = []string{
		"携程", "ctrip", "百度外卖", "百度客服", "百度公司", "美团", "饿了么", "大众点评", "foodpanda", "uber eats", "ubereats",
		"京东小二", "京东平台", "平台客服", "外卖平台", "天猫客服", "天猫小二", "淘宝小二",
	}
	escalationPlatformIntent = []string{
		"投诉", "反映", "反应", "求助", "协调", "交涉", "催", "帮忙解决", "处理", "解决", "严惩", "处罚", "惩罚", "complain", "complained", "dispute",
	}
	// escalationPlatformService are a platform's own customer service:
	// calling them about the shop is the step, so a verb of contact is
	// enough ("致电百度外卖客服", "找京东小二").
	escalationPlatformService = []string{
		"百度外卖客服", "百度客服", "美团客服", "饿了么客服", "外卖平台客服", "平台客服", "京东小二", "淘宝小二", "天猫小二",
	}
	escalationContact = []string{"致电", "打", "电话", "联系", "找"}
	escalationIntent  = []string{
		"投诉", "告", "找", "曝光", "起诉", "举报", "反映", "要", "会", "准备", "已经", "打算", "去", "向", "让", "联系", "打给", "打", "申诉", "发到", "等着",
		"will", "going to", "gonna", "contact", "contacting", "contacted", "report", "reported", "reporting", "file", "filing", "filed", "call", "calling", "already", "i'm", "i'll",
	}
	// escalationShields contain an intent or target character but are
	// neither ("315晚会" is a TV show, "报警器" an alarm).
	escalationShields = []string{"晚会", "社会", "机会", "会员", "学会", "报警器", "要求", "需要", "主要", "只要", "要不", "去年", "过去", "上次", "上面", "上午", "晚上", "马上",
		"记者会", "律师队伍", "律师事务所", "律师行业", "当律师", "做律师", "打折", "打车", "打扫", "打开", "打包", "打算", "打的", "打印", "找到", "找不到", "联系我们", "关于携程", "真实反映", "反映出", "处理好", "解决了",
		"是律师", "律师朋友"}
	// escalationWishes make a platform's mention a wish written in the
	// review ("建议携程取消合作", "希望携程协调一下"), not a step taken.
	escalationWishes = []string{"建议", "希望", "应该", "应当", "最好", "should"}
)

// escalation finds threats in a clause's matches.
type escalation struct{}

// addEscalation puts the escalation vocabulary into t.
func addEscalation(t *trie) *escalation {
	for _, w := range escalationStrong {
		t.add(w, entry{theme: -1, kind: kindEscalationStrong})
	}
	for _, w := range escalationTargets {
		t.add(w, entry{theme: -1, kind: kindEscalationTarget})
	}
	for _, w := range escalationIntent {
		t.add(w, entry{theme: -1, kind: kindEscalationIntent})
	}
	for _, w := range escalationPlatforms {
		t.add(w, entry{theme: -1, kind: kindEscalationPlatform})
	}
	for _, w := range escalationPlatformIntent {
		t.add(w, entry{theme: -1, kind: kindPlatformIntent})
	}
	for _, w := range escalationPlatformService {
		t.add(w, entry{theme: -1, kind: kindPlatformService})
	}
	for _, w := range escalationContact {
		t.add(w, entry{theme: -1, kind: kindContactIntent})
	}
	for _, w := range escalationWishes {
		t.add(w, entry{theme: -1, kind: kindWish})
	}
	for _, w := range escalationShields {
		t.add(w, entry{theme: -1, kind: kindShield})
	}
	return &escalation{}
}

// find returns the strong terms and the targets that have an intent in the
// same clause. A negated threat ("不会投诉") still counts: it names the
// option, and a human should look.
func (*escalation) find(rs []rune, ms []match) []string {
	var out []string
	intent, platformIntent, contact, wish := false, false, false, false
	for _, m := range ms {
		if hasKind(m, kindWish) {
			wish = true
		}
		if hasKind(m, kindEscalationIntent) {
			intent = true
		}
		if hasKind(m, kindPlatformIntent) {
			platformIntent = true
		}
		if hasKind(m, kindContactIntent) {
			contact = true
		}
	}
	for _, m := range ms {
		for _, e := range m.entries {
			switch {
			case e.kind == kindEscalationStrong,
				e.kind == kindEscalationTarget && intent && hasOtherIntent(ms, m),
				e.kind == kindEscalationPlatform && platformIntent && !wish,
				e.kind == kindPlatformService && (platformIntent || contact) && !wish:
				if !contains(out, e.term) {
					out = append(out, e.term)
				}
			}
		}
	}
	return out
}

// hasOtherIntent reports whether some match other than target itself is
// an intent (曝光 is both a target and a verb; alone it is not a threat).
func hasOtherIntent(ms []match, target match) bool {
	for _, m := range ms {
		if (m.start != target.start || m.end != target.end) && hasKind(m, kindEscalationIntent) {
			return true
		}
	}
	return false
}
