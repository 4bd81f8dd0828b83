package sentiment

import (
	"math/bits"
	"unicode/utf8"

	"github.com/voc-analytics/voc/models/internal/weights"
)

// featConfig fixes how text becomes features. It is saved with the model:
// a model only makes sense with the extractor it was trained with.
type featConfig struct {
	Bits     uint `json:"bits"`     // log2 of the number of hash buckets
	MaxN     int  `json:"max_n"`    // longest unit n-gram
	NegScope int  `json:"negscope"` // units after a negator that get a negated feature; 0 = off
	// Script adds a second copy of every unit n-gram up to this length,
	// tagged with the text's script (see scriptOf), so that each script
	// (traditional Chinese, simplified Chinese, other) can learn its own
	// use of a phrase on top of the shared weight: Daumé's "frustratingly
	// easy" domain augmentation. 0 = off (models saved before it).
	Script int `json:"script,omitempty"`
}

func (c featConfig) mask() uint32 { return uint32(1)<<c.Bits - 1 }

// unit is one token of normalised text: a Han character, a word or an emoji.
type unit struct {
	h          uint64
	start, end int  // byte span in the original text, for explanations
	negator    bool // 不, 没, not, never ...
	emo        int8 // +1, -1 for emoji of known polarity
	bang       bool // ! or ?: a feature, but not text enough on its own
}

// feature is one hashed feature occurrence; phrase fields are kept only
// when explaining.
type feature struct {
	bucket uint32
	// explanation: units [first, first+n) of the clause starting at unit
	// index base; neg marks a negation-scope feature whose negator is
	// unit negAt.
	first, n int32
	negAt    int32
	kind     uint8
}

const (
	kindNgram uint8 = iota
	kindNeg
	kindEmoji
	kindLength
)

// scratch holds the buffers one extraction needs; pooled by the model.
type scratch struct {
	units []unit
	feats []feature
	word  []byte
	han   int // Han characters in the last tokenized text
	trad  int // of which the traditional-to-simplified fold changed
}

const (
	tagHan   = 0x9E3779B97F4A7C15
	tagEmoji = 0xC2B2AE3D27D4EB4F
	tagWord  = 0x165667B19E3779F9
	tagNeg   = 0xD6E8FEB86659FD93
	tagN     = 0xFF51AFD7ED558CCD
	tagMeta  = 0xA0761D6478BD642F
	tagDom   = 0x9FB21C651E98DF25
)

var negatorWords = map[uint64]bool{}

func init() {
	for _, w := range []string{"not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't",
		"aren't", "weren't", "won't", "can't", "cannot", "couldn't", "wouldn't", "shouldn't",
		"hardly", "nothing", "nor", "without", "dont", "doesnt", "didnt", "isnt", "wasnt", "wont", "cant"} {
		negatorWords[weights.FNV([]byte(w))^tagWord] = true
	}
}

func hanNegator(r rune) bool {
	switch r {
	case '不', '没', '无', '未', '别', '毫', '勿', '莫':
		return true
	}
	return false
}

// Emoji whose polarity is clear enough to share a feature: the few emoji a
// corpus has then teach the model about the many it lacks.
var emojiPolarity = map[rune]int8{}

func init() {
	for _, r := range "👍👌👏🙌💪🤝😀😃😄😁😆😊😍🥰😘😻😋🤩🤗☺🙂😎❤♥💕💖💗💓💞💘💯✨🌟⭐🎉🥳✔✅🆗🏆🌹💐" {
		emojiPolarity[r] = 1
	}
	for _, r := range "👎😡😠🤬😤😞😢😭😩😫💩🤮🤢😒😑😔😣😖😓😰😱💔☹🙁😕😟❌😪😨😧🙄🤡⚠😥" {
		emojiPolarity[r] = -1
	}
}

// tokenize cuts text into units, appending to s.units; clause boundaries are
// marked by a unit with h == 0.
func (s *scratch) tokenize(text string) {
	s.units = s.units[:0]
	s.word = s.word[:0]
	s.han, s.trad = 0, 0
	wordStart, wordEnd := -1, -1
	flushWord := func() {
		if wordStart < 0 {
			return
		}
		w := s.word
		allDigits := true
		for _, c := range w {
			if c < '0' || c > '9' {
				allDigits = false
				break
			}
		}
		if allDigits && len(w) > 2 {
			w = []byte("<num>")
		}
		// strip quotes around words: 'great' -> great
		for len(w) > 0 && (w[0] == '\'' || w[0] == '-' || w[0] == '_') {
			w = w[1:]
		}
		for len(w) > 0 && (w[len(w)-1] == '\'' || w[len(w)-1] == '-' || w[len(w)-1] == '_') {
			w = w[:len(w)-1]
		}
		if len(w) > 0 {
			h := weights.FNV(w) ^ tagWord
			s.units = append(s.units, unit{h: h, start: wordStart, end: wordEnd, negator: negatorWords[h]})
		}
		s.word = s.word[:0]
		wordStart = -1
	}
	brk := func() {
		if n := len(s.units); n > 0 && s.units[n-1].h != 0 {
			s.units = append(s.units, unit{})
		}
	}
	for i, r := range text {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			size = 1
			flushWord()
			brk()
			continue
		}
		f := fold(r)
		switch classify(f) {
		case classWord:
			if wordStart < 0 {
				wordStart = i
			}
			if f == '’' {
				f = '\''
			}
			s.word = utf8.AppendRune(s.word, f)
			wordEnd = i + size
		case classIgnore:
		case classSpace:
			flushWord()
		case classHan:
			flushWord()
			s.han++
			if f != r {
				s.trad++
			}
			s.units = append(s.units, unit{h: weights.Mix(uint64(f) ^ tagHan), start: i, end: i + size, negator: hanNegator(f)})
		case classEmoji:
			flushWord()
			s.units = append(s.units, unit{h: weights.Mix(uint64(f) ^ tagEmoji), start: i, end: i + size, emo: emojiPolarity[f]})
		case classBang:
			flushWord()
			h := weights.Mix(uint64(f) ^ tagEmoji)
			if n := len(s.units); n == 0 || s.units[n-1].h != h {
				s.units = append(s.units, unit{h: h, start: i, end: i + size, bang: true})
			}
			brk()
		default:
			flushWord()
			brk()
		}
	}
	flushWord()
	brk()
}

// extract fills s.feats with the features of text and returns how many
// content units it has (0 means no usable text).
func (c featConfig) extract(text string, s *scratch) int {
	s.tokenize(text)
	s.feats = s.feats[:0]
	m := c.mask()
	content := 0
	start := 0
	script := uint64(0)
	if c.Script > 0 {
		script = uint64(s.scriptOf())
	}
	for i, u := range s.units {
		if u.h != 0 {
			if !u.bang {
				content++
			}
			continue
		}
		c.clauseFeatures(s, start, i, m, script)
		start = i + 1
	}
	if content > 0 {
		l := bits.Len(uint(content))
		s.feats = append(s.feats, feature{bucket: uint32(weights.Mix(uint64(l)^tagMeta)) & m, kind: kindLength})
	}
	return content
}

// Scripts of a text, for featConfig.Script.
const (
	scriptTraditional = 1 + iota // Han text, at least 5% traditional-only characters
	scriptSimplified             // other Han text
	scriptOther                  // no Han character (English, emoji ...)
)

// scriptOf classifies the last tokenized text by script.
func (s *scratch) scriptOf() int {
	switch {
	case s.trad > 0 && s.trad*20 >= s.han:
		return scriptTraditional
	case s.han > 0:
		return scriptSimplified
	}
	return scriptOther
}

func (c featConfig) clauseFeatures(s *scratch, from, to int, m uint32, script uint64) {
	us := s.units
	for i := from; i < to; i++ {
		h := uint64(tagN)
		for n := 1; n <= c.MaxN && i+n <= to; n++ {
			h = weights.Mix(h ^ us[i+n-1].h)
			s.feats = append(s.feats, feature{bucket: uint32(h) & m, first: int32(i), n: int32(n), kind: kindNgram})
			if n <= c.Script {
				// same phrase, script-specific weight
				s.feats = append(s.feats, feature{bucket: uint32(weights.Mix(h^script*tagDom)) & m, first: int32(i), n: int32(n), kind: kindNgram})
			}
		}
		if e := us[i].emo; e != 0 {
			s.feats = append(s.feats, feature{bucket: uint32(weights.Mix(uint64(e+2)^tagMeta^tagEmoji)) & m, first: int32(i), n: 1, kind: kindEmoji})
		}
	}
	if c.NegScope <= 0 {
		return
	}
	for i := from; i < to; i++ {
		if !us[i].negator {
			continue
		}
		for j := i + 1; j < to && j <= i+c.NegScope; j++ {
			if us[j].negator {
				break
			}
			s.feats = append(s.feats, feature{bucket: uint32(weights.Mix(us[j].h^tagNeg)) & m, first: int32(j), n: 1, negAt: int32(i), kind: kindNeg})
		}
	}
}

// phrase renders feature f of the last extraction as the text the user wrote.
func (s *scratch) phrase(text string, f feature) string {
	switch f.kind {
	case kindLength:
		return "(text length)"
	case kindEmoji:
		u := s.units[f.first]
		if u.emo > 0 {
			return "(positive emoji)"
		}
		return "(negative emoji)"
	case kindNeg:
		neg, u := s.units[f.negAt], s.units[f.first]
		if neg.end == u.start {
			return text[neg.start:u.end]
		}
		return text[neg.start:neg.end] + "…" + text[u.start:u.end]
	}
	a, b := s.units[f.first], s.units[f.first+f.n-1]
	return text[a.start:b.end]
}
