package themes

import (
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
}

// Tagging is what the matcher found in one text.
type Tagging struct {
	Themes []Hit
	// Escalation is true when the text threatens to take the matter
	// further (regulator, media, lawyer, chargeback ...).
	Escalation      bool
	EscalationTerms []string // the normalised terms that raised it
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
}

// Option configures a Matcher.
type Option func(*Matcher)

// WithScorer replaces the default lexicon ClauseScorer, e.g. with the
// trained sentiment model.
func WithScorer(s ClauseScorer) Option { return func(m *Matcher) { m.scorer = s } }

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
	if m.scorer == nil {
		m.scorer = NewLexiconScorer(t)
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
	for _, c := range normalize.Clauses(text) {
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
			out.Themes = m.addHits(out.Themes, ti, Hit{Polarity: pol, Clause: c.Text, Start: c.RuneStart, End: c.RuneEnd, Sentiment: score()})
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
		out.Themes = m.addHits(out.Themes, head, Hit{Polarity: pol, Clause: c.Text, Start: c.RuneStart, End: c.RuneEnd, Sentiment: s})
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
