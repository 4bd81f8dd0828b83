package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clause is one clause of a text, with its place in the ORIGINAL string so
// a report can highlight it: Text == original[Start:End] (bytes), and
// RuneStart/RuneEnd count runes (what a browser's JavaScript string, or a
// report in runes, needs).
type Clause struct {
	Text               string
	Start, End         int // byte offsets into the original
	RuneStart, RuneEnd int // rune offsets into the original
}

// Clauses splits s into clauses: at sentence and clause punctuation in
// Chinese and English (。！？；， and their ASCII forms, …, newlines), at a
// space between two Chinese characters (a common separator in short
// reviews: "物流很快 质量很好"), and before the contrastive connectives
// 但是/但/可是/不过 (不過) and however/but, which start a new clause with the
// opposite stance ("东西不错，但是物流太慢"). The enumeration comma 、 does
// not split: "物流、包装都很好" is one judgement.
//
// A period between two digits (3.5) is not a boundary. Leading and trailing
// spaces and punctuation are trimmed; clauses with nothing left are
// dropped. Offsets always point into s, whatever its encoding errors.
func Clauses(s string) []Clause {
	var out []Clause
	start := 0     // byte offset where the current clause begins
	startRune := 0 // its rune offset
	runeIdx := 0   // rune offset of position i
	var prev rune  // previous rune, 0 at the start
	emit := func(end, endRune int) {
		if c, ok := trimClause(s, start, end, startRune, endRune); ok {
			out = append(out, c)
		}
	}
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		next, _ := utf8.DecodeRuneInString(s[i+w:])
		if i+w >= len(s) {
			next = 0
		}
		switch {
		case isBreak(r, prev, next):
			emit(i, runeIdx)
			start, startRune = i+w, runeIdx+1
		case r == ' ' || r == 0x3000:
			// a space between two Han characters separates clauses
			if isHan(prev) && isHan(nextNonSpace(s[i:])) {
				emit(i, runeIdx)
				start, startRune = i+w, runeIdx+1
			}
		default:
			if n := connectiveAt(s, i, prev); n > 0 && i > start {
				emit(i, runeIdx)
				start, startRune = i, runeIdx
			}
		}
		prev = r
		i += w
		runeIdx++
	}
	emit(len(s), runeIdx)
	return out
}

func isBreak(r, prev, next rune) bool {
	switch r {
	case '。', '！', '？', '；', '，', '!', '?', ';', ',', '\n', '\r', '…', '｡', '︒', '﹐', '﹒', '﹔', '﹖', '﹗', '～', '~':
		return true
	case '.':
		return !(isDigit(prev) && isDigit(next))
	}
	return false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isHan(r rune) bool { return r > 0x2E80 && unicode.Is(unicode.Han, r) }

func nextNonSpace(s string) rune {
	for _, r := range s {
		if r != ' ' && r != 0x3000 {
			return r
		}
	}
	return 0
}

// connectiveAt reports the byte length of a contrastive connective starting
// at s[i:], or 0. 但 is one only when it is not part of 不但 (not only) or
// 但愿 (hopefully); English ones need word boundaries.
func connectiveAt(s string, i int, prev rune) int {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "但是"):
		if prev == '不' {
			return 0
		}
		return len("但是")
	case strings.HasPrefix(rest, "但"):
		if prev == '不' || strings.HasPrefix(rest, "但愿") || strings.HasPrefix(rest, "但願") || strings.HasPrefix(rest, "但凡") {
			return 0
		}
		return len("但")
	case strings.HasPrefix(rest, "可是"), strings.HasPrefix(rest, "不过"), strings.HasPrefix(rest, "不過"):
		return len("可是")
	}
	if prev != 0 && (unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '\'') {
		return 0
	}
	for _, w := range [...]string{"however", "but"} {
		if len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) {
			after, _ := utf8.DecodeRuneInString(rest[len(w):])
			if len(rest) == len(w) || !(unicode.IsLetter(after) || unicode.IsDigit(after)) {
				return len(w)
			}
		}
	}
	return 0
}

// trimClause trims spaces and punctuation off s[start:end] and returns the
// clause, or false when nothing is left.
func trimClause(s string, start, end, runeStart, runeEnd int) (Clause, bool) {
	for start < end {
		r, w := utf8.DecodeRuneInString(s[start:end])
		if !isTrim(r) {
			break
		}
		start += w
		runeStart++
	}
	for end > start {
		r, w := utf8.DecodeLastRuneInString(s[start:end])
		if !isTrim(r) {
			break
		}
		end -= w
		runeEnd--
	}
	if start >= end {
		return Clause{}, false
	}
	return Clause{Text: s[start:end], Start: start, End: end, RuneStart: runeStart, RuneEnd: runeEnd}, true
}

func isTrim(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '\'' || r == utf8.RuneError
}
