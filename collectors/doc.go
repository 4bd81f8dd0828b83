// Package collectors owns getting feedback into voc: it fetches or reads
// review pages, review APIs, app-store feeds and survey or complaint exports,
// and turns them into voc.Item values, raw payloads and rejects.
//
// Collectors parse and hand over; they never score, tag or render, and they
// reach the warehouse only through the narrow writer they are given. Each
// source type lives in its own subpackage (survey exports in
// collectors/survey).
package collectors
