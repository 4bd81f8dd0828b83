package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadSchedule reads a voc.yaml and returns its schedule section.
func loadSchedule(path string) (Schedule, error) {
	c, err := Load(path, false)
	if err != nil {
		return Schedule{}, err
	}
	return c.Schedule, nil
}

func TestSchedule(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Missing file or section: defaults.
	for _, p := range []string{filepath.Join(dir, "none.yaml"), write("nosched.yaml", "db: x.duckdb\n")} {
		s, err := loadSchedule(p)
		if err != nil {
			t.Fatalf("load %s: %v", p, err)
		}
		if s.GraceOrDefault() != DefaultGrace || s.LockWaitOrDefault() != DefaultLockWait || s.Pipeline.CronOr(DefaultPipelineCron) != "@every 6h" ||
			!s.Report.IsCatchUp() || s.Collect.ForSource("shop").Cron != DefaultCollectCron {
			t.Errorf("defaults from %s: %+v", p, s)
		}
	}

	s, err := loadSchedule(write("voc.yaml", `
db: voc.duckdb
timezone: Asia/Shanghai
sources:
  tmall:
    type: file
    file: {dir: inbox/tmall}
  jd:
    type: file
    file: {dir: inbox/jd}
schedule:
  timezone: Asia/Taipei
  grace: 2m
  lock_wait: 10s
  hold_warehouse: true
  collect:
    cron: "0 */4 * * *"
    catch_up: false
    sources:
      tmall:
        cron: "*/30 * * * *"
      jd:
        off: true
  pipeline:
    cron: "15 */4 * * *"
  report:
    cron: "CRON_TZ=Asia/Shanghai 0 8 * * 1"
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Grace != 2*time.Minute || s.LockWait != 10*time.Second || !s.HoldWarehouse {
		t.Errorf("durations and hold: %+v", s)
	}
	if loc, err := s.Location("Asia/Shanghai"); err != nil || loc.String() != "Asia/Taipei" {
		t.Errorf("Location = %v, %v; want the schedule's own zone", loc, err)
	}
	if loc, _ := (Schedule{}).Location("Asia/Shanghai"); loc.String() != "Asia/Shanghai" {
		t.Errorf("Location falls back to %v, want the top-level zone", loc)
	}
	tm, jd, other := s.Collect.ForSource("tmall"), s.Collect.ForSource("jd"), s.Collect.ForSource("appstore")
	if tm.Cron != "*/30 * * * *" || tm.IsCatchUp() || tm.Off {
		t.Errorf("tmall = %+v, want its own cron and the collect catch_up (false)", tm)
	}
	if !jd.Off || jd.Cron != "0 */4 * * *" {
		t.Errorf("jd = %+v, want off", jd)
	}
	if other.Cron != "0 */4 * * *" || other.IsCatchUp() {
		t.Errorf("a source without override = %+v", other)
	}
	if s.Report.Cron != "CRON_TZ=Asia/Shanghai 0 8 * * 1" || !s.Report.IsCatchUp() {
		t.Errorf("report = %+v", s.Report)
	}
	if err := s.Validate(map[string]Source{"tmall": {}, "jd": {}}); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if err := s.Validate(map[string]Source{"tmall": {}}); err == nil || !strings.Contains(err.Error(), "schedule.collect.sources.jd") {
		t.Errorf("Validate with an unknown source: %v", err)
	}

	for name, text := range map[string]string{
		"misspelt key":   "schedule:\n  pipline:\n    cron: \"@hourly\"\n",
		"bad duration":   "schedule:\n  grace: soon\n",
		"not a mapping":  "schedule: daily\n",
		"bad yaml":       "schedule:\n  grace: [\n",
		"bad time zone":  "schedule:\n  timezone: Mars/Olympus\n",
		"negative grace": "schedule:\n  grace: -1s\n",
	} {
		s, err := loadSchedule(write("bad.yaml", text))
		if err == nil {
			err = s.Validate(nil)
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "schedule") && !(strings.Contains(err.Error(), "bad.yaml") && strings.Contains(err.Error(), "line ")) {
			t.Errorf("%s: error %q does not say where", name, err)
		}
	}
}
