/**
 * The SQLite schema and its migrations. Each migration runs once, in its own IMMEDIATE
 * transaction, and records itself in `schema_version`; a database whose version is newer than
 * the last migration here is refused (SchemaVersionError) rather than misread. The same tables
 * and columns exist in PostgreSQL (postgres/pg-schema.ts).
 */
import type Database from 'better-sqlite3';
import { SchemaVersionError } from '../errors.js';

const MIGRATIONS: readonly string[] = [
  // 1: location, users, forwarding.
  `
  CREATE TABLE location (
    id INTEGER PRIMARY KEY,
    aor TEXT NOT NULL,
    contact TEXT NOT NULL,
    contact_key TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    q REAL,
    call_id TEXT NOT NULL,
    cseq INTEGER NOT NULL,
    instance_id TEXT,
    reg_id INTEGER,
    path TEXT NOT NULL DEFAULT '[]',
    flow_transport TEXT,
    flow_local_address TEXT,
    flow_local_port INTEGER,
    flow_remote_address TEXT,
    flow_remote_port INTEGER,
    flow_connection_id INTEGER,
    user_agent TEXT,
    contact_params TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (aor, contact_key)
  );
  CREATE INDEX location_expires_at ON location (expires_at);
  CREATE TABLE users (
    username TEXT NOT NULL,
    domain TEXT NOT NULL,
    realm TEXT NOT NULL,
    ha1_md5 TEXT,
    ha1_sha256 TEXT,
    ha1_sha512_256 TEXT,
    display_name TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (username, domain),
    UNIQUE (username, realm)
  );
  CREATE TABLE forwarding (
    aor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unconditional', 'busy', 'no-answer', 'unavailable')),
    target TEXT NOT NULL,
    no_answer_timeout_sec INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (aor, kind)
  );
  `,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SQLITE_SCHEMA_VERSION; returns the version found before. */
export function migrateSqlite(db: Database.Database, now: number): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const current = (): number =>
    (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_version').get() as { v: number }).v;
  const before = current();
  if (before > MIGRATIONS.length) throw new SchemaVersionError(before, MIGRATIONS.length);
  for (let v = before + 1; v <= MIGRATIONS.length; v++) {
    const apply = db.transaction(() => {
      // Another process may have migrated between our read and our lock: check again under it.
      if (current() >= v) return;
      db.exec(MIGRATIONS[v - 1] as string);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(v, now);
    });
    apply.immediate();
  }
  return before;
}
