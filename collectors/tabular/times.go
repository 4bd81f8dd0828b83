package tabular

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a timestamp as office tools write it: 问卷星 and
// helpdesk exports "2026/11/3 14:05:09", ISO "2026-11-03 14:05" and
// "2026-11-03T14:05:09Z" (RFC 3339 offsets too), "2026年11月3日 14:05",
// US month-first "11/3/2026 14:05:09" and "11/03/2026 02:05:09 PM"
// (Google Forms, SurveyMonkey), date-only forms of all of these, and Excel
// serial day numbers (46329.59) as XLSX date cells hold them (counted from
// 1904 when date1904 is set, see File.Date1904).
//
// Slashed dates with the year last are read month first, as the tools
// above write them; a day-first file needs layout. When layout (a Go time
// layout) is set it is the only form tried, so a mismatch is an error
// rather than a silent misreading. Times without a zone are in loc (nil
// is time.Local). Years outside 1900-2199 are refused as misreadings.
func ParseTime(s string, loc *time.Location, layout string, date1904 bool) (time.Time, error) {
	return parseTime(s, loc, layout, date1904)
}

// timeLayouts are tried in order on the normalised text (see
// normaliseTime): date separators are "-" by then, and AM/PM upper case.
var timeLayouts = []string{
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006-1-2T15:04:05Z07:00",
	"2006-1-2T15:04:05",
	"2006-1-2T15:04Z07:00",
	"2006-1-2T15:04",
	"2006-1-2 15:04:05Z07:00",
	"2006-1-2 15:04:05 Z07:00",
	"2006-1-2 15:04:05 -0700",
	"2006-1-2T15:04:05-0700",
	"2006-1-2 3:04:05 PM",
	"2006-1-2 3:04 PM",
	"2006-1-2",
	"1-2-2006 15:04:05",
	"1-2-2006 15:04",
	"1-2-2006 3:04:05 PM",
	"1-2-2006 3:04 PM",
	"1-2-2006",
	"20060102 150405",
	"20060102",
}

func parseTime(s string, loc *time.Location, layout string, date1904 bool) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	if t, ok := excelSerial(s, loc, date1904); ok {
		return checkYear(s, t)
	}
	if layout != "" {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q does not match layout %q", s, layout)
		}
		return checkYear(s, t)
	}
	n := normaliseTime(s)
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, n, loc); err == nil {
			return checkYear(s, t)
		}
	}
	return time.Time{}, fmt.Errorf("time %q is in no form voc reads (e.g. 2026-11-03 14:05:09); set date_format in the mapping", s)
}

func checkYear(s string, t time.Time) (time.Time, error) {
	if y := t.Year(); y < 1900 || y >= 2200 {
		return time.Time{}, fmt.Errorf("time %q: year %d out of range 1900-2199", s, y)
	}
	return t, nil
}

var timeReplacer = strings.NewReplacer("年", "-", "月", "-", "日", " ", "号", " ", "時", ":", "时", ":", "点", ":", "分", ":", "秒", "",
	"下午", " ", "上午", " ", "晚上", " ", "早上", " ", "/", "-")

// normaliseTime rewrites the variants into the forms of timeLayouts:
// 年/月/日 and "/" or "." in the date become "-", 时/分/秒 become ":",
// 上午/下午 become AM/PM, runs of spaces one space, letters upper case.
func normaliseTime(s string) string {
	pm := ""
	if strings.Contains(s, "下午") || strings.Contains(s, "晚上") {
		pm = " PM"
	} else if strings.Contains(s, "上午") || strings.Contains(s, "早上") {
		pm = " AM"
	}
	s = timeReplacer.Replace(s)
	// dots separate date parts only before the time part
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = strings.ReplaceAll(s[:i], ".", "-") + s[i:]
	} else if !strings.Contains(s, ":") {
		s = strings.ReplaceAll(s, ".", "-")
	}
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, ":")
	s = strings.ReplaceAll(s, ": ", ":")
	s = strings.ReplaceAll(s, " :", ":")
	if pm != "" && !strings.Contains(strings.ToUpper(s), "M") {
		s += pm
	}
	return strings.ToUpper(s)
}

// Numbers read as Excel serials: 1970-01-01 and later (checkYear then
// refuses years past 2199). The lower bound keeps small numbers (a row
// number, "2026") from passing for dates.
const (
	minExcelSerial = 25569
	maxExcelSerial = 2958465
)

// excelSerial reads an Excel date serial: days since 1899-12-30 (or
// 1904-01-01 for 1904-based workbooks), the fraction being the time of day
// on the wall clock of loc. Rounded to the second, as survey tools record.
func excelSerial(s string, loc *time.Location, date1904 bool) (time.Time, bool) {
	if s == "" || (s[0] < '0' || s[0] > '9') {
		return time.Time{}, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < minExcelSerial || v > maxExcelSerial {
		return time.Time{}, false
	}
	days := math.Floor(v)
	secs := int(math.Round((v - days) * 86400))
	y, m, d := 1899, time.December, 30
	if date1904 {
		y, m, d = 1904, time.January, 1
	}
	return time.Date(y, m, d+int(days), 0, 0, secs, 0, loc), true
}
