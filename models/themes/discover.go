package themes

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Doc is a text to mine for new themes, with the id examples refer to.
type Doc struct {
	ID   string
	Text string
	// Unhappy marks an item its customer rated 1 or 2: a clause of it no
	// theme explains is a candidate complaint unless it reads as clearly
	// positive, whatever a scorer that never saw the words (异味) thinks.
	Unhappy bool
}

// ProposeOptions bound discovery. Zero values mean the defaults.
type ProposeOptions struct {
	MinCount     int // a proposal needs at least this many items (default 3)
	MaxProposals int // at most this many proposals, largest first (default 20)
	Examples     int // example item ids per proposal (default 5)
	TopPhrases   int // phrases listed per proposal (default 10)
	// Scorer decides which clauses are negative; nil means the lexicon
	// scorer. A trained model knows far more negative words (异味, 卡顿)
	// than any lexicon, which is the point of discovery.
	Scorer ClauseScorer
}

// PhraseCount is a phrase and the number of items it occurred in.
type PhraseCount struct {
	Phrase string `json:"phrase"`
	Count  int    `json:"count"`
}

// Proposal is a candidate theme: negative aspect-opinion phrases that no
// theme of the taxonomy covers, grouped by their aspect word.
type Proposal struct {
	ID       string        `json:"id"` // suggested id; Accept may give another
	NameZH   string        `json:"name_zh"`
	NameEN   string        `json:"name_en"`
	Aspect   string        `json:"aspect"`   // the shared aspect word (normalised)
	Phrases  []PhraseCount `json:"phrases"`  // top phrases, most frequent first
	Items    int           `json:"items"`    // items with at least one of the phrases
	Examples []string      `json:"examples"` // ids of example items
}

// stopAspects are nouns too vague to be a theme on their own, found by
// reading proposals mined from the shopping corpora (购物不满意, 想象差,
// 孩子不喜欢 name no aspect a team could own).
var stopAspects = map[string]bool{
	"东西": true, "宝贝": true, "产品": true, "商品": true, "感觉": true, "时候": true, "问题": true, "这个": true, "那个": true, "一个": true,
	"什么": true, "时间": true, "现在": true, "以后": true, "之后": true, "一下": true, "有点": true, "还是": true, "就是": true, "真的": true,
	"结果": true, "地方": true, "方面": true, "情况": true, "原因": true, "过程": true, "样子": true, "东东": true, "朋友": true, "家里": true,
	"购物": true, "体验": true, "想象": true, "印象": true, "心情": true, "第一次": true, "一次": true, "本来": true, "以前": true,
	// people are who complained, not what about (孩子不喜欢 says nothing of the product)
	"孩子": true, "宝宝": true, "小孩": true, "儿子": true, "女儿": true, "老公": true, "老婆": true, "家人": true, "自己": true,
	"大家": true, "别人": true, "我们": true, "你们": true, "他们": true, "客人": true, "顾客": true,
	"店里": true, "小时": true, "分钟": true, // "hours" belong to the delivery theme's phrases, not an aspect
	// the kind of thing bought is no aspect of it (酒店一般, 衣服不好 say as
	// little as 东西不好)
	"酒店": true, "宾馆": true, "衣服": true, "裤子": true, "鞋子": true, "水果": true, "手机": true, "电脑": true, "平板": true, "牛奶": true, "书": true,
	"机子": true, "机器": true, "洗发水": true, "热水器": true,
	"item": true, "product": true, "thing": true, "it": true, "this": true, "that": true, "time": true,
	"experience": true, "kids": true, "son": true, "daughter": true, "husband": true, "wife": true,
}

// stopOpinions are words that follow an aspect but say nothing about it
// (前台直接, 内存只有, 个头不说), found by reading proposals mined from the
// negative reviews of the shopping corpus.
var stopOpinions = map[string]bool{
	"直接": true, "只有": true, "不是": true, "根本": true, "不知道": true, "不说": true, "就是": true, "还是": true,
	"都": true, "也": true, "是": true, "有": true, "比较": true, "一直": true, "已经": true, "还": true, "又": true,
	// praise that a negative clause happens to hold (离机场近, 头发好)
	"好": true, "近": true, "方便": true, "不错": true, "干净": true, "全": true, "新": true,
}

// Propose mines docs for complaints the taxonomy does not cover: in each
// clause that no theme hits and whose sentiment is negative, it pairs the
// first content noun (the aspect) with the negative word that follows it
// (the opinion), e.g. 噪音 + 大, 遥控器 + 失灵. Phrases are counted once per
// item and grouped by aspect; a group with MinCount items or more becomes
// a proposal. The scorer decides what is negative, so a better sentiment
// model finds better candidates.
//
// Segmentation loads the Chinese dictionary (about a second) on first use.
func Propose(docs []Doc, t *Taxonomy, opt ProposeOptions) []Proposal {
	if opt.MinCount <= 0 {
		opt.MinCount = 3
	}
	if opt.MaxProposals <= 0 {
		opt.MaxProposals = 20
	}
	if opt.Examples <= 0 {
		opt.Examples = 5
	}
	if opt.TopPhrases <= 0 {
		opt.TopPhrases = 10
	}
	m := NewMatcher(t)
	scorer := opt.Scorer
	if scorer == nil {
		scorer = m.scorer
	}
	type group struct {
		phrases map[string]int
		items   []string
	}
	groups := map[string]*group{}
	for _, d := range docs {
		seen := map[string]bool{}
		for _, c := range normalize.Clauses(d.Text) {
			if len(m.Tag(c.Text).Themes) > 0 {
				continue
			}
			norm := normalize.Text(c.Text)
			if sc := scorer.ScoreClause(norm); sc >= 0 && !(d.Unhappy && sc < 0.3) {
				continue
			}
			aspect, phrase := aspectOpinion(m.scorer, normalize.Tokens(norm))
			if phrase == "" || seen[phrase] {
				continue
			}
			seen[phrase] = true
			g := groups[aspect]
			if g == nil {
				g = &group{phrases: map[string]int{}}
				groups[aspect] = g
			}
			g.phrases[phrase]++
			if !slices.Contains(g.items, d.ID) {
				g.items = append(g.items, d.ID)
			}
		}
	}
	var out []Proposal
	for aspect, g := range groups {
		if len(g.items) < opt.MinCount {
			continue
		}
		p := Proposal{Aspect: aspect, Items: len(g.items), NameZH: aspect + "问题", NameEN: "Issues with " + aspect}
		for ph, n := range g.phrases {
			p.Phrases = append(p.Phrases, PhraseCount{ph, n})
		}
		sort.Slice(p.Phrases, func(i, j int) bool {
			a, b := p.Phrases[i], p.Phrases[j]
			return a.Count > b.Count || a.Count == b.Count && a.Phrase < b.Phrase
		})
		p.Phrases = p.Phrases[:min(len(p.Phrases), opt.TopPhrases)]
		p.Examples = slices.Clone(g.items[:min(len(g.items), opt.Examples)])
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Items > out[j].Items || out[i].Items == out[j].Items && out[i].Aspect < out[j].Aspect
	})
	out = out[:min(len(out), opt.MaxProposals)]
	for i := range out {
		out[i].ID = suggestID(out[i].Aspect, i+1, t)
	}
	return out
}

// aspectOpinion finds the first content noun followed by a negative word
// (or a negated one) in a clause's tokens and returns the noun and the
// phrase "noun+opinion" as the tokens spell it (without what lies between).
func aspectOpinion(s ClauseScorer, toks []normalize.Token) (aspect, phrase string) {
	for i, tk := range toks {
		if !isAspectToken(tk) {
			continue
		}
		// The clause is already known to be negative: when no word after
		// the aspect is negative on its own, its first adjective carries
		// the complaint (异味 + 大: "大" is harmless alone).
		adjective := ""
		for j := i + 1; j < len(toks) && j <= i+4; j++ {
			if w := toks[j]; adjective == "" && strings.HasPrefix(w.POS, "a") && !stopOpinions[w.Text] {
				if isAspectToken(w) && w.POS != "eng" {
					break
				}
				adjective = w.Text
			}
		}
		for j := i + 1; j < len(toks) && j <= i+4; j++ {
			w := toks[j]
			if isAspectToken(w) && w.POS != "eng" {
				break // a second noun: the opinion, if any, is about it
			}
			if w.POS == "x" || w.POS == "eng" && w.Text == tk.Text {
				continue
			}
			// A bare negator (没有, 不) is no opinion: "手机没有" says nothing
			// until its verb follows, which the next rule pairs.
			if stopOpinions[w.Text] {
				continue
			}
			if !isNegatorWord(w.Text) && s.ScoreClause(w.Text) < 0 {
				return tk.Text, tk.Text + joinSep(tk.Text, w.Text) + w.Text
			}
			if j+1 < len(toks) && isNegatorWord(w.Text) && (strings.HasPrefix(toks[j+1].POS, "a") || strings.HasPrefix(toks[j+1].POS, "v")) {
				return tk.Text, tk.Text + joinSep(tk.Text, w.Text) + w.Text + toks[j+1].Text
			}
		}
		if adjective != "" {
			return tk.Text, tk.Text + joinSep(tk.Text, adjective) + adjective
		}
	}
	return "", ""
}

func joinSep(a, b string) string {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if ra < utf8.RuneSelf && rb < utf8.RuneSelf {
		return " "
	}
	return ""
}

func isNegatorWord(w string) bool {
	switch w {
	case "不", "没", "没有", "不能", "不会", "无法", "not", "no", "never", "doesn't", "didn't", "won't", "can't", "isn't", "wasn't":
		return true
	}
	return false
}

func isAspectToken(tk normalize.Token) bool {
	if stopAspects[tk.Text] {
		return false
	}
	switch {
	case tk.POS == "eng":
		return len(tk.Text) >= 4 && !isEnglishStop(tk.Text)
	case strings.HasPrefix(tk.POS, "n") && tk.POS != "nr" && tk.POS != "ns" || tk.POS == "vn":
		return utf8.RuneCountInString(tk.Text) >= 2
	}
	return false
}

func isEnglishStop(w string) bool {
	switch w {
	case "this", "that", "with", "have", "they", "them", "were", "been", "very", "just", "really", "would", "could", "there", "their", "after", "what", "when", "from", "your", "will", "does", "doesn't", "didn't", "never", "only", "even", "much", "more", "some", "than", "then", "because":
		return true
	}
	return false
}

// suggestID derives an unused id from the aspect: the aspect itself when
// it is an English word, else "new_theme_N".
func suggestID(aspect string, n int, t *Taxonomy) string {
	id := "new_" + strings.ReplaceAll(strings.ToLower(aspect), " ", "_")
	if !ValidID(id) {
		id = fmt.Sprintf("new_theme_%d", n)
	}
	for base, k := id, 2; ; k++ {
		if _, taken := t.Theme(id); !taken {
			return id
		}
		id = fmt.Sprintf("%s_%d", base, k)
	}
}

// Accept adds proposal p to t as a new theme with the given id (the
// proposal's suggested id when id is empty) and returns the new taxonomy;
// t is unchanged. Existing themes and their ids are never touched; an id
// already in use is an error. The new theme's aspect is p.Aspect and its
// complaint phrases are p's top phrases, which the user can then edit in
// the file WriteYAML writes.
func Accept(t *Taxonomy, p Proposal, id string) (*Taxonomy, error) {
	if id == "" {
		id = p.ID
	}
	if !ValidID(id) {
		return nil, fmt.Errorf("accept proposal %q: bad id %q: want lower-case words like noise or quality.noise", p.Aspect, id)
	}
	if _, taken := t.Theme(id); taken {
		return nil, fmt.Errorf("accept proposal %q: id %q is already a theme", p.Aspect, id)
	}
	th := Theme{ID: id, NameZH: p.NameZH, NameEN: p.NameEN, Owner: "unassigned", Source: "accepted proposal"}
	for _, ph := range p.Phrases {
		th.ComplaintPhrases = append(th.ComplaintPhrases, ph.Phrase)
	}
	if p.Aspect != "" {
		th.Aspects = []string{p.Aspect}
	}
	out, err := Merge(t, &Taxonomy{Version: 1, Themes: []Theme{th}})
	if err != nil {
		return nil, fmt.Errorf("accept proposal %q as %q: %w", p.Aspect, id, err)
	}
	return out, nil
}
