package collectors

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrNoDate reports text with no date voc can read.
var ErrNoDate = errors.New("no date")

var (
	dateRelative = regexp.MustCompile(`(?i)^(\d+|一|两|兩|半|an?|one)\s*(秒|分钟|分鐘|分|小时|小時|个小时|個小時|天|日|周|週|星期|个月|個月|月|年|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s*(?:前|以前|之前|ago)$`)
	dateDayWord  = regexp.MustCompile(`(?i)^(今天|今日|昨天|昨日|前天|today|yesterday)\s*(\d{1,2}:\d{2}(?::\d{2})?)?$`)
	dateCJK      = regexp.MustCompile(`^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?\s*(?:(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$`)
	dateNumeric  = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$`)
	dateMonthDay = regexp.MustCompile(`^(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$`)
	dateEpoch    = regexp.MustCompile(`^\d{10}(?:\d{3})?$`)
	datePrefix   = regexp.MustCompile(`(?i)^(?:发表于|發表於|评论于|評論於|评价于|評價於|发布于|發佈於|发布时间[:：]?|時間[:：]?|时间[:：]?|posted on|reviewed on|reviewed|posted|on|date[:：]?)\s*`)
	dateOn       = regexp.MustCompile(`(?i)^reviewed in .+? on\s+`)
)

var englishLayouts = []string{
	"Jan 2, 2006", "January 2, 2006", "Jan 2 2006", "January 2 2006",
	"2 Jan 2006", "2 January 2006", "Jan. 2, 2006", "Monday, January 2, 2006",
	"Jan 2, 2006 3:04 PM", "January 2, 2006 3:04 PM", "Jan 2, 2006 15:04",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05Z07:00",
	"Mon, 02 Jan 2006 15:04:05 MST", "Mon, 02 Jan 2006 15:04:05 -0700",
}

// ParseDate reads a review date as shops write it: ISO ("2024-03-05",
// "2024-03-05 12:01", RFC 3339), slashed or dotted ("2024/3/5",
// "2024.03.05"), Chinese ("2024年3月5日 12:01", or "3月5日" in the current
// year), month-day ("03-05 12:01"), relative ("3天前", "5小時前", "刚刚",
// "昨天 12:01", "2 days ago", "yesterday"), English ("Mar 5, 2024",
// "5 March 2024", "Reviewed in the United States on March 5, 2024") and
// Unix seconds or milliseconds. Prefixes such as 发表于 are skipped.
//
// Relative dates count back from now: whole days and longer from the start
// of now's day, so "3天前" read today and "4天前" read tomorrow give the
// same time. Times without a zone are in loc (nil is UTC). layout, when
// set, is tried first. Years outside 1990-2199 are refused as misreadings.
func ParseDate(s string, now time.Time, loc *time.Location, layout string) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t := strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	if len(t) > 200 {
		return time.Time{}, fmt.Errorf("date %q: too long: %w", clip(t), ErrNoDate)
	}
	if layout != "" {
		if d, err := time.ParseInLocation(layout, t, loc); err == nil {
			return checkYear(s, d)
		}
	}
	t = dateOn.ReplaceAllString(t, "")
	t = strings.TrimSpace(datePrefix.ReplaceAllString(t, ""))
	t = strings.Join(strings.Fields(t), " ")
	if t == "" {
		return time.Time{}, fmt.Errorf("date %q: %w", clip(s), ErrNoDate)
	}
	now = now.In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch strings.ToLower(t) {
	case "刚刚", "剛剛", "just now", "now", "moments ago":
		return now, nil
	}
	if m := dateRelative.FindStringSubmatch(t); m != nil {
		n := 0
		switch strings.ToLower(m[1]) {
		case "一", "a", "an", "one":
			n = 1
		case "两", "兩":
			n = 2
		case "半": // 半小时前, 半年前: round to the smaller unit below
			n = 0
		default:
			var err error
			if n, err = strconv.Atoi(m[1]); err != nil || n > 100000 {
				return time.Time{}, fmt.Errorf("date %q: %w", clip(s), ErrNoDate)
			}
		}
		u := strings.ToLower(m[2])
		switch {
		case strings.HasPrefix(u, "sec") || u == "秒":
			return now.Add(-time.Duration(n) * time.Second), nil
		case strings.HasPrefix(u, "min") || u == "分钟" || u == "分鐘" || u == "分":
			return now.Add(-time.Duration(n) * time.Minute).Truncate(time.Minute), nil
		case strings.HasPrefix(u, "h") || strings.Contains(u, "小时") || strings.Contains(u, "小時"):
			if m[1] == "半" {
				return now.Add(-30 * time.Minute).Truncate(time.Minute), nil
			}
			return now.Add(-time.Duration(n) * time.Hour).Truncate(time.Hour), nil
		case strings.HasPrefix(u, "day") || u == "天" || u == "日":
			return checkYear(s, day.AddDate(0, 0, -n))
		case strings.HasPrefix(u, "week") || u == "周" || u == "週" || u == "星期":
			return checkYear(s, day.AddDate(0, 0, -7*n))
		case strings.HasPrefix(u, "month") || strings.Contains(u, "月"):
			if m[1] == "半" {
				return checkYear(s, day.AddDate(0, 0, -15))
			}
			return checkYear(s, day.AddDate(0, -n, 0))
		default: // years
			if m[1] == "半" {
				return checkYear(s, day.AddDate(0, -6, 0))
			}
			return checkYear(s, day.AddDate(-n, 0, 0))
		}
	}
	if m := dateDayWord.FindStringSubmatch(t); m != nil {
		d := day
		switch strings.ToLower(m[1]) {
		case "昨天", "昨日", "yesterday":
			d = day.AddDate(0, 0, -1)
		case "前天":
			d = day.AddDate(0, 0, -2)
		}
		if m[2] != "" {
			clock, err := time.Parse("15:04", m[2][:min(5, len(m[2]))])
			if err != nil {
				return time.Time{}, fmt.Errorf("date %q: %w", clip(s), ErrNoDate)
			}
			d = d.Add(time.Duration(clock.Hour())*time.Hour + time.Duration(clock.Minute())*time.Minute)
		}
		return d, nil
	}
	if dateEpoch.MatchString(t) {
		n, _ := strconv.ParseInt(t, 10, 64)
		if len(t) == 13 {
			return checkYear(s, time.UnixMilli(n).In(loc))
		}
		return checkYear(s, time.Unix(n, 0).In(loc))
	}
	if m := dateCJK.FindStringSubmatch(t); m != nil {
		year := now.Year()
		if m[1] != "" {
			year, _ = strconv.Atoi(m[1])
		}
		d, err := civil(s, year, m[2], m[3], m[4], m[5], m[6], loc)
		if err == nil && m[1] == "" && d.After(now) {
			d = d.AddDate(-1, 0, 0) // "12月30日" read in January is last year's
		}
		return d, err
	}
	if m := dateNumeric.FindStringSubmatch(t); m != nil {
		year, _ := strconv.Atoi(m[1])
		return civil(s, year, m[2], m[3], m[4], m[5], m[6], loc)
	}
	if m := dateMonthDay.FindStringSubmatch(t); m != nil {
		d, err := civil(s, now.Year(), m[1], m[2], m[3], m[4], "", loc)
		if err == nil && d.After(now) {
			d = d.AddDate(-1, 0, 0)
		}
		return d, err
	}
	for _, l := range englishLayouts {
		if d, err := time.ParseInLocation(l, t, loc); err == nil {
			return checkYear(s, d)
		}
	}
	return time.Time{}, fmt.Errorf("date %q: %w", clip(s), ErrNoDate)
}

func civil(orig string, year int, mon, day, hour, minute, sec string, loc *time.Location) (time.Time, error) {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	mo, d, h, mi, se := atoi(mon), atoi(day), atoi(hour), atoi(minute), atoi(sec)
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 {
		return time.Time{}, fmt.Errorf("date %q: out of range: %w", clip(orig), ErrNoDate)
	}
	t := time.Date(year, time.Month(mo), d, h, mi, se, 0, loc)
	if t.Day() != d { // 2月30日
		return time.Time{}, fmt.Errorf("date %q: no such day: %w", clip(orig), ErrNoDate)
	}
	return checkYear(orig, t)
}

func checkYear(orig string, t time.Time) (time.Time, error) {
	if y := t.Year(); y < 1990 || y > 2199 {
		return time.Time{}, fmt.Errorf("date %q: year %d is not plausible: %w", clip(orig), y, ErrNoDate)
	}
	return t, nil
}
