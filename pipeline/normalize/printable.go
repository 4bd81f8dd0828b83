package normalize

import (
	"fmt"
	"strings"
)

// Excerpt is s made safe and short for a message, a terminal or a reject:
// control characters (escape sequences, bidi overrides, NUL) are written
// as \xNN or \u{NNNN}, except tab and line feed, and text beyond max bytes
// is cut on a character boundary and replaced by "… (N bytes)", N being
// the whole length.
func Excerpt(s string, max int) string {
	var b strings.Builder
	cut := false
	for _, r := range s {
		piece := string(r)
		switch {
		case !unsafeRune(r):
		case r < 0x80:
			piece = fmt.Sprintf("\\x%02x", r)
		default:
			piece = fmt.Sprintf("\\u{%04x}", r)
		}
		if b.Len()+len(piece) > max {
			cut = true
			break
		}
		b.WriteString(piece)
	}
	if cut {
		fmt.Fprintf(&b, "… (%d bytes)", len(s))
	}
	return b.String()
}

// Printable is s with its control characters escaped as Excerpt does, at
// any length: for untrusted text on a terminal, where an escape sequence
// could set the window title or clear the screen, and a bidi override
// could reorder what a reader sees.
func Printable(s string) string {
	for _, r := range s {
		if unsafeRune(r) {
			return Excerpt(s, len(s)*12)
		}
	}
	return s
}

// unsafeRune reports whether r is escaped by Excerpt and Printable.
func unsafeRune(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}
