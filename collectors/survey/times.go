package survey

import (
	"time"

	"github.com/voc-analytics/voc/collectors/tabular"
)

// ParseTime reads a submission time as survey tools write it: 问卷星
// "2026/11/3 14:05:09", ISO "2026-11-03 14:05" and "2026-11-03T14:05:09Z"
// (RFC 3339 offsets too), "2026年11月3日 14:05", US month-first
// "11/3/2026 14:05:09" and "11/03/2026 02:05:09 PM" (Google Forms,
// SurveyMonkey), date-only forms of all of these, and Excel serial day
// numbers (46329.59) as XLSX date cells hold them.
//
// Slashed dates with the year last are read month first, as the tools
// above write them; a day-first file needs layout. When layout (a Go time
// layout) is set it is the only form tried, so a mismatch is an error
// rather than a silent misreading. Times without a zone are in loc (nil
// is time.Local). Years outside 1900-2199 are refused as misreadings.
//
// It is tabular.ParseTime, kept here because callers of this package know
// it by this name.
func ParseTime(s string, loc *time.Location, layout string) (time.Time, error) {
	return tabular.ParseTime(s, loc, layout, false)
}

func parseTime(s string, loc *time.Location, layout string, date1904 bool) (time.Time, error) {
	return tabular.ParseTime(s, loc, layout, date1904)
}
