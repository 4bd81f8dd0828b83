package collectors

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/voc-analytics/voc"
)

// Rating is a rating as a page wrote it: Value on a scale from 0 to Scale.
type Rating struct {
	Value float64
	Scale float64
}

// ErrNoRating reports text with no rating in it.
var ErrNoRating = errors.New("no rating")

var (
	// "width: 80%" (a bar of filled stars), "80%".
	ratingPercent = regexp.MustCompile(`(?i)(?:width\s*:\s*)?(\d{1,3}(?:\.\d+)?)\s*%`)
	// "4/5", "8.5 / 10", "4 out of 5", "4.0 of 5 stars".
	ratingOutOf = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)\s*(?:/|out\s+of|of)\s*(\d+(?:[.,]\d+)?)`)
	// Class names: star-4, stars-4-5, star45, sa40, rating-5, a-star-4-5, score5.
	ratingClass = regexp.MustCompile(`(?i)(?:^|[\s_-])(?:a-)?(?:stars?|rating|rate|score|sa|rank|grade)[-_]?(\d)(?:[-_](\d)|(\d))?(?:$|[\s_-])`)
	// A bare number, possibly with a unit: "4", "4.0", "4,5", "4星", "4.5分", "4 stars".
	ratingNumber = regexp.MustCompile(`(\d+(?:[.,]\d+)?)`)
)

var chineseDigits = map[rune]float64{'一': 1, '二': 2, '两': 2, '兩': 2, '三': 3, '四': 4, '五': 5}

// ParseRating reads a rating in the forms shop pages write it: a number
// ("4", "4.0", "4,5", "4星", "4.5分"), a fraction ("4/5", "8 out of 10"),
// star glyphs ("★★★★☆", scale = number of glyphs), a CSS width or
// percentage ("width:80%", scale 100), a class name ("star-4", "star-4-5",
// "sa40" = 4.0, "rating-5") or Chinese numerals ("五星", "四颗星").
// scale is the scale of bare numbers (5 when 0).
func ParseRating(s string, scale float64) (Rating, error) {
	if scale <= 0 {
		scale = 5
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return Rating{}, ErrNoRating
	}
	if len(t) > 512 {
		t = t[:512]
	}
	if full, empty, half := countStars(t); full+empty+half > 0 {
		total := float64(full + empty + half)
		if total < 3 { // "★ 4" or a lone decoration: not a star bar
			if r, err := parseNumber(t, scale); err == nil {
				return r, nil
			}
		}
		if total < 3 {
			total = 5
		}
		return Rating{Value: float64(full) + 0.5*float64(half), Scale: total}, nil
	}
	if m := ratingPercent.FindStringSubmatch(t); m != nil {
		v, err := strconv.ParseFloat(m[1], 64)
		if err == nil && v <= 100 {
			return Rating{Value: v, Scale: 100}, nil
		}
	}
	if m := ratingOutOf.FindStringSubmatch(t); m != nil {
		v, err1 := parseFloat(m[1])
		sc, err2 := parseFloat(m[2])
		if err1 == nil && err2 == nil && sc > 0 && v <= sc {
			return Rating{Value: v, Scale: sc}, nil
		}
	}
	if m := ratingClass.FindStringSubmatch(t); m != nil {
		whole, _ := strconv.Atoi(m[1])
		v := float64(whole)
		switch {
		case m[2] != "": // star-4-5
			frac, _ := strconv.Atoi(m[2])
			v += float64(frac) / 10
		case m[3] != "": // sa45, star50: tenths
			frac, _ := strconv.Atoi(m[3])
			v = (float64(whole)*10 + float64(frac)) / 10
		}
		if v <= 5 {
			return Rating{Value: v, Scale: 5}, nil
		}
	}
	for _, r := range t {
		if v, ok := chineseDigits[r]; ok && (strings.ContainsAny(t, "星颗顆分")) {
			return Rating{Value: v, Scale: 5}, nil
		}
	}
	return parseNumber(t, scale)
}

func parseNumber(t string, scale float64) (Rating, error) {
	m := ratingNumber.FindString(t)
	if m == "" {
		return Rating{}, fmt.Errorf("rating %q: %w", clip(t), ErrNoRating)
	}
	v, err := parseFloat(m)
	if err != nil {
		return Rating{}, fmt.Errorf("rating %q: %w", clip(t), err)
	}
	if v > scale {
		return Rating{}, fmt.Errorf("rating %q: %g is above the scale of %g", clip(t), v, scale)
	}
	return Rating{Value: v, Scale: scale}, nil
}

func parseFloat(s string) (float64, error) {
	return strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
}

func countStars(t string) (full, empty, half int) {
	for _, r := range t {
		switch r {
		case '★', '⭐', '✭', '✮', '✪':
			full++
		case '☆', '✩':
			empty++
		case '⯪', '⯫':
			half++
		}
	}
	return
}

// Level maps the rating onto the five levels: five-star ratings directly,
// other scales in proportion (8/10 and 80% are 4). Half points round up
// (4.5 stars is 5). Zero means "not rated" (an empty star bar) and gives
// voc.LevelNone.
func (r Rating) Level() voc.Level {
	if r.Scale <= 0 || r.Value <= 0 || math.IsNaN(r.Value) {
		return voc.LevelNone
	}
	l := math.Floor(r.Value/r.Scale*5 + 0.5 + 1e-9)
	return voc.Level(max(1, min(5, l)))
}

func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if (s[i] & 0xC0) != 0x80 {
			return s[:i] + "…"
		}
	}
	return s[:n]
}
