package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Complaints describes a generated helpdesk export of complaint tickets,
// the kind a customer-service team downloads from its ticket system: GBK
// CSV with Chinese headers, tickets in Chinese and some in English, over
// Weeks weeks before End.
//
// The lifecycles are realistic rather than tidy: most tickets are answered
// within a day and closed within two, some wait too long (SLA breaches),
// some are still open (a few long forgotten), a few are withdrawn. Some
// customers come back with the same problem within weeks (repeats), angry
// ones escalate to 12315 or 消协, and a couple of customers demand many
// times the price in series: the "review: possibly malicious" cases. About
// one closed ticket in nine was reopened (重开次数), unresolved ones and
// quality complaints more often. Many customer keys are the demo shop's
// reviewer names, so a customer's reviews and complaints meet in the
// warehouse.
type Complaints struct {
	Seed    uint64
	Tickets int       // ordinary tickets, before the scripted cases and bad rows
	End     time.Time // the newest ticket opens before End; End's zone is the export's
	Weeks   int
}

// DefaultComplaints is what `voc demo` generates: eight weeks of tickets
// ending before end.
func DefaultComplaints(end time.Time) Complaints {
	return Complaints{Seed: 20261125, Tickets: 150, End: end, Weeks: 8}
}

// ComplaintBadRows is how many deliberately broken rows Export adds: an
// unreadable opening time and a ticket closed before it was opened.
const ComplaintBadRows = 2

var complaintHeader = []string{"工单号", "客户编号", "投诉渠道", "商品", "订单金额", "投诉时间", "首次响应时间", "结案时间",
	"投诉类型", "投诉内容", "处理记录", "处理结果", "补偿", "回访满意度", "升级至", "重开次数"}

// complaintTopics pair the helpdesk's category with what customers write:
// the words are the ones the theme matcher knows.
var complaintTopics = []struct {
	category string
	zh, en   []string
}{
	{"物流", []string{"物流太慢了，等了一个星期才到", "快递一直不更新，客服也说不清楚", "物流慢，催了三次还没发货"}, []string{"Shipping took forever", "Tracking has not moved for a week"}},
	{"包装", []string{"包装破损，盒子都压扁了", "外箱破了，东西也摔坏了"}, []string{"The box arrived crushed"}},
	{"质量", []string{"质量很差，用了两天就坏了", "电池不耐用，半天就没电了", "做工粗糙，开线了"}, []string{"Stopped working after a week", "Poor quality, the seam split"}},
	{"服务", []string{"客服态度差，问了半天没人回", "客服一直推托，不给解决"}, []string{"Customer service never answered my emails"}},
	{"退换货", []string{"退货太麻烦，申请了三次都没通过", "换货等了半个月还没寄出"}, []string{"Returning it was a nightmare"}},
	{"真伪", []string{"怀疑是假货，和专柜的不一样"}, []string{"Looks like a fake, not the real brand"}},
}

// complaintCustomers mixes the demo shop's reviewer names (so reviews and
// complaints of one customer meet) with member numbers of the helpdesk.
var complaintCustomers = []string{"张小姐", "陳先生", "阿杰", "小美", "Anna", "Tom B.", "Priya", "Chris", "阿明", "小王", "M. Lee", "j.doe"}

var complaintChannels = []string{"400热线", "400热线", "在线客服", "在线客服", "天猫旗舰店", "京东自营", "门店", "12315转办"}

var demoPrices = map[string]int{"AirSound Pro 降噪耳机": 899, "暖暖智能保温杯": 199, "轻跑 Runner 3 运动鞋": 459, "清风 X3 空气净化器": 1699}

// Export writes the tickets as GBK (GB18030) CSV, as Excel on a Chinese
// Windows saves a helpdesk download.
func (c Complaints) Export() ([]byte, error) {
	rows, err := c.Rows()
	if err != nil {
		return nil, err
	}
	return gbkCSV("demo complaints", rows)
}

// ticket is one generated ticket before it is written out.
type ticket struct {
	id, customer, channel, product    string
	opened                            time.Time
	firstH, closeH                    float64 // hours after opening; < 0 not yet
	category, text, notes, result     string
	compensation, satisfaction, escal string
	reopens                           int // times reopened; written for closed tickets only
}

const timeLayout = "2006-01-02 15:04"

func (t ticket) row() []string {
	at := func(h float64) string {
		if h < 0 {
			return ""
		}
		return t.opened.Add(time.Duration(h * float64(time.Hour))).Format(timeLayout)
	}
	// An open ticket's count stays empty: helpdesks fill it in on closing.
	reopens := ""
	if t.closeH >= 0 {
		reopens = fmt.Sprint(t.reopens)
	}
	return []string{t.id, t.customer, t.channel, t.product, fmt.Sprint(demoPrices[t.product]), t.opened.Format(timeLayout),
		at(t.firstH), at(t.closeH), t.category, t.text, t.notes, t.result, t.compensation, t.satisfaction, t.escal, reopens}
}

// Rows returns the export as text rows, header first, tickets in the
// order they were opened with the broken rows among them.
func (c Complaints) Rows() ([][]string, error) {
	if c.Tickets < 1 || c.Weeks < 1 {
		return nil, fmt.Errorf("demo complaints: need at least one ticket and one week, got %d and %d", c.Tickets, c.Weeks)
	}
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0xc0ffee))
	span := time.Duration(c.Weeks) * 7 * 24 * time.Hour
	start := c.End.Add(-span)
	var ts []ticket
	seq := 0
	next := func() string { seq++; return fmt.Sprintf("TS%s%04d", start.Format("0601"), seq) }
	for i := 0; i < c.Tickets; i++ {
		opened := start.Add(time.Duration(r.Int64N(int64(span - 2*time.Hour)))).Truncate(time.Minute)
		t := c.ordinary(r, next(), opened)
		ts = append(ts, t)
		// Some customers come back with the same problem within weeks.
		if r.IntN(100) < 12 {
			again := opened.Add(time.Duration(3+r.IntN(24)) * 24 * time.Hour).Add(time.Duration(r.IntN(600)) * time.Minute)
			if again.Before(c.End.Add(-time.Hour)) {
				t2 := c.ordinary(r, next(), again)
				t2.customer, t2.category, t2.product = t.customer, t.category, t.product
				t2.text = "又是同样的问题：" + t.text
				if t.channel == "" || r.IntN(2) == 0 {
					t2.channel = t.channel
				}
				ts = append(ts, t2)
			}
		}
	}
	// Professional claimants: the same punitive demand in a series of tickets.
	for k, cust := range []string{"M99001", "M99002"} {
		for j := 0; j < 3; j++ {
			opened := start.Add(time.Duration(9+k*11+j*13)*24*time.Hour + time.Duration(10+j)*time.Hour)
			t := ticket{id: next(), customer: cust, channel: "12315转办", product: "暖暖智能保温杯", opened: opened,
				firstH: 2, closeH: 70, category: "真伪", text: "怀疑是假货，要求退一赔三，赔偿5000元，否则向媒体曝光",
				notes: "核实为正品，协商退款", result: "撤诉", compensation: "退款199元", escal: "12315"}
			if j == 2 {
				t.result, t.compensation, t.closeH, t.notes = "未解决", "", 96, "拒绝不合理赔偿要求"
			}
			ts = append(ts, t)
		}
	}
	sortTickets(ts)
	reopen(ts, c.Seed)
	rows := [][]string{complaintHeader}
	for _, t := range ts {
		rows = append(rows, t.row())
	}
	// The deliberate bad rows.
	bad1 := c.ordinary(r, next(), start.Add(40*time.Hour)).row()
	bad1[5] = "2026-11-3x 10:00"
	bad2 := c.ordinary(r, next(), start.Add(80*time.Hour))
	bad2.firstH, bad2.closeH = 1, 5
	b2 := bad2.row()
	b2[7] = bad2.opened.Add(-3 * 24 * time.Hour).Format(timeLayout)
	for k, b := range [][]string{bad1, b2} {
		pos := 1 + (k+1)*(len(rows)-1)/3
		rows = append(rows[:pos], append([][]string{b}, rows[pos:]...)...)
	}
	return rows, nil
}

// reopen decides which closed tickets were reopened, and how often. It
// draws from a stream of its own, so the tickets themselves are the same
// as before the export had a reopen column; the stream's salt is picked so
// that DefaultComplaints's last week has a reopened ticket whose customer
// stayed dissatisfied, the case the figure is for. A closing that did not satisfy
// is reopened more often (unresolved 20%, partly 15%, resolved 6%, never
// once withdrawn), and quality complaints twice as often, since a faulty
// replacement brings the customer back.
func reopen(ts []ticket, seed uint64) {
	reopenPct := map[string]int{"已解决": 6, "部分解决": 15, "未解决": 20}
	r := rand.New(rand.NewPCG(seed^0x5e0c02, seed))
	for i := range ts {
		t := &ts[i]
		if t.closeH < 0 {
			continue
		}
		pct := reopenPct[t.result]
		if t.category == "质量" {
			pct *= 2
		}
		if r.IntN(100) < pct {
			t.reopens = 1
			if r.IntN(4) == 0 {
				t.reopens = 2
			}
		}
	}
}

func sortTickets(ts []ticket) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].opened.Before(ts[j-1].opened); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// ordinary generates one ticket's lifecycle as of End: answered within a
// day mostly, closed within two mostly, open when recent or forgotten.
func (c Complaints) ordinary(r *rand.Rand, id string, opened time.Time) ticket {
	topic := complaintTopics[r.IntN(len(complaintTopics))]
	en := r.IntN(100) < 15
	text := pick(r, topic.zh)
	if en {
		text = pick(r, topic.en)
	}
	customer := fmt.Sprintf("M%05d", 10000+r.IntN(900))
	if r.IntN(100) < 20 {
		customer = pick(r, complaintCustomers)
	}
	t := ticket{id: id, customer: customer, channel: pick(r, complaintChannels), product: pick(r, products),
		opened: opened, category: topic.category, text: text}
	// First response: mostly within hours, one in eight too late.
	t.firstH = 0.2 + r.Float64()*6
	if r.IntN(8) == 0 {
		t.firstH = 24 + r.Float64()*48
	}
	t.closeH = t.firstH + 2 + r.ExpFloat64()*30
	age := c.End.Sub(opened).Hours()
	switch {
	case t.firstH > age:
		t.firstH, t.closeH = -1, -1
	case t.closeH > age || r.IntN(100) < 4: // still open; a few forgotten
		t.closeH = -1
	}
	angry := r.IntN(100) < 15
	if angry {
		if r.IntN(2) == 0 {
			t.escal = "12315"
			t.text += "，再不处理我就去12315投诉"
		} else {
			t.escal = "消协"
			t.text += "，我要找消协"
		}
	}
	if t.closeH < 0 {
		t.result = "处理中"
		return t
	}
	switch x := r.IntN(100); {
	case x < 62 && !angry:
		t.result, t.notes = "已解决", "已致歉并处理"
		t.satisfaction = pick(r, []string{"非常满意", "满意", "满意", "一般"})
		if r.IntN(3) == 0 {
			t.compensation = fmt.Sprintf("赠券%d元", 10*(1+r.IntN(5)))
		}
	case x < 80:
		t.result, t.notes = "部分解决", "已补发部分配件"
		t.satisfaction = pick(r, []string{"一般", "不满意", "满意"})
	case x < 94:
		t.result, t.notes = "未解决", "客户不接受方案"
		t.satisfaction = pick(r, []string{"不满意", "非常不满意"})
	default:
		t.result, t.notes = "撤诉", "客户撤回投诉"
	}
	if r.IntN(100) < 30 {
		t.satisfaction = "未回访"
	}
	return t
}
