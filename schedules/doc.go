// Package schedules owns when things run: cron specs from voc.yaml (robfig/cron
// v3), run history, no overlapping runs of one job, catch-up after the
// machine was down, and an orderly stop on SIGINT/SIGTERM.
//
// A schedule only decides when to call the jobs that cmd/voc wires up; the
// jobs themselves live in jobs, collectors, pipeline and reports, and this
// package must not import those. Jobs come in as values (Job), each with a
// Run function, so the daemon, `voc run` and the tests run real jobs and
// test jobs alike.
//
// # Runs
//
// Every start of a job is a row in the warehouse's runs table with its
// trigger: "schedule", "catch-up" (at the daemon's start, for a time it was
// down for) or "manual" (voc run). Jobs that record runs themselves through
// warehouse.DB.StartRun (the pipeline, imports, collects) get the trigger
// through their context and are not recorded twice; for a job that records
// nothing the scheduler writes one row from what Run returned. A scheduled
// time that comes while the job is still running (or still waiting for its
// turn) is recorded as "skipped", and a panic in a job is recovered and
// recorded as a failure with the panic's text; the daemon carries on.
//
// # One job at a time
//
// The daemon runs one job at a time, in the order they fell due; jobs that
// fall due together run in dependency order (Job.After), so the pipeline
// comes after the collects of the same tick. DuckDB has one writer per
// file, and concurrent write transactions in it fail rather than wait, so
// running jobs side by side would buy conflicts, not speed.
//
// # Sharing the warehouse
//
// DuckDB lets one process open a file read-write, or many read-only, never
// both: while the daemon holds the file, `voc query` and `voc status` get
// warehouse.ErrLocked. So by default the daemon opens the warehouse only
// while a job runs, and readers (voc query, voc status, the duckdb CLI with
// -readonly, Python's duckdb.connect(path, read_only=True)) work in between.
// Options.Hold keeps it open instead. Either way only one daemon runs per
// warehouse: it holds a lock file next to it (<db>.daemon.lock) for its
// whole life, and a second daemon gets a *DaemonRunningError naming the
// first one's PID.
package schedules
