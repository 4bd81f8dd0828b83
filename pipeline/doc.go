// Package pipeline owns turning stored items into analysed ones: it
// normalises text (traditional to simplified Chinese, width, whitespace),
// keys product names so that one product written several ways groups as
// one, scores each item on the five-level scale and tags complaint themes,
// reading unprocessed items from the warehouse and writing results back.
//
// The pipeline uses the models package for the trained scorer and the theme
// taxonomy; it never fetches from the outside world and never renders.
package pipeline
