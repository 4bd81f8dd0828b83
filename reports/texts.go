package reports

import "strings"

// texts are a page's words in one language. Pages are written in Chinese
// or English whole; figures, ids and customer text are never translated.
type texts struct{ lang string }

func textsFor(lang string) texts {
	if isZH(lang) {
		return texts{"zh"}
	}
	return texts{"en"}
}

// Reasons names review reasons (warehouse.Review*) in the page's language,
// joined with commas; an unknown reason shows as its id.
func (t texts) Reasons(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if _, ok := words["reason_"+id]; ok {
			out[i] = t.Get("reason_" + id)
		}
	}
	sep := ", "
	if t.lang == "zh" {
		sep = "；"
	}
	return strings.Join(out, sep)
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
	"complaints_title":                    {"投诉处理与沉默的不满", "Complaint handling and silent dissatisfaction"},
	"no_complaints":                       {"本周与上周没有投诉工单，也没有不满的评价或问卷。", "No complaint tickets this week or last, and no dissatisfied reviews or answers."},
	"c_tickets":                           {"新投诉工单", "New complaint tickets"},
	"c_first_median":                      {"首次响应时长（中位数）", "Time to first response (median)"},
	"c_first_p90":                         {"首次响应时长（P90）", "Time to first response (p90)"},
	"c_close_median":                      {"结案时长（中位数）", "Time to close (median)"},
	"c_close_p90":                         {"结案时长（P90）", "Time to close (p90)"},
	"c_first_sla":                         {"首次响应达标率", "First response within SLA"},
	"c_close_sla":                         {"结案达标率", "Closed within SLA"},
	"c_resolution":                        {"解决率", "Resolution rate"},
	"c_reopen":                            {"重开率（已结案工单中被重新打开的占比）", "Reopen rate (closed tickets reopened)"},
	"c_reopened_dissatisfied":             {"重开且处理后不满（1-2 级）", "Reopened and dissatisfied after handling (1-2)"},
	"c_recovery":                          {"处理后满意率（4-5 级）", "Recovery rate (satisfied after handling, 4-5)"},
	"c_repeats":                           {"重复投诉（30 天内同一问题）", "Repeat complaints (same problem within 30 days)"},
	"c_escalated":                         {"升级投诉（12315、消协、媒体、律师）", "Escalated (12315, consumer association, media, lawyer)"},
	"c_flagged":                           {"待人工复核（疑似恶意）", "Flagged for review (possibly malicious)"},
	"c_open":                              {"周末仍未结案", "Still open at week's end"},
	"c_measured":                          {"各指标按投诉在该周结束时的状态计算（之后才结案的计为未结案）；重开次数与升级渠道取最新导出值。", "Each figure is taken as tickets stood at the end of their week (a ticket closed later counts as open); reopen counts and escalations are the latest export's."},
	"silent_title":                        {"沉默的不满", "Silent dissatisfaction"},
	"silent_all":                          {"本周每有 1 条投诉，就有 %s 位不满的顾客（评价或问卷 1-2 级）没有投诉。", "For every complaint this week there were %s dissatisfied customers (reviews or survey answers at 1-2) who never complained."},
	"silent_none":                         {"本周没有投诉工单；不满的评价和问卷：%s 条。", "No complaint tickets this week; dissatisfied reviews and answers: %s."},
	"dissatisfied":                        {"不满（评价/问卷）", "Dissatisfied (reviews/surveys)"},
	"per_complaint":                       {"每条投诉对应", "Per complaint"},
	"escalated_title":                     {"升级的投诉工单", "Escalated tickets"},
	"reason_demand_exceeds_order":         {"索赔金额达订单金额数倍", "demand several times the order value"},
	"reason_large_demand":                 {"索赔金额大（订单金额未知）", "large demand (order value unknown)"},
	"reason_punitive_demand":              {"要求惩罚性赔偿（退一赔三等）", "asks for punitive damages (refund plus three times, …)"},
	"reason_repeat_demand":                {"同一客户多次索赔", "the customer demands compensation again and again"},
	"reason_withdrawn_after_compensation": {"获赔后撤诉", "withdrawn once compensated"},
	"reason_shared_demand":                {"多名客户同一措辞索赔（疑似模板）", "same demand, word for word, from several customers (a template?)"},
	"digest_full":                         {"完整报告（图表与下钻）：", "Full report with charts and drill-downs:"},
	"review_title":                        {"待人工复核的工单（疑似恶意，仅供判断，未剔除）", "Tickets to review (possibly malicious; for a person to judge, kept in every figure)"},
	"at_risk_title":                       {"流失风险客户（最后一次反馈为 1-2 级，此后沉默）", "Customers at risk (last word a 1-2, silent since)"},
	"silent_days":                         {"沉默天数", "Days silent"},
	"ticket":                              {"工单", "Ticket"},
	"reasons":                             {"原因", "Reasons"},
	"escalated_to":                        {"升级至", "Escalated to"},
	"customer_col":                        {"客户", "Customer"},
	"esc_consumer_association":            {"消协", "Consumer association"},
	"esc_12315":                           {"12315", "12315"},
	"esc_media":                           {"媒体", "Media"},
	"esc_lawyer":                          {"律师", "Lawyer"},
	"esc_platform":                        {"平台", "Platform"},
	"esc_other":                           {"其他", "Other"},
	"weekly_title":                        {"客户声音周报", "Voice of the customer: weekly report"},
	"index_title":                         {"客户声音报告", "Voice of the customer reports"},
	"week":                                {"周", "Week"},
	"zone":                                {"时区", "time zone"},
	"generated":                           {"生成于", "generated"},
	"summary":                             {"本周摘要", "This week at a glance"},
	"figure":                              {"指标", "Figure"},
	"this_week":                           {"本周", "This week"},
	"last_week":                           {"上周", "Last week"},
	"change":                              {"变化", "Change"},
	"na":                                  {"无数据", "n/a"},
	"items":                               {"反馈量", "Feedback items"},
	"satisfaction":                        {"满意度指数", "Satisfaction index"},
	"mean_level":                          {"平均满意度", "Mean level"},
	"nps":                                 {"NPS 净推荐值", "NPS"},
	"repurchase":                          {"复购意愿", "Repurchase intent"},
	"complaint_items":                     {"含投诉主题的反馈", "Items with complaint themes"},
	"escalations":                         {"升级风险", "Escalation risk"},
	"hidden":                              {"隐性不满（高分差评）", "Hidden dissatisfaction (high rating, angry text)"},
	"disagreements":                       {"评分与文本不一致", "Rating and text disagree"},
	"levels_by_week":                      {"五级满意度分布（按周）", "Five-level distribution by week"},
	"volume_by_source":                    {"各来源反馈量", "Feedback volume by source"},
	"source":                              {"来源", "Source"},
	"product":                             {"产品", "Product"},
	"channel":                             {"渠道", "Channel"},
	"level":                               {"满意度", "Level"},
	"rating":                              {"评分", "Rating"},
	"text_level":                          {"文本判断", "Text reads"},
	"when":                                {"时间", "When"},
	"text":                                {"内容", "Text"},
	"none":                                {"（无）", "(none)"},
	"by_product":                          {"按产品", "By product"},
	"by_channel":                          {"按渠道", "By channel"},
	"by_source":                           {"按来源", "By source"},
	"by_level":                            {"按满意度", "By level"},
	"sat_by_product":                      {"各产品满意度指数 %", "Satisfaction index by product, %"},
	"top_themes":                          {"主要投诉主题", "Top complaint themes"},
	"theme":                               {"主题", "Theme"},
	"owner":                               {"负责部门", "Owner"},
	"complaints":                          {"投诉", "Complaints"},
	"praises":                             {"表扬", "Praises"},
	"share":                               {"占比", "Share"},
	"status":                              {"状态", "Status"},
	"emerging":                            {"新出现", "Emerging"},
	"recurring":                           {"反复出现", "Recurring"},
	"emerging_title":                      {"新出现的投诉主题", "Emerging complaint themes"},
	"recurring_title":                     {"反复出现的投诉主题", "Recurring complaint themes"},
	"expected":                            {"预期", "expected"},
	"no_emerging":                         {"本周没有新出现的投诉主题。", "No emerging complaint theme this week."},
	"no_recurring":                        {"本周没有反复出现的投诉主题。", "No recurring complaint theme this week."},
	"themes_from_hits":                    {"本周的主题周统计尚未由流水线计算：主题数按已标注的投诉条目统计，未判定新出现/反复出现。", "The pipeline has not computed this week's theme figures yet: theme counts are tagged complaint items, without emerging/recurring verdicts."},
	"no_themes":                           {"本周没有已标注的投诉主题。", "No tagged complaint theme this week."},
	"attention":                           {"需要立即关注", "Needs attention today"},
	"escalation_title":                    {"升级风险反馈", "Escalation-risk items"},
	"repeat_title":                        {"重复投诉客户（30 天内两次及以上）", "Repeat complainants (two or more complaints within 30 days)"},
	"disagree_title":                      {"评分与文本不一致", "Star rating versus text"},
	"no_escalations":                      {"本周没有升级风险反馈。", "No escalation-risk item this week."},
	"no_repeat":                           {"本周没有重复投诉客户。", "No repeat complainant this week."},
	"no_disagreements":                    {"本周没有评分与文本不一致的反馈。", "No rating/text disagreement this week."},
	"latest":                              {"最近一条", "latest"},
	"customer":                            {"客户", "Customer"},
	"terms":                               {"触发词", "Terms"},
	"showing":                             {"显示", "showing"},
	"of":                                  {"共", "of"},
	"verbatims_title":                     {"代表性原文", "Representative verbatims"},
	"breakdown_title":                     {"产品与渠道", "Products and channels"},
	"volume":                              {"反馈量", "Items"},
	"drilldown":                           {"主题详情", "Theme drill-down"},
	"theme_trend":                         {"每周投诉与表扬", "Complaints and praises per week"},
	"phrases":                             {"高频表述", "Top phrases"},
	"cooccurring":                         {"同时出现的主题", "Co-occurring themes"},
	"all_items":                           {"全部投诉条目", "All complaint items"},
	"filter":                              {"筛选", "Filter"},
	"all":                                 {"全部", "all"},
	"search":                              {"搜索原文", "Search text"},
	"matching":                            {"条匹配", "matching"},
	"window":                              {"统计区间", "Window"},
	"back":                                {"返回周报", "Back to the weekly report"},
	"reports":                             {"报告", "Reports"},
	"no_reports":                          {"还没有生成任何报告。", "No report written yet."},
	"written":                             {"生成时间", "Written"},
	"language":                            {"语言", "Language"},
	"live":                                {"实时查询", "Live"},
	"weeks_available":                     {"可查看的周", "Weeks with data"},
	"apply":                               {"应用", "Apply"},
	"left_out":                            {"页面只包含最新的条目", "the page holds only the newest items"},
	"hidden_flag":                         {"隐性不满", "hidden dissatisfaction"},
	"p_value":                             {"p 值", "p"},
	"nps_note":                            {"NPS 基于回答了推荐意愿（0-10）的问卷：9-10 为推荐者，0-6 为贬损者。", "NPS over survey answers with a 0-10 recommend score: promoters 9-10 minus detractors 0-6."},
	"sat_note":                            {"满意度指数 = 4-5 级（一般满意、高度满意）的占比；等级取客户评分，没有评分时取文本判断。", "Satisfaction index = share of levels 4-5; an item's level is its rating, or what its text reads when it has none."},
	"repurchase_note":                     {"复购意愿 = 回答“可能/一定会再次购买”（4-5 级）的占比。", "Repurchase intent = share answering likely or certain (4-5)."},
	"complaint_def":                       {"投诉条目：投诉渠道的反馈、含投诉主题的反馈，或满意度为 1-2 级的反馈。", "A complaint item is a filed complaint, an item with a complaint theme, or one at level 1-2."},
	"js_off_note":                         {"图表需要启用 JavaScript；上方摘要不需要。", "Charts need JavaScript; the summary above does not."},
}
