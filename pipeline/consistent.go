package pipeline

import (
	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/sentiment"
	"github.com/voc-analytics/voc/models/themes"
)

// Consistent is a Scorer whose levels agree with what the theme tagger
// finds: a text that complains or threatens escalation and praises nothing
// is never scored satisfied. "Again late delivery. I will file a
// chargeback" reads mildly to a bag-of-phrases model, but a reader of the
// report must not find it among the satisfied customers.
//
// When the sentiment model gives such a text level 4 or 5, its
// distribution is conditioned on levels 1-2 (on level 1 when the text
// escalates): see sentiment.Result.AtMost. Every other text keeps the
// model's verdict.
type Consistent struct {
	Model   FastScorer
	Tagger  PraiseTagger
	version string
}

// PraiseTagger is a Tagger that can also tell whether a text praises
// anything beyond its themes; *themes.Matcher is one.
type PraiseTagger interface {
	Tagger
	Praises(text string, tg themes.Tagging) bool
}

// FastScorer is a Scorer with a fast path that builds no explanation, as
// `voc score` needs; *sentiment.Model is one.
type FastScorer interface {
	Scorer
	Score(text string) sentiment.Result
}

// NewConsistent joins a sentiment scorer and the theme tagger; fingerprint
// identifies the tagger (themes.Fingerprint), so scores are redone when
// either changes.
func NewConsistent(s FastScorer, t PraiseTagger, fingerprint string) *Consistent {
	return &Consistent{Model: s, Tagger: t, version: s.Version() + "+" + fingerprint}
}

// Version names the sentiment model and the tagger.
func (c *Consistent) Version() string { return c.version }

// Explain scores text with the model, then applies the rule above.
func (c *Consistent) Explain(text string, n int) sentiment.Result {
	return c.reconcile(text, c.Model.Explain(text, n))
}

// Score is Explain without the explanation.
func (c *Consistent) Score(text string) sentiment.Result {
	return c.reconcile(text, c.Model.Score(text))
}

func (c *Consistent) reconcile(text string, r sentiment.Result) sentiment.Result {
	if r.NoText || r.Level < voc.Satisfied {
		return r // the common case: no tagging needed
	}
	tg := c.Tagger.Tag(text)
	return Reconcile(r, tg, c.Tagger.Praises(text, tg))
}

// Reconcile applies the rule of Consistent to one verdict, the text's
// tagging and whether the text praises anything.
func Reconcile(r sentiment.Result, tg themes.Tagging, praises bool) sentiment.Result {
	if r.NoText || r.Level < voc.Satisfied || praises || !(tg.Complaint || tg.Escalation) {
		return r
	}
	if tg.Escalation {
		return r.AtMost(voc.VeryDissatisfied)
	}
	return r.AtMost(voc.SomewhatDissatisfied)
}
