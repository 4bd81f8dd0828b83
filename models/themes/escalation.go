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
		"律师函", "起诉", "曝光你们", "曝光你家", "曝光这家", "网上曝光", "打官司", "我要报警", "就报警", "去报警", "只能报警", "已经报警", "已报警", "报警处理", "黑猫投诉", "投诉到", "告你们", "告到", "上法院", "走法律程序", "法律途径", "12315投诉", "消协投诉",
		"chargeback", "charge back", "lawsuit", "sue", "suing", "report you", "small claims", "dispute the charge", "filed a dispute", "legal action",
	}
	escalationTargets = []string{
		"律师", "法院", "媒体", "记者", "电视台", "曝光", "工商", "工商局", "市场监管局", "市场监督管理局", "12315", "315", "消协", "消费者协会", "消保会", "消基会", "消保官", "黑猫", "举报",
		"lawyer", "attorney", "court", "media", "bbb", "better business bureau", "ftc", "news", "consumer protection", "attorney general",
	}
	escalationIntent = []string{
		"投诉", "告", "找", "曝光", "起诉", "举报", "反映", "要", "会", "准备", "已经", "打算", "去", "向", "让", "联系", "打给", "打", "申诉", "发到", "等着",
		"will", "going to", "gonna", "contact", "contacting", "contacted", "report", "reported", "reporting", "file", "filing", "filed", "call", "calling", "already", "i'm", "i'll",
	}
	// escalationShields contain an intent or target character but are
	// neither ("315晚会" is a TV show, "报警器" an alarm).
	escalationShields = []string{"晚会", "社会", "机会", "会员", "学会", "报警器", "要求", "需要", "主要", "只要", "要不", "去年", "过去", "上次", "上面", "上午", "晚上", "马上"}
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
	intent := false
	for _, m := range ms {
		if hasKind(m, kindEscalationIntent) {
			intent = true
		}
	}
	for _, m := range ms {
		for _, e := range m.entries {
			switch {
			case e.kind == kindEscalationStrong,
				e.kind == kindEscalationTarget && intent && hasOtherIntent(ms, m):
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
