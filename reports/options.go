package reports

import (
	"github.com/voc-analytics/voc/warehouse"
	"strings"
	"time"
)

// ThemeInfo names a complaint theme and says who owns it. Reports take
// themes as input rather than reading the taxonomy themselves: the taxonomy
// belongs to models/themes and a user's voc.yaml, and reports must not
// depend on either. A theme the list does not know is shown by its id.
type ThemeInfo struct {
	ID     string
	NameZH string
	NameEN string
	Owner  string // department a complaint on the theme is routed to
}

// Name is the theme's name in lang, falling back to the other language and
// then to the id.
func (t ThemeInfo) Name(lang string) string {
	first, second := t.NameEN, t.NameZH
	if isZH(lang) {
		first, second = t.NameZH, t.NameEN
	}
	for _, s := range []string{first, second} {
		if s != "" {
			return s
		}
	}
	return t.ID
}

// Options says how to build a report. The zero value works: English,
// UTC weeks, themes shown by id.
type Options struct {
	// Lang is "zh" or "en" (anything not starting with "zh" is English).
	Lang string
	// Location is the zone whose Mondays start the weeks; it must be the
	// zone the pipeline computed theme_weeks in (voc.yaml's timezone).
	// Nil means UTC.
	Location *time.Location
	// Themes names and owners of the taxonomy's themes.
	Themes []ThemeInfo
	// TrendWeeks is how many weeks the trend charts and theme pages cover,
	// the report's week included; 0 means 12.
	TrendWeeks int
	// MaxThemeItems caps the items embedded in a theme page (newest first);
	// 0 means 2000. The page says how many were left out.
	MaxThemeItems int
	// Now is the clock, for the "generated at" line; nil means time.Now.
	Now func() time.Time
	// Complaints are the service levels and windows complaint handling is
	// measured with (its Location and Now are set per week).
	Complaints warehouse.ComplaintOptions
	// AtRiskSilence is how long a customer whose last word was a 1-2 must
	// have been silent to be listed as at risk; 0 means 30 days.
	AtRiskSilence time.Duration
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if isZH(o.Lang) {
		o.Lang = "zh"
	} else {
		o.Lang = "en"
	}
	if o.TrendWeeks <= 0 {
		o.TrendWeeks = 12
	}
	if o.MaxThemeItems <= 0 {
		o.MaxThemeItems = 2000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (o Options) theme(id string) ThemeInfo {
	for _, t := range o.Themes {
		if t.ID == id {
			return t
		}
	}
	return ThemeInfo{ID: id}
}

// knownTheme reports whether id is a theme of the taxonomy (any id when
// the options list none, as in tests that build pages directly).
func (o Options) knownTheme(id string) bool {
	if len(o.Themes) == 0 {
		return id != ""
	}
	for _, t := range o.Themes {
		if t.ID == id {
			return true
		}
	}
	return false
}

func isZH(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "zh") }
