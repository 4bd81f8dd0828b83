package themes

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Counts are true positives, false positives and false negatives.
type Counts struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
}

// Precision is TP/(TP+FP), 1 when nothing was predicted.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP/(TP+FN), 1 when nothing was to be found.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	if 2*c.TP+c.FP+c.FN == 0 {
		return 1
	}
	return 2 * float64(c.TP) / float64(2*c.TP+c.FP+c.FN)
}

func (c *Counts) add(pred, gold bool) {
	switch {
	case pred && gold:
		c.TP++
	case pred:
		c.FP++
	case gold:
		c.FN++
	}
}

// EvalReport is how a tagger did on a labelled set, each review counted
// once per theme (what reports count).
type EvalReport struct {
	Items  int               `json:"items"`
	Themes map[string]Counts `json:"themes"`
	// Micro adds up every theme's counts.
	Micro Counts `json:"micro"`
	// Complaint is "complains or not" over all reviews; NegativeRecall
	// is its recall on the reviews the corpus rates negative (Negatives
	// of them).
	Complaint      Counts  `json:"complaint"`
	Negatives      int     `json:"negatives"`
	NegativeRecall float64 `json:"negative_recall"`
	Escalation     Counts  `json:"escalation"`
	// Errors lists the reviews the tagger got wrong, when asked for.
	Errors []EvalError `json:"errors,omitempty"`
}

// EvalError is one review a tagger got wrong: what it added (+) and missed
// (-).
type EvalError struct {
	ID    string   `json:"id"`
	Text  string   `json:"text"`
	Wrong []string `json:"wrong"`
}

// TextTagger tags one text; *Matcher is one.
type TextTagger interface {
	Tag(text string) Tagging
}

// Evaluate tags every item and compares complaint hits with the labels.
// Only themes in ids are counted (the built-in ones: a user's own themes
// have no labels); a sub-theme's hit counts for its parent, as the matcher
// reports it. keepErrors lists the items it got wrong.
func Evaluate(t TextTagger, items []Labelled, ids []string, keepErrors bool) EvalReport {
	rep := EvalReport{Themes: make(map[string]Counts, len(ids))}
	negHit := 0
	for _, it := range items {
		rep.Items++
		tg := t.Tag(it.Text)
		pred := map[string]bool{}
		for _, h := range tg.Themes {
			if h.Polarity == Complaint && slices.Contains(ids, h.Theme) {
				pred[h.Theme] = true
			}
		}
		var wrong []string
		for _, id := range ids {
			g, p := slices.Contains(it.Themes, id), pred[id]
			c := rep.Themes[id]
			c.add(p, g)
			rep.Themes[id] = c
			rep.Micro.add(p, g)
			if p != g {
				wrong = append(wrong, map[bool]string{true: "+", false: "-"}[p]+id)
			}
		}
		rep.Complaint.add(tg.Complaint, it.Complains())
		if tg.Complaint != it.Complains() {
			wrong = append(wrong, map[bool]string{true: "+", false: "-"}[tg.Complaint]+"complaint")
		}
		if neg, ok := it.Negative(); ok && neg {
			rep.Negatives++
			if tg.Complaint {
				negHit++
			}
		}
		rep.Escalation.add(tg.Escalation, it.Escalation)
		if tg.Escalation != it.Escalation {
			w := map[bool]string{true: "+", false: "-"}[tg.Escalation] + "escalation"
			if tg.Escalation {
				w += "[" + strings.Join(tg.EscalationTerms, ",") + "]"
			}
			wrong = append(wrong, w)
		}
		if keepErrors && len(wrong) > 0 {
			rep.Errors = append(rep.Errors, EvalError{ID: it.ID, Text: it.Text, Wrong: wrong})
		}
	}
	if rep.Negatives > 0 {
		rep.NegativeRecall = float64(negHit) / float64(rep.Negatives)
	}
	return rep
}

// BuiltinThemeIDs are the ids of the built-in taxonomy's top-level themes:
// the contract of the shared theme definitions, and what a labelled set
// is measured on.
func BuiltinThemeIDs() []string {
	var ids []string
	for _, th := range DefaultTaxonomy().Themes {
		if th.Parent() == "" {
			ids = append(ids, th.ID)
		}
	}
	return ids
}

// WriteTable prints the report as a plain-text table: a row per theme,
// micro, complaint and escalation.
func (r EvalReport) WriteTable(w io.Writer) error {
	ids := make([]string, 0, len(r.Themes))
	for id := range r.Themes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %5s %5s %5s %5s %6s %6s %6s\n", "theme", "gold", "tp", "fp", "fn", "P", "R", "F1")
	row := func(name string, c Counts) {
		fmt.Fprintf(&b, "%-22s %5d %5d %5d %5d %6.3f %6.3f %6.3f\n", name, c.TP+c.FN, c.TP, c.FP, c.FN, c.Precision(), c.Recall(), c.F1())
	}
	for _, id := range ids {
		row(id, r.Themes[id])
	}
	row("micro (12 themes)", r.Micro)
	row("complaint", r.Complaint)
	row("escalation", r.Escalation)
	fmt.Fprintf(&b, "%d reviews; complaint recall on the %d negative ones: %.3f\n", r.Items, r.Negatives, r.NegativeRecall)
	_, err := io.WriteString(w, b.String())
	return err
}
