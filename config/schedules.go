package config

import (
	"fmt"
	"time"
)

// Schedule is the schedule: section of voc.yaml: when `voc schedule` runs
// each job, and how the daemon shares the warehouse. The zero value gets
// the defaults documented in voc.yaml (see the Default* constants).
type Schedule struct {
	// Timezone of the cron specs that do not name one with CRON_TZ=.
	// Empty means the top-level timezone, and when that is empty too,
	// the machine's zone.
	Timezone string `yaml:"timezone"`
	// Grace is how long a running job may take to finish after SIGINT or
	// SIGTERM before it is cancelled (default 30s).
	Grace time.Duration `yaml:"grace"`
	// LockWait is how long a job waits for the warehouse while another
	// process (a `voc import`, say) holds it, before it fails (default 1m).
	LockWait time.Duration `yaml:"lock_wait"`
	// HoldWarehouse keeps the warehouse open read-write for the daemon's
	// whole life. Default false: the daemon opens it only while a job
	// runs, so `voc query`, `voc status` and other tools can read it in
	// between (DuckDB lets no reader in while a writer holds the file).
	HoldWarehouse bool `yaml:"hold_warehouse"`

	// Collect is the schedule of `voc collect`, one job per source of a
	// collector type; Sources overrides it per source.
	Collect CollectSchedule `yaml:"collect"`
	// Pipeline scores and tags what the collects stored; when it falls due
	// together with collects, it runs after them.
	Pipeline JobSchedule `yaml:"pipeline"`
	// Report writes the weekly report; it runs after the pipeline when
	// both fall due together.
	Report JobSchedule `yaml:"report"`
}

// JobSchedule is when one job runs.
type JobSchedule struct {
	// Cron is a cron spec: five fields (minute hour day-of-month month
	// day-of-week), or six with seconds first, or a descriptor (@hourly,
	// @daily, @weekly, @every 6h); CRON_TZ=Asia/Shanghai in front names
	// its time zone. Empty means the default.
	Cron string `yaml:"cron"`
	// CatchUp runs the job once when the daemon starts if a scheduled
	// time passed while it was down (default true).
	CatchUp *bool `yaml:"catch_up"`
	// Off takes the job out of the schedule.
	Off bool `yaml:"off"`
}

// CollectSchedule is JobSchedule for all collect sources, with overrides.
type CollectSchedule struct {
	JobSchedule `yaml:",inline"`
	// Sources overrides the schedule per source name; a source left out
	// uses the one above. An override's empty cron or catch_up inherits.
	Sources map[string]JobSchedule `yaml:"sources"`
}

// The schedule's defaults: collect and score every six hours (the pipeline
// on the same ticks as the collects, after them), the weekly report on
// Monday at 08:00.
const (
	DefaultCollectCron  = "@every 6h"
	DefaultPipelineCron = "@every 6h"
	DefaultReportCron   = "0 8 * * 1"
	DefaultGrace        = 30 * time.Second
	DefaultLockWait     = time.Minute
)

// IsCatchUp resolves CatchUp's default (true).
func (j JobSchedule) IsCatchUp() bool { return j.CatchUp == nil || *j.CatchUp }

// CronOr is the job's spec, or def when none is set.
func (j JobSchedule) CronOr(def string) string {
	if j.Cron == "" {
		return def
	}
	return j.Cron
}

// ForSource is the schedule of source name's collect job: its override
// where it sets something, else the collect default.
func (c CollectSchedule) ForSource(name string) JobSchedule {
	js := JobSchedule{Cron: c.CronOr(DefaultCollectCron), CatchUp: c.CatchUp, Off: c.Off}
	if o, ok := c.Sources[name]; ok {
		if o.Cron != "" {
			js.Cron = o.Cron
		}
		if o.CatchUp != nil {
			js.CatchUp = o.CatchUp
		}
		js.Off = o.Off
	}
	return js
}

// GraceOrDefault is Grace with its default applied.
func (s Schedule) GraceOrDefault() time.Duration {
	if s.Grace <= 0 {
		return DefaultGrace
	}
	return s.Grace
}

// LockWaitOrDefault is LockWait with its default applied.
func (s Schedule) LockWaitOrDefault() time.Duration {
	if s.LockWait <= 0 {
		return DefaultLockWait
	}
	return s.LockWait
}

// Location resolves the schedule's time zone: its own Timezone, else
// fallback (the top-level timezone, "" for the machine's).
func (s Schedule) Location(fallback string) (*time.Location, error) {
	name := s.Timezone
	if name == "" {
		name = fallback
	}
	if name == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("schedule.timezone %q: %w", name, err)
	}
	return loc, nil
}

// Validate checks what can be checked without parsing the cron specs
// (the schedules package parses those, and names the job when one is
// wrong). sources lists the configured source names, so an override of a
// source that does not exist is caught.
func (s Schedule) Validate(sources map[string]Source) error {
	switch {
	case s.Grace < 0:
		return fmt.Errorf("schedule.grace: %v is negative", s.Grace)
	case s.LockWait < 0:
		return fmt.Errorf("schedule.lock_wait: %v is negative", s.LockWait)
	}
	if _, err := s.Location(""); err != nil {
		return err
	}
	for name := range s.Collect.Sources {
		if _, ok := sources[name]; !ok {
			return fmt.Errorf("schedule.collect.sources.%s: no source of that name is configured under sources", name)
		}
	}
	return nil
}
