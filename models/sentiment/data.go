package sentiment

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/voc-analytics/voc"
)

// Example is one labelled text. Star-rated corpora set Level; binary
// corpora leave it LevelNone and set Positive.
type Example struct {
	ID       string
	Text     string
	Level    voc.Level // 0 if binary-only
	Positive *bool     // for binary corpora
	Dataset  string
}

// Labelled reports whether ex carries a usable label.
func (ex Example) Labelled() bool { return ex.Level.Valid() || ex.Positive != nil }

type jsonlRecord struct {
	ID    string          `json:"id"`
	Text  *string         `json:"text"`
	Stars json.RawMessage `json:"stars"`
	Label json.RawMessage `json:"label"`
}

// ReadJSONL reads the shared corpus format, one JSON object a line:
// {"id","text","stars","label","lang","domain"}, where stars is 1-5 or null
// and label is "pos", "neg" (also "positive"/"negative", 1/0, true/false)
// or null. A row needs a text and stars or a
// label; errors name the dataset and line.
func ReadJSONL(ctx context.Context, r io.Reader, dataset string) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("read %s: %w", dataset, err)
			}
		}
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		if line == 1 {
			b = []byte(strings.TrimPrefix(string(b), "\ufeff"))
		}
		var rec jsonlRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("read %s line %d: %w", dataset, line, err)
		}
		if rec.Text == nil {
			return nil, fmt.Errorf("read %s line %d: no \"text\"", dataset, line)
		}
		ex := Example{ID: rec.ID, Text: *rec.Text, Dataset: dataset}
		if s := strings.TrimSpace(string(rec.Stars)); s != "" && s != "null" {
			lv, err := voc.ParseLevel(s)
			if err != nil {
				return nil, fmt.Errorf("read %s line %d: stars: %w", dataset, line, err)
			}
			ex.Level = lv
		}
		if l := strings.TrimSpace(string(rec.Label)); l != "" && l != "null" {
			var pos bool
			switch strings.ToLower(strings.Trim(l, `"`)) {
			case "pos", "positive", "1", "true":
				pos = true
			case "neg", "negative", "0", "false":
			default:
				return nil, fmt.Errorf("read %s line %d: label %s: want pos or neg (or 1/0)", dataset, line, l)
			}
			ex.Positive = &pos
		}
		if !ex.Labelled() {
			return nil, fmt.Errorf("read %s line %d: neither stars nor label", dataset, line)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s line %d: %w", dataset, line+1, err)
	}
	return out, nil
}

// Bucket is the example's split bucket, 0-9, from a hash of its text
// (trimmed). Hashing the text rather than dataset and id puts a review that
// occurs in two corpora (ChnSentiCorp hotel reviews recur in
// online_shopping_10_cats) on the same side of every split.
//
// Bucket 0 is the held-out test split (Split); bucket 1 is the validation
// slice used for tuning and for calibrating the model inside Train.
func Bucket(ex Example) int {
	h := fnv.New64a()
	h.Write([]byte("voc-sentiment-split-v1\x00"))
	h.Write([]byte(strings.TrimSpace(ex.Text)))
	return int(h.Sum64() % 10)
}

// Split reports whether ex belongs to the held-out test split (10% of each
// corpus, bucket 0), which training must never see.
func Split(ex Example) (heldOut bool) { return Bucket(ex) == 0 }

// Class is ex's evaluation class: "1".."5" for star-rated examples, "neg"
// or "pos" for binary ones, "" when unlabelled.
func (ex Example) Class() string {
	switch {
	case ex.Level.Valid():
		return string(rune('0' + ex.Level))
	case ex.Positive != nil && *ex.Positive:
		return "pos"
	case ex.Positive != nil:
		return "neg"
	}
	return ""
}

// Balanced samples examples so that, within each dataset, every class
// (star level, or neg/pos for binary corpora) has as many examples as that
// dataset's rarest class. Datasets keep their own size; the sample is
// deterministic for a seed and independent of the input order.
func Balanced(examples []Example, seed int64) []Example {
	groups := map[string]map[string][]Example{}
	for _, ex := range examples {
		c := ex.Class()
		if c == "" {
			continue
		}
		if groups[ex.Dataset] == nil {
			groups[ex.Dataset] = map[string][]Example{}
		}
		groups[ex.Dataset][c] = append(groups[ex.Dataset][c], ex)
	}
	datasets := make([]string, 0, len(groups))
	for d := range groups {
		datasets = append(datasets, d)
	}
	sort.Strings(datasets)
	var out []Example
	for _, d := range datasets {
		classes := make([]string, 0, len(groups[d]))
		n := -1
		for c, exs := range groups[d] {
			classes = append(classes, c)
			if n < 0 || len(exs) < n {
				n = len(exs)
			}
		}
		sort.Strings(classes)
		for _, c := range classes {
			exs := append([]Example(nil), groups[d][c]...)
			sort.Slice(exs, func(i, j int) bool {
				if exs[i].ID != exs[j].ID {
					return exs[i].ID < exs[j].ID
				}
				return exs[i].Text < exs[j].Text
			})
			rng := rand.New(rand.NewPCG(uint64(seed), hashString(d+"\x00"+c)))
			rng.Shuffle(len(exs), func(i, j int) { exs[i], exs[j] = exs[j], exs[i] })
			out = append(out, exs[:n]...)
		}
	}
	return out
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
