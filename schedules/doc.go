// Package schedules owns when things run: cron specs from voc.yaml (robfig/cron
// v3), run history, no overlapping runs of one job, and catch-up after the
// machine was down.
//
// A schedule only decides when to call the jobs that cmd/voc wires up; the
// jobs themselves live in collectors, pipeline and reports.
package schedules
