package warehouse

import (
	"context"
	"database/sql"
	"fmt"
)

// migration is one step of the schema's history. Applied migrations are
// recorded in schema_migrations and never run again, so a migration that has
// shipped must never change: fix mistakes with a new one appended at the end.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the schema history, oldest first, versions 1, 2, 3 ...
//
// Design notes that hold across versions:
//   - No foreign keys. DuckDB checks them eagerly and refuses updates of
//     referenced rows, which would break the in-place update of an edited
//     item; integrity is kept by this package instead.
//   - Items are updated in place on columns that carry no index, because
//     DuckDB turns an UPDATE of an indexed column into delete+insert, which
//     trips its over-eager unique checks inside one transaction.
//   - Timestamps are TIMESTAMPTZ holding UTC; NULL means unknown.
//   - Free-form answers (items.extra, runs.detail) are JSON so a user can
//     write extra->>'$.城市' in `voc query`.
var migrations = []migration{
	{1, "initial schema", `
CREATE TABLE sources (
	name       VARCHAR PRIMARY KEY,
	type       VARCHAR NOT NULL,
	created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	watermark  VARCHAR,
	config     JSON
);

CREATE TABLE raw_payloads (
	id           VARCHAR PRIMARY KEY, -- sha256 of body, hex
	source       VARCHAR NOT NULL,
	uri          VARCHAR,
	content_type VARCHAR,
	fetched_at   TIMESTAMPTZ,
	size         BIGINT NOT NULL,
	body         BLOB NOT NULL
);

CREATE SEQUENCE items_id_seq START 1;
CREATE TABLE items (
	id           BIGINT PRIMARY KEY DEFAULT nextval('items_id_seq'),
	source       VARCHAR NOT NULL,
	external_id  VARCHAR NOT NULL,
	kind         VARCHAR NOT NULL CHECK (kind IN ('review', 'survey', 'complaint')),
	product      VARCHAR,
	channel      VARCHAR,
	author_key   VARCHAR,
	created_at   TIMESTAMPTZ,
	collected_at TIMESTAMPTZ,
	rating       UTINYINT CHECK (rating BETWEEN 1 AND 5),
	text         VARCHAR,
	lang         VARCHAR,
	raw_ref      VARCHAR,
	recommend    TINYINT CHECK (recommend BETWEEN 0 AND 10),
	repurchase   UTINYINT CHECK (repurchase BETWEEN 1 AND 5),
	extra        JSON,
	content_hash VARCHAR NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	UNIQUE (source, external_id)
);

CREATE SEQUENCE runs_id_seq START 1;
CREATE TABLE runs (
	id       BIGINT PRIMARY KEY DEFAULT nextval('runs_id_seq'),
	job      VARCHAR NOT NULL,
	source   VARCHAR,
	started  TIMESTAMPTZ NOT NULL,
	finished TIMESTAMPTZ,
	status   VARCHAR NOT NULL,
	loaded   INTEGER NOT NULL DEFAULT 0,
	dupes    INTEGER NOT NULL DEFAULT 0,
	updated  INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	error    VARCHAR,
	detail   JSON
);

CREATE SEQUENCE rejects_id_seq START 1;
CREATE TABLE rejects (
	id         BIGINT PRIMARY KEY DEFAULT nextval('rejects_id_seq'),
	run_id     BIGINT, -- the run that first saw the reject
	source     VARCHAR NOT NULL,
	file       VARCHAR,
	line       INTEGER,
	reason     VARCHAR NOT NULL,
	raw        VARCHAR,
	reject_key VARCHAR NOT NULL UNIQUE, -- sha256 of source, file, line, raw
	created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
`},
	// The labels of the five levels, so `voc query` can say 高度满意 rather
	// than 5: SELECT l.label_zh, count(*) FROM items JOIN levels l ON l.level = items.rating GROUP BY 1.
	// Written out here rather than taken from voc.Level so the migration
	// stays what it was when it shipped; a test checks they agree.
	{2, "level labels", `
CREATE TABLE levels (
	level    UTINYINT PRIMARY KEY,
	label_zh VARCHAR NOT NULL,
	label_en VARCHAR NOT NULL
);
INSERT INTO levels VALUES
	(1, '极不满意', 'very dissatisfied'),
	(2, '有些不满意', 'somewhat dissatisfied'),
	(3, '无意见', 'neutral'),
	(4, '一般满意', 'satisfied'),
	(5, '高度满意', 'very satisfied');
`},
	// What the pipeline read in each item's text. One row per item: the
	// latest reading. content_hash and model say what was read by which
	// model, so an edited item or a new model means "score again".
	// level is the item's level for figures: its rating when it has one,
	// else its text level; disagreement flags rating and text two or more
	// levels apart.
	{3, "scores", `
CREATE TABLE scores (
	item_id      BIGINT PRIMARY KEY,
	model        VARCHAR NOT NULL,
	content_hash VARCHAR NOT NULL,
	text_level   UTINYINT CHECK (text_level BETWEEN 1 AND 5),
	score        DOUBLE,
	confidence   DOUBLE,
	level        UTINYINT CHECK (level BETWEEN 1 AND 5),
	disagreement BOOLEAN NOT NULL,
	reasons      JSON,
	scored_at    TIMESTAMPTZ NOT NULL
);
`},
	// Theme tagging: one tags row per item says which taxonomy version
	// tagged which content, and whether the item threatens escalation;
	// theme_hits holds the item's hits, one per theme and clause. Re-tagging
	// replaces an item's hits wholesale.
	{4, "themes", `
CREATE TABLE tags (
	item_id          BIGINT PRIMARY KEY,
	taxonomy         VARCHAR NOT NULL,
	content_hash     VARCHAR NOT NULL,
	escalation       BOOLEAN NOT NULL,
	escalation_terms VARCHAR[],
	tagged_at        TIMESTAMPTZ NOT NULL
);
CREATE TABLE theme_hits (
	item_id      BIGINT NOT NULL,
	theme        VARCHAR NOT NULL,
	polarity     VARCHAR NOT NULL CHECK (polarity IN ('complaint', 'praise')),
	clause       VARCHAR,
	clause_start INTEGER,
	clause_end   INTEGER,
	sentiment    DOUBLE
);
`},
	// Complaint themes over time, recomputed by the pipeline: per theme and
	// ISO week (week = the Monday, in the configured time zone), counts of
	// items with a complaint or praise hit (a sub-theme's hits count for
	// its parent too), the week's item total, the mean level of the
	// complaining items, and the recurring/emerging verdicts with the test
	// figures behind "emerging". No primary key: the table is replaced
	// wholesale, and DuckDB refuses delete-then-insert of one key in a
	// transaction.
	{5, "theme weeks", `
CREATE TABLE theme_weeks (
	theme       VARCHAR NOT NULL,
	week        DATE NOT NULL,
	complaints  INTEGER NOT NULL,
	praises     INTEGER NOT NULL,
	items       INTEGER NOT NULL,
	mean_level  DOUBLE,
	recurring   BOOLEAN NOT NULL,
	emerging    BOOLEAN NOT NULL,
	expected    DOUBLE,
	p_value     DOUBLE,
	computed_at TIMESTAMPTZ NOT NULL
);
`},
	// What started each run: 'manual' (a command), 'schedule' (the daemon
	// at the job's time) or 'catch-up' (the daemon at its start, for a time
	// it was down for). Runs recorded before this version were all started
	// by a command. DuckDB cannot add a column with a constraint, so the
	// NOT NULL is kept by StartRun and RecordRun instead.
	{6, "run triggers", `
ALTER TABLE runs ADD COLUMN trigger VARCHAR DEFAULT 'manual';
`},
	// Complaint tickets: what the company did about a complaint. The
	// complaint itself is an item of kind 'complaint' (text, customer,
	// product, opened time), scored and tagged like every item; this row
	// holds the ticket's handling, keyed by that item and by the helpdesk's
	// (source, ticket id), which is the item's (source, external_id).
	// channel is normalised (phone, online, store, 12315, platform, other)
	// with the export's wording in channel_raw; result is NULL while the
	// ticket is handled; satisfaction is the five-level answer after
	// handling; escalated_to lists consumer_association, 12315, media,
	// lawyer, platform or other. demanded is the compensation asked for
	// (the export's demand column, else an amount demanded in the text),
	// demand_terms and punitive what the text demands: they feed the
	// "review: possibly malicious" flag, never a filter. content_hash covers
	// every field, so a re-export where a ticket got closed is an update.
	{7, "complaints", `
CREATE TABLE complaints (
	item_id             BIGINT PRIMARY KEY,
	source              VARCHAR NOT NULL,
	ticket_id           VARCHAR NOT NULL,
	channel             VARCHAR,
	channel_raw         VARCHAR,
	opened_at           TIMESTAMPTZ NOT NULL,
	first_response_at   TIMESTAMPTZ,
	closed_at           TIMESTAMPTZ,
	category            VARCHAR,
	notes               VARCHAR,
	result              VARCHAR CHECK (result IN ('resolved', 'partly', 'unresolved', 'withdrawn')),
	compensation        VARCHAR,
	compensation_amount DOUBLE,
	demanded            DOUBLE,
	demand_terms        VARCHAR[],
	punitive            BOOLEAN NOT NULL,
	order_value         DOUBLE,
	satisfaction        UTINYINT CHECK (satisfaction BETWEEN 1 AND 5),
	escalated_to        VARCHAR[],
	content_hash        VARCHAR NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL,
	UNIQUE (source, ticket_id)
);
`},
	// The key reports group an item's product by, computed by the pipeline
	// (script, width, case and spacing folded), so 降噪耳機 and 降噪耳机 are
	// one product. NULL means not computed yet: the pipeline keys the
	// products that lack one, and an edit that changes an item's product
	// sets it back to NULL. Reports fall back to the product as written
	// until then. No index, so it is updated in place like every item
	// column.
	{8, "product keys", `
ALTER TABLE items ADD COLUMN product_key VARCHAR;
`},
	// How many times a ticket was reopened after being closed, the base of
	// the reopen rate. NULL means the export did not say (many have no
	// such column), which is not 0, so the reopen rate is taken over known
	// values only; tickets stored before this version stay NULL until a
	// re-export with the column updates them. A yes/no column stores 1 or
	// 0. DuckDB cannot add a column with a constraint, so "not negative" is
	// kept by UpsertComplaints.
	{9, "complaint reopens", `
ALTER TABLE complaints ADD COLUMN reopened INTEGER;
`},
	{10, "run owner", `
ALTER TABLE runs ADD COLUMN pid INTEGER;
`},
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       VARCHAR NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)`

// migrate applies the migrations the file lacks, each in its own
// transaction together with its schema_migrations row, so a failure leaves
// the file at the last good version, and checkpoints after each: DuckDB
// 1.5 cannot replay a write-ahead log that holds some of these schema
// changes (ALTER TABLE ... ADD COLUMN among them), so a kill -9 before the
// next checkpoint left a file no later run could open ("INTERNAL Error:
// Failure while replaying WAL file"). A checkpointed migration is in the
// database file itself.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	for i, m := range ms {
		if m.version != i+1 {
			return fmt.Errorf("migration %q has version %d, want %d: versions must count up from 1 without gaps", m.name, m.version, i+1)
		}
		if m.version <= current {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return fmt.Errorf("migration %d (%s): checkpoint: %w", m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	return tx.Commit()
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion reads the highest applied version; 0 when the file has no
// schema_migrations table (a new file, or one opened read-only before any
// read-write open).
func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var exists bool
	err := q.QueryRowContext(ctx,
		`SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'schema_migrations'`).Scan(&exists)
	if err != nil {
		return 0, fmt.Errorf("look for schema_migrations: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema_migrations: %w", err)
	}
	return v, nil
}

// LatestSchema is the schema version this build migrates a warehouse to.
func LatestSchema() int { return migrations[len(migrations)-1].version }
