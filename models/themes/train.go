package themes

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// TrainOptions tunes Train. The zero value gives the default model's
// settings.
type TrainOptions struct {
	Bits uint // log2 of hash buckets; default 18
	MaxN int  // longest n-gram; default 3
	// Dim is the size of the n-gram embeddings of the deep part (0: none)
	// and DeepRate its starting SGD rate (default 0.2).
	Dim      int
	DeepRate float64
	// Polarity is the least |clause score| that tags a clause's n-grams
	// with its polarity (see Model); default 0.25, negative turns it off.
	Polarity float64
	Epochs   int   // default 6
	Seed     int64 // shuffling; default 1
	// LearningRate is AdaGrad's step; default 0.2.
	LearningRate float64
	// GoldWeight is the weight of a labelled review against a weakly
	// labelled clause; default 4.
	GoldWeight float64
	// WeakComplaint is the weight of the complaint head's weak labels
	// (the sentiment model's clearly negative or positive clauses);
	// default 0.3, negative for none.
	//
	// WeakThemes is the weight of the theme heads' weak labels (the
	// lexicon's complaint hits as positives, clearly positive clauses as
	// negatives) and WeakNegative scales a weak "no theme" that rests only
	// on the lexicon finding nothing. Both default to 0, off: measured on
	// held-out folds of 12,488 labelled reviews, the lexicon's weak theme
	// labels cost 0.01 micro F1 at weight 0.02 and 0.09 with its misses as
	// negatives, because they teach the model the word lists' blind spots.
	// The lexicon reaches the model as features instead (see Model).
	WeakThemes, WeakNegative, WeakComplaint float64
	// Folds for calibrating thresholds on the labelled set (default 4);
	// MinPrecision, when set, is the precision a head's threshold should
	// reach on the held-out folds (see calibrate); 0 picks the best F1.
	Folds        int
	MinPrecision float64
	// Progress, if set, is told of each finished training run (the folds
	// and the final one).
	Progress func(done, total int)
}

func (o *TrainOptions) defaults() {
	if o.Bits == 0 {
		o.Bits = 18
	}
	if o.MaxN == 0 {
		o.MaxN = 3
	}
	if o.DeepRate == 0 {
		o.DeepRate = 0.2
	}
	if o.Polarity == 0 {
		o.Polarity = 0.25
	}
	if o.Epochs == 0 {
		o.Epochs = 6
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.LearningRate == 0 {
		o.LearningRate = 0.2
	}
	if o.GoldWeight == 0 {
		o.GoldWeight = 4
	}
	if o.WeakComplaint == 0 {
		o.WeakComplaint = 0.3
	}
	if o.Folds == 0 {
		o.Folds = 4
	}
}

// TrainData is what Train learns from.
type TrainData struct {
	// Gold are reviews labelled under the theme contract (their Text set).
	Gold []Labelled
	// Weak are unlabelled review texts. The lexicon (a Matcher without a
	// model) and a clause scorer (the sentiment model) label their
	// clauses: a lexicon complaint is a positive for its theme, a clause
	// the scorer reads as clearly positive is a negative for every theme
	// and for the complaint head, a clearly negative one a positive for
	// the complaint head.
	Weak    []string
	Lexicon *Matcher
	Scorer  ClauseScorer
}

// example is one training example: clauses of hashed features (one clause
// for a weak example, all of a review's for a gold one, whose label is
// then the max over its clauses) with a target and a weight per head.
type example struct {
	clauses []exClause
	y       []float32 // per head: target 0/1
	w       []float32 // per head: weight, 0 = no label
}

// exClause is one clause's n-gram buckets and lexicon features.
type exClause struct {
	b, lex []uint32
}

// Train learns a Model from gold reviews and weakly labelled texts, then
// calibrates each head's threshold on the gold reviews by k-fold: models
// trained without a fold predict it, and the threshold that gives the best
// F1 on those held-out predictions at MinPrecision or better is kept (see
// calibrate). The final model is trained on everything. Training is single-threaded per run and seeded,
// so the same data gives the same model.
func Train(ctx context.Context, data TrainData, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if data.Lexicon == nil || data.Scorer == nil {
		return nil, errors.New("train themes: need a lexicon matcher and a clause scorer")
	}
	if len(data.Gold) < opt.Folds*10 {
		return nil, fmt.Errorf("train themes: %d labelled reviews, need at least %d", len(data.Gold), opt.Folds*10)
	}
	heads := append(BuiltinThemeIDs(), ComplaintHead)
	mask := uint32(1)<<opt.Bits - 1
	weak, err := weakExamples(ctx, data, heads, opt, mask)
	if err != nil {
		return nil, err
	}
	gold := make([]example, len(data.Gold))
	for i, l := range data.Gold {
		gold[i] = goldExample(l, data.Lexicon, data.Scorer, heads, opt, mask)
	}
	total := opt.Folds + 1
	done := 0
	var mu sync.Mutex
	report := func() {
		mu.Lock()
		defer mu.Unlock()
		done++
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}

	// Held-out predictions for calibration: fold f is every review whose
	// index is f mod Folds (the set's order is already random).
	oof := make([][]float64, len(gold))
	var wg sync.WaitGroup
	errs := make([]error, opt.Folds)
	sem := make(chan struct{}, 2)
	for f := range opt.Folds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var in []example
			for i := range gold {
				if i%opt.Folds != f {
					in = append(in, gold[i])
				}
			}
			m, err := trainRun(ctx, heads, weak, in, opt)
			if err != nil {
				errs[f] = err
				return
			}
			for i := range gold {
				if i%opt.Folds == f {
					oof[i] = m.predictText(data.Lexicon, data.Scorer, data.Gold[i].Text).Prob
				}
			}
			report()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	thr, held := calibrate(data, heads, oof, opt.MinPrecision)

	m, err := trainRun(ctx, heads, weak, gold, opt)
	if err != nil {
		return nil, err
	}
	report()
	meta := m.meta
	meta.Threshold, meta.Heldout = thr, held
	meta.Trained.Gold, meta.Trained.Weak, meta.Trained.Seed, meta.Trained.Epoch = len(gold), len(weak), opt.Seed, opt.Epochs
	return finishModel(meta, m.w, m.emb), nil
}

// predictText is what a Matcher with lexicon lex asks of the model.
func (m *Model) predictText(lex *Matcher, pol ClauseScorer, text string) Prediction {
	clauses := normalize.Clauses(text)
	return m.predict(clauses, lexBuckets(clauses, lex.Tag(text).Themes, uint32(1)<<m.meta.Bits-1), pol, false)
}

// clauseBuckets returns the hashed features of one clause.
func clauseBuckets(s *lscratch, clause string, maxN int, mask uint32, pol int8) []uint32 {
	s.tokenize(clause)
	s.features(maxN, mask, pol)
	out := make([]uint32, len(s.feats))
	for i, f := range s.feats {
		out[i] = f.bucket
	}
	return out
}

func goldExample(l Labelled, lexicon *Matcher, scorer ClauseScorer, heads []string, opt TrainOptions, mask uint32) example {
	s := &lscratch{}
	ex := example{y: make([]float32, len(heads)), w: make([]float32, len(heads))}
	clauses := normalize.Clauses(l.Text)
	lex := lexBuckets(clauses, lexicon.Tag(l.Text).Themes, mask)
	for ci, c := range clauses {
		pol := int8(0)
		if opt.Polarity > 0 {
			pol = polarityOf(scorer.ScoreClause(normalize.Text(c.Text)), opt.Polarity)
		}
		if b := clauseBuckets(s, c.Text, opt.MaxN, mask, pol); len(b)+len(lex[ci]) > 0 {
			ex.clauses = append(ex.clauses, exClause{b: b, lex: lex[ci]})
		}
	}
	for j, h := range heads {
		ex.w[j] = float32(opt.GoldWeight)
		switch {
		case h == ComplaintHead && l.Complains(), slices.Contains(l.Themes, h):
			ex.y[j] = 1
		}
	}
	return ex
}

// weakExamples labels the clauses of the unlabelled texts (see TrainData).
func weakExamples(ctx context.Context, data TrainData, heads []string, opt TrainOptions, mask uint32) ([]example, error) {
	headOf := map[string]int{}
	for j, h := range heads {
		headOf[h] = j
	}
	ch := headOf[ComplaintHead]
	s := &lscratch{}
	var out []example
	for i, text := range data.Weak {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		tg := data.Lexicon.Tag(text)
		for _, c := range normalize.Clauses(text) {
			sent := data.Scorer.ScoreClause(normalize.Text(c.Text))
			pol := int8(0)
			if opt.Polarity > 0 {
				pol = polarityOf(sent, opt.Polarity)
			}
			b := clauseBuckets(s, c.Text, opt.MaxN, mask, pol)
			if len(b) == 0 {
				continue
			}
			ex := example{clauses: []exClause{{b: b}}, y: make([]float32, len(heads)), w: make([]float32, len(heads))}
			complaint, praise := map[int]bool{}, map[int]bool{}
			for _, h := range tg.Themes {
				j, ok := headOf[h.Theme]
				if !ok || h.Start != c.RuneStart {
					continue
				}
				if h.Polarity == Complaint {
					complaint[j] = true
				} else {
					praise[j] = true
				}
			}
			for j := range heads {
				if j == ch {
					continue
				}
				switch {
				case complaint[j]:
					ex.y[j], ex.w[j] = 1, 1
				case praise[j] || sent >= 0.5:
					ex.w[j] = 1
				default:
					ex.w[j] = float32(max(opt.WeakNegative, 0))
				}
			}
			switch {
			case len(complaint) > 0 || sent <= -0.5:
				ex.y[ch], ex.w[ch] = 1, 1
			case sent >= 0.5:
				ex.w[ch] = 1
			}
			for j := range ex.w {
				if j == ch {
					ex.w[j] *= float32(max(opt.WeakComplaint, 0))
				} else {
					ex.w[j] *= float32(max(opt.WeakThemes, 0))
				}
			}
			if slices.ContainsFunc(ex.w, func(w float32) bool { return w > 0 }) {
				out = append(out, ex)
			}
		}
	}
	return out, nil
}

// trainRun fits one model on logistic loss: the wide part (a weight per
// n-gram and head) by AdaGrad, the deep part (an embedding per n-gram,
// averaged over the clause, and a vector per head: fastText's low-rank
// model, which lets the heads share what the n-grams mean) by SGD with a
// linearly decaying rate. A gold review's loss is that of its
// highest-scoring clause per head (max pooling: the review complains about
// a theme when one of its clauses does).
func trainRun(ctx context.Context, heads []string, weak, gold []example, opt TrainOptions) (*Model, error) {
	k := len(heads)
	n := 1 << opt.Bits
	d := opt.Dim
	w := make([]float32, n*k)
	g2 := make([]float32, n*k)
	bias := make([]float64, k)
	bg2 := make([]float64, k)
	order := make([]int, 0, len(weak)+len(gold))
	for i := range weak {
		order = append(order, i)
	}
	for i := range gold {
		order = append(order, len(weak)+i)
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x7468656d6573))
	var emb, out []float32
	if d > 0 {
		emb = make([]float32, n*d)
		for i := range emb {
			emb[i] = float32(rng.Float64()*2-1) / float32(d)
		}
		out = make([]float32, k*d)
	}
	z := make([]float64, k)
	best := make([]int, k)
	var hs, dh []float32 // per clause: hidden vector, its gradient
	lr := opt.LearningRate
	steps, total := 0, opt.Epochs*len(order)
	for range opt.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, oi := range order {
			steps++
			var ex *example
			if oi < len(weak) {
				ex = &weak[oi]
			} else {
				ex = &gold[oi-len(weak)]
			}
			if len(ex.clauses) == 0 {
				continue
			}
			if d > 0 {
				hs = slices.Grow(hs[:0], len(ex.clauses)*d)[:len(ex.clauses)*d]
				dh = slices.Grow(dh[:0], len(ex.clauses)*d)[:len(ex.clauses)*d]
				clear(hs)
				clear(dh)
				for ci, c := range ex.clauses {
					if len(c.b) == 0 {
						continue
					}
					h := hs[ci*d : ci*d+d]
					for _, b := range c.b {
						for x, e := range emb[int(b)*d : int(b)*d+d] {
							h[x] += e
						}
					}
					inv := 1 / float32(len(c.b))
					for x := range h {
						h[x] *= inv
					}
				}
			}
			// the highest-scoring clause per head
			for j := range z {
				z[j] = math.Inf(-1)
			}
			for ci, c := range ex.clauses {
				v := float32(0)
				if len(c.b) > 0 {
					v = float32(1 / math.Sqrt(float64(len(c.b))))
				}
				for j := range k {
					if ex.w[j] == 0 {
						continue
					}
					var acc, lex, deep float32
					for _, b := range c.b {
						acc += w[int(b)*k+j]
					}
					for _, b := range c.lex {
						lex += w[int(b)*k+j]
					}
					if d > 0 {
						deep = dot(out[j*d:j*d+d], hs[ci*d:ci*d+d])
					}
					if s := float64(acc*v+lex+deep) + bias[j]; s > z[j] {
						z[j], best[j] = s, ci
					}
				}
			}
			lrDeep := float32(opt.DeepRate * (1 - float64(steps)/float64(total+1)))
			touched := false
			for j := range k {
				if ex.w[j] == 0 {
					continue
				}
				g := (sigmoid(z[j]) - float64(ex.y[j])) * float64(ex.w[j])
				if g == 0 {
					continue
				}
				c := ex.clauses[best[j]]
				step := func(b uint32, gv float32) {
					i := int(b)*k + j
					g2[i] += gv * gv
					w[i] -= float32(lr) * gv / float32(math.Sqrt(float64(g2[i]))+1e-6)
				}
				if len(c.b) > 0 {
					gv := float32(g / math.Sqrt(float64(len(c.b))))
					for _, b := range c.b {
						step(b, gv)
					}
					if d > 0 {
						o, h, gh := out[j*d:j*d+d], hs[best[j]*d:best[j]*d+d], dh[best[j]*d:best[j]*d+d]
						for x := range o {
							gh[x] += float32(g) * o[x]
							o[x] -= lrDeep * float32(g) * h[x]
						}
						touched = true
					}
				}
				for _, b := range c.lex {
					step(b, float32(g))
				}
				bg2[j] += g * g
				bias[j] -= lr * g / (math.Sqrt(bg2[j]) + 1e-6)
			}
			if touched {
				for ci, c := range ex.clauses {
					if len(c.b) == 0 {
						continue
					}
					gh := dh[ci*d : ci*d+d]
					scale := lrDeep / float32(len(c.b))
					for _, b := range c.b {
						e := emb[int(b)*d : int(b)*d+d]
						for x := range e {
							e[x] -= scale * gh[x]
						}
					}
				}
			}
		}
	}
	meta := modelMeta{Format: 1, Bits: opt.Bits, MaxN: opt.MaxN, Polarity: max(opt.Polarity, 0), Heads: heads, Bias: make([]float32, k),
		Threshold: make([]float64, k), Scale: make([]float32, k), Dim: d, Out: out}
	for j := range k {
		meta.Bias[j] = float32(bias[j])
		meta.Threshold[j] = 0.5
	}
	return &Model{meta: meta, w: w, emb: emb, heads: k}, nil
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// calibrate picks each head's threshold from held-out probabilities: the
// one giving the best F1 among those with precision at least minP, or the
// best F1 when none reaches it (or minP is 0). The best F1 keeps precision
// and recall close, so a theme's count in a report is about as often too
// high as too low. It returns the held-out counts at the
// chosen thresholds, which Train records in the model.
func calibrate(data TrainData, heads []string, oof [][]float64, minP float64) ([]float64, []Counts) {
	thr := make([]float64, len(heads))
	counts := make([]Counts, len(heads))
	var grid []float64
	for t := 0.05; t < 0.96; t += 0.01 {
		grid = append(grid, math.Round(t*1000)/1000)
	}
	for j, h := range heads {
		score := func(t float64) Counts {
			var c Counts
			for i, l := range data.Gold {
				if l.Enriched() {
					continue // not how reviews arrive: see Labelled.Stratum
				}
				gold := slices.Contains(l.Themes, h)
				if h == ComplaintHead {
					gold = l.Complains()
				}
				c.add(oof[i][j] >= t, gold)
			}
			return c
		}
		bestF, bestOK := -1.0, false
		for _, t := range grid {
			c := score(t)
			ok := c.Precision() >= minP
			if ok && !bestOK || ok == bestOK && c.F1() > bestF+1e-9 {
				bestF, bestOK, thr[j], counts[j] = c.F1(), ok, t, c
			}
		}
	}
	return thr, counts
}
