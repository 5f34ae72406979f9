/**
 * What openStores returns and takes: the three stores over one database, and how to reach it.
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ForwardingStore } from './forwarding-store.js';
import type { LocationStore } from './location-store.js';
import type { UserStore } from './user-store.js';

export interface Stores {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs and `switchboard user list` (never a password). */
  readonly description: string;
  /**
   * The durability settings in force, read back from the database connection: for SQLite
   * `journal_mode=wal synchronous=FULL`, for PostgreSQL `synchronous_commit=on`.
   */
  readonly durability: string;
  readonly locations: LocationStore;
  readonly users: UserStore;
  readonly forwarding: ForwardingStore;
  /** Closes the database (SQLite checkpoints its WAL; PostgreSQL drains the pool). Idempotent. */
  close(): Promise<void>;
}

interface CommonOptions {
  /** For createdAt/updatedAt of accounts and rules (location times are passed explicitly). Default: real clock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * The embedded default: `<dataDir>/switchboard.db`, created with its directory when missing.
 * `dataDir: ':memory:'` keeps everything in memory (tests of other layers).
 */
export interface SqliteStoreOptions extends CommonOptions {
  readonly kind: 'sqlite';
  readonly dataDir: string;
  /**
   * `full` (default): every commit is fsynced to the WAL before it returns, so it survives a
   * process kill, an OS crash and a power cut. `normal`: commits reach the OS but are fsynced
   * only at checkpoints; they survive a process kill (SIGKILL) but the last ones may be lost to
   * a power cut. See docs/storage.md.
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another process holding the file's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/** A PostgreSQL server shared by several Switchboard instances. */
export interface PostgresStoreOptions extends CommonOptions {
  readonly kind: 'postgres';
  /** `postgres://user:password@host:port/database` (libpq-style parameters as pg accepts them). */
  readonly connectionString: string;
  /** The schema holding Switchboard's tables (created when missing); default `switchboard`. */
  readonly schema?: string;
  /** Connections per instance (default 10). */
  readonly poolSize?: number;
}

export type StoreOptions = SqliteStoreOptions | PostgresStoreOptions;
