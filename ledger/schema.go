package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// migrations are the schema's versions: migrations[i] brings a ledger from
// version i to version i+1. Append only; never edit one that was released.
// The SQL is common to SQLite and PostgreSQL.
var migrations = [][]string{
	// 1: credentials, the per-list index counters, and meta.
	{
		`CREATE TABLE credentials (
			row_key         TEXT    NOT NULL PRIMARY KEY,
			credential_id   TEXT    NOT NULL UNIQUE,
			recipient_hash  TEXT    NOT NULL DEFAULT '',
			status_list_url TEXT,
			status_index    BIGINT,
			format          TEXT    NOT NULL DEFAULT '',
			output_file     TEXT    NOT NULL DEFAULT '',
			state           TEXT    NOT NULL CHECK (state IN ('reserved', 'issued')),
			issued_at       TEXT,
			revoked         BOOLEAN NOT NULL DEFAULT FALSE,
			revoked_at      TEXT,
			revoke_reason   TEXT    NOT NULL DEFAULT '',
			UNIQUE (status_list_url, status_index),
			CHECK ((status_list_url IS NULL) = (status_index IS NULL)),
			CHECK (status_index IS NULL OR status_index >= 0)
		)`,
		`CREATE INDEX credentials_by_index ON credentials (status_index, row_key)`,
		// next_index counts the indexes handed out on the list (the
		// name is from when they were handed out in order).
		`CREATE TABLE status_lists (
			list_url   TEXT   NOT NULL PRIMARY KEY,
			next_index BIGINT NOT NULL
		)`,
		`CREATE TABLE meta (
			key   TEXT NOT NULL PRIMARY KEY,
			value TEXT NOT NULL
		)`,
	},
}

// SchemaVersion is the schema version this badgebake writes: a ledger it
// opens is brought up to it, and a ledger of a later version is refused.
// It is len(migrations).
const SchemaVersion = 1

// migrationLock is the PostgreSQL advisory lock that makes processes
// opening one ledger at once migrate it one after the other (SQLite's
// BEGIN IMMEDIATE does that by itself).
const migrationLock = 0x6261646765 // "badge"

// migrate applies the migrations the ledger lacks, one transaction each.
func (l *Ledger) migrate(ctx context.Context) error {
	for {
		done, err := l.migrateOne(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next migration, or reports that there is none.
func (l *Ledger) migrateOne(ctx context.Context) (done bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, l.fail("open", err)
	}
	defer tx.Rollback()
	if l.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return false, l.fail("open", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		applied_at TEXT    NOT NULL
	)`); err != nil {
		return false, l.fail("open", err)
	}
	var version sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		return false, l.fail("open", err)
	}
	v := int(version.Int64)
	switch {
	case v > len(migrations):
		return false, &VersionError{Ledger: l.name, Version: v, Known: len(migrations)}
	case v == len(migrations):
		return true, l.fail("open", tx.Commit())
	case v < 0:
		return false, l.fail("open", errors.New("schema_migrations holds a negative version: not a badgebake ledger"))
	}
	for _, stmt := range migrations[v] {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, l.fail("migrating the schema to version "+itoa(v+1), err)
		}
	}
	if _, err := tx.ExecContext(ctx, l.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v+1, formatTime(time.Now())); err != nil {
		return false, l.fail("migrating the schema to version "+itoa(v+1), err)
	}
	if err := tx.Commit(); err != nil {
		return false, l.fail("migrating the schema to version "+itoa(v+1), err)
	}
	return false, nil
}
