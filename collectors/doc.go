// Package collectors owns getting feedback into voc: it fetches or reads
// review pages, review APIs, app-store feeds and survey or complaint exports,
// and turns them into voc.Item values, raw payloads and rejects.
//
// Collectors parse and hand over; they never score, tag or render, and they
// reach the warehouse only through the narrow Sink they are given. Each
// source type lives in its own subpackage (survey exports in
// collectors/survey, review pages in collectors/html ...) and registers
// itself with Add, in the manner of Telegraf's inputs: voc.yaml names a
// type, New builds it. Importing collectors/all registers every type.
//
// This package holds what the types share: the registry, the Fetcher (colly
// with robots.txt, per-host rate limits, retries with backoff that honour
// Retry-After, a body size limit and charset detection), the readers of
// ratings and dates as shops write them, the language guess, and the
// watermark that makes runs incremental. It must not import the warehouse:
// the job that runs a collector owns storing.
package collectors
