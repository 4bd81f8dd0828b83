package survey

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// The fixtures in testdata/ are generated here, so the binary ones (GBK,
// Big5, UTF-16, XLSX) can be read and changed as source. After editing a
// fixture below, run
//
//	go test ./collectors/survey/ -run TestFixturesCurrent -update
//
// and commit the regenerated files. All texts are invented for these tests.
var update = flag.Bool("update", false, "rewrite testdata/ fixtures from gen_test.go")

type fixture struct {
	name  string
	build func() ([]byte, error)
}

var fixtures = []fixture{
	{"wjx_gbk.csv", func() ([]byte, error) { return encode(simplifiedchinese.GBK, crlf(wjxCSV)) }},
	{"google_forms_bom.csv", func() ([]byte, error) { return append([]byte("\uFEFF"), googleFormsCSV...), nil }},
	{"surveymonkey_utf16le.txt", func() ([]byte, error) {
		return encode(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), crlf(surveyMonkeyTSV))
	}},
	{"qualtrics.csv", func() ([]byte, error) { return []byte(crlf(qualtricsCSV)), nil }},
	{"generic_mapped.csv", func() ([]byte, error) { return []byte(genericMappedCSV), nil }},
	{"generic_auto.csv", func() ([]byte, error) { return []byte(genericAutoCSV), nil }},
	{"big5.csv", func() ([]byte, error) { return encode(traditionalchinese.Big5, crlf(big5CSV)) }},
	{"survey.xlsx", buildXLSX},
}

func TestFixturesCurrent(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			want, err := f.build()
			if err != nil {
				t.Fatalf("build %s: %v", f.name, err)
			}
			path := filepath.Join("testdata", f.name)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to generate)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from its generator in gen_test.go; run with -update", path)
			}
		})
	}
}

func encode(enc encoding.Encoding, s string) ([]byte, error) {
	return enc.NewEncoder().Bytes([]byte(s))
}

// crlf gives a fixture the line endings Windows tools write. Line breaks
// inside quoted fields become CRLF too, as Excel writes them.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// wjxCSV is a 问卷星 export: metadata columns, numbered questions, answers
// in Chinese and English labels, and bad rows at known lines: 9 (unknown
// label), 11 (impossible date), 12 (recommend 11), 13 (too few fields).
// Line 10 is blank; lines 5-6 are one record with a line break.
const wjxCSV = `序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您对本次购物的总体满意度,2、您向朋友推荐我们的可能性有多大？,3、您是否会再次购买？,4、您购买的商品类别,5、您是通过什么途径知道我们的？,6、您的意见和建议
1,2026/11/3 14:05:09,95秒,手机提交,直接访问,113.87.10.21(广东-深圳),非常满意,10,一定会,家电,朋友介绍,物流很快，包装也很结实
2,2026/11/3 15:20:41,120秒,微信,N/A,120.229.3.8(广东-广州),满意,8,可能会,数码,朋友圈广告,客服回复及时
3,2026/11/4 9:02:13,64秒,链接,N/A,58.246.7.90(上海),Very satisfied,9,会,服装,搜索引擎,"Fits well, will order the blue one next time"
4,2026/11/4 10:11:55,210秒,手机提交,直接访问,183.14.2.77(广东-深圳),一般,6,不确定,家电,朋友介绍,"安装师傅迟到了
一个小时"
5,2026/11/4 12:30:00,80秒,微信,N/A,117.136.0.5(浙江-杭州),不满意,3,可能不会,服装,朋友圈广告,尺码偏小，换货流程太慢
6,2026/11/5 8:45:31,45秒,链接,N/A,101.88.1.2(上海),非常不满意,0,肯定不会,数码,搜索引擎,等了两周才发货
7,2026/11/5 9:10:02,70秒,微信,N/A,14.17.3.3(广东-深圳),超级棒,9,会,家电,朋友介绍,
,,,,,,,,,,,
8,2026/13/45 25:00,66秒,链接,N/A,1.2.3.4(北京),满意,7,会,数码,搜索引擎,
9,2026/11/5 11:00:00,72秒,微信,N/A,5.6.7.8(北京),满意,11,会,服装,朋友介绍,
10,2026/11/5 11:30:00,60秒,微信
11,2026/11/5 12:00:00,50秒,链接,N/A,9.9.9.9(江苏-南京),5分,7,会,数码,搜索引擎,
12,2026/11/5 13:15:45,88秒,手机提交,直接访问,8.8.4.4(四川-成都),Somewhat dissatisfied,,,服装,,价格偏高
13,2026/11/5 16:20:00,91秒,微信,N/A,36.1.1.1(湖北-武汉),非常满意(5),１０,Yes,家电,朋友介绍,下次还来
14,2026/11/5 18:02:10,77秒,链接,N/A,42.2.2.2(湖南-长沙),不太满意,5,No,家电,搜索引擎,"说明书写得""很含糊"""
`

// googleFormsCSV is a Google Forms export (UTF-8 with BOM added by the
// generator): month-first timestamps, English scale labels, rejects at 5
// (unknown label) and 8 (30 November has no 31st). Lines 6-7 are one record.
const googleFormsCSV = `"Timestamp","Email address","How satisfied are you with your order overall?","How likely are you to recommend Lumen Lamps to a friend? (0-10)","Would you buy from us again?","Which product did you buy?","Anything else you would like to tell us?"
"11/3/2026 14:05:09","ana.li@example.com","Very satisfied","10 - Extremely likely","Definitely will","Desk lamp","Bright and easy to set up."
"11/3/2026 18:40:00","ben.k@example.com","Somewhat satisfied","7","Probably will","Floor lamp",""
"11/4/2026 8:02:51","","Neither satisfied nor dissatisfied","5","Might or might not","Desk lamp","The switch feels flimsy, but it works"
"11/4/2026 9:15:00","dora@example.com","Meh","6","Maybe","Bulb pack",""
"11/5/2026 21:30:12","eli@example.com","Extremely dissatisfied","0 - Not at all likely","Definitely not","Floor lamp","Arrived cracked.
Support never replied."
"11/31/2026 10:00:00","finn@example.com","Satisfied","8","Yes","Desk lamp",""
"11/6/2026 10:00:00","gao@example.com","Satisfied","8","Yes","Bulb pack","很好用，已经推荐给同事"
`

// surveyMonkeyTSV is SurveyMonkey's "Unicode text" export: UTF-16LE with
// BOM, TAB-separated, a second header row of sub-labels, and a checkbox
// question spread over two columns (Phone, Email). Data starts on line 3;
// line 5 carries no answers and line 7 an unknown recommend answer.
const surveyMonkeyTSV = "Respondent ID\tCollector ID\tStart Date\tEnd Date\tIP Address\tEmail Address\tFirst Name\tLast Name\tCustom Data 1\tOverall, how satisfied are you with our support team?\tHow likely is it that you would recommend us to a friend or colleague?\tWhich channels did you use to contact us?\t\tWhat could we do better?\n" +
	"\t\t\t\t\t\t\t\t\tResponse\tResponse\tPhone\tEmail\tOpen-Ended Response\n" +
	"114000000001\t402000001\t11/03/2026 02:01:10 PM\t11/03/2026 02:05:09 PM\t203.0.113.5\tchen.w@example.com\tWei\tChen\t\tVery satisfied\t10\tPhone\t\tQuick answer on the phone, thanks.\n" +
	"114000000002\t402000001\t11/03/2026 03:10:00 PM\t11/03/2026 03:12:44 PM\t203.0.113.9\tpriya@example.com\t\t\t\tSatisfied\t8\t\tEmail\tTook two days, but it was solved\n" +
	"114000000003\t402000001\t11/03/2026 04:00:00 PM\t11/03/2026 04:00:31 PM\t198.51.100.4\t\t\t\t\t\t\t\t\t\n" +
	"114000000004\t402000002\t11/04/2026 09:00:00 AM\t11/04/2026 09:03:30 AM\t198.51.100.23\tlin@example.com\t\t\t\tSomewhat dissatisfied\t4\tPhone\tEmail\t没人接电话，邮件回复也很慢\n" +
	"114000000005\t402000002\t11/04/2026 10:00:00 AM\t11/04/2026 10:02:00 AM\t198.51.100.40\tomar@example.com\t\t\t\tVery dissatisfied\tten\tEmail\t\t\n"

// qualtricsCSV has Qualtrics' three header rows: names, question texts and
// ImportId JSON that declares the recorded dates' time zone. Q3 asks "how
// likely ... buy again", which is repurchase, not recommend. Line 8 has an
// impossible date.
const qualtricsCSV = `StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,RecordedDate,ResponseId,RecipientEmail,DistributionChannel,UserLanguage,Q1,Q2,Q3,Q4,Q5
Start Date,End Date,Response Type,IP Address,Progress,Duration (in seconds),Finished,Recorded Date,Response ID,Recipient Email,Distribution Channel,User Language,"Overall, how satisfied are you with your order?",How likely are you to recommend Northwind Tea to a friend or colleague?,How likely are you to buy again from us?,Which tea did you order?,Please tell us why you gave this score.
"{""ImportId"":""startDate"",""timeZone"":""America/Denver""}","{""ImportId"":""endDate"",""timeZone"":""America/Denver""}","{""ImportId"":""status""}","{""ImportId"":""ipAddress""}","{""ImportId"":""progress""}","{""ImportId"":""duration""}","{""ImportId"":""finished""}","{""ImportId"":""recordedDate"",""timeZone"":""America/Denver""}","{""ImportId"":""_recordId""}","{""ImportId"":""recipientEmail""}","{""ImportId"":""distributionChannel""}","{""ImportId"":""userLanguage""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}","{""ImportId"":""QID4""}","{""ImportId"":""QID5_TEXT""}"
2026-11-03 13:58:00,2026-11-03 14:05:09,IP Address,198.51.100.7,100,429,True,2026-11-03 14:05:09,R_1a2B3c4D5e6F7g8,mia@example.com,email,EN,Extremely satisfied,9,Extremely likely,Oolong sampler,The tea arrived fresh and well sealed.
2026-11-03 15:00:00,2026-11-03 15:04:10,IP Address,198.51.100.8,100,250,True,2026-11-03 15:04:10,R_2b3C4d5E6f7G8h9,,anonymous,EN,Somewhat dissatisfied,6,Unlikely,Green tea,"Shipping cost more than the tea, honestly"
2026-11-04 08:00:00,2026-11-04 08:02:00,IP Address,198.51.100.9,100,120,True,2026-11-04 08:02:00,R_3c4D5e6F7g8H9i0,,anonymous,EN,Neither satisfied nor dissatisfied,7,Neither likely nor unlikely,Green tea,
2026-11-04 09:00:00,2026-11-04 09:20:00,IP Address,198.51.100.10,40,1200,False,2026-11-05 09:20:00,R_4d5E6f7G8h9I0j1,,anonymous,EN,Moderately satisfied,,,,
2026-11-05 10:00:00,2026-11-05 10:05:00,IP Address,198.51.100.11,100,300,True,2026-11-31 10:05:00,R_5e6F7g8H9i0J1k2,,anonymous,EN,Extremely satisfied,10,Extremely likely,Black tea,Lovely
`

// genericMappedCSV needs a Mapping: no header names a role voc knows, it is
// semicolon-separated, and its dates are day-first. Line 4 breaks the
// configured date format.
const genericMappedCSV = `resp_no;when;score_overall;nps_score;remarks;sku;shop;region
R-1001;03.11.2026 14:05;4;9;Delivery was on time;BK-200;Berlin store;DE
R-1002;03.11.2026 16:40;2;3;Box was damaged;BK-310;Online;AT
R-1003;2026-11-04 09:00;5;10;;BK-200;Online;DE
R-1004;04.11.2026 10:15;5;10;;BK-200;Online;CH
`

// genericAutoCSV is a home-made sheet whose plain headers are enough.
const genericAutoCSV = `ID,Date submitted,Customer satisfaction (CSAT),Comment,Product,Channel
7,2026-11-03,4,"Good, but the lid leaks",Travel mug,Web
8,2026-11-03,5,,Travel mug,Store
`

// big5CSV is a traditional-Chinese export in Big5; line 8 has an unknown
// label.
const big5CSV = `編號,提交時間,整體滿意度,推薦意願,是否會再次購買,門市,意見
T01,2026/11/3 14:05,非常滿意,10,一定會,台北信義店,店員很親切，結帳很快
T02,2026/11/3 18:20,滿意,8,可能會,台中店,商品種類很多
T03,2026/11/4 11:00,普通,6,不確定,台北信義店,停車不方便
T04,2026/11/4 15:45,不滿意,4,可能不會,高雄店,排隊太久了
T05,2026/11/5 10:30,非常不滿意,1,一定不會,台中店,買到的麵包已經過期
T06,2026/11/5 12:00,還行,7,會,高雄店,
T07,2026/11/5 13:00,超讚,9,會,台北信義店,很好
`

// buildXLSX writes a workbook whose first sheet mixes real date cells
// (serials with a date format), dates typed as text, numeric and text
// answers, an empty row 4, and rejects on rows 6 (text that is no date)
// and 7 (satisfaction 7 on a 1-5 scale). A second sheet must be ignored.
func buildXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "问卷结果"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	at := func(day, h, m, s int) time.Time { return time.Date(2026, 11, day, h, m, s, 0, time.UTC) }
	rows := [][]any{
		{"编号", "提交时间", "满意度", "推荐意愿(0-10)", "是否回购", "产品", "渠道", "手机号", "留言"},
		{"A001", at(3, 14, 5, 9), 5, 9, "会", "保温杯", "天猫", "13800000001", "保温效果很好"},
		{"A002", "2026-11-04 09:30", "非常满意", 10, "一定会", "保温杯", "京东", "13800000002", ""},
		nil,
		{"A003", at(4, 20, 15, 0), "一般", 6, "不确定", "电热水壶", "天猫", "13800000003", "烧水有点吵"},
		{"A004", "yesterday", "满意", 8, "会", "电热水壶", "京东", "13800000004", ""},
		{"A005", at(5, 8, 0, 0), 7, 8, "会", "保温杯", "天猫", "13800000005", ""},
		{"A006", at(5, 9, 30, 30), "Satisfied", 8, "Probably will", "电热水壶", "拼多多", "13800000006", "Good value"},
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell := fmt.Sprintf("A%d", i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return nil, err
		}
		if _, ok := r[1].(time.Time); ok {
			ref := fmt.Sprintf("B%d", i+1)
			if err := f.SetCellStyle(sheet, ref, ref, style); err != nil {
				return nil, err
			}
		}
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return nil, err
	}
	if err := f.SetCellValue("说明", "A1", "本表为测试数据"); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
