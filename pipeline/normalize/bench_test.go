package normalize

import "testing"

// benchTexts is a small mix of the review shapes seen in practice: short
// simplified, traditional (which takes the phrase converter), English and
// mixed.
var benchTexts = []string{
	"物流太慢了，下单五天才到，包装也破了",
	"東西還不錯，就是物流太慢了，客服態度也不好",
	"The package arrived late and the box was crushed, but the seller refunded quickly.",
	"质量很好，做工精细，尺码标准，下次还来👍",
	"iPhone壳子质量一般，但是价格便宜",
}

func benchItems(b *testing.B, f func(string)) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f(benchTexts[i%len(benchTexts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkText(b *testing.B)    { Init(); benchItems(b, func(s string) { Text(s) }) }
func BenchmarkLang(b *testing.B)    { Init(); benchItems(b, func(s string) { Lang(s) }) }
func BenchmarkClauses(b *testing.B) { benchItems(b, func(s string) { Clauses(s) }) }
func BenchmarkWords(b *testing.B)   { InitWords(); benchItems(b, func(s string) { Words(s) }) }

// BenchmarkTextSimplified measures the fast path: text with no character
// that t2s would change skips the phrase converter.
func BenchmarkTextSimplified(b *testing.B) {
	Init()
	b.ReportAllocs()
	for b.Loop() {
		Text("物流太慢了，下单五天才到，包装也破了")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkTextTraditional measures the slow path through OpenCC.
func BenchmarkTextTraditional(b *testing.B) {
	Init()
	b.ReportAllocs()
	for b.Loop() {
		Text("東西還不錯，就是物流太慢了，客服態度也不好")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
