package sentiment

import (
	"unicode"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// fold maps a rune to the form features are built from: full-width ASCII
// to half-width, upper to lower case, traditional Chinese to simplified
// (with pipeline/normalize's OpenCC-derived table, so the model and the
// theme matcher fold text alike).
func fold(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	case r < 0x80:
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000:
		return ' '
	}
	if s := normalize.Simplified(r); s != r {
		return s
	}
	if r < 0x3000 && unicode.IsUpper(r) {
		return unicode.ToLower(r)
	}
	return r
}

// runeClass says how the tokenizer treats a folded rune.
type runeClass uint8

const (
	classSpace  runeClass = iota // separates words, not clauses
	classHan                     // one unit per character
	classWord                    // part of a Latin (or other alphabetic) word or number
	classEmoji                   // one unit per pictograph
	classBang                    // ! and ?: a unit that also ends the clause
	classBreak                   // punctuation: ends the clause
	classIgnore                  // joiners, variation selectors, skin tones
)

func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x20000 && r <= 0x3FFFF)
}

func classify(r rune) runeClass {
	switch {
	case r < 0x80:
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '\'':
			return classWord
		case r == ' ', r == '\t', r == '\n', r == '\r':
			return classSpace
		case r == '!', r == '?':
			return classBang
		case r == '-', r == '_':
			return classWord
		}
		return classBreak
	case isHan(r):
		return classHan
	case r == 0x200D, r == 0xFE0F, r == 0xFE0E, r >= 0x1F3FB && r <= 0x1F3FF, r == 0x20E3:
		return classIgnore
	case r == '’':
		return classWord
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF,
		r == 0x2764, r == 0x263A, r == 0x2639:
		return classEmoji
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
		return classWord
	case unicode.IsSpace(r):
		return classSpace
	case unicode.Is(unicode.So, r):
		return classEmoji
	}
	return classBreak
}
