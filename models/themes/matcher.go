package themes

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Polarity values of a Hit.
const (
	Complaint = "complaint"
	Praise    = "praise"
)

// Hit is one theme found in one clause.
type Hit struct {
	Theme    string // theme id
	Polarity string // Complaint or Praise
	Clause   string // the clause as it stands in the original text
	// Start and End are rune offsets of Clause in the original text.
	Start, End int
	// Sentiment is the ClauseScorer's score of the clause, in [-1, 1].
	Sentiment float64
	// Via is set on a hit inherited by a parent theme: the id of the
	// sub-theme that matched ("quality.battery" on a "quality" hit).
	Via string `json:",omitempty"`
	// Phrases is set on a hit the learned model added (no word list of
	// the theme matched): the clause's phrases that raised the model's
	// score most, strongest first, as `voc explain` names a score's.
	Phrases []Phrase `json:",omitempty"`
	// by is what found the hit: byPhrase (a phrase of the theme),
	// byOpinion (an aspect with an opinion), byAspect (an aspect and the
	// clause's sentiment) or byModel. The model trusts each differently.
	by uint8
}

const (
	byPhrase uint8 = iota + 1
	byOpinion
	byAspect
	byModel
)

// Tagging is what the matcher found in one text.
type Tagging struct {
	Themes []Hit
	// Escalation is true when the text threatens to take the matter
	// further (regulator, media, lawyer, chargeback ...).
	Escalation      bool
	EscalationTerms []string // the normalised terms that raised it
	// Complaint is true when the text complains at all: a complaint hit,
	// an escalation, or (with a model) a clause the model reads as a
	// complaint about something no theme covers ("不怎么样").
	Complaint bool
	// Praise is true when a theme is praised. A text can praise without
	// naming a theme ("总体满意"): Praises tells that, at some cost.
	Praise bool
}

// Matcher tags texts with themes. Build one with NewMatcher and share it:
// it is immutable and Tag is safe for concurrent use.
type Matcher struct {
	themes []Theme
	// ancestors[i] lists the indexes of theme i's parent, grandparent ...
	ancestors [][]int
	t         *trie
	scorer    ClauseScorer
	// aspectOnly: let an aspect with no opinion of its theme take the
	// clause's sentiment when |sentiment| >= aspectOnlyMin.
	aspectOnly    bool
	aspectOnlyMin float64
	esc           *escalation
	// general scores clauses by the general word lists, for Praise.
	general  *LexiconScorer
	model    *Model
	modelPol ClauseScorer
	// deferTerms[i] are theme i's DeferTerms, normalised.
	deferTerms [][]string
	// modelTheme[j] is the index in themes of the model's head j, -1 for
	// the complaint head and for themes the taxonomy lacks.
	modelTheme []int
}

// Option configures a Matcher.
type Option func(*Matcher)

// WithScorer replaces the default lexicon ClauseScorer, e.g. with the
// trained sentiment model.
func WithScorer(s ClauseScorer) Option { return func(m *Matcher) { m.scorer = s } }

// WithModel lets a learned model decide the complaints on the themes it
// knows (the built-in ones). The model reads the text and what the word
// lists found in each clause, so it has learnt from labelled reviews how
// far to trust each theme's words: a theme it gives at least its
// calibrated threshold is a complaint, in the clause the lexicon named or,
// when no word list found it, in the clause the model scores highest,
// with the phrases behind it (Hit.Phrases); below the threshold the
// lexicon's complaint hits on it are dropped. Praise hits and the themes
// a user adds are the lexicon's alone. The complaint head sets
// Tagging.Complaint for complaints no theme covers. nil means no model.
//
// pol is the clause scorer the model was trained with (the sentiment
// model: `voc train themes` uses the built-in one); the model reads each
// clause's polarity from it.
func WithModel(md *Model, pol ClauseScorer) Option {
	return func(m *Matcher) { m.model, m.modelPol = md, pol }
}

// WithAspectOnly sets whether a clause that names a theme's aspect but
// none of its opinions is tagged by the clause's overall sentiment, and
// how strong that sentiment must be (default on, 0.5). Turning it off
// raises precision and lowers recall.
func WithAspectOnly(on bool, minAbs float64) Option {
	return func(m *Matcher) { m.aspectOnly, m.aspectOnlyMin = on, minAbs }
}

// NewMatcher compiles t into a matcher. t is copied; later changes to it
// do not reach the matcher.
func NewMatcher(t *Taxonomy, opts ...Option) *Matcher {
	t = t.clone()
	m := &Matcher{themes: t.Themes, t: newTrie(), aspectOnly: true, aspectOnlyMin: 0.5}
	idx := make(map[string]int, len(t.Themes))
	for i, th := range t.Themes {
		idx[th.ID] = i
	}
	m.ancestors = make([][]int, len(t.Themes))
	for i, th := range t.Themes {
		for p := th.Parent(); p != ""; p = (Theme{ID: p}).Parent() {
			if j, ok := idx[p]; ok {
				m.ancestors[i] = append(m.ancestors[i], j)
			}
		}
	}
	addLanguage(m.t)
	m.esc = addEscalation(m.t)
	for i, th := range t.Themes {
		ti := int32(i)
		for _, list := range []struct {
			terms []string
			kind  termKind
		}{
			{th.Aspects, kindAspect}, {th.ComplaintTerms, kindComplaint}, {th.PraiseTerms, kindPraise},
			{th.ComplaintPhrases, kindComplaintPhrase}, {th.PraisePhrases, kindPraisePhrase},
			{th.Subjects, kindSubject}, {th.NotAbout, kindNotAbout},
		} {
			for _, w := range list.terms {
				m.t.add(w, entry{theme: ti, kind: list.kind})
			}
		}
	}
	for _, o := range opts {
		o(m)
	}
	m.general = NewLexiconScorer(t)
	m.deferTerms = make([][]string, len(t.Themes))
	for i, th := range t.Themes {
		for _, term := range th.DeferTerms {
			if n := normalize.Text(term); n != "" {
				m.deferTerms[i] = append(m.deferTerms[i], n)
			}
		}
	}
	if m.scorer == nil {
		m.scorer = m.general
	}
	if m.model != nil {
		m.modelTheme = make([]int, len(m.model.meta.Heads))
		for j, id := range m.model.meta.Heads {
			m.modelTheme[j] = -1
			if i, ok := idx[id]; ok {
				m.modelTheme[j] = i
			}
		}
	}
	return m
}

// themeVote is the evidence for one theme in one clause.
type themeVote struct {
	aspect bool
	// aspectEnd is where the theme's last aspect ends in the clause (runes):
	// of two bare aspects in a compound noun (快递包装, "the courier's
	// packaging") the last is the head, the thing the clause is about.
	aspectEnd int
	// phrases stand on their own; opinions count only next to an aspect
	phraseComplaint, phrasePraise   int
	opinionComplaint, opinionPraise int
	// subjectAt and otherAt are 1 + the rune offset of the theme's last
	// subject and last not-about term in the clause, 0 when none.
	subjectAt, otherAt int
}

// Tag finds the themes of text, clause by clause, and whether it threatens
// escalation. A theme is reported at most once per clause; one text can
// hit several themes, and the same theme in several clauses.
func (m *Matcher) Tag(text string) Tagging {
	var out Tagging
	var buf [32]match
	votes := make(map[int32]*themeVote, 4)
	// away[ti]: the clauses so far last named someone the theme is not
	// about (a courier, an installer) and no subject of the theme since.
	var away []bool
	clauses := normalize.Clauses(text)
	for _, c := range clauses {
		norm := normalize.Text(c.Text)
		rs := []rune(norm)
		ms := m.t.findAll(rs, buf[:0])
		if terms := m.esc.find(rs, ms); len(terms) > 0 {
			out.Escalation = true
			for _, term := range terms {
				if !contains(out.EscalationTerms, term) {
					out.EscalationTerms = append(out.EscalationTerms, term)
				}
			}
		}
		clear(votes)
		for _, mt := range ms {
			for _, e := range mt.entries {
				if e.theme < 0 {
					continue
				}
				v := votes[e.theme]
				if v == nil {
					v = &themeVote{}
					votes[e.theme] = v
				}
				complaint := false
				switch e.kind {
				case kindAspect, kindSubject:
					v.aspect = true
					v.aspectEnd = max(v.aspectEnd, mt.end)
					if e.kind == kindSubject {
						v.subjectAt = mt.start + 1
					}
					continue
				case kindNotAbout:
					v.otherAt = mt.start + 1
					continue
				case kindComplaint, kindComplaintPhrase:
					complaint = true
				case kindPraise, kindPraisePhrase:
				default:
					continue
				}
				if e.kind == kindComplaint || e.kind == kindPraise {
					if negatedBefore(rs, ms, mt.start) {
						complaint = !complaint
					}
					if complaint {
						v.opinionComplaint++
					} else {
						v.opinionPraise++
					}
					continue
				}
				if negatedBefore(rs, ms, mt.start) {
					complaint = !complaint
				}
				if complaint {
					v.phraseComplaint++
				} else {
					v.phrasePraise++
				}
			}
		}
		if len(votes) == 0 {
			continue
		}
		sentiment, scored := 0.0, false
		score := func() float64 {
			if !scored {
				sentiment, scored = m.scorer.ScoreClause(norm), true
			}
			return sentiment
		}
		// Themes with words of their own (a phrase, or an aspect with one
		// of its opinions) come first; a theme named only by an aspect
		// takes the clause's sentiment, but only when no other theme
		// already explains it: in "Item arrived broken" the damage theme
		// explains the complaint, and "item" is no quality complaint.
		explained := false
		var aspectOnly []int
		for ti := range m.themes {
			v := votes[int32(ti)]
			if v == nil {
				continue
			}
			if v.otherAt > 0 || away != nil && away[ti] {
				if away == nil {
					away = make([]bool, len(m.themes))
				}
				// the clause is about someone else unless it names a
				// subject after the other one ("快递员和客服都很好")
				if v.subjectAt > v.otherAt {
					away[ti] = false
				} else {
					away[ti] = true
					// the clause's words are explained: they describe
					// that other person, so no bare aspect of another
					// theme takes the clause's sentiment.
					if v.phraseComplaint+v.phrasePraise+v.opinionComplaint+v.opinionPraise > 0 || v.aspect {
						explained = true
					}
					continue
				}
			}
			complaint, praise := v.phraseComplaint, v.phrasePraise
			if v.aspect {
				complaint += v.opinionComplaint
				praise += v.opinionPraise
			}
			var pol string
			switch {
			case complaint > praise:
				pol = Complaint
			case praise > complaint:
				pol = Praise
			case complaint > 0: // a tie: let the clause's sentiment decide
				if score() > 0 {
					pol = Praise
				} else {
					pol = Complaint
				}
			case v.aspect && m.aspectOnly:
				aspectOnly = append(aspectOnly, ti)
				continue
			default:
				continue
			}
			explained = true
			by := byOpinion
			if pol == Complaint && v.phraseComplaint > 0 || pol == Praise && v.phrasePraise > 0 {
				by = byPhrase
			}
			out.Themes = m.addHits(out.Themes, ti, Hit{Polarity: pol, Clause: c.Text, Start: c.RuneStart, End: c.RuneEnd, Sentiment: score(), by: by})
		}
		if explained || len(aspectOnly) == 0 {
			continue
		}
		s := score()
		pol := ""
		switch {
		case s <= -m.aspectOnlyMin:
			pol = Complaint
		case s >= m.aspectOnlyMin:
			pol = Praise
		default:
			continue
		}
		// Several bare aspects: the clause's sentiment is about the head
		// noun, the aspect that ends last ("快递包装破破烂烂" is about the
		// packaging, not the delivery).
		head := aspectOnly[0]
		for _, ti := range aspectOnly[1:] {
			if votes[int32(ti)].aspectEnd > votes[int32(head)].aspectEnd {
				head = ti
			}
		}
		out.Themes = m.addHits(out.Themes, head, Hit{Polarity: pol, Clause: c.Text, Start: c.RuneStart, End: c.RuneEnd, Sentiment: s, by: byAspect})
	}
	if m.model != nil {
		out = m.addModel(out, clauses)
	}
	out.Themes = m.deferHits(out.Themes)
	for _, h := range out.Themes {
		switch h.Polarity {
		case Complaint:
			out.Complaint = true
		case Praise:
			out.Praise = true
		}
	}
	out.Complaint = out.Complaint || out.Escalation
	return out
}

// Praises reports whether text praises anything: a theme (Tag's Praise)
// or, in any clause, positive general words that outweigh the negative
// ones ("总体满意", "love it"). Tag leaves the second test out because it
// costs a second pass over every clause; callers that need it (a score
// that must agree with the themes) ask here.
func (m *Matcher) Praises(text string, tg Tagging) bool {
	if tg.Praise {
		return true
	}
	for _, c := range normalize.Clauses(text) {
		if m.general.ScoreClause(normalize.Text(c.Text)) > 0 {
			return true
		}
	}
	return false
}

// deferHits drops the complaints a theme defers to another (see
// Theme.DeferTo) when the text complains of that other theme.
func (m *Matcher) deferHits(hs []Hit) []Hit {
	for i, th := range m.themes {
		if th.DeferTo == "" || !slices.ContainsFunc(hs, func(h Hit) bool { return h.Theme == th.DeferTo && h.Polarity == Complaint }) {
			continue
		}
		terms := m.deferTerms[i]
		hs = slices.DeleteFunc(hs, func(h Hit) bool {
			if h.Polarity != Complaint || h.Theme != th.ID && h.Via != th.ID {
				return false
			}
			norm := normalize.Text(h.Clause)
			for _, t := range terms {
				if containsWord(norm, t) {
					return true
				}
			}
			return false
		})
	}
	return hs
}

// containsWord reports whether norm holds term, whole words only when the
// term is Latin ("broke" is not in "brokerage").
func containsWord(norm, term string) bool {
	for from := 0; ; {
		i := strings.Index(norm[from:], term)
		if i < 0 {
			return false
		}
		i += from
		before, after := rune(0), rune(0)
		if i > 0 {
			before, _ = utf8.DecodeLastRuneInString(norm[:i])
		}
		if j := i + len(term); j < len(norm) {
			after, _ = utf8.DecodeRuneInString(norm[j:])
		}
		tr := []rune(term)
		okBefore := !isWordRune(tr[0]) || isHanRune(tr[0]) || !isWordRune(before) || isHanRune(before)
		okAfter := !isWordRune(tr[len(tr)-1]) || isHanRune(tr[len(tr)-1]) || !isWordRune(after) || isHanRune(after)
		if okBefore && okAfter {
			return true
		}
		from = i + len(term)
	}
}

// explainedBar is the least probability at which the model adds a theme to
// a clause that a word list already explains as another theme's complaint.
const explainedBar = 0.5

// addModel applies the learned model to a lexicon tagging: vetoes,
// added hits and the complaint head.
func (m *Matcher) addModel(out Tagging, clauses []normalize.Clause) Tagging {
	md := m.model
	p := md.predict(clauses, lexBuckets(clauses, out.Themes, uint32(1)<<md.meta.Bits-1), m.modelPol, false)
	for j, ti := range m.modelTheme {
		if md.meta.Heads[j] == ComplaintHead {
			if p.Prob[j] >= md.meta.Threshold[j] {
				out.Complaint = true
			}
			continue
		}
		if ti < 0 {
			continue
		}
		id := m.themes[ti].ID
		if p.Prob[j] < md.meta.Threshold[j] {
			// the model, which knows the lexicon's finding, says no
			out.Themes = slices.DeleteFunc(out.Themes, func(h Hit) bool {
				return h.Polarity == Complaint && (h.Theme == id || strings.HasPrefix(h.Theme, id+"."))
			})
			continue
		}
		if p.Best[j] < 0 || slices.ContainsFunc(out.Themes, func(h Hit) bool { return h.Theme == id && h.Polarity == Complaint }) {
			continue
		}
		c := clauses[p.Best[j]]
		// A clause a word list already explains as another theme's
		// complaint ("怀疑是假货" is counterfeit) takes a second theme from
		// the model only when the model is sure of it.
		explained := slices.ContainsFunc(out.Themes, func(h Hit) bool {
			return h.Start == c.RuneStart && h.Polarity == Complaint && (h.by == byPhrase || h.by == byOpinion)
		})
		if explained && p.Prob[j] < max(md.meta.Threshold[j], explainedBar) {
			continue
		}
		s := md.scratch()
		s.tokenize(c.Text)
		s.features(md.meta.MaxN, uint32(1)<<md.meta.Bits-1, md.polarity(m.modelPol, c.Text))
		phrases := md.phrases(c.Text, s.feats, s.units, j, 3)
		md.pool.Put(s)
		out.Themes = m.addHits(out.Themes, ti, Hit{Polarity: Complaint, Clause: c.Text, Start: c.RuneStart, End: c.RuneEnd,
			Sentiment: m.scorer.ScoreClause(normalize.Text(c.Text)), Phrases: phrases, by: byModel})
	}
	return out
}

// addHits adds h as a hit on theme ti and on each of its ancestors.
func (m *Matcher) addHits(hs []Hit, ti int, h Hit) []Hit {
	h.Theme = m.themes[ti].ID
	hs = addHit(hs, h)
	for _, a := range m.ancestors[ti] {
		ph := h
		ph.Theme, ph.Via = m.themes[a].ID, h.Theme
		hs = addHit(hs, ph)
	}
	return hs
}

// addHit appends h unless the same theme already has a hit on the same
// clause (a parent matched directly and through a sub-theme).
func addHit(hs []Hit, h Hit) []Hit {
	for i, o := range hs {
		if o.Theme == h.Theme && o.Start == h.Start {
			if o.Via != "" && h.Via == "" {
				hs[i] = h // a direct hit wins over an inherited one
			}
			return hs
		}
	}
	return append(hs, h)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// ThemeSummary is a count of a Tagging's hits per theme and polarity,
// each text counted once per theme: what a report adds up.
func (tg Tagging) ThemeSummary() map[string]string {
	out := make(map[string]string)
	for _, h := range tg.Themes {
		switch prev := out[h.Theme]; {
		case prev == "":
			out[h.Theme] = h.Polarity
		case prev != h.Polarity:
			out[h.Theme] = "mixed"
		}
	}
	return out
}
