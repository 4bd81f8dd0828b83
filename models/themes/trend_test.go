package themes

import (
	"math"
	"testing"
)

func TestPoissonUpperTail(t *testing.T) {
	// hand-computed: P(X>=5 | 2) = 1 - e^-2 (1 + 2 + 2 + 4/3 + 2/3) = 1 - 7e^-2
	tests := []struct {
		k      int
		lambda float64
		want   float64
	}{
		{5, 2, 1 - 7*math.Exp(-2)},                      // 0.052653
		{5, 1, 1 - math.Exp(-1)*(1+1+0.5+1.0/6+1.0/24)}, // 0.003660
		{1, 3, 1 - math.Exp(-3)},                        // 0.950213
		{0, 3, 1},
		{3, 0, 0},
		{10, 1, 1.1142547833872e-07}, // sum_{k>=10} e^-1/k!
	}
	for _, tt := range tests {
		got := PoissonUpperTail(tt.k, tt.lambda)
		if math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want*1e3) {
			t.Errorf("PoissonUpperTail(%d, %v) = %.12g, want %.12g", tt.k, tt.lambda, got, tt.want)
		}
	}
}

func TestTrend(t *testing.T) {
	flat := func(n, c, total int) []Week {
		ws := make([]Week, n)
		for i := range ws {
			ws[i] = Week{c, total}
		}
		return ws
	}
	tests := []struct {
		name      string
		weeks     []Week
		opt       TrendOptions
		recurring bool
		emerging  bool
		expected  float64
		p         float64
	}{
		{
			// baseline 8 weeks x 2/1000 -> rate 0.002; this week 1000 items -> expected 2; 5 seen
			name: "5 against 2: not significant at 0.01", weeks: append(flat(8, 2, 1000), Week{5, 1000}),
			recurring: true, emerging: false, expected: 2, p: 1 - 7*math.Exp(-2),
		},
		{
			// expected 1 (rate 0.001 x 1000), 5 seen: p = 0.00366 < 0.01 and count >= 5
			name: "5 against 1: emerging", weeks: append(flat(8, 1, 1000), Week{5, 1000}),
			recurring: true, emerging: true, expected: 1, p: 1 - math.Exp(-1)*(1+1+0.5+1.0/6+1.0/24),
		},
		{
			// the same count in a week twice as busy is expected: volume scaling
			name: "busy week is not emerging", weeks: append(flat(8, 1, 500), Week{5, 2500}),
			recurring: true, emerging: false, expected: 5, p: PoissonUpperTail(5, 5),
		},
		{
			// 4 complaints against expected 0.0625 is very unlikely, but under the minimum count
			name: "below minimum count", weeks: append(flat(8, 0, 1000), Week{4, 1000}),
			recurring: false, emerging: false, expected: 0.0625, p: PoissonUpperTail(4, 0.0625),
		},
		{
			name: "recurring 2 of 3 with custom k,n", weeks: []Week{{0, 10}, {1, 10}, {0, 10}, {2, 10}},
			opt: TrendOptions{RecurK: 2, RecurN: 3}, recurring: true, emerging: false, expected: 10 * 1.0 / 30, p: PoissonUpperTail(2, 1.0/3),
		},
		{
			name: "no history", weeks: []Week{{7, 100}}, recurring: false, emerging: false, expected: 0, p: 1,
		},
	}
	for _, tt := range tests {
		got, err := Trend(tt.weeks, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.Recurring != tt.recurring || got.Emerging != tt.emerging {
			t.Errorf("%s: recurring %v emerging %v, want %v %v (%+v)", tt.name, got.Recurring, got.Emerging, tt.recurring, tt.emerging, got)
		}
		if math.Abs(got.Expected-tt.expected) > 1e-9 || math.Abs(got.PValue-tt.p) > 1e-9 {
			t.Errorf("%s: expected %v p %v, want %v %v", tt.name, got.Expected, got.PValue, tt.expected, tt.p)
		}
	}
}

func TestTrendErrors(t *testing.T) {
	for _, ws := range [][]Week{nil, {{5, 3}}, {{-1, 3}}} {
		if _, err := Trend(ws, TrendOptions{}); err == nil {
			t.Errorf("Trend(%v): no error", ws)
		}
	}
}
