package reports

// texts are a page's words in one language. Pages are written in Chinese
// or English whole; figures, ids and customer text are never translated.
type texts struct{ lang string }

func textsFor(lang string) texts {
	if isZH(lang) {
		return texts{"zh"}
	}
	return texts{"en"}
}

// Get returns the word for key; an unknown key shows as itself so a
// missing translation is visible rather than blank.
func (t texts) Get(key string) string {
	if p, ok := words[key]; ok {
		if t.lang == "zh" {
			return p[0]
		}
		return p[1]
	}
	return key
}

var words = map[string][2]string{
	"weekly_title":     {"客户声音周报", "Voice of the customer: weekly report"},
	"index_title":      {"客户声音报告", "Voice of the customer reports"},
	"week":             {"周", "Week"},
	"zone":             {"时区", "time zone"},
	"generated":        {"生成于", "generated"},
	"summary":          {"本周摘要", "This week at a glance"},
	"figure":           {"指标", "Figure"},
	"this_week":        {"本周", "This week"},
	"last_week":        {"上周", "Last week"},
	"change":           {"变化", "Change"},
	"na":               {"无数据", "n/a"},
	"items":            {"反馈量", "Feedback items"},
	"satisfaction":     {"满意度指数", "Satisfaction index"},
	"mean_level":       {"平均满意度", "Mean level"},
	"nps":              {"NPS 净推荐值", "NPS"},
	"repurchase":       {"复购意愿", "Repurchase intent"},
	"complaint_items":  {"含投诉主题的反馈", "Items with complaint themes"},
	"escalations":      {"升级风险", "Escalation risk"},
	"hidden":           {"隐性不满（高分差评）", "Hidden dissatisfaction (high rating, angry text)"},
	"disagreements":    {"评分与文本不一致", "Rating and text disagree"},
	"levels_by_week":   {"五级满意度分布（按周）", "Five-level distribution by week"},
	"volume_by_source": {"各来源反馈量", "Feedback volume by source"},
	"source":           {"来源", "Source"},
	"product":          {"产品", "Product"},
	"channel":          {"渠道", "Channel"},
	"level":            {"满意度", "Level"},
	"rating":           {"评分", "Rating"},
	"text_level":       {"文本判断", "Text reads"},
	"when":             {"时间", "When"},
	"text":             {"内容", "Text"},
	"none":             {"（无）", "(none)"},
	"by_product":       {"按产品", "By product"},
	"by_channel":       {"按渠道", "By channel"},
	"by_source":        {"按来源", "By source"},
	"by_level":         {"按满意度", "By level"},
	"sat_by_product":   {"各产品满意度指数 %", "Satisfaction index by product, %"},
	"top_themes":       {"主要投诉主题", "Top complaint themes"},
	"theme":            {"主题", "Theme"},
	"owner":            {"负责部门", "Owner"},
	"complaints":       {"投诉", "Complaints"},
	"praises":          {"表扬", "Praises"},
	"share":            {"占比", "Share"},
	"status":           {"状态", "Status"},
	"emerging":         {"新出现", "Emerging"},
	"recurring":        {"反复出现", "Recurring"},
	"emerging_title":   {"新出现的投诉主题", "Emerging complaint themes"},
	"recurring_title":  {"反复出现的投诉主题", "Recurring complaint themes"},
	"expected":         {"预期", "expected"},
	"no_emerging":      {"本周没有新出现的投诉主题。", "No emerging complaint theme this week."},
	"no_recurring":     {"本周没有反复出现的投诉主题。", "No recurring complaint theme this week."},
	"themes_from_hits": {"本周的主题周统计尚未由流水线计算：主题数按已标注的投诉条目统计，未判定新出现/反复出现。", "The pipeline has not computed this week's theme figures yet: theme counts are tagged complaint items, without emerging/recurring verdicts."},
	"no_themes":        {"本周没有已标注的投诉主题。", "No tagged complaint theme this week."},
	"attention":        {"需要立即关注", "Needs attention today"},
	"escalation_title": {"升级风险反馈", "Escalation-risk items"},
	"repeat_title":     {"重复投诉客户（30 天内两次及以上）", "Repeat complainants (two or more complaints within 30 days)"},
	"disagree_title":   {"评分与文本不一致", "Star rating versus text"},
	"no_escalations":   {"本周没有升级风险反馈。", "No escalation-risk item this week."},
	"no_repeat":        {"本周没有重复投诉客户。", "No repeat complainant this week."},
	"no_disagreements": {"本周没有评分与文本不一致的反馈。", "No rating/text disagreement this week."},
	"latest":           {"最近一条", "latest"},
	"customer":         {"客户", "Customer"},
	"terms":            {"触发词", "Terms"},
	"showing":          {"显示", "showing"},
	"of":               {"共", "of"},
	"verbatims_title":  {"代表性原文", "Representative verbatims"},
	"breakdown_title":  {"产品与渠道", "Products and channels"},
	"volume":           {"反馈量", "Items"},
	"drilldown":        {"主题详情", "Theme drill-down"},
	"theme_trend":      {"每周投诉与表扬", "Complaints and praises per week"},
	"phrases":          {"高频表述", "Top phrases"},
	"cooccurring":      {"同时出现的主题", "Co-occurring themes"},
	"all_items":        {"全部投诉条目", "All complaint items"},
	"filter":           {"筛选", "Filter"},
	"all":              {"全部", "all"},
	"search":           {"搜索原文", "Search text"},
	"matching":         {"条匹配", "matching"},
	"window":           {"统计区间", "Window"},
	"back":             {"返回周报", "Back to the weekly report"},
	"reports":          {"报告", "Reports"},
	"no_reports":       {"还没有生成任何报告。", "No report written yet."},
	"written":          {"生成时间", "Written"},
	"language":         {"语言", "Language"},
	"live":             {"实时查询", "Live"},
	"weeks_available":  {"可查看的周", "Weeks with data"},
	"apply":            {"应用", "Apply"},
	"left_out":         {"页面只包含最新的条目", "the page holds only the newest items"},
	"hidden_flag":      {"隐性不满", "hidden dissatisfaction"},
	"p_value":          {"p 值", "p"},
	"nps_note":         {"NPS 基于回答了推荐意愿（0-10）的问卷：9-10 为推荐者，0-6 为贬损者。", "NPS over survey answers with a 0-10 recommend score: promoters 9-10 minus detractors 0-6."},
	"sat_note":         {"满意度指数 = 4-5 级（一般满意、高度满意）的占比；等级取客户评分，没有评分时取文本判断。", "Satisfaction index = share of levels 4-5; an item's level is its rating, or what its text reads when it has none."},
	"repurchase_note":  {"复购意愿 = 回答“可能/一定会再次购买”（4-5 级）的占比。", "Repurchase intent = share answering likely or certain (4-5)."},
	"complaint_def":    {"投诉条目：投诉渠道的反馈、含投诉主题的反馈，或满意度为 1-2 级的反馈。", "A complaint item is a filed complaint, an item with a complaint theme, or one at level 1-2."},
	"js_off_note":      {"图表需要启用 JavaScript；上方摘要不需要。", "Charts need JavaScript; the summary above does not."},
}
