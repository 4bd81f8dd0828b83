package survey

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/voc-analytics/voc/collectors/tabular"
)

// role is what a column means to voc.
type role int

// Roles, in the order columns are claimed: metadata first, then the
// closed questions whose wording is most specific (repurchase before
// recommend before satisfaction, so "how likely are you to buy again" is
// not taken for NPS, nor an NPS question for satisfaction), then the open
// comment, then the descriptive columns.
const (
	roleNone role = iota
	roleID
	roleSubmitted
	roleRepurchase
	roleRecommend
	roleSatisfaction
	roleComment
	roleAuthor
	roleProduct
	roleChannel
	numRoles
)

var roleNames = [numRoles]string{"", "id", "submitted", "repurchase", "recommend", "satisfaction", "comment", "author", "product", "channel"}

// column is one column of the file as its header rows describe it.
type column struct {
	labels   []string // header texts to match roles against
	display  string   // the name shown to users and used as the Extra key
	role     role
	meta     bool   // tool metadata (IP, duration, end date ...): never in Extra
	eligible bool   // may take a role automatically
	importID string // Qualtrics third header row, JSON
}

func (p *parser) readHeader() error {
	row1, ok, err := p.nextNonBlank()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("survey %s: no header row: the file has no content", p.name)
	}
	if row1.Bad != "" {
		return fmt.Errorf("survey %s line %d: header: %s", p.name, row1.Line, row1.Bad)
	}
	format := detectFormat(row1.Cells)
	want, optionalThird := 1, false
	switch format {
	case FormatSurveyMonkey:
		want = 2
	case FormatQualtrics:
		want, optionalThird = 2, true
	}
	m := p.opt.Mapping
	if m != nil && m.HeaderRows > 0 {
		want, optionalThird = m.HeaderRows, false
	}
	headers := [][]string{row1.Cells}
	for len(headers) < want || (optionalThird && len(headers) == 2) {
		rec, ok, err := p.nextNonBlank()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if len(headers) == 2 && optionalThird {
			optionalThird = false
			if rec.Bad != "" || !hasImportID(rec.Cells) {
				p.pending = append(p.pending, rec)
				break
			}
		}
		if rec.Bad != "" {
			return fmt.Errorf("survey %s line %d: header: %s", p.name, rec.Line, rec.Bad)
		}
		headers = append(headers, rec.Cells)
	}
	p.cols = buildColumns(format, headers)
	for i := range p.roleCol {
		p.roleCol[i] = -1
	}
	if m != nil {
		if err := p.applyMapping(m); err != nil {
			return err
		}
		format = FormatMapped
		p.layout = m.DateFormat
	}
	assignRoles(p.cols, &p.roleCol)
	p.res.Format = format
	if p.roleCol[roleSatisfaction] < 0 && p.roleCol[roleComment] < 0 {
		names := make([]string, len(p.cols))
		for i, c := range p.cols {
			names[i] = c.display
		}
		return fmt.Errorf("survey %s line %d: no satisfaction or comment column among headers %s; name them in the source's mapping in voc.yaml",
			p.name, row1.Line, tabular.Excerpt(fmt.Sprintf("%q", names), 300))
	}
	for r := roleID; r < numRoles; r++ {
		if i := p.roleCol[r]; i >= 0 {
			p.res.Columns[roleNames[r]] = p.cols[i].display
		}
	}
	p.loc = p.opt.Location
	if p.loc == nil {
		if i := p.roleCol[roleSubmitted]; i >= 0 {
			p.loc = importTimeZone(p.cols[i].importID)
		}
	}
	if p.loc == nil {
		p.loc = time.Local
	}
	p.date1904 = p.rows.Date1904
	return nil
}

// nextNonBlank returns the next record with content (or a malformed one).
func (p *parser) nextNonBlank() (tabular.Record, bool, error) {
	for {
		rec, ok, err := p.next()
		if err != nil {
			return rec, false, fmt.Errorf("survey %s: %w", p.name, err)
		}
		if !ok || rec.Bad != "" || !blank(rec.Cells) {
			return rec, ok, nil
		}
	}
}

// detectFormat recognises a tool by the metadata columns it always writes.
func detectFormat(row []string) string {
	set := make(map[string]bool, len(row))
	for _, c := range row {
		set[foldPlain(c)] = true
	}
	first := ""
	if len(row) > 0 {
		first = foldPlain(row[0])
	}
	switch {
	case set["respondentid"] && set["collectorid"]:
		return FormatSurveyMonkey
	case set["responseid"] || (set["startdate"] && set["enddate"] && (set["status"] || set["finished"] || set["recordeddate"])):
		return FormatQualtrics
	case set["提交答卷时间"] || set["提交答卷時間"] || set["来自ip"] || (set["序号"] && set["所用时间"]):
		return FormatWJX
	case first == "timestamp" || first == "时间戳记" || first == "時間戳記":
		return FormatGoogleForms
	}
	return FormatGeneric
}

// hasImportID tells a Qualtrics third header row ({"ImportId":"QID1"}) from
// the first data row of a legacy two-row export.
func hasImportID(cells []string) bool {
	for _, c := range cells {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(c)), `{"importid"`) {
			return true
		}
	}
	return false
}

// importTimeZone reads the zone Qualtrics declares for a date column
// ({"ImportId":"recordedDate","timeZone":"America/Denver"}); its dates are
// written in that zone, not the importer's.
func importTimeZone(js string) *time.Location {
	if js == "" {
		return nil
	}
	var v struct {
		TimeZone string `json:"timeZone"`
	}
	if json.Unmarshal([]byte(js), &v) != nil || v.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil {
		return nil
	}
	return loc
}

func buildColumns(format string, headers [][]string) []column {
	width := 0
	for _, h := range headers {
		width = max(width, len(h))
	}
	cols := make([]column, width)
	question := "" // SurveyMonkey: the question a run of option columns belongs to
	seen := map[string]int{}
	for i := range cols {
		cells := make([]string, len(headers))
		for r, h := range headers {
			if i < len(h) {
				cells[r] = cleanLabel(h[i])
			}
		}
		c := &cols[i]
		c.eligible = true
		switch format {
		case FormatSurveyMonkey:
			if cells[0] != "" {
				question = cells[0]
			}
			sub := ""
			if len(cells) > 1 {
				sub = cells[1]
			}
			c.labels = []string{question}
			c.display = question
			if f := foldPlain(sub); f != "" && f != "response" && f != "open-endedresponse" {
				// An option of a checkbox or matrix question: its own
				// answer, not the question's, so it takes no role.
				c.eligible = false
				c.display = question + " - " + sub
			}
		case FormatQualtrics:
			c.labels = cells[:min(2, len(cells))]
			c.display = cells[0]
			if len(cells) > 1 && cells[1] != "" {
				c.display = cells[1]
			}
			if len(cells) > 2 {
				c.importID = cells[2]
			}
		default:
			var parts []string
			for _, s := range cells {
				if s != "" && (len(parts) == 0 || parts[len(parts)-1] != s) {
					parts = append(parts, s)
				}
			}
			c.labels = parts
			c.display = strings.Join(parts, " - ")
		}
		if c.display == "" {
			c.display = "column " + strconv.Itoa(i+1)
		}
		if n := seen[c.display]; n > 0 {
			c.display += " (column " + strconv.Itoa(i+1) + ")"
		}
		seen[c.display]++
		for _, l := range c.labels {
			if metaNames[foldPlain(l)] {
				c.meta = true
			}
		}
	}
	return cols
}

// cleanLabel trims a header cell and folds line breaks inside it (question
// texts often wrap) to single spaces.
func cleanLabel(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (p *parser) applyMapping(m *Mapping) error {
	named := [numRoles]string{
		roleID: m.ID, roleSubmitted: m.Submitted, roleSatisfaction: m.Satisfaction,
		roleComment: m.Comment, roleRecommend: m.Recommend, roleRepurchase: m.Repurchase,
		roleProduct: m.Product, roleChannel: m.Channel, roleAuthor: m.Author,
	}
	for r := roleID; r < numRoles; r++ {
		if strings.TrimSpace(named[r]) == "" {
			continue
		}
		i := findColumn(p.cols, named[r])
		if i < 0 {
			names := make([]string, len(p.cols))
			for k, c := range p.cols {
				names[k] = c.display
			}
			return fmt.Errorf("survey %s: mapping %s: no header %q among %s", p.name, roleNames[r], named[r], tabular.Excerpt(fmt.Sprintf("%q", names), 300))
		}
		if c := p.cols[i]; c.role != roleNone {
			return fmt.Errorf("survey %s: mapping names column %q for both %s and %s", p.name, c.display, roleNames[c.role], roleNames[r])
		}
		p.cols[i].role = r
		p.roleCol[r] = i
	}
	return nil
}

// findColumn finds a mapped header: exact first, then case-insensitive,
// then folded, so the strictest reading wins when several would match.
func findColumn(cols []column, name string) int {
	name = cleanLabel(name)
	matchers := []func(label string) bool{
		func(l string) bool { return l == name },
		func(l string) bool { return strings.EqualFold(l, name) },
		func(l string) bool { f := foldHeader(l); return f != "" && f == foldHeader(name) },
	}
	for _, match := range matchers {
		for i, c := range cols {
			if match(c.display) {
				return i
			}
			for _, l := range c.labels {
				if match(l) {
					return i
				}
			}
		}
	}
	return -1
}

// assignRoles gives each role not yet mapped the eligible free column that
// scores best for it, the leftmost on a tie.
func assignRoles(cols []column, roleCol *[numRoles]int) {
	scores := make([][numRoles]int, len(cols))
	for i, c := range cols {
		if !c.eligible || c.role != roleNone {
			continue
		}
		for _, l := range c.labels {
			s := scoreLabel(l)
			for r := range s {
				scores[i][r] = max(scores[i][r], s[r])
			}
		}
	}
	for r := roleID; r < numRoles; r++ {
		if roleCol[r] >= 0 {
			continue
		}
		best, bestScore := -1, 0
		for i := range cols {
			if cols[i].role == roleNone && scores[i][r] > bestScore {
				best, bestScore = i, scores[i][r]
			}
		}
		if best >= 0 {
			cols[best].role = r
			roleCol[r] = best
		}
	}
}

// Header vocabulary. Words are folded (lower case, no spaces), and matched
// as substrings of folded headers unless listed as exact names.
var (
	idExact = set("序号", "序號", "编号", "編號", "答卷编号", "答卷編號", "答卷序号", "问卷编号", "問卷編號",
		"id", "respondent", "respondentid", "responseid", "response id")
	idWords        = []string{"respondent", "responseid", "答卷编号", "答卷編號"}
	submittedExact = set("提交时间", "提交時間", "提交答卷时间", "提交答卷時間", "时间戳记", "時間戳記",
		"timestamp", "submitted", "submittedat", "submissiondate", "datesubmitted", "submittime",
		"enddate", "填写时间", "填寫時間", "提交日期", "answeredat", "completedat")
	submittedWords  = []string{"提交时间", "提交時間", "提交答卷时间", "timestamp", "submitted", "填写时间", "填寫時間", "时间戳记", "時間戳記"}
	commentWords    = []string{"意见", "意見", "建议", "建議", "评论", "評論", "留言", "comment", "feedback", "suggestion", "anythingelse", "原因", "理由", "why", "reason", "改进", "改進", "improve", "dobetter", "想说", "想說", "tellus"}
	repurchaseWords = []string{"再次购买", "再次購買", "回购", "回購", "复购", "複購", "重复购买", "重複購買", "继续购买", "繼續購買", "再买", "再買", "repurchase", "buyagain", "purchaseagain", "buyfromusagain", "shopagain", "orderagain"}
	recommendWords  = []string{"推荐", "推薦", "recommend", "nps", "介绍给", "介紹給"}
	likelyWords     = []string{"可能", "likely", "likelihood", "愿意", "願意", "意愿", "意願", "willing", "0-10", "0~10", "0到10"}
	satWords        = []string{"满意", "滿意", "satisf", "csat"}
	satStrong       = []string{"满意度", "滿意度", "satisfaction", "csat", "总体", "總體", "整体", "整體", "overall"}
	// ratingWords mark questions that rate something, which a product,
	// channel or author column never does ("商品质量如何？" names a product
	// word but asks for a rating).
	ratingWords   = []string{"评价", "評價", "rate", "rating", "质量", "質量", "quality", "如何", "怎么样", "怎麼樣", "打分", "score", "体验", "體驗", "experience", "服务", "服務", "service", "how"}
	questionMarks = []string{"?", "吗", "嗎", "您", "你", "请", "請", "you", "what", "which", "please"}

	productExact = set("产品", "產品", "商品", "product", "产品名称", "產品名稱", "商品名称", "商品名稱", "productname", "sku", "型号", "型號", "item")
	productWords = []string{"产品", "產品", "商品", "product"}
	channelExact = set("渠道", "channel", "平台", "platform", "购买渠道", "購買渠道", "销售渠道", "銷售渠道", "门店", "門店", "门市", "門市", "store", "shop")
	// channelWeak names are a channel only when nothing better is there:
	// 问卷星's 来源 is how the form was opened (微信, 链接), less telling than
	// a question about where the customer bought.
	channelWeak  = set("来源", "來源", "source")
	channelWords = []string{"渠道", "来源", "來源", "channel", "平台", "platform"}
	authorExact  = set("客户", "客戶", "会员", "會員", "customer", "email", "e-mail", "emailaddress", "邮箱", "郵箱", "手机", "手機",
		"手机号", "手機號", "电话", "電話", "phone", "客户编号", "客戶編號", "customerid", "会员号", "會員號", "memberid", "recipientemail", "userid", "用户", "用戶")
	authorWords = []string{"客户", "客戶", "会员", "會員", "customer", "email", "邮箱", "郵箱", "手机", "手機", "phone", "电话", "電話"}

	// metaNames are columns survey tools add about the response rather
	// than the customer's answers. They may still take a role (End Date is
	// SurveyMonkey's submitted time) but are never copied into Extra.
	metaNames = set("来自ip", "來自ip", "ip", "ipaddress", "所用时间", "所用時間", "答题时长", "答題時長", "duration",
		"duration(inseconds)", "progress", "finished", "status", "responsetype", "startdate", "collectorid",
		"locationlatitude", "locationlongitude", "userlanguage", "recipientfirstname", "recipientlastname",
		"firstname", "lastname", "externalreference", "externaldatareference", "来源详情", "來源詳情", "开始时间", "開始時間",
		"enddate", "recordeddate")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[foldPlain(w)] = true
	}
	return m
}

func hasAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// scoreLabel rates how well one header text fits each role: 3 or more for
// a name tools use, 2 for a short label containing a role word, 1 for a
// question that merely mentions one. The question roles exclude each other
// here, so precedence does not depend on column order.
func scoreLabel(label string) [numRoles]int {
	var s [numRoles]int
	full := foldHeader(label)
	if full == "" {
		return s
	}
	exact := strings.TrimRight(full, ":?*.")
	question := hasAny(full, questionMarks)
	short := !question && utf8.RuneCountInString(full) <= 20

	switch {
	case exact == "recordeddate":
		s[roleSubmitted] = 4
	case submittedExact[exact]:
		s[roleSubmitted] = 3
	case short && hasAny(full, submittedWords):
		s[roleSubmitted] = 2
	}
	switch {
	case idExact[exact]:
		s[roleID] = 3
	case short && hasAny(full, idWords):
		s[roleID] = 2
	}

	comment := hasAny(full, commentWords)
	repurchase := !comment && hasAny(full, repurchaseWords)
	sat := hasAny(full, satWords)
	likely := hasAny(full, likelyWords)
	recommend := 0
	if !comment && !repurchase {
		if hasAny(full, recommendWords) {
			if likely || !sat {
				recommend = 3
			}
		} else if !sat && (strings.Contains(full, "likely") || strings.Contains(full, "可能性")) {
			recommend = 1
		}
	}
	if comment {
		s[roleComment] = 3
	}
	if repurchase {
		s[roleRepurchase] = 3
	}
	s[roleRecommend] = recommend
	if sat && !comment && !repurchase && recommend == 0 && !likely {
		s[roleSatisfaction] = 2
		if hasAny(full, satStrong) {
			s[roleSatisfaction] = 3
		}
	}
	if comment || repurchase || recommend > 0 || sat || hasAny(full, ratingWords) {
		return s
	}
	descriptive := func(r role, exactNames map[string]bool, words []string) {
		switch {
		case exactNames[exact]:
			s[r] = 3
		case short && hasAny(full, words):
			s[r] = 2
		case hasAny(full, words):
			s[r] = 1
		}
	}
	descriptive(roleProduct, productExact, productWords)
	descriptive(roleChannel, channelExact, channelWords)
	if channelWeak[exact] {
		s[roleChannel] = 2
	}
	descriptive(roleAuthor, authorExact, authorWords)
	return s
}

// foldPlain is the comparison form of a name: NFKC (full-width letters and
// punctuation to ASCII), lower case, no white space.
func foldPlain(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// foldHeader is foldPlain without a leading question number ("Q3.",
// "3、", "(3)"), which numbers questions but says nothing about them.
func foldHeader(s string) string {
	return stripQuestionNumber(foldPlain(s))
}

func stripQuestionNumber(s string) string {
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	sep := func(i int) int {
		for _, p := range []string{"、", ".", ")", ":", "-", "_"} {
			if strings.HasPrefix(s[i:], p) {
				return i + len(p)
			}
		}
		return i
	}
	switch {
	case strings.HasPrefix(s, "q") && len(s) > 1 && s[1] >= '0' && s[1] <= '9':
		i := digits(1)
		for i < len(s) && (s[i] == '_' || (s[i] >= '0' && s[i] <= '9')) {
			i++
		}
		return s[sep(i):]
	case strings.HasPrefix(s, "("):
		if i := digits(1); i > 1 && i < len(s) && s[i] == ')' {
			return s[i+1:]
		}
	default:
		if i := digits(0); i > 0 && i < len(s) {
			if j := sep(i); j > i {
				return s[j:]
			}
		}
	}
	return s
}
