// Package jobs holds the units of work that the CLI runs on demand and
// schedules run on a timer: import a survey export, and (as the product
// grows) collect a source, run the pipeline, write a report.
//
// A job wires a collector, the pipeline or a report to the warehouse and
// records a run with its counts, so `voc status` and the run history tell
// what happened whichever way the job was started. Jobs print nothing:
// they return summaries, and the caller decides how to show them.
package jobs
