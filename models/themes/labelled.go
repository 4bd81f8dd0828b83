package themes

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Labelled is one review with the labels a careful reader gave it under
// the theme contract (shared THEMES.md): the themes it complains about,
// whether it complains at all, and whether it escalates.
//
// The project's real-review set (labels/real.jsonl) stores ids and labels
// only; callers join the text from the corpus it came from. Other labelled
// files may carry the text on each line.
type Labelled struct {
	ID    string `json:"id"`
	Text  string `json:"text,omitempty"`
	Split string `json:"split,omitempty"` // "tune" or "measure" in the real set
	// Complaint is nil when the labeller did not say (older sets); it is
	// then taken to be "has a theme or escalates".
	Complaint  *bool    `json:"complaint,omitempty"`
	Themes     []string `json:"themes"`
	Escalation bool     `json:"escalation"`
	// Stars and Label are the corpus's own rating, when known: they say
	// which reviews are negative (1-2 stars or "neg").
	Stars *int   `json:"stars,omitempty"`
	Label string `json:"label,omitempty"`
	// Stratum says how the review was drawn. Reviews drawn for words of a
	// theme ("enriched:stock_out") teach the model its rare themes but are
	// not how reviews arrive, so thresholds are not calibrated on them.
	Stratum string `json:"stratum,omitempty"`
}

// Enriched reports whether the review was drawn for a theme's words.
func (l Labelled) Enriched() bool { return strings.HasPrefix(l.Stratum, "enriched:") }

// Complains reports the complaint label, defaulting as Complaint says.
func (l Labelled) Complains() bool {
	if l.Complaint != nil {
		return *l.Complaint
	}
	return len(l.Themes) > 0 || l.Escalation
}

// Negative reports whether the corpus rates the review negative; ok is
// false when it carries no rating.
func (l Labelled) Negative() (neg, ok bool) {
	switch {
	case l.Stars != nil:
		return *l.Stars <= 2, true
	case l.Label == "neg", l.Label == "pos":
		return l.Label == "neg", true
	}
	return false, false
}

// maxLabelledLine bounds one line of a labelled file.
const maxLabelledLine = 1 << 20

// ReadLabelled reads labelled JSON lines. Themes may be ids ("quality") or
// objects {"theme": "quality", "polarity": "complaint"}, of which only
// complaints are kept. name is used in errors, which give the line.
func ReadLabelled(ctx context.Context, r io.Reader, name string) ([]Labelled, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLabelledLine)
	var out []Labelled
	for line := 1; sc.Scan(); line++ {
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var raw struct {
			Labelled
			Themes []json.RawMessage `json:"themes"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		l := raw.Labelled
		l.Themes = nil
		for _, t := range raw.Themes {
			var id string
			if json.Unmarshal(t, &id) == nil {
				l.Themes = append(l.Themes, id)
				continue
			}
			var obj struct{ Theme, Polarity string }
			if err := json.Unmarshal(t, &obj); err != nil || obj.Theme == "" {
				return nil, fmt.Errorf("%s line %d: a theme must be an id or {\"theme\", \"polarity\"}", name, line)
			}
			if obj.Polarity == "" || obj.Polarity == Complaint {
				l.Themes = append(l.Themes, obj.Theme)
			}
		}
		slices.Sort(l.Themes)
		l.Themes = slices.Compact(l.Themes)
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s line %d: longer than %d bytes", name, len(out)+1, maxLabelledLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}
