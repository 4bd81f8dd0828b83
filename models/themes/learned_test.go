package themes

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/voc-analytics/voc/models/sentiment"
)

// readTestLabelled reads testdata/labelled.jsonl: short reviews written
// for these tests (not taken from any corpus) with their labels.
func readTestLabelled(t testing.TB) []Labelled {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "labelled.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ls, err := ReadLabelled(context.Background(), f, "labelled.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// trainTiny trains a small model on the test set, with the set's texts
// doubling as weak data; small enough to run in a second.
func trainTiny(t testing.TB, seed int64) *Model {
	t.Helper()
	gold := readTestLabelled(t)
	var weak []string
	for _, l := range gold {
		weak = append(weak, l.Text)
	}
	m, err := Train(context.Background(), TrainData{Gold: gold, Weak: weak, Lexicon: NewMatcher(DefaultTaxonomy()), Scorer: NewLexiconScorer(nil)},
		TrainOptions{Bits: 12, Seed: seed, Epochs: 8})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainIsDeterministicAndSavesExactly(t *testing.T) {
	a, b := trainTiny(t, 3), trainTiny(t, 3)
	if a.Version() != b.Version() {
		t.Fatalf("same data and seed gave %s and %s", a.Version(), b.Version())
	}
	if c := trainTiny(t, 4); c.Version() == a.Version() {
		t.Errorf("another seed gave the same model %s", c.Version())
	}
	var buf bytes.Buffer
	if err := a.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if back.Version() != a.Version() {
		t.Errorf("version after Save/Load %s, want %s", back.Version(), a.Version())
	}
	pol := NewLexiconScorer(nil)
	for _, l := range readTestLabelled(t) {
		p, q := a.predictText(NewMatcher(DefaultTaxonomy()), pol, l.Text), back.predictText(NewMatcher(DefaultTaxonomy()), pol, l.Text)
		if !slices.Equal(p.Prob, q.Prob) {
			t.Fatalf("%q: probabilities %v before Save, %v after", l.Text, p.Prob, q.Prob)
		}
	}
}

func TestLoadModelRejectsDamage(t *testing.T) {
	var buf bytes.Buffer
	if err := trainTiny(t, 1).Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"bad magic": append([]byte("VOCSENT\x01"), good[8:]...),
		"truncated": good[:len(good)/2],
		"not gzip":  append([]byte(modelMagic), "plain text"...),
	} {
		if _, err := LoadModel(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: loaded without error", name)
		} else if !strings.Contains(err.Error(), "theme model") {
			t.Errorf("%s: error %q does not say what failed", name, err)
		}
	}
}

func TestTrainNeedsEnoughLabels(t *testing.T) {
	gold := readTestLabelled(t)[:10]
	_, err := Train(context.Background(), TrainData{Gold: gold, Lexicon: NewMatcher(DefaultTaxonomy()), Scorer: NewLexiconScorer(nil)}, TrainOptions{Bits: 10})
	if err == nil || !strings.Contains(err.Error(), "10 labelled reviews") {
		t.Fatalf("err = %v, want one naming the 10 labelled reviews", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Train(ctx, TrainData{Gold: readTestLabelled(t), Weak: []string{"a"}, Lexicon: NewMatcher(DefaultTaxonomy()), Scorer: NewLexiconScorer(nil)}, TrainOptions{Bits: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled training: err = %v", err)
	}
}

// The shipped matcher (word lists and the default model) on the cases a
// new user tried: filler names no theme, damage in transit is not also a
// quality complaint, a threat to charge back is escalation and a
// complaint.
func TestShippedTaggerOnReportedCases(t *testing.T) {
	m := shippedMatcher(t)
	for _, tc := range []struct {
		text       string
		want, not  []string
		escalation bool
	}{
		{text: "又是同样的问题", not: []string{"quality"}},
		{text: "物流太慢了，又是同样的问题", want: []string{"delivery_speed"}, not: []string{"quality"}},
		{text: "Package was damaged in transit, item broken", want: []string{"delivery_damage"}, not: []string{"quality"}},
		{text: "快递暴力运输，盒子压坏了，里面的杯子碎了", want: []string{"delivery_damage"}, not: []string{"quality"}},
		{text: "Again late delivery. I will file a chargeback", want: []string{"delivery_speed"}, escalation: true},
		{text: "用了两天就坏了，质量太差", want: []string{"quality"}},
	} {
		tg := m.Tag(tc.text)
		got := map[string]bool{}
		for _, h := range tg.Themes {
			if h.Polarity == Complaint {
				got[h.Theme] = true
			}
		}
		for _, w := range tc.want {
			if !got[w] {
				t.Errorf("%q: no %s complaint (got %v)", tc.text, w, tg.Themes)
			}
		}
		for _, n := range tc.not {
			if got[n] {
				t.Errorf("%q: tagged %s (got %v)", tc.text, n, tg.Themes)
			}
		}
		if tg.Escalation != tc.escalation {
			t.Errorf("%q: escalation %v, want %v", tc.text, tg.Escalation, tc.escalation)
		}
		if len(tc.want) > 0 || tc.escalation {
			if !tg.Complaint {
				t.Errorf("%q: not a complaint", tc.text)
			}
		}
	}
}

// A hit only the model found names the phrases behind it, quoted from the
// text as written (traditional characters stay traditional).
func TestModelHitsNamePhrases(t *testing.T) {
	m := shippedMatcher(t)
	lexicon := NewMatcher(DefaultTaxonomy())
	found := 0
	for _, text := range []string{
		"收到的是二手的，里面还有别人的照片",
		"收到的是二手的，裡面還有別人的照片",
		"打了好几次电话都没人接",
	} {
		lex := map[string]bool{}
		for _, h := range lexicon.Tag(text).Themes {
			lex[h.Theme+h.Polarity] = true
		}
		for _, h := range m.Tag(text).Themes {
			if lex[h.Theme+h.Polarity] || h.Via != "" {
				continue
			}
			found++
			if len(h.Phrases) == 0 {
				t.Errorf("%q: model hit %s names no phrase", text, h.Theme)
			}
			for _, p := range h.Phrases {
				for _, part := range strings.Split(p.Text, "…") {
					if !strings.Contains(text, part) {
						t.Errorf("%q: phrase %q is not quoted from the text", text, p.Text)
					}
				}
				if p.Weight <= 0 {
					t.Errorf("%q: phrase %q has weight %v", text, p.Text, p.Weight)
				}
			}
			if !strings.Contains(text, h.Clause) {
				t.Errorf("%q: clause %q not in the text", text, h.Clause)
			}
		}
	}
	if found == 0 {
		t.Fatal("the model added no hit to any of the texts the word lists miss")
	}
}

func shippedMatcher(t testing.TB) *Matcher {
	t.Helper()
	md, err := DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	return NewMatcher(DefaultTaxonomy(), WithModel(md, testPolarity(t)))
}

func TestEvaluateCounts(t *testing.T) {
	items := []Labelled{
		{ID: "a", Text: "物流太慢了", Themes: []string{"delivery_speed"}, Stars: ptr(1)},
		{ID: "b", Text: "包装破了，客服不理人", Themes: []string{"delivery_damage", "price"}, Stars: ptr(2)},
		{ID: "c", Text: "很好", Label: "pos"},
		{ID: "d", Text: "再这样就去12315投诉", Escalation: true, Label: "neg"},
	}
	rep := Evaluate(NewMatcher(DefaultTaxonomy()), items, BuiltinThemeIDs(), true)
	if rep.Items != 4 || rep.Negatives != 3 {
		t.Fatalf("items %d negatives %d, want 4 and 3", rep.Items, rep.Negatives)
	}
	if c := rep.Themes["delivery_speed"]; c != (Counts{TP: 1}) {
		t.Errorf("delivery_speed %+v", c)
	}
	if c := rep.Themes["price"]; c.FN != 1 {
		t.Errorf("price %+v, want one miss", c)
	}
	if c := rep.Themes["service_attitude"]; c.FP != 1 {
		t.Errorf("service_attitude %+v, want one false alarm", c)
	}
	if rep.Escalation != (Counts{TP: 1}) {
		t.Errorf("escalation %+v", rep.Escalation)
	}
	if rep.NegativeRecall != 1 {
		t.Errorf("complaint recall on negatives %.2f, want 1", rep.NegativeRecall)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].ID != "b" {
		t.Errorf("errors %+v, want item b only", rep.Errors)
	}
	var out strings.Builder
	if err := rep.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"micro (12 themes)", "escalation", "complaint recall on the 3 negative ones: 1.000"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestReadLabelledErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"{\"id\":\"a\",\"themes\":[]}\n{bad", "x.jsonl line 2"},
		{`{"id":"a","themes":[7]}`, "x.jsonl line 1: a theme must be"},
		{`{"id":"a","themes":"quality"}`, "x.jsonl line 1"},
	} {
		_, err := ReadLabelled(context.Background(), strings.NewReader(tc.in), "x.jsonl")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
		}
	}
	ls, err := ReadLabelled(context.Background(), strings.NewReader(`{"id":"a","themes":[{"theme":"price","polarity":"complaint"},{"theme":"quality","polarity":"praise"},"price"]}`), "x")
	if err != nil || len(ls) != 1 || !slices.Equal(ls[0].Themes, []string{"price"}) {
		t.Fatalf("got %+v, %v; want complaint themes [price]", ls, err)
	}
}

func FuzzReadLabelled(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"物流慢","themes":["delivery_speed"],"escalation":false}`))
	f.Add([]byte(`{"id":1,"themes":[{"theme":"x"}]}` + "\n\n" + `{"stars":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ls, err := ReadLabelled(context.Background(), bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		for _, l := range ls {
			l.Complains()
			l.Negative()
		}
	})
}

func FuzzLoadModel(f *testing.F) {
	var buf bytes.Buffer
	if err := trainTiny(f, 1).Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(modelMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadModel(bytes.NewReader(data))
		if err != nil {
			return
		}
		NewMatcher(DefaultTaxonomy(), WithModel(m, nil)).Tag("物流太慢了，包装也破了")
	})
}

// BenchmarkTagWithModel is the shipped tagger (word lists and the default
// model, polarity from the default sentiment model) on the labelled test
// reviews: the pipeline's tagging cost per item, on one core.
func BenchmarkTagWithModel(b *testing.B) {
	m := shippedMatcher(b)
	var texts []string
	for _, it := range loadEval(b) {
		texts = append(texts, it.Text)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Tag(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// testPolarity is the clause scorer the default model was trained with.
func testPolarity(t testing.TB) ClauseScorer {
	t.Helper()
	sm, err := sentiment.Default()
	if err != nil {
		t.Fatal(err)
	}
	return sm
}
