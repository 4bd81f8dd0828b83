package normalize

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

var (
	segOnce sync.Once
	seg     gse.Segmenter
	segErr  error
)

// segmenter loads gse's simplified-Chinese dictionary on first use. Only
// the simplified dictionary is loaded because Words segments Text(s),
// which is already simplified; that halves load time and memory against
// gse's combined dictionary.
func segmenter() (*gse.Segmenter, error) {
	segOnce.Do(func() {
		seg.SkipLog = true
		segErr = seg.LoadDictEmbed("zh_s")
	})
	return &seg, segErr
}

// InitWords loads the Chinese segmentation dictionary now (about a second)
// rather than inside the first call to Words, and reports whether it
// loaded.
func InitWords() error {
	_, err := segmenter()
	return err
}

// Words segments the normalised form of s (see Text) into words: runs of
// Chinese characters with the gse segmenter (dictionary plus HMM for
// unknown words), runs of Latin letters and digits as words (an inner
// apostrophe or hyphen is kept: "didn't", "t-shirt"). Spaces, punctuation
// and symbols are dropped; emoji are kept as one-rune words.
//
// When the dictionary cannot be loaded Chinese runs fall back to single
// characters, so callers degrade rather than fail.
func Words(s string) []string {
	var out []string
	for _, t := range scan(s, false) {
		out = append(out, t.Text)
	}
	return out
}

// Token is a word with its part of speech: for Chinese the tag of gse's
// dictionary (ICTCLAS style: n noun, v verb, a adjective, d adverb ...;
// "" when unknown), "eng" for Latin words and numbers, "x" for emoji.
type Token struct {
	Text, POS string
}

// Tokens is Words with parts of speech, for callers that look for
// patterns such as noun + adjective (theme discovery). Chinese runs are
// cut by dictionary only (gse's Pos has no HMM step), so unknown words
// may come out as single characters.
func Tokens(s string) []Token {
	return scan(s, true)
}

func scan(s string, pos bool) []Token {
	n := Text(s)
	var out []Token
	for i := 0; i < len(n); {
		r, w := utf8.DecodeRuneInString(n[i:])
		switch {
		case isHan(r):
			j := i + w
			for j < len(n) {
				r2, w2 := utf8.DecodeRuneInString(n[j:])
				if !isHan(r2) {
					break
				}
				j += w2
			}
			out = appendHan(out, n[i:j], pos)
			i = j
		case isWordRune(r):
			j := i + w
			for j < len(n) {
				r2, w2 := utf8.DecodeRuneInString(n[j:])
				if isWordRune(r2) {
					j += w2
					continue
				}
				if (r2 == '\'' || r2 == '-') && j+w2 < len(n) {
					r3, _ := utf8.DecodeRuneInString(n[j+w2:])
					if isWordRune(r3) {
						j += w2
						continue
					}
				}
				break
			}
			out = append(out, Token{n[i:j], "eng"})
			i = j
		case unicode.Is(unicode.So, r):
			out = append(out, Token{n[i : i+w], "x"})
			i += w
		default:
			i += w
		}
	}
	return out
}

func isWordRune(r rune) bool {
	return !isHan(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func appendHan(out []Token, run string, pos bool) []Token {
	sg, err := segmenter()
	switch {
	case err != nil:
		for _, r := range run {
			out = append(out, Token{Text: string(r)})
		}
	case pos:
		for _, p := range sg.Pos(run) {
			if p.Text != "" {
				out = append(out, Token{p.Text, p.Pos})
			}
		}
	default:
		for _, w := range sg.Cut(run, true) {
			if w != "" {
				out = append(out, Token{Text: w})
			}
		}
	}
	return out
}
