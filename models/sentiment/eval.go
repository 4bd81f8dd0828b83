package sentiment

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/voc-analytics/voc"
)

// Metrics are the figures `voc eval` prints for a model on labelled
// examples.
//
// Star-rated examples are compared with their star level. Binary examples
// (gold "negative" = level 1 or 2, "positive" = 4 or 5) count with the
// distance from the predicted level to the nearest gold level: a negative
// review predicted 1 or 2 is exact (error 0), 3 is off by one, 4 by two, 5
// by three. QWK and the confusion matrix use star-rated examples only.
//
// A text the model cannot score (NoText) counts as a prediction of 3.
type Metrics struct {
	N       int // examples evaluated
	NStars  int // of which star-rated
	NBinary int // of which binary-only
	NoText  int // examples whose text had nothing to score

	Exact     float64 // share predicted at the gold level (binary: in the gold half)
	WithinOne float64 // share at most one level off
	MAE       float64 // mean absolute error in levels
	QWK       float64 // quadratic weighted kappa, star-rated examples only
	// BinaryAcc is the share of polar examples (stars 1-2 or 4-5, and all
	// binary ones) whose predicted level is on the right side; a predicted 3
	// counts as wrong. NBinaryAcc is how many examples it covers.
	BinaryAcc  float64
	NBinaryAcc int

	// Confusion[gold-1][pred-1] counts star-rated examples.
	Confusion [5][5]int
	// BinaryConfusion[0 neg, 1 pos][pred-1] counts binary examples.
	BinaryConfusion [2][5]int
}

// Prediction pairs an example with a predicted level, for scoring models
// other than Model (fastText, baselines) with the same figures.
type Prediction struct {
	Example Example
	Level   voc.Level // LevelNone means "no text"
}

// Evaluate scores every labelled example with m and computes Metrics.
func Evaluate(m *Model, examples []Example) Metrics {
	preds := make([]Prediction, 0, len(examples))
	for _, ex := range examples {
		preds = append(preds, Prediction{Example: ex, Level: m.Score(ex.Text).Level})
	}
	return EvaluatePredictions(preds)
}

// EvaluatePredictions computes Metrics for given predictions.
func EvaluatePredictions(preds []Prediction) Metrics {
	var mt Metrics
	var absErr float64
	var exact, within, polarOK int
	for _, p := range preds {
		ex := p.Example
		if !ex.Labelled() {
			continue
		}
		pred := p.Level
		if !pred.Valid() {
			mt.NoText++
			pred = voc.Neutral
		}
		mt.N++
		var lo, hi voc.Level
		switch {
		case ex.Level.Valid():
			mt.NStars++
			lo, hi = ex.Level, ex.Level
			mt.Confusion[ex.Level-1][pred-1]++
		case *ex.Positive:
			mt.NBinary++
			lo, hi = voc.Satisfied, voc.VerySatisfied
			mt.BinaryConfusion[1][pred-1]++
		default:
			mt.NBinary++
			lo, hi = voc.VeryDissatisfied, voc.SomewhatDissatisfied
			mt.BinaryConfusion[0][pred-1]++
		}
		d := 0
		if pred < lo {
			d = int(lo - pred)
		} else if pred > hi {
			d = int(pred - hi)
		}
		absErr += float64(d)
		if d == 0 {
			exact++
		}
		if d <= 1 {
			within++
		}
		if hi <= voc.SomewhatDissatisfied || lo >= voc.Satisfied {
			mt.NBinaryAcc++
			if (hi <= voc.SomewhatDissatisfied && pred.Dissatisfied()) || (lo >= voc.Satisfied && pred.Satisfied()) {
				polarOK++
			}
		}
	}
	if mt.N > 0 {
		mt.Exact = float64(exact) / float64(mt.N)
		mt.WithinOne = float64(within) / float64(mt.N)
		mt.MAE = absErr / float64(mt.N)
	}
	if mt.NBinaryAcc > 0 {
		mt.BinaryAcc = float64(polarOK) / float64(mt.NBinaryAcc)
	}
	mt.QWK = QWK(mt.Confusion)
	return mt
}

// QWK is the quadratic weighted kappa of a confusion matrix
// (rows gold, columns predicted): 1 for perfect agreement, 0 for chance.
func QWK(c [5][5]int) float64 {
	var n float64
	var rows, cols [5]float64
	for i := range 5 {
		for j := range 5 {
			v := float64(c[i][j])
			n += v
			rows[i] += v
			cols[j] += v
		}
	}
	if n == 0 {
		return math.NaN()
	}
	var obs, exp float64
	for i := range 5 {
		for j := range 5 {
			w := float64((i-j)*(i-j)) / 16
			obs += w * float64(c[i][j])
			exp += w * rows[i] * cols[j] / n
		}
	}
	if exp == 0 {
		return 1
	}
	return 1 - obs/exp
}

// String renders the headline figures on one line.
func (mt Metrics) String() string {
	return fmt.Sprintf("n=%d exact=%.3f within1=%.3f mae=%.3f qwk=%.3f binacc=%.3f",
		mt.N, mt.Exact, mt.WithinOne, mt.MAE, mt.QWK, mt.BinaryAcc)
}

// ConfusionTable renders the star confusion matrix, gold levels as rows.
func (mt Metrics) ConfusionTable() string {
	var b strings.Builder
	b.WriteString("gold\\pred      1      2      3      4      5\n")
	for i := range 5 {
		fmt.Fprintf(&b, "%9d", i+1)
		for j := range 5 {
			fmt.Fprintf(&b, " %6d", mt.Confusion[i][j])
		}
		b.WriteByte('\n')
	}
	for i, name := range []string{"neg", "pos"} {
		fmt.Fprintf(&b, "%9s", name)
		for j := range 5 {
			fmt.Fprintf(&b, " %6d", mt.BinaryConfusion[i][j])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ByDataset evaluates each dataset apart and all pooled (key "all").
func ByDataset(preds []Prediction) (names []string, per map[string]Metrics) {
	groups := map[string][]Prediction{}
	for _, p := range preds {
		groups[p.Example.Dataset] = append(groups[p.Example.Dataset], p)
	}
	per = map[string]Metrics{}
	for d, ps := range groups {
		names = append(names, d)
		per[d] = EvaluatePredictions(ps)
	}
	sort.Strings(names)
	names = append(names, "all")
	per["all"] = EvaluatePredictions(preds)
	return names, per
}
