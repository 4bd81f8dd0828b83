// Package warehouse owns the DuckDB file: versioned schema migrations, batch
// loads through the appender, idempotent upserts of items, rejects, raw
// payloads and run history, and read-only queries.
//
// It is the only package that imports the DuckDB driver. SQL lives here,
// parameterised; callers speak in voc domain types and get plain Go values
// back, so upgrading or replacing DuckDB touches this folder only.
//
// # Opening
//
// Open read-write (imports, collection, the pipeline) creates the file and
// migrates it; Open with Options.ReadOnly (query, status, reports) never
// writes. DuckDB lets one read-write process or many read-only processes use
// a file: a second one gets an error matching ErrLocked that names the
// process holding it.
//
// # Loading
//
// Batches go through DuckDB's appender into a temporary staging table and
// are merged with set-based SQL, never row by row. Each DB method is one
// transaction; DB.InTx makes a whole import one transaction, so a failure
// leaves nothing half-stored. Re-importing the same data stores nothing
// twice: items are keyed by (source, external id), raw payloads by their
// sha256, rejects by where they were and what they said.
//
// Write from one process, and preferably one goroutine: concurrent
// transactions touching the same rows fail with DuckDB's transaction
// conflict rather than waiting.
//
// # Schema
//
// The tables are sources, raw_payloads, items, rejects, runs and levels
// (the labels of the five satisfaction levels); schema_migrations records
// which migrations ran. Times are TIMESTAMPTZ in UTC and every connection's
// time zone is UTC. Item columns carry the domain names (rating, kind,
// product, channel, created_at ...), with NULL for "none": an unrated item
// has a NULL rating, so avg(rating) and count(rating) mean what they say.
// items.product_key is the key reports group products by, stored by the
// pipeline (NULL until then; see ProductsWithoutKey).
//
// This package must not know about collectors, scoring or reports: it
// stores and returns what it is given.
package warehouse
