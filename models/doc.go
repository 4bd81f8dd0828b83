// Package models owns the learned and curated knowledge voc applies to text:
// the five-level sentiment model (trained by voc itself from labelled reviews
// and embedded in the binary) and the complaint-theme taxonomy and matcher.
//
// Models are pure: they take text and return scores, explanations and theme
// hits. They do no I/O beyond loading their own files, so the pipeline, the
// CLI and tests can all use them the same way.
package models
