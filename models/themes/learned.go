package themes

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/voc-analytics/voc/models/internal/weights"
	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Model is the learned side of theme tagging: one logistic head per
// built-in theme ("this clause complains about delivery speed") and one
// more, ComplaintHead, for "this clause complains about anything". Every
// head scores each clause from hashed character and word n-grams, and a
// review's probability for a head is that of its highest-scoring clause
// (max pooling), so the model both decides whether a review complains
// about a theme and says in which clause.
//
// The lexicon matcher explains itself and users extend it; the model
// catches what no word list foresaw ("用了两天屏幕就花了"). A Matcher built
// WithModel adds the model's hits to its own (see Matcher.Tag). Models are
// trained by Train; DefaultModel is embedded in the binary. A Model is
// immutable and safe for concurrent use.
type Model struct {
	meta    modelMeta
	w       []float32 // bucket*heads + head
	emb     []float32 // bucket*Dim + x: the deep part's n-gram embeddings
	heads   int
	version string
	pool    sync.Pool
}

// ComplaintHead is the name of the head that scores "complains about
// anything", themed or not.
const ComplaintHead = "complaint"

// modelMeta is the JSON header of a saved model.
type modelMeta struct {
	Format int  `json:"format"`
	Bits   uint `json:"bits"`
	MaxN   int  `json:"max_n"`
	// Polarity is the least |clause score| (from the clause scorer the
	// model was trained with, the sentiment model) that tags a clause's
	// n-grams with its polarity; 0 = no polarity features.
	Polarity float64 `json:"polarity,omitempty"`
	// Heads are the theme ids the model scores, then ComplaintHead.
	Heads []string  `json:"heads"`
	Bias  []float32 `json:"bias"`
	Scale []float32 `json:"scale"` // per head: its largest |weight|
	// Threshold per head: a review's probability at or above it is a hit.
	// Calibrated by Train on held-out folds of the labelled set; a value
	// above 1 turns the head off.
	Threshold []float64 `json:"threshold"`
	// Dim is the size of the deep part's n-gram embeddings (0: none); Out
	// holds a vector of Dim weights per head, head-major.
	Dim int       `json:"dim,omitempty"`
	Out []float32 `json:"out,omitempty"`
	// EmbScale is the largest |embedding value|, for the byte format.
	EmbScale float32 `json:"emb_scale,omitempty"`
	// Heldout are the counts each head's threshold gave on the held-out
	// folds of the labelled set when it was chosen.
	Heldout []Counts `json:"heldout,omitempty"`
	Trained struct {
		Gold  int    `json:"gold"`
		Weak  int    `json:"weak"`
		Seed  int64  `json:"seed"`
		Epoch int    `json:"epochs"`
		Note  string `json:"note,omitempty"`
	} `json:"trained"`
}

const modelMagic = "VOCTHEM\x01"

// Version identifies the model's content: "themes1-" and 16 hex digits of
// SHA-256 over its header and weights. Taggings store it (through
// Fingerprint), so history is re-tagged when the model changes.
func (m *Model) Version() string { return m.version }

// Heads returns the ids the model scores, ComplaintHead last.
func (m *Model) Heads() []string { return slices.Clone(m.meta.Heads) }

// Threshold returns the calibrated threshold of head id (2 when the model
// has no such head, which never fires).
func (m *Model) Threshold(id string) float64 {
	if i := slices.Index(m.meta.Heads, id); i >= 0 {
		return m.meta.Threshold[i]
	}
	return 2
}

// Heldout returns the counts head id's threshold gave on the held-out
// folds of the labelled set it was trained on.
func (m *Model) Heldout(id string) (Counts, bool) {
	if i := slices.Index(m.meta.Heads, id); i >= 0 && i < len(m.meta.Heldout) {
		return m.meta.Heldout[i], true
	}
	return Counts{}, false
}

// lunit is one unit of a clause: a Han character, a Latin word or number,
// or a symbol such as an emoji, with its rune span in the original clause.
type lunit struct {
	h          uint64
	start, end int32
	neg        bool
}

// lfeat is one hashed feature occurrence of a clause; first and n locate its
// units, for explanations.
type lfeat struct {
	bucket   uint32
	first, n int16
	negAt    int16 // -1, or the unit index of the negator of a negation feature
}

// lscratch is the per-call buffer of feature extraction; pooled.
type lscratch struct {
	units []lunit
	feats []lfeat
	word  []rune
}

const (
	lTagHan    = 0x9E3779B97F4A7C15
	lTagWord   = 0x165667B19E3779F9
	lTagSym    = 0xC2B2AE3D27D4EB4F
	lTagNeg    = 0xD6E8FEB86659FD93
	lTagN      = 0xFF51AFD7ED558CCD
	lTagNegPol = 0x2545F4914F6CDD1D
	lTagPosPol = 0x9E6C63D0676A9A99
	lTagSkip   = 0x4F1BBCDCBFA53E0B
	lNegSpan   = 3
)

// lNegators start a negation scope: the units after one also give a
// "negated" feature, so 不太慢 and 太慢 are told apart even when the
// negator is not adjacent.
var lNegators = map[string]bool{"不": true, "没": true, "无": true, "未": true, "别": true,
	"not": true, "no": true, "never": true, "don't": true, "doesn't": true, "didn't": true, "isn't": true,
	"wasn't": true, "aren't": true, "weren't": true, "won't": true, "can't": true, "cannot": true,
	"dont": true, "doesnt": true, "didnt": true, "isnt": true, "wasnt": true, "without": true}

// lfold maps one rune to the form the model reads: as normalize.Text does
// (full width to half, lower case, traditional to simplified), one rune in,
// one rune out, so spans stay in the original clause.
func lfold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	if isHanRune(r) {
		return normalize.Simplified(r)
	}
	return unicode.ToLower(r)
}

// tokenize cuts one clause into units.
func (s *lscratch) tokenize(clause string) {
	s.units = s.units[:0]
	flush := func(end int) {
		if len(s.word) == 0 {
			return
		}
		w := string(s.word)
		digits := true
		for _, r := range s.word {
			if r < '0' || r > '9' {
				digits = false
				break
			}
		}
		if digits && len(s.word) >= 3 {
			w = "<num>"
		}
		s.units = append(s.units, lunit{h: weights.Mix(weights.FNV(w) ^ lTagWord), start: int32(end - len(s.word)), end: int32(end), neg: lNegators[w]})
		s.word = s.word[:0]
	}
	i := 0
	for _, r := range clause {
		f := lfold(r)
		switch {
		case isHanRune(f):
			flush(i)
			s.units = append(s.units, lunit{h: weights.Mix(uint64(f) ^ lTagHan), start: int32(i), end: int32(i + 1), neg: lNegators[string(f)]})
		case f == '\'' || f < utf8.RuneSelf && (f >= 'a' && f <= 'z' || f >= '0' && f <= '9') || f >= utf8.RuneSelf && (unicode.IsLetter(f) || unicode.IsDigit(f)):
			s.word = append(s.word, f)
		default:
			flush(i)
			if f >= 0x2190 && !unicode.IsSpace(f) && !unicode.IsPunct(f) && f != 0xFE0F && f != 0x200D {
				s.units = append(s.units, lunit{h: weights.Mix(uint64(f) ^ lTagSym), start: int32(i), end: int32(i + 1)})
			}
		}
		i++
	}
	flush(i)
}

// features fills s.feats with the hashed features of the units: n-grams up
// to maxN, and a negated copy of each unit within lNegSpan after a negator.
// pol is the clause's polarity (-1 unhappy, +1 happy, 0 neither or
// unknown); when it is not 0, unigrams and bigrams get a second copy
// tagged with it, so the model can learn "屏幕 in an unhappy clause" (a
// quality complaint) apart from "屏幕" (which may be praise): a theme is an
// aspect AND a complaint, which a plain sum of n-grams cannot say.
func (s *lscratch) features(maxN int, mask uint32, pol int8) {
	s.feats = s.feats[:0]
	us := s.units
	polTag := uint64(0)
	switch pol {
	case -1:
		polTag = lTagNegPol
	case 1:
		polTag = lTagPosPol
	}
	for i := range us {
		h := uint64(0)
		for n := 1; n <= maxN && i+n <= len(us); n++ {
			h = weights.Mix(h*31 + us[i+n-1].h + uint64(n)*lTagN)
			s.feats = append(s.feats, lfeat{bucket: uint32(h) & mask, first: int16(i), n: int16(n), negAt: -1})
			if polTag != 0 && n <= 2 {
				s.feats = append(s.feats, lfeat{bucket: uint32(weights.Mix(h^polTag)) & mask, first: int16(i), n: int16(n), negAt: -1})
			}
		}
		// skip-bigram: "质量很差" and "质量差" share 质…差
		if i+2 < len(us) {
			h := weights.Mix(us[i].h*31 + us[i+2].h + lTagSkip)
			s.feats = append(s.feats, lfeat{bucket: uint32(h) & mask, first: int16(i), n: 3, negAt: -1})
		}
		if us[i].neg {
			for j := i + 1; j < len(us) && j <= i+lNegSpan; j++ {
				h := weights.Mix(us[j].h ^ lTagNeg)
				s.feats = append(s.feats, lfeat{bucket: uint32(h) & mask, first: int16(j), n: 1, negAt: int16(i)})
			}
		}
	}
	if len(s.feats) > math.MaxInt16 {
		s.feats = s.feats[:math.MaxInt16]
	}
}

// clauseLogits adds, for each head, the clause's score to z (which holds
// the biases): the sum of its features' weights over √(number of
// features), plus the weights of the lexicon's findings in it (lex), which
// are not scaled: one word-list hit says as much in a long clause as in a
// short one.
func (m *Model) clauseLogits(feats []lfeat, lex []uint32, z []float64) {
	k := m.heads
	for _, b := range lex {
		for j, w := range m.w[int(b)*k : int(b)*k+k] {
			z[j] += float64(w)
		}
	}
	if len(feats) == 0 {
		return
	}
	v := float32(1 / math.Sqrt(float64(len(feats))))
	var accBuf [32]float32
	var acc []float32
	if k <= len(accBuf) {
		acc = accBuf[:k]
	} else {
		acc = make([]float32, k)
	}
	for _, f := range feats {
		row := m.w[int(f.bucket)*k : int(f.bucket)*k+k]
		for j, w := range row {
			acc[j] += w
		}
	}
	for j := range acc {
		z[j] += float64(acc[j] * v)
	}
	if d := m.meta.Dim; d > 0 {
		var hBuf [128]float32
		var h []float32
		if d <= len(hBuf) {
			h = hBuf[:d]
		} else {
			h = make([]float32, d)
		}
		for _, f := range feats {
			for x, e := range m.emb[int(f.bucket)*d : int(f.bucket)*d+d] {
				h[x] += e
			}
		}
		inv := 1 / float32(len(feats))
		for j := range k {
			z[j] += float64(dot(m.meta.Out[j*d:j*d+d], h) * inv)
		}
	}
}

// ClauseScores are a model's scores for one clause of a text.
type ClauseScores struct {
	Clause     normalize.Clause
	Logits     []float64 // per head, in Heads order
	feats      []lfeat
	units      []lunit
	hasFeature bool
}

// Prediction is what the model says about one text.
type Prediction struct {
	// Prob per head (Heads order): the probability of the text's
	// highest-scoring clause; Best is that clause's index in Clauses, -1
	// when the text has no clause.
	Prob    []float64
	Best    []int
	Clauses []ClauseScores
}

// polarity is a clause's polarity feature tag (see features).
func (m *Model) polarity(pol ClauseScorer, clause string) int8 {
	if m.meta.Polarity == 0 || pol == nil {
		return 0
	}
	return polarityOf(pol.ScoreClause(normalize.Text(clause)), m.meta.Polarity)
}

func polarityOf(score, min float64) int8 {
	switch {
	case score <= -min:
		return -1
	case score >= min:
		return 1
	}
	return 0
}

// lexFeature is the bucket of "the lexicon found a complaint (or praise)
// on theme id in this clause". The model learns from labelled reviews how
// far to trust each theme's word lists; weak examples never carry these
// features (their labels are the lexicon's own findings).
func lexFeature(id, polarity string, mask uint32) uint32 {
	return uint32(weights.Mix(weights.FNV("lex|"+id+"|"+polarity))) & mask
}

// lexBuckets gives, per clause (by rune start), the lexicon features of a
// tagging's hits: the theme and polarity, the same with what found it (a
// phrase is surer than an aspect with the clause's mood), and the same
// again for a clause without Chinese, whose word lists and labelled
// examples are fewer: each is a weight the model learns.
func lexBuckets(clauses []normalize.Clause, hits []Hit, mask uint32) [][]uint32 {
	out := make([][]uint32, len(clauses))
	for _, h := range hits {
		if h.Via != "" || h.by == byModel {
			continue // the sub-theme's own hit stands for it
		}
		id := h.Theme
		if i := strings.IndexByte(id, '.'); i >= 0 {
			id = id[:i]
		}
		for ci, c := range clauses {
			if c.RuneStart != h.Start {
				continue
			}
			latin := !strings.ContainsFunc(c.Text, isHanRune)
			for _, key := range []string{"", "|by" + string(rune('0'+h.by)), map[bool]string{true: "|latin", false: "|han"}[latin]} {
				b := lexFeature(id, h.Polarity+key, mask)
				if !slices.Contains(out[ci], b) {
					out[ci] = append(out[ci], b)
				}
			}
		}
	}
	return out
}

// predict scores every clause for every head; lex holds each clause's
// lexicon features (nil: none).
func (m *Model) predict(clauses []normalize.Clause, lex [][]uint32, pol ClauseScorer, keep bool) Prediction {
	k := m.heads
	p := Prediction{Prob: make([]float64, k), Best: make([]int, k), Clauses: make([]ClauseScores, len(clauses))}
	best := make([]float64, k)
	for j := range best {
		best[j] = math.Inf(-1)
		p.Best[j] = -1
	}
	s := m.scratch()
	defer m.pool.Put(s)
	for ci, c := range clauses {
		s.tokenize(c.Text)
		s.features(m.meta.MaxN, uint32(1)<<m.meta.Bits-1, m.polarity(pol, c.Text))
		z := make([]float64, k)
		for j := range z {
			z[j] = float64(m.meta.Bias[j])
		}
		var lb []uint32
		if lex != nil {
			lb = lex[ci]
		}
		m.clauseLogits(s.feats, lb, z)
		cs := ClauseScores{Clause: c, Logits: z, hasFeature: len(s.feats)+len(lb) > 0}
		if keep {
			cs.feats, cs.units = slices.Clone(s.feats), slices.Clone(s.units)
		}
		p.Clauses[ci] = cs
		if !cs.hasFeature {
			continue
		}
		for j := range z {
			if z[j] > best[j] {
				best[j], p.Best[j] = z[j], ci
			}
		}
	}
	for j := range best {
		if p.Best[j] >= 0 {
			p.Prob[j] = sigmoid(best[j])
		}
	}
	return p
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func (m *Model) scratch() *lscratch {
	if s, ok := m.pool.Get().(*lscratch); ok {
		return s
	}
	return &lscratch{}
}

// Phrase is one n-gram of a clause and how much it raised the head's
// score (in logit units, after the clause's length scaling).
type Phrase struct {
	Text   string
	Weight float64
}

// phrases returns the n strongest phrases of clause cs for head j: the
// n-grams with the largest positive weight, each quoted from the
// original clause (negation features read "不…慢"). Overlapping n-grams
// are all candidates; one that overlaps a stronger one already listed is
// skipped, so "二手" does not also list "是二手" and "手的".
func (m *Model) phrases(clause string, feats []lfeat, units []lunit, j, n int) []Phrase {
	if len(feats) == 0 {
		return nil
	}
	rs := []rune(clause)
	v := 1 / math.Sqrt(float64(len(feats)))
	type cand struct {
		w          float64
		start, end int32
		text       string
	}
	var cs []cand
	d := m.meta.Dim
	for _, f := range feats {
		w := float64(m.w[int(f.bucket)*m.heads+j]) * v
		if d > 0 {
			w += float64(dot(m.meta.Out[j*d:j*d+d], m.emb[int(f.bucket)*d:int(f.bucket)*d+d])) / float64(len(feats))
		}
		if w <= 0 {
			continue
		}
		u0, u1 := units[f.first], units[int(f.first)+int(f.n)-1]
		c := cand{w: w, start: u0.start, end: u1.end}
		if f.negAt >= 0 {
			nu := units[f.negAt]
			c.start = nu.start
			c.text = string(rs[nu.start:nu.end]) + "…" + string(rs[u0.start:u1.end])
		} else {
			c.text = string(rs[u0.start:u1.end])
		}
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].w > cs[b].w })
	// A single Chinese character (的, 是, 坏) says little on its own: it is
	// listed only when the clause has no longer phrase to show.
	single := func(c cand) bool {
		return c.end-c.start == 1 && isHanRune(rs[c.start]) || phraseStopwords[strings.ToLower(c.text)]
	}
	sort.SliceStable(cs, func(a, b int) bool { return !single(cs[a]) && single(cs[b]) })
	var out []Phrase
	var taken []cand
	for _, c := range cs {
		if single(c) && len(out) > 0 {
			break
		}
		inside := false
		for _, t := range taken {
			if c.start < t.end && t.start < c.end || t.text == c.text {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		taken = append(taken, c)
		out = append(out, Phrase{Text: c.text, Weight: math.Round(c.w*1000) / 1000})
		if len(out) == n {
			break
		}
	}
	return out
}

// phraseStopwords are English words that carry no complaint of their own;
// like single Chinese characters, they are shown only when nothing better is.
var phraseStopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("a an the is was were are be been it its this that these those i me my we our you your " +
		"to of for and or but in on at with as so very too just like looks look it's i'm") {
		phraseStopwords[w] = true
	}
}

// Save writes the model: a magic line, then gzip of a JSON header and the
// weights, one signed byte each (square-root companded per head, as the
// sentiment model stores its weights).
func (m *Model) Save(w io.Writer) error {
	if _, err := io.WriteString(w, modelMagic); err != nil {
		return fmt.Errorf("save theme model: %w", err)
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := writeModelPayload(zw, m.meta, m.w, m.emb); err != nil {
		return fmt.Errorf("save theme model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("save theme model: %w", err)
	}
	return nil
}

func writeModelPayload(w io.Writer, meta modelMeta, ws, emb []float32) error {
	hdr, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	var lenBuf [4]byte
	binary.LittleEndian.PutUint32(lenBuf[:], uint32(len(hdr)))
	bw.Write(lenBuf[:])
	bw.Write(hdr)
	k := len(meta.Heads)
	for i, v := range ws {
		bw.WriteByte(byte(weights.Quantize(v, meta.Scale[i%k])))
	}
	for _, v := range emb {
		bw.WriteByte(byte(weights.Quantize(v, meta.EmbScale)))
	}
	return bw.Flush()
}

// LoadModel reads a model written by Save.
func LoadModel(r io.Reader) (*Model, error) {
	head := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, fmt.Errorf("load theme model: read header: %w", err)
	}
	if string(head) != modelMagic {
		return nil, errors.New("load theme model: not a voc theme model (bad magic)")
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("load theme model: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("load theme model: decompress: %w", err)
	}
	if len(raw) < 4 {
		return nil, errors.New("load theme model: truncated")
	}
	n := int(binary.LittleEndian.Uint32(raw))
	if n > len(raw)-4 {
		return nil, errors.New("load theme model: truncated header")
	}
	var meta modelMeta
	if err := json.Unmarshal(raw[4:4+n], &meta); err != nil {
		return nil, fmt.Errorf("load theme model: header: %w", err)
	}
	if meta.Format != 1 {
		return nil, fmt.Errorf("load theme model: format %d not supported", meta.Format)
	}
	k := len(meta.Heads)
	if k == 0 || meta.Bits < 8 || meta.Bits > 24 || meta.MaxN < 1 || meta.MaxN > 5 ||
		len(meta.Bias) != k || len(meta.Scale) != k || len(meta.Threshold) != k {
		return nil, errors.New("load theme model: inconsistent header")
	}
	if meta.Dim < 0 || meta.Dim > 128 || len(meta.Out) != k*meta.Dim {
		return nil, errors.New("load theme model: inconsistent header")
	}
	body := raw[4+n:]
	nw, ne := k<<meta.Bits, meta.Dim<<meta.Bits
	if len(body) != nw+ne {
		return nil, fmt.Errorf("load theme model: %d weights, want %d", len(body), nw+ne)
	}
	w := make([]float32, nw)
	for i, b := range body[:nw] {
		w[i] = weights.Dequantize(int8(b), meta.Scale[i%k])
	}
	var emb []float32
	if ne > 0 {
		emb = make([]float32, ne)
		for i, b := range body[nw:] {
			emb[i] = weights.Dequantize(int8(b), meta.EmbScale)
		}
	}
	return newModel(meta, w, emb, raw), nil
}

func newModel(meta modelMeta, w, emb []float32, payload []byte) *Model {
	sum := sha256.Sum256(payload)
	return &Model{meta: meta, w: w, emb: emb, heads: len(meta.Heads), version: "themes1-" + hex.EncodeToString(sum[:8])}
}

// finishModel quantises trained weights the way Save stores them, so a
// trained model scores exactly as it will after Save and LoadModel.
func finishModel(meta modelMeta, w, emb []float32) *Model {
	k := len(meta.Heads)
	meta.Scale = make([]float32, k)
	for i, v := range w {
		if a := float32(math.Abs(float64(v))); a > meta.Scale[i%k] {
			meta.Scale[i%k] = a
		}
	}
	for i, v := range w {
		w[i] = weights.Dequantize(weights.Quantize(v, meta.Scale[i%k]), meta.Scale[i%k])
	}
	meta.EmbScale = 0
	for _, v := range emb {
		meta.EmbScale = max(meta.EmbScale, float32(math.Abs(float64(v))))
	}
	for i, v := range emb {
		emb[i] = weights.Dequantize(weights.Quantize(v, meta.EmbScale), meta.EmbScale)
	}
	var buf bytes.Buffer
	if err := writeModelPayload(&buf, meta, w, emb); err != nil {
		panic("themes: model payload: " + err.Error()) // bytes.Buffer does not fail
	}
	return newModel(meta, w, emb, buf.Bytes())
}
