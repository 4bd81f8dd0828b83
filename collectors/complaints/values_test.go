package complaints

import (
	"reflect"
	"testing"
)

func TestParseResult(t *testing.T) {
	for in, want := range map[string]string{
		"已解决": ResultResolved, " Resolved ": ResultResolved, "部分解决": ResultPartly, "Partially resolved": ResultPartly,
		"未解决": ResultUnresolved, "not resolved": ResultUnresolved, "撤诉": ResultWithdrawn, "Withdrawn": ResultWithdrawn,
		"处理中": "", "pending": "", "": "", "已结案": "",
	} {
		got, err := ParseResult(in)
		if err != nil || got != want {
			t.Errorf("ParseResult(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"搞定了", "ok", "5"} {
		if got, err := ParseResult(bad); err == nil {
			t.Errorf("ParseResult(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseChannelAndEscalation(t *testing.T) {
	for in, want := range map[string]string{
		"400热线": ChannelPhone, "Phone": ChannelPhone, "在线客服": ChannelOnline, "e-mail": ChannelOnline, "门店": ChannelStore,
		"12315转办": Channel12315, "市场监管局转": Channel12315, "天猫": ChannelPlatform, "京东在线客服": ChannelPlatform, "信鸽": ChannelOther, "": "",
	} {
		if got := ParseChannel(in); got != want {
			t.Errorf("ParseChannel(%q) = %q, want %q", in, got, want)
		}
	}
	tests := map[string][]string{
		"":                 nil,
		"无":                nil,
		"12315、消协":         {Escalation12315, EscalationConsumerAssociation},
		"消费者协会":            {EscalationConsumerAssociation},
		"媒体曝光":             {EscalationMedia},
		"Lawyer and media": {EscalationLawyer, EscalationMedia},
		"律师/律师函":           {EscalationLawyer},
		"平台介入":             {EscalationPlatform},
		"是":                {EscalationOther},
		"市长热线":             {EscalationOther},
	}
	for in, want := range tests {
		if got := ParseEscalation(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ParseEscalation(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseAmountAndDemand(t *testing.T) {
	amounts := []struct {
		in   string
		want float64
		ok   bool
	}{{"199", 199, true}, {"¥1,299.50", 1299.5, true}, {"50元", 50, true}, {"RMB 80", 80, true}, {"1.2万", 12000, true},
		{"换新", 0, false}, {"", 0, false}, {"$10 voucher", 10, true}}
	for _, a := range amounts {
		got, ok := ParseAmount(a.in)
		if ok != a.ok || got != a.want {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v, %v", a.in, got, ok, a.want, a.ok)
		}
	}
	demands := []struct {
		text     string
		amount   float64
		punitive bool
	}{
		{"怀疑是假货，要求退一赔三", 0, true},
		{"必须赔偿5000元，否则曝光", 5000, false},
		{"要求补偿 2万", 20000, false},
		{"I want compensation of $300 or I sue", 300, false},
		{"物流太慢了，等了7天", 0, false},
		{"假一赔十！十倍赔偿 赔1000", 1000, true},
	}
	for _, d := range demands {
		got := FindDemand(d.text)
		if got.Amount != d.amount || got.Punitive != d.punitive || (len(got.Terms) > 0) != (d.amount > 0 || d.punitive) {
			t.Errorf("FindDemand(%q) = %+v, want amount %v punitive %v", d.text, got, d.amount, d.punitive)
		}
	}
}

func TestParseReopened(t *testing.T) {
	known := map[string]int{
		"0": 0, "1": 1, "2": 2, " 3 ": 3, "２": 2, "2.0": 2, "1次": 1, "2 次": 2, "2 times": 2, "1 time": 1, "2x": 2,
		"是": 1, "有": 1, "已重开": 1, "已重開": 1, "重新打开": 1, "Y": 1, "yes": 1, "TRUE": 1, "Reopened": 1, "√": 1,
		"否": 0, "无": 0, "無": 0, "没有": 0, "未重开": 0, "N": 0, "no": 0, "false": 0, "None": 0,
	}
	for in, want := range known {
		got, err := ParseReopened(in)
		if err != nil || got == nil || *got != want {
			t.Errorf("ParseReopened(%q) = %v, %v; want %d", in, got, err, want)
		}
	}
	for _, unknown := range []string{"", "  ", "-", "/", "n/a", "未知", "unknown"} {
		if got, err := ParseReopened(unknown); err != nil || got != nil {
			t.Errorf("ParseReopened(%q) = %v, %v; want unknown (nil)", unknown, got, err)
		}
	}
	for _, bad := range []string{"很多", "maybe", "-1", "1.5", "10.", "1,0", "1000", "99999999999999999999", "2026-11-02"} {
		if got, err := ParseReopened(bad); err == nil {
			t.Errorf("ParseReopened(%q) = %v, want an error", bad, *got)
		}
	}
	for in, want := range map[string]bool{"重新打开": true, "已重开": true, "重開": true, "Re-opened": true, "已解决": false, "": false, "open": false} {
		if got := ReopenedStatus(in); got != want {
			t.Errorf("ReopenedStatus(%q) = %v, want %v", in, got, want)
		}
	}
}
