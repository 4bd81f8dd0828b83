package demo

import (
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/traditionalchinese"
	"gopkg.in/yaml.v3"

	"github.com/voc-analytics/voc/config"
)

// Shop is a demo web shop with generated reviews, for `voc demo` to
// collect from on 127.0.0.1 and for tests: four sections that each show
// reviews the way a kind of real shop does.
//
//   - /zh/products/{id}/reviews: simplified Chinese HTML, ten reviews a
//     page, a 下一页 link, ratings as ★★★★☆, dates as 2024年3月5日, 3天前, 昨天.
//   - /tw/reviews?page=N: traditional Chinese HTML encoded in Big5 (declared
//     in the HTTP header only), ratings as class "star-4", dates as
//     "2024-03-05 12:01", numbered pages ending in a "暫無評價" page.
//   - /en/products and /en/products/{id}: English product pages carrying
//     schema.org Product, Review and AggregateRating JSON-LD.
//   - /api/reviews?cursor=C: a cursor-paged JSON API (JSONP with callback=)
//     with scores out of 10 and Unix-millisecond times.
//
// Everything is generated from Seed, so the same seed and Now give the
// same pages. Complaints name the themes voc looks for (物流慢, 包装破损,
// 质量差, 客服态度差, 假货, 退换货难 ...) and a few five-star reviews are
// angry, as real ones are. Safe for concurrent use.
type Shop struct {
	mu       sync.Mutex
	rng      *rand.Rand
	now      time.Time
	sections map[string][]shopReview // newest first
	seq      int
}

// Shop sections, as Add and Count name them.
const (
	ShopZH  = "zh"
	ShopTW  = "tw"
	ShopEN  = "en"
	ShopAPI = "api"
)

// ShopSections lists the sections in a fixed order.
var ShopSections = []string{ShopZH, ShopTW, ShopEN, ShopAPI}

// Page sizes of the sections.
const (
	shopHTMLPage = 10
	shopAPIPage  = 20
)

type shopProduct struct{ ID, ZH, TW, EN string }

var shopProducts = []shopProduct{
	{"p1", "AirSound Pro 降噪耳机", "AirSound Pro 降噪耳機", "AirSound Pro Headphones"},
	{"p2", "暖暖智能保温杯", "暖暖智慧保溫杯", "WarmCup Smart Mug"},
	{"p3", "轻跑 Runner 3 运动鞋", "輕跑 Runner 3 運動鞋", "Runner 3 Running Shoes"},
}

type shopReview struct {
	ID      string
	Product int
	Stars   int
	Author  string
	Text    string
	Reply   string
	At      time.Time
}

var (
	shopPraiseZH = []string{"物流很快，第二天就到了", "质量很好，做工精细", "客服很耐心，解答很详细", "包装很用心，一点没压坏", "性价比高，下次还来买", "音质超出预期", "颜色很正，和图片一样"}
	shopMidZH    = []string{"还行吧，中规中矩", "一般般，没有什么惊喜", "东西可以，就是等得有点久", "和预期差不多"}
	shopBadZH    = []string{"物流慢，等了一个星期才到", "包装破损，盒子都压扁了", "质量差，用了两天就坏了", "客服态度差，问了半天没人回", "怀疑是假货，和专柜的不一样", "退换货难，申请了三次都没通过", "尺码偏小，建议大一码"}
	shopAngry5ZH = []string{"给五星是怕被追着改评价，物流慢得离谱，客服态度差！", "五星都不够我骂的，假货！包装破损还不给退！"}

	shopPraiseTW = []string{"出貨很快，隔天就收到", "品質很好，做工細緻", "客服很有耐心", "包裝很用心"}
	shopMidTW    = []string{"還可以，普普通通", "東西不錯，就是等比較久"}
	shopBadTW    = []string{"物流太慢了，等了十天", "品質很差，用兩天就壞了", "客服態度很差，一直推託", "包裝破損，盒子都壓壞了", "懷疑是假貨", "退換貨很麻煩"}
	shopAngry5TW = []string{"給五星只是因為系統預設，客服態度很差！"}

	shopPraiseEN = []string{"Fast delivery, arrived the next day", "Great quality for the price", "Support was friendly and quick", "Works exactly as described"}
	shopMidEN    = []string{"It's okay, nothing special", "Does the job, slow shipping"}
	shopBadEN    = []string{"Shipping took forever", "The box arrived crushed", "Stopped working after a week, poor quality", "Customer service never answered my emails", "Looks like a fake, not the real brand", "Returning it was a nightmare"}
	shopAngry5EN = []string{"Five stars so you read this: the courier threw it over the fence and support hung up on me!"}

	// Nicknames as shops show them: some masked (j***8) or anonymous, which
	// name nobody in particular; the rest get a number, as real nicknames
	// are unique (小王2716), except a few regulars who come back.
	shopNamesZH = []string{"小王", "李**", "匿名用户", "j***8", "阿杰", "Momo", "张小姐", "t***y"}
	shopNamesTW = []string{"小美", "陳先生", "阿明", "k***3", "匿名"}
	shopNamesEN = []string{"Anna", "Tom B.", "j.doe", "Priya", "Chris", "M. Lee"}
)

// DefaultShopSizes is how many reviews each section starts with.
var DefaultShopSizes = map[string]int{ShopZH: 75, ShopTW: 40, ShopEN: 24, ShopAPI: 60}

// NewShop generates a shop with sizes[section] reviews per section (nil
// means DefaultShopSizes), the newest of them just before now.
func NewShop(seed uint64, now time.Time, sizes map[string]int) *Shop {
	if sizes == nil {
		sizes = DefaultShopSizes
	}
	s := &Shop{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), now: now.Truncate(time.Second), sections: map[string][]shopReview{}}
	for _, sec := range ShopSections {
		n := sizes[sec]
		at := s.now.Add(-time.Duration(s.rng.IntN(50)+10) * time.Minute)
		for i := 0; i < n; i++ {
			s.sections[sec] = append(s.sections[sec], s.review(sec, at, i%len(shopProducts)))
			at = at.Add(-time.Duration(s.rng.IntN(20*60)+30) * time.Minute)
		}
	}
	return s
}

func (s *Shop) review(sec string, at time.Time, product int) shopReview {
	s.seq++
	stars := []int{5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1}[s.rng.IntN(13)]
	pick := func(xs []string) string { return xs[s.rng.IntN(len(xs))] }
	var praise, mid, bad, angry, names []string
	switch sec {
	case ShopTW:
		praise, mid, bad, angry, names = shopPraiseTW, shopMidTW, shopBadTW, shopAngry5TW, shopNamesTW
	case ShopEN:
		praise, mid, bad, angry, names = shopPraiseEN, shopMidEN, shopBadEN, shopAngry5EN, shopNamesEN
	default:
		praise, mid, bad, angry, names = shopPraiseZH, shopMidZH, shopBadZH, shopAngry5ZH, shopNamesZH
	}
	sep := "，"
	if sec == ShopEN {
		sep = ". "
	}
	var text string
	switch {
	case stars == 5 && s.rng.IntN(12) == 0:
		text = pick(angry)
	case stars >= 4:
		text = pick(praise)
		if s.rng.IntN(3) == 0 {
			text += sep + pick(praise)
		}
	case stars == 3:
		text = pick(mid)
	default:
		text = pick(bad)
		if s.rng.IntN(2) == 0 {
			text += sep + pick(bad)
		}
	}
	r := shopReview{ID: fmt.Sprintf("%s-%05d", sec, s.seq), Product: product, Stars: stars, Author: s.author(names, stars), Text: text, At: at}
	if stars <= 2 && s.rng.IntN(2) == 0 {
		r.Reply = map[string]string{ShopTW: "很抱歉造成您的不便，已私訊處理", ShopEN: "Sorry to hear that, we have sent you a message."}[sec]
		if r.Reply == "" {
			r.Reply = "亲，非常抱歉，已安排客服联系您处理"
		}
	}
	return r
}

// Add publishes n new reviews in section, newer than every review there
// is, and moves the shop's clock to the newest of them.
func (s *Shop) Add(section string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fresh []shopReview
	for i := 0; i < n; i++ {
		s.now = s.now.Add(time.Minute)
		fresh = append([]shopReview{s.review(section, s.now, s.rng.IntN(len(shopProducts)))}, fresh...)
	}
	s.sections[section] = append(fresh, s.sections[section]...)
}

// Count is how many reviews section shows; "" counts every section.
func (s *Shop) Count(section string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if section == "" {
		n := 0
		for _, rs := range s.sections {
			n += len(rs)
		}
		return n
	}
	return len(s.sections[section])
}

// Now is the shop's clock: relative dates ("3天前") are written against it.
func (s *Shop) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// ServeHTTP serves the shop.
func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
	case p == "/" || p == "":
		s.index(w)
	case strings.HasPrefix(p, "/zh/products/") && strings.HasSuffix(p, "/reviews"):
		s.zh(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/zh/products/"), "/reviews"))
	case p == "/tw/reviews":
		s.tw(w, r)
	case p == "/en/products":
		s.enListing(w)
	case strings.HasPrefix(p, "/en/products/"):
		s.enProduct(w, r, strings.TrimPrefix(p, "/en/products/"))
	case p == "/api/reviews":
		s.api(w, r)
	default:
		http.NotFound(w, r)
	}
}

func productIndex(id string) int {
	for i, p := range shopProducts {
		if p.ID == id {
			return i
		}
	}
	return -1
}

func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func (s *Shop) index(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>voc 演示商城</title></head><body><h1>voc 演示商城 demo shop</h1><ul>")
	for _, p := range shopProducts {
		fmt.Fprintf(&b, `<li><a href="/zh/products/%s/reviews">%s</a></li>`, p.ID, html.EscapeString(p.ZH))
	}
	b.WriteString(`<li><a href="/tw/reviews">繁體中文評價</a></li><li><a href="/en/products">English products</a></li><li><a href="/api/reviews">API</a></li></ul></body></html>`)
	w.Write([]byte(b.String()))
}

func (s *Shop) of(section string, product int) []shopReview {
	var out []shopReview
	for _, r := range s.sections[section] {
		if product < 0 || r.Product == product {
			out = append(out, r)
		}
	}
	return out
}

func pageOf(rs []shopReview, page, size int) []shopReview {
	lo := (page - 1) * size
	if lo >= len(rs) {
		return nil
	}
	return rs[lo:min(len(rs), lo+size)]
}

// relativeZH writes a date the way mainland shops do: recent ones
// relative to now, older ones in full.
func relativeZH(at, now time.Time) string {
	d := now.Sub(at)
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()) }
	days := int(day(now).Sub(day(at)).Hours() / 24)
	switch {
	case d < time.Minute:
		return "刚刚"
	case d < time.Hour:
		return fmt.Sprintf("%d分钟前", int(d.Minutes()))
	case days == 0:
		return fmt.Sprintf("%d小时前", int(d.Hours()))
	case days == 1:
		return "昨天 " + at.Format("15:04")
	case days < 7:
		return fmt.Sprintf("%d天前", days)
	}
	return fmt.Sprintf("%d年%d月%d日", at.Year(), at.Month(), at.Day())
}

func (s *Shop) zh(w http.ResponseWriter, r *http.Request, id string) {
	pi := productIndex(id)
	if pi < 0 {
		http.NotFound(w, r)
		return
	}
	page := pageParam(r)
	all := s.of(ShopZH, pi)
	rs := pageOf(all, page, shopHTMLPage)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>%s - 商品评价</title></head><body>\n", html.EscapeString(shopProducts[pi].ZH))
	fmt.Fprintf(&b, "<h1 class=\"product-title\">%s</h1>\n<div class=\"comment-list\">\n", html.EscapeString(shopProducts[pi].ZH))
	for _, rv := range rs {
		fmt.Fprintf(&b, `<div class="comment-item" data-cid="%s"><div class="user">%s</div><div class="star">%s</div><div class="time">%s</div><p class="comment-con">%s</p>`,
			rv.ID, html.EscapeString(rv.Author), strings.Repeat("★", rv.Stars)+strings.Repeat("☆", 5-rv.Stars), relativeZH(rv.At.In(s.now.Location()), s.now), html.EscapeString(rv.Text))
		if rv.Reply != "" {
			fmt.Fprintf(&b, `<div class="reply">掌柜回复：%s</div>`, html.EscapeString(rv.Reply))
		}
		b.WriteString("</div>\n")
	}
	if len(rs) == 0 {
		b.WriteString(`<div class="no-comment">暂无评价</div>`)
	}
	b.WriteString("</div>\n<div class=\"pager\">")
	if page*shopHTMLPage < len(all) {
		fmt.Fprintf(&b, `<a class="next-page" href="/zh/products/%s/reviews?page=%d">下一页</a>`, id, page+1)
	}
	b.WriteString("</div></body></html>\n")
	w.Write([]byte(b.String()))
}

func (s *Shop) tw(w http.ResponseWriter, r *http.Request) {
	page := pageParam(r)
	rs := pageOf(s.sections[ShopTW], page, shopHTMLPage)
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"zh-TW\"><head><title>商品評價</title></head><body><h1>全部評價</h1><ul class=\"reviews\">\n")
	for _, rv := range rs {
		fmt.Fprintf(&b, `<li class="rv" id="%s"><span class="prod">%s</span><span class="name">%s</span><i class="stars star-%d"></i><span class="at">%s</span><div class="body">%s</div>`,
			rv.ID, html.EscapeString(shopProducts[rv.Product].TW), html.EscapeString(rv.Author), rv.Stars, rv.At.In(s.now.Location()).Format("2006-01-02 15:04"), html.EscapeString(rv.Text))
		if rv.Reply != "" {
			fmt.Fprintf(&b, `<div class="seller-reply">%s</div>`, html.EscapeString(rv.Reply))
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul>")
	if len(rs) == 0 {
		b.WriteString(`<p class="empty">暫無評價</p>`)
	}
	b.WriteString("</body></html>\n")
	body, err := encoding.ReplaceUnsupported(traditionalchinese.Big5.NewEncoder()).String(b.String())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=big5")
	w.Write([]byte(body))
}

func (s *Shop) enListing(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>All products</title></head><body><h1>All products</h1><ul>")
	for _, p := range shopProducts {
		fmt.Fprintf(&b, `<li><a class="product-link" href="/en/products/%s">%s</a></li>`, p.ID, html.EscapeString(p.EN))
	}
	b.WriteString(`</ul><a href="/admin/">staff</a></body></html>`)
	w.Write([]byte(b.String()))
}

func (s *Shop) enProduct(w http.ResponseWriter, r *http.Request, id string) {
	pi := productIndex(id)
	if pi < 0 {
		http.NotFound(w, r)
		return
	}
	rs := s.of(ShopEN, pi)
	type rating struct {
		Type  string `json:"@type"`
		Value string `json:"ratingValue"`
		Best  string `json:"bestRating"`
	}
	type person struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	}
	type review struct {
		Type   string `json:"@type"`
		ID     string `json:"@id"`
		Author person `json:"author"`
		Date   string `json:"datePublished"`
		Body   string `json:"reviewBody"`
		Rating rating `json:"reviewRating"`
	}
	sum := 0
	reviews := []review{}
	for _, rv := range rs {
		sum += rv.Stars
		reviews = append(reviews, review{Type: "Review", ID: "/en/products/" + id + "#" + rv.ID, Author: person{"Person", rv.Author},
			Date: rv.At.UTC().Format(time.RFC3339), Body: rv.Text, Rating: rating{"Rating", strconv.Itoa(rv.Stars), "5"}})
	}
	ld := map[string]any{"@context": "https://schema.org", "@type": "Product", "name": shopProducts[pi].EN, "sku": id, "review": reviews}
	if len(rs) > 0 {
		ld["aggregateRating"] = map[string]any{"@type": "AggregateRating", "ratingValue": fmt.Sprintf("%.1f", float64(sum)/float64(len(rs))), "reviewCount": len(rs)}
	}
	j, _ := json.MarshalIndent(ld, "", "  ")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n<script type=\"application/ld+json\">\n%s\n</script></head><body><h1>%s</h1><p>%d reviews</p></body></html>\n",
		html.EscapeString(shopProducts[pi].EN), strings.ReplaceAll(string(j), "</", "<\\/"), html.EscapeString(shopProducts[pi].EN), len(rs))
}

// api serves /api/reviews: the cursor is the id of the first review of the
// page; nextCursor is "" on the last page.
func (s *Shop) api(w http.ResponseWriter, r *http.Request) {
	rs := s.sections[ShopAPI]
	start := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		start = -1
		for i := range rs {
			if rs[i].ID == c {
				start = i
				break
			}
		}
		if start < 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":400,"msg":"bad cursor"}`)
			return
		}
	}
	end := min(len(rs), start+shopAPIPage)
	type comment struct {
		ID      string `json:"id"`
		Score   int    `json:"score"`
		Content string `json:"content"`
		Nick    string `json:"nickname"`
		Time    int64  `json:"creationTime"`
		Product string `json:"referenceName"`
		Reply   string `json:"replyContent,omitempty"`
	}
	out := struct {
		Code int `json:"code"`
		Data struct {
			Comments   []comment `json:"comments"`
			NextCursor string    `json:"nextCursor"`
		} `json:"data"`
	}{}
	out.Data.Comments = []comment{}
	for _, rv := range rs[start:end] {
		out.Data.Comments = append(out.Data.Comments, comment{rv.ID, rv.Stars * 2, rv.Text, rv.Author, rv.At.UnixMilli(), shopProducts[rv.Product].ZH, rv.Reply})
	}
	if end < len(rs) {
		out.Data.NextCursor = rs[end].ID
	}
	j, _ := json.Marshal(out)
	if cb := r.URL.Query().Get("callback"); cb != "" && validCallback(cb) {
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		fmt.Fprintf(w, "%s(%s);", cb, j)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(j)
}

func validCallback(s string) bool {
	for _, c := range s {
		if !(c == '_' || c == '$' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return len(s) <= 64
}

// ShopSources is the voc.yaml sources: block that collects the shop at
// base (e.g. "http://127.0.0.1:8080"): one source per section, showing one
// collector type each. Politeness is kept (robots.txt honoured) with the
// delay cut to a millisecond, since the shop runs on this machine.
func ShopSources(base string) map[string]config.Source {
	base = strings.TrimRight(base, "/")
	polite := config.HTTP{Delay: time.Millisecond, Backoff: 10 * time.Millisecond, MaxBackoff: time.Second, Timeout: 10 * time.Second}
	var zhURLs []string
	for _, p := range shopProducts {
		zhURLs = append(zhURLs, base+"/zh/products/"+p.ID+"/reviews")
	}
	return map[string]config.Source{
		"demo-shop-zh": {Type: "html", Channel: "演示商城", URLs: zhURLs, HTTP: polite, MaxPages: 100, HTML: &config.HTML{
			Review: "div.comment-item", ID: "@data-cid", Rating: ".star", Text: ".comment-con", Author: ".user",
			Date: ".time", Product: "h1.product-title", Reply: ".reply", Next: "a.next-page", Empty: ".no-comment",
		}},
		"demo-shop-tw": {Type: "html", Channel: "演示商城 台灣站", HTTP: polite, MaxPages: 100, HTML: &config.HTML{
			Review: "li.rv", ID: "@id", Rating: "i.stars@class", Text: ".body", Author: ".name", Date: ".at",
			Product: ".prod", Reply: ".seller-reply", PageURL: base + "/tw/reviews?page={page}", Empty: "p.empty",
		}},
		"demo-shop-en": {Type: "jsonld", Channel: "demo shop (en)", URLs: []string{base + "/en/products"}, HTTP: polite, MaxPages: 100,
			JSONLD: &config.JSONLD{Follow: "a.product-link"}},
		"demo-shop-api": {Type: "jsonapi", Channel: "演示商城 App", URLs: []string{base + "/api/reviews"}, HTTP: polite, MaxPages: 100, RatingScale: 10,
			JSONAPI: &config.JSONAPI{Items: "data.comments", Pagination: "cursor", CursorParam: "cursor", CursorPath: "data.nextCursor",
				Fields: config.JSONFields{ID: "id", Rating: "score", Text: "content", Author: "nickname", Date: "creationTime", Product: "referenceName", Reply: "replyContent"}}},
	}
}

// ShopSourcesYAML is ShopSources as the `sources:` block of a voc.yaml.
func ShopSourcesYAML(base string) ([]byte, error) {
	return yaml.Marshal(map[string]any{"sources": ShopSources(base)})
}

// shopRegulars are customers who review again and again; their second
// complaint within a month makes them repeat complainants.
var shopRegulars = []string{"购物狂小刘", "老顾客阿强", "Jenny_W"}

// author picks a reviewer: now and then a regular (more often when
// unhappy), else a nickname made unique with a number unless it is masked
// or anonymous.
func (s *Shop) author(names []string, stars int) string {
	if n := s.rng.IntN(100); n < 4 || stars <= 2 && n < 12 {
		return shopRegulars[s.rng.IntN(len(shopRegulars))]
	}
	name := names[s.rng.IntN(len(names))]
	if strings.Contains(name, "*") || strings.Contains(name, "匿名") {
		return name
	}
	return fmt.Sprintf("%s%d", name, 1000+s.rng.IntN(9000))
}
