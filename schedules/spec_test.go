package schedules

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseSpec(t *testing.T) {
	shanghai := mustLoc(t, "Asia/Shanghai")
	berlin := mustLoc(t, "Europe/Berlin")
	// Monday 2 March 2026, 07:00 in Shanghai.
	mon7 := time.Date(2026, 3, 2, 7, 0, 0, 0, shanghai)
	tests := []struct {
		spec string
		loc  *time.Location
		from time.Time
		want time.Time
	}{
		{"0 8 * * 1", shanghai, mon7, time.Date(2026, 3, 2, 8, 0, 0, 0, shanghai)},
		{"0 8 * * 1", shanghai, mon7.Add(2 * time.Hour), time.Date(2026, 3, 9, 8, 0, 0, 0, shanghai)},
		// The same instant read in UTC: 07:00 CST is 23:00 UTC on Sunday.
		{"0 8 * * 1", time.UTC, mon7, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)},
		// CRON_TZ in the spec beats the daemon's zone.
		{"CRON_TZ=Europe/Berlin 0 8 * * 1", shanghai, mon7, time.Date(2026, 3, 2, 8, 0, 0, 0, berlin)},
		{"TZ=Europe/Berlin 30 6 * * *", shanghai, mon7, time.Date(2026, 3, 2, 6, 30, 0, 0, berlin)},
		// An optional seconds field in front.
		{"*/5 * * * * *", time.UTC, time.Date(2026, 3, 2, 0, 0, 2, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 5, 0, time.UTC)},
		{"30 0 8 * * 1", shanghai, mon7, time.Date(2026, 3, 2, 8, 0, 30, 0, shanghai)},
		{"@every 6h", shanghai, mon7, mon7.Add(6 * time.Hour)},
		{"@daily", shanghai, mon7, time.Date(2026, 3, 3, 0, 0, 0, 0, shanghai)},
		{"@weekly", shanghai, mon7, time.Date(2026, 3, 8, 0, 0, 0, 0, shanghai)}, // Sunday midnight
	}
	for _, tt := range tests {
		s, err := ParseSpec(tt.spec, tt.loc)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tt.spec, err)
			continue
		}
		if got := s.Next(tt.from); !got.Equal(tt.want) {
			t.Errorf("ParseSpec(%q, %v).Next(%v) = %v, want %v", tt.spec, tt.loc, tt.from, got, tt.want)
		}
	}
	for _, bad := range []string{"", "every day", "61 * * * *", "* * * * * * *", "@every", "CRON_TZ=Mars/Olympus 0 8 * * *"} {
		if _, err := ParseSpec(bad, time.UTC); err == nil {
			t.Errorf("ParseSpec(%q): no error", bad)
		} else if !strings.Contains(err.Error(), "cron spec") {
			t.Errorf("ParseSpec(%q): error %q does not say what was wrong", bad, err)
		}
	}
}

func TestFirstDue(t *testing.T) {
	weekly, _ := ParseSpec("0 8 * * 1", time.UTC)
	every, _ := ParseSpec("@every 6h", time.UTC)
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // Wednesday noon
	tests := []struct {
		name       string
		s          Schedule
		last       time.Time
		wantNext   time.Time
		wantMissed bool
	}{
		{"weekly, last run this Monday 08:00", weekly, time.Date(2026, 3, 2, 8, 0, 1, 0, time.UTC), time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC), false},
		{"weekly, last run the Sunday before: Monday missed", weekly, time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC), true},
		{"weekly, never ran", weekly, time.Time{}, time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC), false},
		{"every 6h, last run 2h ago: counts from it", every, now.Add(-2 * time.Hour), now.Add(4 * time.Hour), false},
		{"every 6h, last run 7h ago", every, now.Add(-7 * time.Hour), now.Add(6 * time.Hour), true},
		{"every 6h, due exactly now", every, now.Add(-6 * time.Hour), now.Add(6 * time.Hour), true},
	}
	for _, tt := range tests {
		next, missed := firstDue(tt.s, tt.last, now)
		if !next.Equal(tt.wantNext) || missed != tt.wantMissed {
			t.Errorf("%s: firstDue = %v, %v; want %v, %v", tt.name, next, missed, tt.wantNext, tt.wantMissed)
		}
	}
}

func TestOrder(t *testing.T) {
	jobs := []Job{
		{Name: "report", After: []string{"pipeline"}},
		{Name: "pipeline", After: []string{"collect", "import"}}, // no import job: ignored
		{Name: "collect", Source: "shop-b"},
		{Name: "collect", Source: "shop-a", After: []string{"collect shop-b"}},
	}
	got, err := order(jobs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, j := range got {
		ids = append(ids, j.ID())
	}
	if want := "collect shop-b,collect shop-a,pipeline,report"; strings.Join(ids, ",") != want {
		t.Errorf("order = %s, want %s", strings.Join(ids, ","), want)
	}
	_, err = order([]Job{{Name: "a", After: []string{"b"}}, {Name: "b", After: []string{"a"}}})
	if err == nil || !strings.Contains(err.Error(), "circle") {
		t.Errorf("cycle: err = %v", err)
	}
}
