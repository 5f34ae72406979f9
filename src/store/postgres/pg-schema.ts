/**
 * The PostgreSQL schema and its migrations: the same tables and columns as SQLite
 * (sqlite/sqlite-schema.ts), in a schema of their own (default `switchboard`) so that one
 * database can hold several deployments or test runs side by side. Times are BIGINT wall-clock
 * milliseconds, as in SQLite, so both backends compare expiries with the caller's `now` alike.
 *
 * Several instances may start at the same moment against one database: migrations run in one
 * transaction under a transaction-scoped advisory lock, so exactly one of them creates the
 * tables and the others see them when they get the lock.
 */
import type pg from 'pg';
import { InvalidRecordError, SchemaVersionError } from '../errors.js';

const MIGRATIONS: readonly ((s: string) => string)[] = [
  // 1: location, users, forwarding.
  (s) => `
  CREATE TABLE ${s}.location (
    id BIGSERIAL PRIMARY KEY,
    aor TEXT NOT NULL,
    contact TEXT NOT NULL,
    contact_key TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    q DOUBLE PRECISION,
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
    flow_connection_id BIGINT,
    user_agent TEXT,
    contact_params TEXT,
    updated_at BIGINT NOT NULL,
    UNIQUE (aor, contact_key)
  );
  CREATE INDEX location_expires_at ON ${s}.location (expires_at);
  CREATE TABLE ${s}.users (
    username TEXT NOT NULL,
    domain TEXT NOT NULL,
    realm TEXT NOT NULL,
    ha1_md5 TEXT,
    ha1_sha256 TEXT,
    ha1_sha512_256 TEXT,
    display_name TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (username, domain),
    UNIQUE (username, realm)
  );
  CREATE TABLE ${s}.forwarding (
    aor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unconditional', 'busy', 'no-answer', 'unavailable')),
    target TEXT NOT NULL,
    no_answer_timeout_sec INTEGER,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (aor, kind)
  );
  `,
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** A schema name we can splice into SQL: a plain lower-case identifier, quoted. */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidRecordError('schema', `"${schema}" must be a lower-case SQL identifier (a-z, 0-9, _)`);
  }
  return `"${schema}"`;
}

/** Brings `schema` up to PG_SCHEMA_VERSION; returns the version found before. */
export async function migratePostgres(client: pg.PoolClient, schema: string, now: number): Promise<number> {
  const s = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`switchboard-migrate:${schema}`]);
    // Look before creating: CREATE SCHEMA checks the CREATE privilege on the database even when
    // the schema exists, and a production role may have only USAGE and DML rights.
    const present = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
      `${s}.schema_version`,
    ]);
    if (!present.rows[0]?.ok) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
      );
    }
    const r = await client.query<{ v: number }>(`SELECT coalesce(max(version), 0)::int AS v FROM ${s}.schema_version`);
    const before = r.rows[0]?.v ?? 0;
    if (before > MIGRATIONS.length) throw new SchemaVersionError(before, MIGRATIONS.length);
    for (let v = before + 1; v <= MIGRATIONS.length; v++) {
      await client.query((MIGRATIONS[v - 1] as (s: string) => string)(s));
      await client.query(`INSERT INTO ${s}.schema_version (version, applied_at) VALUES ($1, $2)`, [v, now]);
    }
    await client.query('COMMIT');
    return before;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
