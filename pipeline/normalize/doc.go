// Package normalize turns customer text into the form that models match
// against, and cuts it into the pieces they reason about: normalised text
// (Text), its language (Lang), clauses with offsets into the original
// (Clauses) and words (Words); and it gives the key products are grouped
// by, whatever their script, width, case or spacing (ProductKey).
//
// It is a leaf: it imports nothing of the project but the root package voc,
// so the theme matcher, the sentiment model and the pipeline can all use it
// and agree on what "the same text" means. It owns no I/O and keeps no state
// beyond two dictionaries that are loaded once, lazily, on first use:
//
//   - the traditional-to-simplified character tables, generated from
//     OpenCC's dictionaries (Apache-2.0) into han_table.go by
//     internal/genhan, about a millisecond to index; and
//   - the gse Chinese segmenter's simplified dictionary (github.com/go-ego/gse,
//     Apache-2.0), about one second and some 135 MB of heap, loaded only when
//     Words is first called, so callers that only tag or normalise never pay
//     for it.
//
// Every function is safe for concurrent use and never panics on any input,
// including invalid UTF-8 (the fuzz tests hold it to that).
package normalize
