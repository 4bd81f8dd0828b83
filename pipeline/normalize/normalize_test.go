package normalize

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// readPairs reads a testdata file of "input<TAB>want" lines; lines
// starting with # are comments. A missing want column means "".
func readPairs(t *testing.T, name string) [][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		in, want, _ := strings.Cut(line, "\t")
		out = append(out, [2]string{in, want})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return out
}

func TestText(t *testing.T) {
	if err := Init(); err != nil {
		t.Fatalf("load OpenCC tables: %v", err)
	}
	for _, c := range readPairs(t, "text.tsv") {
		if got := Text(c[0]); got != c[1] {
			t.Errorf("Text(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestLang(t *testing.T) {
	for _, c := range readPairs(t, "lang.tsv") {
		if got := Lang(c[0]); got != c[1] {
			t.Errorf("Lang(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestClauses(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"物流很快，质量很好。", []string{"物流很快", "质量很好"}},
		{"东西不错但是物流太慢", []string{"东西不错", "但是物流太慢"}},
		{"不但便宜而且好用", []string{"不但便宜而且好用"}},
		{"但愿耐用", []string{"但愿耐用"}},
		{"质量还行，不过尺码偏大", []string{"质量还行", "不过尺码偏大"}},
		{"物流很快 质量很好", []string{"物流很快", "质量很好"}},
		{"屏幕3.5寸.很清晰", []string{"屏幕3.5寸", "很清晰"}},
		{"Good quality but the delivery was slow.", []string{"Good quality", "but the delivery was slow"}},
		{"butter is fine, however it melted", []string{"butter is fine", "however it melted"}},
		{"物流、包装都很好", []string{"物流、包装都很好"}},
		{"line one\nline two", []string{"line one", "line two"}},
		{"，，。。！", nil},
		{"", nil},
		{"包裝破損！客服態度也差", []string{"包裝破損", "客服態度也差"}},
	}
	for _, tt := range tests {
		got := Clauses(tt.in)
		var texts []string
		for _, c := range got {
			texts = append(texts, c.Text)
			checkClause(t, tt.in, c)
		}
		if !reflect.DeepEqual(texts, tt.want) {
			t.Errorf("Clauses(%q) = %q, want %q", tt.in, texts, tt.want)
		}
	}
}

// checkClause asserts that a clause's byte and rune offsets both point at
// its text in the original.
func checkClause(t *testing.T, s string, c Clause) {
	t.Helper()
	if c.Start < 0 || c.End > len(s) || c.Start >= c.End {
		t.Fatalf("Clauses(%q): bad byte range [%d,%d)", s, c.Start, c.End)
	}
	if s[c.Start:c.End] != c.Text {
		t.Fatalf("Clauses(%q): s[%d:%d]=%q, Text=%q", s, c.Start, c.End, s[c.Start:c.End], c.Text)
	}
	if got := utf8.RuneCountInString(s[:c.Start]); got != c.RuneStart {
		t.Fatalf("Clauses(%q): RuneStart=%d, want %d", s, c.RuneStart, got)
	}
	if got := utf8.RuneCountInString(s[:c.End]); got != c.RuneEnd {
		t.Fatalf("Clauses(%q): RuneEnd=%d, want %d", s, c.RuneEnd, got)
	}
}

func TestWords(t *testing.T) {
	if err := InitWords(); err != nil {
		t.Fatalf("load gse dictionary: %v", err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"包装破损", []string{"包装", "破损"}},
		{"客服態度很差", []string{"客服", "态度", "很差"}},
		{"The box didn't arrive!", []string{"the", "box", "didn't", "arrive"}},
		{"T-shirt 尺码偏小", []string{"t-shirt", "尺码", "偏小"}},
		{"好评👍", []string{"好评", "👍"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("包装破损 ok👍")
	want := []Token{{"包装", "v"}, {"破损", "v"}, {"ok", "eng"}, {"👍", "x"}}
	if len(got) != len(want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
	for i := range want {
		if got[i].Text != want[i].Text || (want[i].POS != "v" && got[i].POS != want[i].POS) || got[i].POS == "" {
			t.Errorf("Tokens[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestConcurrent runs every function from several goroutines on first use,
// so the race detector sees the lazy loading.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, s := range []string{"物流太慢了，包裝破損", "not damaged at all"} {
				Text(s)
				Lang(s)
				Clauses(s)
				Words(s)
			}
		}()
	}
	wg.Wait()
}

func FuzzClauses(f *testing.F) {
	for _, s := range []string{"物流很快，质量很好。", "东西不错但是物流太慢", "a.b 3.5 but", "\xff\xfe但", "，，", "不但", "x but"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prevEnd := 0
		for _, c := range Clauses(s) {
			checkClause(t, s, c)
			if c.Start < prevEnd {
				t.Fatalf("Clauses(%q): clause [%d,%d) overlaps previous end %d", s, c.Start, c.End, prevEnd)
			}
			prevEnd = c.End
		}
	})
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"ＡＢＣ", "包裝破損", "\xff", "👍 ok", "  a\u200bb  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q: invalid UTF-8", s, got)
		}
		if strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("Text(%q) = %q: white space not collapsed", s, got)
		}
		if Text(got) != got {
			t.Fatalf("Text not idempotent: %q -> %q -> %q", s, got, Text(got))
		}
		switch l := Lang(s); l {
		case "", "en", "zh-Hans", "zh-Hant":
		default:
			t.Fatalf("Lang(%q) = %q", s, l)
		}
	})
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"包装破损", "didn't-", "'a'", "\xff包"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range Words(s) {
			if w == "" || !utf8.ValidString(w) || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("Words(%q): bad word %q", s, w)
			}
		}
	})
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"好评 fine\tok\nnext", "好评 fine\tok\nnext"},
		{"\x1b]0;pwned\x07\x1b[2J", `\x1b]0;pwned\x07\x1b[2J`},
		{"abc\u202edcba", `abc\u{202e}dcba`},
		{"nul\x00", `nul\x00`},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Excerpt(strings.Repeat("长", 10), 7); got != "长长… (30 bytes)" {
		t.Errorf("Excerpt cut = %q", got)
	}
}
