package reports

import (
	"testing"
	"time"
)

func TestParseWeek(t *testing.T) {
	tests := []struct {
		in      string
		want    Week
		wantErr bool
	}{
		{"2026-W47", Week{2026, 47}, false},
		{"2026w01", Week{2026, 1}, false},
		{" 2020-W53 ", Week{2020, 53}, false}, // 2020 has 53 ISO weeks
		{"2026-W53", Week{2026, 53}, false},   // 2026 starts on a Thursday
		{"2025-W53", Week{}, true},            // 2025 has 52
		{"2026-W00", Week{}, true},
		{"2026-47", Week{}, true},
		{"26-W47", Week{}, true},
		{"2026-W4", Week{}, true},
		{"", Week{}, true},
	}
	for _, tc := range tests {
		got, err := ParseWeek(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseWeek(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestWeekPeriodInZone(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		w          Week
		loc        *time.Location
		start, end string // UTC
	}{
		{Week{2026, 47}, sh, "2026-11-15T16:00:00Z", "2026-11-22T16:00:00Z"},
		{Week{2026, 1}, sh, "2025-12-28T16:00:00Z", "2026-01-04T16:00:00Z"}, // week 1 starts in December
		{Week{2021, 1}, time.UTC, "2021-01-04T00:00:00Z", "2021-01-11T00:00:00Z"},
		// The week of the DST change in New York is 167 hours long.
		{Week{2026, 10}, ny, "2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z"},
	}
	for _, tc := range tests {
		p := tc.w.Period(tc.loc)
		if got := p.Start.UTC().Format(time.RFC3339); got != tc.start {
			t.Errorf("%v in %v starts %s, want %s", tc.w, tc.loc, got, tc.start)
		}
		if got := p.End.UTC().Format(time.RFC3339); got != tc.end {
			t.Errorf("%v in %v ends %s, want %s", tc.w, tc.loc, got, tc.end)
		}
	}
}

func TestLastCompleteWeek(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		now  string
		want Week
	}{
		// Sunday 23:30 in Shanghai is still week 47 there: last complete is 46.
		{"2026-11-22T15:30:00Z", Week{2026, 46}},
		// Monday 00:30 in Shanghai (Sunday in UTC): week 47 is complete.
		{"2026-11-22T16:30:00Z", Week{2026, 47}},
		{"2026-01-01T00:00:00Z", Week{2025, 52}},
	}
	for _, tc := range tests {
		now, _ := time.Parse(time.RFC3339, tc.now)
		if got := LastCompleteWeek(now, sh); got != tc.want {
			t.Errorf("LastCompleteWeek(%s) = %v, want %v", tc.now, got, tc.want)
		}
	}
	if got := (Week{2026, 1}).Add(-1); got != (Week{2025, 52}) {
		t.Errorf("2026-W01 - 1 = %v", got)
	}
}
