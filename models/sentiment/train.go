package sentiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// TrainOptions tune Train. The zero value gives the settings the default
// model was built with.
type TrainOptions struct {
	Seed   int64 // shuffling; same seed and examples give the same model
	Epochs int   // passes over the data; default 10
	// LearningRate is the initial step, decayed linearly to 0; default 0.1
	// with AdaGrad, 0.5 without.
	LearningRate float64
	// Bits is log2 of the number of feature hash buckets; default 21.
	Bits uint
	// MaxN is the longest unit n-gram (units: Han characters, words,
	// emoji); default 4.
	MaxN int
	// NegScope is how many units after a negator (不, 没, not ...) get a
	// negated feature; default 3, negative turns it off.
	NegScope int
	// Script is the longest unit n-gram that also gets a copy tagged with
	// the text's script (traditional Chinese, simplified Chinese, other),
	// so each script can weigh a phrase its own way; default 2, negative
	// turns it off.
	Script int
	// ClassWeightCap caps the weight that balances each corpus's classes
	// (a JD two-star review weighs up to this many five-star ones);
	// default 5, negative means no balancing.
	ClassWeightCap float64
	// Decode picks the level from the probabilities: "polar" (the
	// default: 3 only when P(3) >= Neutral, else the likelier side, and the
	// level nearest the median within it), "median" (least expected
	// absolute error) or "argmax".
	Decode string
	// Neutral is the polar rule's threshold; default 0.7.
	Neutral float64
	// PlainSGD turns off AdaGrad's per-weight step sizes (AdaGrad is the
	// default: it does better on rare n-grams).
	PlainSGD bool
	// NoRefit keeps the model trained without the calibration slice
	// instead of retraining on all examples once the temperature is known.
	NoRefit bool
	// NoSeedLexicon leaves out the package's built-in seed examples (a few
	// dozen hand-written sentences and emoji that anchor negation and emoji
	// the corpora rarely show).
	NoSeedLexicon bool
	// SeedWeight is the weight of each seed example; default 10.
	SeedWeight float64
	// Link is the model's output layer. "ordinal" (the default): four
	// logistic heads "level > k" (k = 1..4), each with its own weights plus
	// one weight vector shared by all four; every example teaches the
	// thresholds its label decides (a star review all four, a negative
	// binary review "> 2", "> 3" and "> 4", a positive one "> 1", "> 2"
	// and "> 3"), so the binary corpora train the side decision directly.
	// "softmax": multinomial logistic regression over the five levels
	// (the default before model sent1-…-ordinal; see models/README.md).
	Link string
	// Progress, if set, is called now and then with examples done and total.
	Progress func(done, total int)
}

func (o *TrainOptions) defaults() {
	if o.Epochs <= 0 {
		o.Epochs = 10
	}
	if o.LearningRate <= 0 {
		o.LearningRate = 0.1
		if o.PlainSGD {
			o.LearningRate = 0.5
		}
	}
	if o.Bits == 0 {
		o.Bits = 21
	}
	if o.Link == "" {
		o.Link = linkOrdinal
	}
	if o.MaxN <= 0 {
		o.MaxN = 4
	}
	if o.NegScope == 0 {
		o.NegScope = 3
	}
	if o.NegScope < 0 {
		o.NegScope = 0
	}
	if o.Script == 0 {
		o.Script = 2
	}
	if o.Script < 0 {
		o.Script = 0
	}
	if o.ClassWeightCap == 0 {
		o.ClassWeightCap = 5
	}
	if o.Decode == "" {
		o.Decode = "polar"
	}
	if o.Neutral == 0 {
		o.Neutral = 0.7
	}
}

// encoded is a training set reduced to what SGD needs.
type encoded struct {
	off    []int    // feature span of example i: feats[off[i]:off[i+1]]
	feats  []uint32 // buckets
	lo, hi []uint8  // gold levels as a 0-based range
	weight []float32
}

func encode(ctx context.Context, cfg featConfig, exs []Example, weights []float32) (*encoded, error) {
	e := &encoded{off: make([]int, 1, len(exs)+1)}
	s := &scratch{}
	for i, ex := range exs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if cfg.extract(ex.Text, s) == 0 {
			continue
		}
		var lo, hi uint8
		switch {
		case ex.Level.Valid():
			lo, hi = uint8(ex.Level-1), uint8(ex.Level-1)
		case ex.Positive != nil && *ex.Positive:
			lo, hi = 3, 4
		case ex.Positive != nil:
			lo, hi = 0, 1
		default:
			continue
		}
		for _, f := range s.feats {
			e.feats = append(e.feats, f.bucket)
		}
		e.off = append(e.off, len(e.feats))
		e.lo = append(e.lo, lo)
		e.hi = append(e.hi, hi)
		e.weight = append(e.weight, weights[i])
	}
	return e, nil
}

func (e *encoded) len() int { return len(e.lo) }

// classWeights balances classes within each dataset: weight N/(C*n_c),
// capped, so a corpus's rare levels are not drowned by its common one.
func classWeights(exs []Example, cap float64) []float32 {
	w := make([]float32, len(exs))
	if cap < 0 {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	count := map[string]map[string]int{}
	for _, ex := range exs {
		if count[ex.Dataset] == nil {
			count[ex.Dataset] = map[string]int{}
		}
		count[ex.Dataset][ex.Class()]++
	}
	for i, ex := range exs {
		c := count[ex.Dataset]
		n := 0
		for _, v := range c {
			n += v
		}
		x := float64(n) / (float64(len(c)) * float64(c[ex.Class()]))
		w[i] = float32(min(x, cap))
	}
	return w
}

// minCalibration is the least number of calibration examples worth fitting
// a temperature on.
const minCalibration = 200

// Train fits a model on labelled examples. It is deterministic for a seed
// and honours ctx between batches.
//
// Examples in split bucket 1 (see Bucket) first serve to calibrate (when
// there are at least 200 of them): the model is trained without them, a softmax temperature is fitted on them,
// and then (unless NoRefit) the model is retrained on every example and
// keeps that temperature. Callers must leave the held-out split (Split)
// out of examples themselves.
func Train(ctx context.Context, examples []Example, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if err := checkDecode(opt.Decode, opt.Neutral); err != nil {
		return nil, fmt.Errorf("train %w", err)
	}
	if opt.Link != linkOrdinal && opt.Link != linkSoftmax {
		return nil, fmt.Errorf("train sentiment: link %q: want ordinal or softmax", opt.Link)
	}
	if opt.Bits < 10 || opt.Bits > 26 {
		return nil, fmt.Errorf("train sentiment: bits %d: want 10-26", opt.Bits)
	}
	var exs []Example
	for _, ex := range examples {
		if ex.Labelled() {
			exs = append(exs, ex)
		}
	}
	if len(exs) == 0 {
		return nil, errors.New("train sentiment: no labelled examples")
	}
	cfg := featConfig{Bits: opt.Bits, MaxN: opt.MaxN, NegScope: opt.NegScope, Script: min(opt.Script, opt.MaxN)}
	weights := classWeights(exs, opt.ClassWeightCap)
	link := opt.Link
	if link == linkSoftmax {
		link = "" // how model files have always said it
	}
	if opt.SeedWeight == 0 {
		opt.SeedWeight = 10
	}
	if !opt.NoSeedLexicon {
		for _, ex := range seedExamples() {
			exs = append(exs, ex)
			weights = append(weights, float32(opt.SeedWeight))
		}
	}
	var fitIdx, calIdx []int
	for i, ex := range exs {
		if Bucket(ex) == 1 && ex.Dataset != seedDataset {
			calIdx = append(calIdx, i)
		} else {
			fitIdx = append(fitIdx, i)
		}
	}
	if len(calIdx) < minCalibration {
		// too few to fit a temperature: train on everything, T = 1
		fitIdx = fitIdx[:0]
		for i := range exs {
			fitIdx = append(fitIdx, i)
		}
		calIdx = nil
	}
	pick := func(idx []int) ([]Example, []float32) {
		e := make([]Example, len(idx))
		w := make([]float32, len(idx))
		for j, i := range idx {
			e[j], w[j] = exs[i], weights[i]
		}
		return e, w
	}
	passes := 1
	if !opt.NoRefit && len(calIdx) > 0 {
		passes = 2
	}
	total := opt.Epochs * (len(fitIdx) + (passes-1)*len(exs))
	done := 0
	progress := func(n int) {
		done += n
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}

	fitEx, fitW := pick(fitIdx)
	enc, err := encode(ctx, cfg, fitEx, fitW)
	if err != nil {
		return nil, fmt.Errorf("train sentiment: %w", err)
	}
	w, bias, err := sgd(ctx, cfg, enc, opt, progress)
	if err != nil {
		return nil, fmt.Errorf("train sentiment: %w", err)
	}
	temp := 1.0
	if len(calIdx) > 0 {
		calEx, calW := pick(calIdx)
		cal, err := encode(ctx, cfg, calEx, calW)
		if err != nil {
			return nil, fmt.Errorf("train sentiment: %w", err)
		}
		temp = fitTemperature(cal, w, bias, link)
	}
	n := enc.len()
	if passes == 2 {
		all, err := encode(ctx, cfg, exs, weights)
		if err != nil {
			return nil, fmt.Errorf("train sentiment: %w", err)
		}
		w, bias, err = sgd(ctx, cfg, all, opt, progress)
		if err != nil {
			return nil, fmt.Errorf("train sentiment: %w", err)
		}
		n = all.len()
	}
	meta := modelMeta{
		Features:    cfg,
		Bias:        bias,
		Temperature: temp,
		Decode:      opt.Decode,
		Neutral:     opt.Neutral,
		Link:        link,
		Trained:     trainInfo{Examples: n, Epochs: opt.Epochs, Seed: opt.Seed},
	}
	return finish(meta, w), nil
}

// sgd fits multinomial logistic regression over the five levels. A binary
// example's loss is -log P(level in its half), so its gradient only moves
// probability between the halves and leaves their split to star data.
func sgd(ctx context.Context, cfg featConfig, e *encoded, opt TrainOptions, progress func(int)) ([]float32, [K]float32, error) {
	if opt.Link == linkOrdinal {
		return sgdOrdinal(ctx, cfg, e, opt, progress)
	}
	l := newLearner(cfg, opt)
	var z, p [K]float64
	err := passes(ctx, e, opt, progress, func(i int, lr float64) {
		fs := e.feats[e.off[i]:e.off[i+1]]
		v := featValue(len(fs))
		for k := range K {
			z[k] = float64(l.bias[k])
		}
		for _, f := range fs {
			ws := l.w[int(f)*K : int(f)*K+K]
			for k := range K {
				z[k] += float64(ws[k]) * v
			}
		}
		softmax(&z, 1, &p)
		lo, hi := int(e.lo[i]), int(e.hi[i])
		in := 0.0
		for k := lo; k <= hi; k++ {
			in += p[k]
		}
		var g [K]float32
		scale := lr * float64(e.weight[i])
		for k := range K {
			q := 0.0
			if k >= lo && k <= hi {
				q = p[k] / in
			}
			g[k] = float32((p[k] - q) * scale)
			l.bias[k] -= g[k] * 0.1
		}
		l.update(fs, &g, float32(v), scale)
	})
	if err != nil {
		return nil, l.bias, err
	}
	return l.w, l.bias, nil
}

// sgdOrdinal fits four logistic regressions "level > k" on the same
// features: slot k-1 of each bucket holds threshold k's own weight, slot 4 a
// weight added to all four (so a phrase's general polarity is learnt once
// and each threshold only learns its correction). A threshold that an
// example's label range does not decide gets no gradient.
func sgdOrdinal(ctx context.Context, cfg featConfig, e *encoded, opt TrainOptions, progress func(int)) ([]float32, [K]float32, error) {
	l := newLearner(cfg, opt)
	err := passes(ctx, e, opt, progress, func(i int, lr float64) {
		fs := e.feats[e.off[i]:e.off[i+1]]
		v := featValue(len(fs))
		var sum [K]float64
		for _, f := range fs {
			ws := l.w[int(f)*K : int(f)*K+K]
			for k := range K {
				sum[k] += float64(ws[k])
			}
		}
		lo, hi := int(e.lo[i]), int(e.hi[i])
		var g [K]float32
		scale := lr * float64(e.weight[i])
		for k := range K - 1 {
			var t float64
			switch {
			case lo > k:
				t = 1 // level > k+1
			case hi <= k:
				t = 0
			default:
				continue // a binary label leaves this threshold open
			}
			z := float64(l.bias[k]) + (sum[k]+sum[K-1])*v
			g[k] = float32((sigmoid(z) - t) * scale)
			l.bias[k] -= g[k] * 0.1
			g[K-1] += g[k]
		}
		l.update(fs, &g, float32(v), scale)
	})
	if err != nil {
		return nil, l.bias, err
	}
	return l.w, l.bias, nil
}

// learner holds what SGD fits, K weights per hash bucket and a bias per
// slot, with AdaGrad's running sums of squared gradients.
type learner struct {
	w, acc []float32 // acc is nil with TrainOptions.PlainSGD
	bias   [K]float32
}

func newLearner(cfg featConfig, opt TrainOptions) *learner {
	l := &learner{w: make([]float32, (1<<cfg.Bits)*K)}
	if !opt.PlainSGD {
		l.acc = make([]float32, len(l.w))
	}
	return l
}

// update moves the weights of the features fs, each of value fv, against
// g, a gradient already multiplied by the step size scale. AdaGrad divides
// each weight's step by the root of its summed squared (unscaled)
// gradients, so rare n-grams keep learning after common ones have settled.
// A zero component leaves its slot alone.
func (l *learner) update(fs []uint32, g *[K]float32, fv float32, scale float64) {
	for _, f := range fs {
		ws := l.w[int(f)*K : int(f)*K+K]
		for k := range K {
			if g[k] == 0 {
				continue
			}
			gk := g[k] * fv
			if l.acc == nil {
				ws[k] -= gk
				continue
			}
			as := l.acc[int(f)*K : int(f)*K+K]
			as[k] += gk * gk / float32(scale*scale)
			ws[k] -= gk / float32(math.Sqrt(float64(as[k])+1e-2))
		}
	}
}

// passes makes opt.Epochs passes over e, each in a fresh order shuffled
// from opt.Seed (so training is deterministic), calling step with every
// example and its learning rate, decayed linearly to 0. It reports
// progress and checks ctx every 8192 examples.
func passes(ctx context.Context, e *encoded, opt TrainOptions, progress func(int), step func(i int, lr float64)) error {
	n := e.len()
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x766f63))
	steps := opt.Epochs * n
	t := 0
	for ep := 0; ep < opt.Epochs; ep++ {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for bi, i := range order {
			if bi%8192 == 0 && bi > 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				progress(8192)
			}
			lr := opt.LearningRate * (1 - float64(t)/float64(steps))
			t++
			step(i, lr)
		}
		progress(n - (n-1)/8192*8192)
	}
	return nil
}

// fitTemperature finds the softmax temperature that minimises the
// negative log-likelihood of the calibration examples.
func fitTemperature(e *encoded, w []float32, bias [K]float32, link string) float64 {
	n := e.len()
	zs := make([][K]float64, n)
	for i := range n {
		fs := e.feats[e.off[i]:e.off[i+1]]
		v := featValue(len(fs))
		for k := range K {
			zs[i][k] = float64(bias[k])
		}
		for _, f := range fs {
			for k := range K {
				zs[i][k] += float64(w[int(f)*K+k]) * v
			}
			if link == linkOrdinal {
				for k := range K - 1 {
					zs[i][k] += float64(w[int(f)*K+K-1]) * v
				}
			}
		}
		if link == linkOrdinal {
			zs[i][K-1] = 0
		}
	}
	nll := func(t float64) float64 {
		var sum float64
		var p [K]float64
		for i := range n {
			linkProbs(link, &zs[i], t, &p)
			in := 0.0
			for k := int(e.lo[i]); k <= int(e.hi[i]); k++ {
				in += p[k]
			}
			sum -= math.Log(max(in, 1e-12))
		}
		return sum
	}
	// golden-section search on log t in [0.2, 5]
	a, b := math.Log(0.2), math.Log(5)
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := nll(math.Exp(c)), nll(math.Exp(d))
	for range 40 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = nll(math.Exp(c))
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = nll(math.Exp(d))
		}
	}
	return math.Exp((a + b) / 2)
}
