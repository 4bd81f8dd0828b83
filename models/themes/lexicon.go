package themes

import (
	"unicode"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// termKind says what a term does in a clause.
type termKind uint8

const (
	kindAspect          termKind = iota // what the clause is about
	kindComplaint                       // opinion: complaint when it meets an aspect of its theme
	kindPraise                          // opinion: praise when it meets an aspect of its theme
	kindComplaintPhrase                 // complaint on its own
	kindPraisePhrase                    // praise on its own
	kindNegator                         // flips the opinion or phrase that follows it
	kindShield                          // swallows negator-like characters that negate nothing (不错, 不得不)
	kindIntensifier                     // strengthens the sentiment that follows (很, 太, very)
	kindEscalationTarget
	kindEscalationStrong
	kindEscalationIntent
	kindEscalationPlatform
	kindPlatformIntent
	kindPlatformService
	kindContactIntent
	kindWish
	kindSubject  // an aspect that names who the theme is about; ends a not-about
	kindNotAbout // someone else: the theme's words in this clause and the next are not the theme
)

// Negators, shields and intensifiers are language facts, not taxonomy: a
// user adds themes, not grammar. They are normalised like every term.
var (
	negators = []string{
		"不", "没", "没有", "未", "无", "不是", "别", "并非", "毫无", "从不", "从没", "从未", "不会", "不算", "不太", "不怎么", "绝不", "并不", "并没有", "没那么", "一点也不", "一点都不", "木有", "不像",
		"not", "no", "never", "n't", "isn't", "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't", "won't", "hasn't", "haven't", "cannot", "can't",
		"isnt", "wasnt", "dont", "doesnt", "didnt", "without", "nothing", "hardly",
	}
	// shields are words that contain a negator but negate nothing after
	// them; matching them as longer terms hides the negator inside.
	shields = []string{
		"不错", "不得不", "不过", "说好", "不少", "好久", "好几", "不管", "不仅", "不但", "无论", "不用说", "没想到", "不知道", "要不是", "不然", "无理由", "不久", "毫不犹豫", "无敌", "没毛病", "不亏", "无语",
		// "less than N" negates nothing: 用了不到一周就坏了 is a complaint
		"不到一", "不到两", "不到三", "不到半", "不到十", "不到1", "不到2", "不到3",
		// words around a sentiment word that are not that sentiment
		"反映问题", "反映了问题", "弄坏的", "弄坏了", "贪便宜", "图便宜", "不了了之", "评价", "代价",
		"not only", "no doubt", "no problem", "no issues", "no complaints", "not bad",
	}
	intensifiers = []string{"很", "太", "非常", "特别", "超", "超级", "极", "极其", "巨", "真", "好", "挺", "十分", "相当", "太过", "有点", "有些", "一点",
		"very", "so", "too", "extremely", "really", "super", "quite"}

	// general sentiment words for the default ClauseScorer, beyond the
	// taxonomy's own opinions.
	generalPositive = []string{"好", "不错", "满意", "喜欢", "赞", "点赞", "推荐", "值得", "漂亮", "舒服", "完美", "棒", "好评", "给力", "放心", "完好", "满分", "没毛病", "不亏", "好用", "开心", "惊喜", "超值", "靠谱", "👍", "😊", "❤",
		"good", "great", "excellent", "love", "perfect", "happy", "nice", "recommend", "satisfied", "awesome", "amazing", "helpful", "no complaints", "not bad", "no problem", "no issues"}
	generalNegative = []string{"差", "烂", "失望", "垃圾", "坑", "后悔", "无语", "糟糕", "骗", "骗子", "生气", "气死", "恶心", "坏", "问题", "麻烦", "差评", "不满意", "难用", "退货", "投诉", "黑店", "慢", "没用", "再也不", "不会再买", "😡", "👎",
		"bad", "terrible", "awful", "poor", "disappointed", "disappointing", "worst", "broken", "hate", "waste", "useless", "scam", "never again", "rude", "slow", "late"}
)

// trie is a rune trie over normalised terms. Matching walks it from every
// rune of a clause, so a clause of n runes costs about n times the length
// of the longest term that starts there: short reviews tag in microseconds.
type trie struct {
	nodes []trieNode
}

type trieNode struct {
	next    map[rune]int32
	entries []entry // non-empty when a term ends here
	// boundary: the term starts or ends with a Latin letter or digit and
	// must match whole words ("no" must not match inside "now").
	boundary bool
}

type entry struct {
	theme int32 // index into Matcher.themes; -1 for language terms
	kind  termKind
	term  string // the normalised term, for escalation reports
}

func newTrie() *trie { return &trie{nodes: []trieNode{{}}} }

// add inserts term (normalised here) with e. Empty terms are ignored
// (Validate has already rejected them in taxonomies).
func (t *trie) add(term string, e entry) {
	term = normalize.Text(term)
	if term == "" {
		return
	}
	e.term = term
	rs := []rune(term)
	n := int32(0)
	for _, r := range rs {
		next, ok := t.nodes[n].next[r]
		if !ok {
			if t.nodes[n].next == nil {
				t.nodes[n].next = make(map[rune]int32, 2)
			}
			t.nodes = append(t.nodes, trieNode{})
			next = int32(len(t.nodes) - 1)
			t.nodes[n].next[r] = next
		}
		n = next
	}
	node := &t.nodes[n]
	for _, old := range node.entries {
		if old.theme == e.theme && old.kind == e.kind {
			return
		}
	}
	node.entries = append(node.entries, e)
	if isWordRune(rs[0]) || isWordRune(rs[len(rs)-1]) {
		node.boundary = true
	}
}

// match is one term found in a clause, in rune positions of the
// normalised clause.
type match struct {
	start, end int
	entries    []entry
}

// findAll returns every term occurrence in rs, then drops those that lie
// inside a longer one: 快 inside 快递, 不 inside 不错, 物流 inside 物流太慢.
func (t *trie) findAll(rs []rune, buf []match) []match {
	out := buf[:0]
	for i := range rs {
		if i > 0 && isWordRune(rs[i-1]) && isWordRune(rs[i]) && !isHanRune(rs[i]) {
			// inside a Latin word: only Chinese terms may start here,
			// and those never start with a Latin letter.
			continue
		}
		n := int32(0)
		for j := i; j < len(rs); j++ {
			next, ok := t.nodes[n].next[rs[j]]
			if !ok {
				break
			}
			n = next
			node := &t.nodes[n]
			if len(node.entries) == 0 {
				continue
			}
			if node.boundary && j+1 < len(rs) && isWordRune(rs[j]) && isWordRune(rs[j+1]) && !isHanRune(rs[j+1]) {
				continue
			}
			out = append(out, match{start: i, end: j + 1, entries: node.entries})
		}
	}
	// Drop what lies strictly inside a longer match: language words
	// (negators, intensifiers) inside any longer term; a theme's terms
	// inside a longer term of the same theme, a phrase of any theme
	// (没有发 inside 没有发票) or a shield. A term inside another theme's
	// aspect or opinion stays: 慢 (delivery) inside 太慢 (after-sales)
	// still counts for delivery.
	kept := out[:0]
	for i, m := range out {
		var es []entry
		for _, e := range m.entries {
			if !shadowed(out, i, e) {
				es = append(es, e)
			}
		}
		if len(es) == 0 {
			continue
		}
		if len(es) != len(m.entries) {
			m.entries = es
		}
		kept = append(kept, m)
	}
	return kept
}

// shadowed reports whether entry e of out[i] lies inside a longer match
// that overrides it.
func shadowed(out []match, i int, e entry) bool {
	m := out[i]
	for k, o := range out {
		if k == i || o.start > m.start || o.end < m.end || o.end-o.start <= m.end-m.start {
			continue
		}
		if e.theme < 0 {
			return true
		}
		for _, oe := range o.entries {
			if oe.theme == e.theme || oe.kind == kindShield || oe.kind == kindComplaintPhrase || oe.kind == kindPraisePhrase {
				return true
			}
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '\'') ||
		r >= 0x80 && !isHanRune(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func isHanRune(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

// negatedBefore reports whether a negator ends shortly before position
// pos: within 3 runes of Chinese ("一点都不慢", "没那么慢", "没有任何破损")
// or 2 English words ("was not very slow").
func negatedBefore(rs []rune, ms []match, pos int) bool {
	for _, n := range ms {
		if n.start >= pos || !hasKind(n, kindNegator) {
			continue
		}
		// a negator overlapping the term's start negates it too: in
		// 没有问题 the terms 没有 and 有问题 share 有.
		if n.end >= pos || gapOK(rs[n.end:pos]) {
			return true
		}
	}
	return false
}

func gapOK(gap []rune) bool {
	han, words, inWord := 0, 0, false
	for _, r := range gap {
		switch {
		case isHanRune(r):
			han++
			inWord = false
		case isWordRune(r):
			if !inWord {
				words++
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return han <= 3 && words <= 2 && han+words <= 3
}

func hasKind(m match, k termKind) bool {
	for _, e := range m.entries {
		if e.kind == k {
			return true
		}
	}
	return false
}

// ClauseScorer scores one clause's sentiment in [-1, 1] (negative is
// unhappy). The matcher asks it for the sentiment of every clause that
// hits a theme, and for the polarity of a clause that names a theme's
// aspect without one of the theme's opinion words ("客服说会补发，结果一直
// 没发"). The default is a lexicon scorer; the trained model in
// models/sentiment can take its place through WithScorer. The clause is
// given as normalised text (see normalize.Text).
type ClauseScorer interface {
	ScoreClause(clause string) float64
}

// LexiconScorer is the default ClauseScorer: it counts positive and
// negative words (a general list plus every opinion and phrase of the
// taxonomy), flips those a negator governs, weighs intensified ones 1.5x,
// and returns (pos-neg)/(pos+neg), or 0 when it finds none.
type LexiconScorer struct {
	t *trie
}

// NewLexiconScorer builds the default scorer from the general lexicon and
// the opinions and phrases of tax (which may be nil).
func NewLexiconScorer(tax *Taxonomy) *LexiconScorer {
	t := newTrie()
	addLanguage(t)
	for _, w := range generalPositive {
		t.add(w, entry{theme: -1, kind: kindPraisePhrase})
	}
	for _, w := range generalNegative {
		t.add(w, entry{theme: -1, kind: kindComplaintPhrase})
	}
	if tax != nil {
		for _, th := range tax.Themes {
			// aspects score nothing, but as longer terms they hide the
			// opinion words inside them: 快 in 快递 is no praise.
			for _, list := range [][]string{th.Aspects, th.Subjects, th.NotAbout} {
				for _, w := range list {
					t.add(w, entry{theme: -1, kind: kindAspect})
				}
			}
			for _, w := range th.PraiseTerms {
				t.add(w, entry{theme: -1, kind: kindPraisePhrase})
			}
			for _, w := range th.PraisePhrases {
				t.add(w, entry{theme: -1, kind: kindPraisePhrase})
			}
			for _, w := range th.ComplaintTerms {
				t.add(w, entry{theme: -1, kind: kindComplaintPhrase})
			}
			for _, w := range th.ComplaintPhrases {
				t.add(w, entry{theme: -1, kind: kindComplaintPhrase})
			}
		}
	}
	return &LexiconScorer{t: t}
}

// ScoreClause implements ClauseScorer.
func (s *LexiconScorer) ScoreClause(clause string) float64 {
	rs := []rune(clause)
	var buf [16]match
	ms := s.t.findAll(rs, buf[:0])
	return s.score(rs, ms)
}

func (s *LexiconScorer) score(rs []rune, ms []match) float64 {
	var pos, neg float64
	for _, m := range ms {
		sign := 0.0
		switch {
		case hasKind(m, kindPraisePhrase) && !hasKind(m, kindComplaintPhrase):
			sign = 1
		case hasKind(m, kindComplaintPhrase) && !hasKind(m, kindPraisePhrase):
			sign = -1
		default:
			continue
		}
		if negatedBefore(rs, ms, m.start) {
			sign = -sign
		}
		w := 1.0
		if intensifiedBefore(ms, m.start) {
			w = 1.5
		}
		if sign > 0 {
			pos += w
		} else {
			neg += w
		}
	}
	if pos+neg == 0 {
		return 0
	}
	return (pos - neg) / (pos + neg)
}

func intensifiedBefore(ms []match, pos int) bool {
	for _, m := range ms {
		if m.end <= pos && pos-m.end <= 1 && hasKind(m, kindIntensifier) {
			return true
		}
	}
	return false
}

// addLanguage adds the negators, shields and intensifiers to t.
func addLanguage(t *trie) {
	for _, w := range negators {
		t.add(w, entry{theme: -1, kind: kindNegator})
	}
	for _, w := range shields {
		t.add(w, entry{theme: -1, kind: kindShield})
	}
	for _, w := range intensifiers {
		t.add(w, entry{theme: -1, kind: kindIntensifier})
	}
}
