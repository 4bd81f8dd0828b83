package themes

import (
	"errors"
	"fmt"
	"math"
)

// Week is one week of a theme's history: items that complained about the
// theme and all items scored that week (the volume the share is out of).
type Week struct {
	Complaints int
	Total      int
}

// TrendOptions are the thresholds of Trend. The zero value means the
// defaults: recurring = complaints in at least 3 of the last 4 weeks;
// emerging = p < 0.01 with at least 5 complaints this week, against a
// baseline of up to 8 previous weeks.
type TrendOptions struct {
	RecurK, RecurN int     // recurring: complaints in >= RecurK of the last RecurN weeks (this one included)
	Alpha          float64 // emerging: significance level of the one-sided test
	MinCount       int     // emerging: this week's complaints must be at least this
	BaselineWeeks  int     // how many weeks before this one form the baseline
}

func (o TrendOptions) withDefaults() TrendOptions {
	if o.RecurK <= 0 {
		o.RecurK = 3
	}
	if o.RecurN <= 0 {
		o.RecurN = 4
	}
	if o.Alpha <= 0 {
		o.Alpha = 0.01
	}
	if o.MinCount <= 0 {
		o.MinCount = 5
	}
	if o.BaselineWeeks <= 0 {
		o.BaselineWeeks = 8
	}
	return o
}

// TrendResult says whether a theme is recurring and whether it is
// emerging this week, with the figures a report shows next to the flag.
type TrendResult struct {
	Recurring          bool
	WeeksWithComplaint int // among the last RecurN weeks
	Emerging           bool
	Count              int     // this week's complaints
	Expected           float64 // complaints expected this week at the baseline rate
	BaselineRate       float64 // complaints per item over the baseline weeks
	PValue             float64 // P(X >= Count) for X ~ Poisson(Expected)
}

// Trend classifies a theme from its weekly history, oldest first, the
// current week last.
//
// Emerging uses a one-sided Poisson test: the baseline rate is the
// complaints per item over the previous BaselineWeeks weeks, the expected
// count is that rate times this week's volume, and the p-value is the
// probability of seeing at least this week's count if nothing changed.
// A theme is emerging when p < Alpha and the count is at least MinCount
// (so one complaint on a quiet theme is never news). A baseline with no
// complaints at all gets half a complaint (a standard continuity
// correction), so a brand-new theme is tested against a small rate, not
// zero, and its p-value stays meaningful. Scaling by volume means a busy
// week (a sale) does not make every theme look emerging.
func Trend(weeks []Week, opt TrendOptions) (TrendResult, error) {
	opt = opt.withDefaults()
	var res TrendResult
	if len(weeks) == 0 {
		return res, errors.New("trend: no weeks")
	}
	for i, w := range weeks {
		if w.Complaints < 0 || w.Total < 0 || w.Complaints > w.Total {
			return res, fmt.Errorf("trend: week %d of %d: complaints %d, total %d: want 0 <= complaints <= total", i+1, len(weeks), w.Complaints, w.Total)
		}
	}
	for i := max(0, len(weeks)-opt.RecurN); i < len(weeks); i++ {
		if weeks[i].Complaints > 0 {
			res.WeeksWithComplaint++
		}
	}
	res.Recurring = res.WeeksWithComplaint >= opt.RecurK

	cur := weeks[len(weeks)-1]
	res.Count = cur.Complaints
	base := weeks[max(0, len(weeks)-1-opt.BaselineWeeks) : len(weeks)-1]
	var bc, bt int
	for _, w := range base {
		bc += w.Complaints
		bt += w.Total
	}
	if bt == 0 {
		// no history: nothing to compare against
		res.PValue = 1
		return res, nil
	}
	c := float64(bc)
	if bc == 0 {
		c = 0.5
	}
	res.BaselineRate = c / float64(bt)
	res.Expected = res.BaselineRate * float64(cur.Total)
	res.PValue = PoissonUpperTail(cur.Complaints, res.Expected)
	res.Emerging = res.Count >= opt.MinCount && res.PValue < opt.Alpha
	return res, nil
}

// PoissonUpperTail returns P(X >= k) for X ~ Poisson(lambda). It sums the
// upper tail directly when k is above the mean, so p-values far below
// 1e-16 keep their precision instead of rounding to 0.
func PoissonUpperTail(k int, lambda float64) float64 {
	switch {
	case k <= 0:
		return 1
	case lambda <= 0:
		return 0
	}
	logTerm := func(i int) float64 {
		lg, _ := math.Lgamma(float64(i) + 1)
		return -lambda + float64(i)*math.Log(lambda) - lg
	}
	if float64(k) > lambda {
		sum := 0.0
		for i := k; ; i++ {
			t := math.Exp(logTerm(i))
			sum += t
			if t < sum*1e-17 || i > k+100000 {
				break
			}
		}
		return math.Min(1, sum)
	}
	lower := 0.0
	for i := 0; i < k; i++ {
		lower += math.Exp(logTerm(i))
	}
	return math.Max(0, 1-lower)
}
