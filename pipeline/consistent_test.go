package pipeline

import (
	"math"
	"strings"
	"testing"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/sentiment"
	"github.com/voc-analytics/voc/models/themes"
)

func shippedConsistent(t *testing.T) *Consistent {
	t.Helper()
	sm := defaultModel(t)
	md, err := themes.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	tax := themes.DefaultTaxonomy()
	return NewConsistent(sm, themes.NewMatcher(tax, themes.WithModel(md, sm)), themes.Fingerprint(tax, md))
}

// A text that only complains, or threatens to escalate, is never scored
// satisfied; praise anywhere keeps the model's verdict.
func TestConsistentScores(t *testing.T) {
	c := shippedConsistent(t)
	for _, tc := range []struct {
		text     string
		maxLevel voc.Level
	}{
		{"Again late delivery. I will file a chargeback", voc.VeryDissatisfied},
		{"再不发货我就去12315投诉", voc.VeryDissatisfied},
		{"物流太慢了，又是同样的问题", voc.SomewhatDissatisfied},
	} {
		r := c.Score(tc.text)
		if r.Level > tc.maxLevel {
			t.Errorf("%q: level %d, want at most %d", tc.text, r.Level, tc.maxLevel)
		}
		if e := c.Explain(tc.text, 3); e.Level != r.Level {
			t.Errorf("%q: Explain says %d, Score %d", tc.text, e.Level, r.Level)
		}
	}
	for _, text := range []string{"质量很好，物流也快，非常满意", "Love it, works great"} {
		if r, raw := c.Score(text), c.Model.Score(text); r.Level != raw.Level || r.Score != raw.Score {
			t.Errorf("%q: reconciled %v, model %v: praise must keep the model's verdict", text, r.Level, raw.Level)
		}
	}
	if !strings.HasPrefix(c.Version(), defaultModel(t).Version()+"+tax") {
		t.Errorf("version %q does not name the model and the tagger", c.Version())
	}
}

func TestReconcile(t *testing.T) {
	satisfied := sentiment.Result{Level: voc.Satisfied, Score: 3.9, Confidence: 0.5, Probs: [5]float64{0.05, 0.15, 0.1, 0.5, 0.2}}
	complaint := themes.Tagging{Complaint: true, Themes: []themes.Hit{{Theme: "delivery_speed", Polarity: themes.Complaint}}}
	for _, tc := range []struct {
		name    string
		r       sentiment.Result
		tg      themes.Tagging
		praises bool
		want    voc.Level
	}{
		{"complaint only", satisfied, complaint, false, voc.SomewhatDissatisfied},
		{"escalation", satisfied, themes.Tagging{Complaint: true, Escalation: true}, false, voc.VeryDissatisfied},
		{"a complaint no theme names", satisfied, themes.Tagging{Complaint: true}, false, voc.Satisfied},
		{"complaint and praise", satisfied, complaint, true, voc.Satisfied},
		{"no complaint", satisfied, themes.Tagging{}, false, voc.Satisfied},
		{"already unhappy", sentiment.Result{Level: voc.VeryDissatisfied, Probs: [5]float64{1}}, complaint, false, voc.VeryDissatisfied},
		{"neutral stays", sentiment.Result{Level: voc.Neutral, Probs: [5]float64{0, 0, 1}}, complaint, false, voc.Neutral},
		{"no text", sentiment.Result{NoText: true}, complaint, false, voc.LevelNone},
	} {
		got := Reconcile(tc.r, tc.tg, tc.praises)
		if got.Level != tc.want {
			t.Errorf("%s: level %d, want %d", tc.name, got.Level, tc.want)
		}
	}
	// Conditioned on 1-2, the model's own odds decide between them.
	got := Reconcile(satisfied, complaint, false)
	if math.Abs(got.Score-1.75) > 1e-9 || math.Abs(got.Confidence-0.75) > 1e-9 {
		t.Errorf("score %.3f confidence %.3f, want 1.75 and 0.75 (P(2)/(P(1)+P(2)))", got.Score, got.Confidence)
	}
}
