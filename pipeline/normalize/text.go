package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// hanTables are the traditional/simplified decisions, built once from the
// generated OpenCC character tables in han_table.go.
type hanTables struct {
	// t2s maps a BMP rune to its simplified form, 0 when it has none;
	// astral maps the few characters outside the BMP.
	t2s    []rune
	astral map[rune]rune
	// tradOnly and simpOnly hold characters that exist in one form only.
	// Shared characters (干, 后, 里 ...) are in neither, so they never tip
	// the vote in Lang.
	tradOnly map[rune]struct{}
	simpOnly map[rune]struct{}
}

var (
	hanOnce sync.Once
	han     hanTables
)

// tables builds the lookup tables on first use (about a millisecond).
func tables() *hanTables {
	hanOnce.Do(func() {
		han = hanTables{t2s: make([]rune, 0x10000), astral: map[rune]rune{}}
		rs := []rune(t2sPairs)
		for i := 0; i+1 < len(rs); i += 2 {
			if rs[i] < 0x10000 {
				han.t2s[rs[i]] = rs[i+1]
			} else {
				han.astral[rs[i]] = rs[i+1]
			}
		}
		han.tradOnly = runeSet(tradOnlyChars)
		han.simpOnly = runeSet(simpOnlyChars)
	})
	return &han
}

func runeSet(s string) map[rune]struct{} {
	m := make(map[rune]struct{}, len(s)/3)
	for _, r := range s {
		m[r] = struct{}{}
	}
	return m
}

// Simplified returns the simplified form of a Chinese character, or r
// itself when it has none (or is not Chinese).
func Simplified(r rune) rune {
	t := tables()
	if r < 0x10000 {
		if s := t.t2s[r]; s != 0 {
			return s
		}
		return r
	}
	if s, ok := t.astral[r]; ok {
		return s
	}
	return r
}

// Init builds the traditional/simplified tables now rather than on first
// use, for servers that want no first-request latency. It cannot fail.
func Init() error {
	tables()
	return nil
}

// Text returns s cleaned up for matching: full-width ASCII folded to
// half-width, Latin letters lower-cased, traditional Chinese converted to
// simplified (character by character, with OpenCC's tables), zero-width marks
// and control characters dropped, runs of white space collapsed to one
// space and the ends trimmed. Emoji and other symbols are kept: "👍" and
// "😡" carry sentiment.
//
// The result is for matching, not for display, and its offsets do not
// line up with s: use Clauses for offsets into the original.
func Text(s string) string { return foldString(s, Simplified) }

// foldString folds every rune of s (foldRune, then last), drops invalid
// bytes rather than emit U+FFFD, collapses runs of white space to one space
// and trims the ends: the common body of Text and ProductKey.
func foldString(s string, last func(rune) rune) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		if r == utf8.RuneError && n <= 1 {
			continue
		}
		r = foldRune(r)
		switch {
		case r < 0:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(last(r))
	}
	return b.String()
}

// foldRune maps one rune to its matching form, or to -1 when it should be
// dropped. It never changes the number of runes otherwise, which lets
// callers fold clause by clause.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
	case r == 0x3000: // ideographic space
		return ' '
	case r == 0x200B || r == 0xFEFF || r == 0x2060 || r == 0x00AD: // zero-width, BOM, soft hyphen
		return -1
	case r == 0x200D || r == 0xFE0F || r == 0xFE0E: // emoji joiners and variation selectors: keep
		return r
	case unicode.IsControl(r) && !unicode.IsSpace(r):
		return -1
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	if unicode.Is(unicode.Latin, r) {
		return unicode.ToLower(r)
	}
	return r
}

// Lang returns "zh-Hans", "zh-Hant", "en", or "" for text with no letters
// (emoji only, digits, punctuation).
//
// Mixed text gets its dominant script, counting a Chinese character as
// worth three Latin letters (about one English word per one or two
// characters). Traditional versus simplified is voted on by characters that
// exist in only one of the two forms; text with no such character (e.g.
// 你好) is reported as zh-Hans, the form most of our sources use. Other
// scripts (Japanese kana, Cyrillic ...) do not count; a text written only
// in them gets "".
func Lang(s string) string {
	t := tables()
	var hanN, latinN, trad, simp int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			hanN++
			if _, ok := t.tradOnly[r]; ok {
				trad++
			} else if _, ok := t.simpOnly[r]; ok {
				simp++
			}
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'):
			latinN++
		case r >= 0xFF21 && r <= 0xFF3A || r >= 0xFF41 && r <= 0xFF5A: // full-width Latin
			latinN++
		case unicode.Is(unicode.Latin, r):
			latinN++
		}
	}
	switch {
	case hanN == 0 && latinN == 0:
		return ""
	case hanN*3 >= latinN:
		if trad > simp {
			return "zh-Hant"
		}
		return "zh-Hans"
	default:
		return "en"
	}
}
