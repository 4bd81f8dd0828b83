package complaints

import (
	"fmt"
	"strings"

	"github.com/voc-analytics/voc/collectors/tabular"
)

// role is what a column means to a ticket.
type role int

// Roles, in the order columns are claimed: the most specific wording
// first, so 首次响应时间 is taken for the first response before 时间 could
// make it the opening time, 要求赔偿金额 for the demand before 赔偿
// could make it the compensation paid, and "Times reopened" for the reopen
// count before "opened" could make it the opening time.
const (
	roleNone role = iota
	roleTicket
	roleFirstResponse
	roleClosed
	roleReopened
	roleOpened
	roleDemanded
	roleOrderValue
	roleCompensation
	roleSatisfaction
	roleEscalated
	roleResult
	roleNotes
	roleContent
	roleCategory
	roleChannel
	roleProduct
	roleCustomer
	numRoles
)

var roleNames = [numRoles]string{"", "ticket", "first_response", "closed", "reopened", "opened", "demanded", "order_value",
	"compensation", "satisfaction", "escalated_to", "result", "notes", "content", "category", "channel", "product", "customer"}

// vocab lists per role the header names that are that role outright
// (exact, after folding) and the words that make a header that role when
// it contains them.
var vocab = [numRoles]struct{ exact, words []string }{
	roleTicket: {
		exact: []string{"工单号", "工單號", "工单编号", "工單編號", "投诉单号", "投訴單號", "投诉编号", "投訴編號", "单号", "單號", "编号", "編號", "序号",
			"id", "ticket", "ticketid", "ticketno", "ticketnumber", "caseid", "caseno", "casenumber", "complaintid", "complaintno", "reference"},
		words: []string{"工单号", "工單號", "工单编号", "投诉单号", "投诉编号", "ticketid", "ticketno", "ticketnumber", "caseid", "casenumber", "complaintid"},
	},
	roleFirstResponse: {
		exact: []string{"首次响应时间", "首次響應時間", "首次回复时间", "首次回覆時間", "首响时间", "首響時間", "响应时间", "響應時間", "首次联系时间",
			"firstresponse", "firstresponseat", "firstresponsetime", "firstreply", "firstreplyat", "respondedat", "firstcontact"},
		words: []string{"首次响应", "首次響應", "首次回复", "首次回覆", "首响", "首響", "响应时间", "響應時間", "首次联系", "firstresponse", "firstreply", "responded"},
	},
	roleClosed: {
		exact: []string{"结案时间", "結案時間", "关闭时间", "關閉時間", "办结时间", "辦結時間", "完结时间", "完結時間", "解决时间", "解決時間", "结单时间",
			"closed", "closedat", "closetime", "closedate", "dateclosed", "resolvedat", "solvedat"},
		words: []string{"结案时间", "結案時間", "关闭时间", "關閉時間", "办结时间", "完结时间", "解决时间", "结单时间", "closedat", "closedate", "dateclosed", "resolvedat", "solvedat"},
	},
	// The reopen count, or a yes/no "was it reopened" column. The words
	// are whole phrases (重开次数, timesreopened), not 重开 or reopen
	// alone, so a 重开时间 / "reopened at" time column is not taken for it.
	roleReopened: {
		exact: []string{"重开次数", "重新打开次数", "重开", "是否重开", "是否重新打开", "重开数", "重新打开", "已重开",
			"重開次數", "重新打開次數", "重新開啟次數", "重開", "是否重開", "是否重新打開", "是否重新開啟", "重新打開", "重新開啟",
			"reopencount", "reopenedcount", "reopens", "reopened", "timesreopened", "reopen", "reopenedtimes", "numberofreopens",
			"wasreopened", "isreopened"},
		words: []string{"重开次数", "重新打开次数", "是否重开", "是否重新打开", "重開次數", "重新打開次數", "重新開啟次數", "是否重開", "是否重新打開", "是否重新開啟",
			"reopencount", "reopenedcount", "timesreopened", "reopenedtimes", "numberofreopens", "wasreopened"},
	},
	roleOpened: {
		exact: []string{"投诉时间", "投訴時間", "受理时间", "受理時間", "创建时间", "建立時間", "登记时间", "登記時間", "开单时间", "提交时间", "投诉日期", "投訴日期", "时间", "日期",
			"opened", "openedat", "created", "createdat", "dateopened", "submitted", "submittedat", "reported", "reportedat", "date", "time", "createtime"},
		words: []string{"投诉时间", "投訴時間", "受理时间", "创建时间", "登记时间", "开单时间", "投诉日期", "opened", "createdat", "created", "submitted"},
	},
	roleDemanded: {
		exact: []string{"诉求金额", "訴求金額", "索赔金额", "索賠金額", "要求赔偿", "要求賠償", "要求赔偿金额", "客户诉求金额",
			"demand", "demanded", "claim", "claimed", "claimamount", "demandedamount", "requestedcompensation"},
		words: []string{"诉求金额", "訴求金額", "索赔", "索賠", "要求赔偿", "要求賠償", "demand", "claim", "requestedcompensation"},
	},
	roleOrderValue: {
		exact: []string{"订单金额", "訂單金額", "实付金额", "實付金額", "商品金额", "购买金额", "订单价格", "金额",
			"ordervalue", "orderamount", "ordertotal", "amountpaid", "price", "amount"},
		words: []string{"订单金额", "訂單金額", "实付", "實付", "购买金额", "ordervalue", "orderamount", "ordertotal", "amountpaid"},
	},
	roleCompensation: {
		exact: []string{"补偿", "補償", "赔偿", "賠償", "补偿金额", "補償金額", "赔付", "賠付", "赔付金额", "补偿方式", "赔偿金额",
			"compensation", "refund", "goodwill", "compensationamount"},
		words: []string{"补偿", "補償", "赔偿", "賠償", "赔付", "賠付", "compensation", "refund", "goodwill"},
	},
	roleSatisfaction: {
		exact: []string{"满意度", "滿意度", "回访满意度", "回訪滿意度", "处理满意度", "處理滿意度", "客户满意度", "评价", "satisfaction", "csat"},
		words: []string{"满意", "滿意", "satisf", "csat"},
	},
	roleEscalated: {
		exact: []string{"升级", "升級", "升级至", "升級至", "升级到", "转投", "外部投诉", "是否升级", "转办", "escalated", "escalatedto", "escalation"},
		words: []string{"升级", "升級", "转投", "轉投", "外部投诉", "escalat"},
	},
	roleResult: {
		exact: []string{"处理结果", "處理結果", "结果", "結果", "结案结果", "解决情况", "解決情況", "状态", "狀態", "result", "outcome", "resolution", "status"},
		words: []string{"结果", "結果", "解决情况", "result", "outcome"},
	},
	roleNotes: {
		exact: []string{"处理记录", "處理記錄", "处理过程", "處理過程", "处理意见", "处理说明", "处理情况", "處理情況", "备注", "備註", "回复内容",
			"notes", "handlingnotes", "resolutionnotes", "internalnotes", "handling", "remarks"},
		words: []string{"处理记录", "處理記錄", "处理过程", "处理意见", "处理说明", "处理情况", "备注", "備註", "notes", "remarks"},
	},
	roleContent: {
		exact: []string{"投诉内容", "投訴內容", "内容", "內容", "问题描述", "問題描述", "描述", "投诉描述", "诉求内容", "客户诉求", "诉求", "投诉详情",
			"complaint", "content", "description", "details", "issue", "message", "text", "complainttext"},
		words: []string{"投诉内容", "投訴內容", "问题描述", "問題描述", "诉求", "訴求", "complaint", "description"},
	},
	roleCategory: {
		exact: []string{"类别", "類別", "分类", "分類", "投诉类别", "投诉类型", "投訴類型", "问题类型", "問題類型", "问题分类", "category", "type", "issuetype", "complainttype"},
		words: []string{"类别", "類別", "分类", "分類", "类型", "類型", "category"},
	},
	roleChannel: {
		exact: []string{"渠道", "投诉渠道", "投訴渠道", "来源", "來源", "受理渠道", "投诉方式", "投訴方式", "channel", "source", "via", "origin"},
		words: []string{"渠道", "来源", "來源", "方式", "channel"},
	},
	roleProduct: {
		exact: []string{"产品", "產品", "商品", "产品名称", "產品名稱", "商品名称", "商品名稱", "型号", "型號", "product", "productname", "item", "sku"},
		words: []string{"产品", "產品", "商品", "product"},
	},
	roleCustomer: {
		exact: []string{"客户", "客戶", "客户编号", "客戶編號", "客户id", "会员", "會員", "会员号", "會員號", "用户", "用戶", "用户id", "手机", "手機", "手机号", "电话", "電話",
			"customer", "customerid", "customerkey", "member", "memberid", "email", "user", "userid", "requester", "phone"},
		words: []string{"客户", "客戶", "会员", "會員", "用户", "用戶", "customer", "member", "requester"},
	},
}

// Mapping names, by header text, the columns a helpdesk export's headers
// do not make obvious. It comes from the source's complaints block in
// voc.yaml. A name matches a header exactly, else case-insensitively,
// else after folding (full-width to ASCII, no spaces). Roles left empty are
// still found automatically; a name that matches no column is an error,
// because a mistyped mapping must not quietly load nothing.
type Mapping struct {
	Ticket        string `yaml:"ticket"`
	Customer      string `yaml:"customer"`
	Channel       string `yaml:"channel"`
	Product       string `yaml:"product"`
	Opened        string `yaml:"opened"`
	FirstResponse string `yaml:"first_response"`
	Closed        string `yaml:"closed"`
	Category      string `yaml:"category"`
	Content       string `yaml:"content"`
	Notes         string `yaml:"notes"`
	Result        string `yaml:"result"`
	Compensation  string `yaml:"compensation"`
	Demanded      string `yaml:"demanded"`
	OrderValue    string `yaml:"order_value"`
	Satisfaction  string `yaml:"satisfaction"`
	EscalatedTo   string `yaml:"escalated_to"`
	Reopened      string `yaml:"reopened"`
	// DateFormat is a Go time layout for every time column, for exports
	// voc cannot read by itself (day-first dates): when set it is the only
	// layout tried.
	DateFormat string `yaml:"date_format"`
}

func (m *Mapping) named() [numRoles]string {
	return [numRoles]string{
		roleTicket: m.Ticket, roleCustomer: m.Customer, roleChannel: m.Channel, roleProduct: m.Product,
		roleOpened: m.Opened, roleFirstResponse: m.FirstResponse, roleClosed: m.Closed, roleReopened: m.Reopened, roleCategory: m.Category,
		roleContent: m.Content, roleNotes: m.Notes, roleResult: m.Result, roleCompensation: m.Compensation,
		roleDemanded: m.Demanded, roleOrderValue: m.OrderValue, roleSatisfaction: m.Satisfaction, roleEscalated: m.EscalatedTo,
	}
}

// assignColumns decides which column plays which role: the mapping first,
// then exact header names, then headers containing a role's word, each role
// taking the leftmost free column.
func assignColumns(name string, headers []string, m *Mapping) ([numRoles]int, error) {
	var col [numRoles]int
	for i := range col {
		col[i] = -1
	}
	taken := make([]bool, len(headers))
	folded := make([]string, len(headers))
	for i, h := range headers {
		folded[i] = fold(h)
	}
	if m != nil {
		named := m.named()
		for r := roleTicket; r < numRoles; r++ {
			want := strings.TrimSpace(named[r])
			if want == "" {
				continue
			}
			i := findHeader(headers, folded, want)
			if i < 0 {
				return col, fmt.Errorf("complaints %s: mapping %s: no header %q among %s", name, roleNames[r], want, tabular.Excerpt(fmt.Sprintf("%q", headers), 300))
			}
			if taken[i] {
				return col, fmt.Errorf("complaints %s: mapping names column %s for two roles", name, tabular.Excerpt(fmt.Sprintf("%q", headers[i]), 200))
			}
			col[r], taken[i] = i, true
		}
	}
	for pass := 0; pass < 2; pass++ {
		for r := roleTicket; r < numRoles; r++ {
			if col[r] >= 0 {
				continue
			}
			for i, f := range folded {
				if taken[i] || f == "" {
					continue
				}
				if (pass == 0 && contains(vocab[r].exact, f)) || (pass == 1 && containsWord(f, vocab[r].words)) {
					col[r], taken[i] = i, true
					break
				}
			}
		}
	}
	return col, nil
}

func findHeader(headers, folded []string, want string) int {
	for i, h := range headers {
		if strings.TrimSpace(h) == want {
			return i
		}
	}
	for i, h := range headers {
		if strings.EqualFold(strings.TrimSpace(h), want) {
			return i
		}
	}
	f := fold(want)
	for i := range folded {
		if f != "" && folded[i] == f {
			return i
		}
	}
	return -1
}

func contains(list []string, f string) bool {
	for _, w := range list {
		if fold(w) == f {
			return true
		}
	}
	return false
}

func containsWord(f string, words []string) bool {
	for _, w := range words {
		if strings.Contains(f, fold(w)) {
			return true
		}
	}
	return false
}
