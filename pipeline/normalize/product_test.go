package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestProductKey(t *testing.T) {
	tests := []struct {
		name string
		in   []string // every spelling must give want
		want string
	}{
		{"traditional and simplified", []string{"降噪耳機", "降噪耳机", " 降噪耳機 "}, "降噪耳机"},
		{"with a brand", []string{"AirSound Pro 降噪耳機", "AirSound Pro 降噪耳机", "airsound pro  降噪耳机"}, "airsound pro 降噪耳机"},
		{"several traditional characters", []string{"輕跑 Runner 3 運動鞋", "轻跑 Runner 3 运动鞋"}, "轻跑 runner 3 运动鞋"},
		{"case, width and spaces", []string{"AirPods Pro", "airpods  pro", "ＡｉｒＰｏｄｓ Pro", "AIRPODS\tPRO", " AirPods\u3000Pro\n", "AirPods\u00a0Pro"}, "airpods pro"},
		{"full-width digits and brackets", []string{"Ｘ３（白色）", "x3(白色)"}, "x3(白色)"},
		{"zero-width marks", []string{"Air\u200bPods", "airpods"}, "airpods"},
		{"accented Latin", []string{"Éclair", "éclair"}, "éclair"},
		{"Greek", []string{"ΑΛΦΑ", "αλφα"}, "αλφα"},
		{"Cyrillic", []string{"Смартфон", "смартфон"}, "смартфон"},
		// OpenCC's table converts these in two steps; a key takes both.
		{"chained conversions", []string{"什麼", "什麽", "什么", "什幺"}, "什幺"},
		{"empty", []string{"", " ", "\t\u3000\n", "\u200b"}, ""},
	}
	for _, tt := range tests {
		for _, in := range tt.in {
			if got := ProductKey(in); got != tt.want {
				t.Errorf("%s: ProductKey(%q) = %q, want %q", tt.name, in, got, tt.want)
			}
		}
	}
	// Vocabulary is not translated: these stay two products.
	if a, b := ProductKey("暖暖智慧保溫杯"), ProductKey("暖暖智能保温杯"); a == b || a != "暖暖智慧保温杯" {
		t.Errorf("ProductKey(暖暖智慧保溫杯) = %q, ProductKey(暖暖智能保温杯) = %q: want different keys, the first 暖暖智慧保温杯", a, b)
	}
}

// TestProductKeyEveryRune checks idempotence on every code point, which a
// fuzzer seldom reaches: a regenerated OpenCC table may bring new chains.
func TestProductKeyEveryRune(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		s := "A" + string(r) + "b"
		if k := ProductKey(s); ProductKey(k) != k {
			t.Errorf("%U: ProductKey(%q) = %q, keyed again %q", r, s, k, ProductKey(k))
		}
	}
}

func FuzzProductKey(f *testing.F) {
	for _, s := range []string{"降噪耳機", "ＡｉｒＰｏｄｓ Pro", "  airpods  pro ", "\xff降", "麼", "薴", "İstanbul", "ǅ", "\u200b", "a\u3000b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := ProductKey(s)
		if !utf8.ValidString(k) {
			t.Fatalf("ProductKey(%q) = %q: invalid UTF-8", s, k)
		}
		if strings.Contains(k, "  ") || strings.TrimSpace(k) != k {
			t.Fatalf("ProductKey(%q) = %q: white space not collapsed", s, k)
		}
		if again := ProductKey(k); again != k {
			t.Fatalf("ProductKey not idempotent: %q -> %q -> %q", s, k, again)
		}
	})
}
