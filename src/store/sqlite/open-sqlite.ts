/**
 * Opens the SQLite stores: one file, `<dataDir>/switchboard.db`, in WAL mode.
 *
 * Durability. WAL appends each commit to `switchboard.db-wal` with write(2) before COMMIT
 * returns; a process killed with SIGKILL right after cannot take that back, because the data is
 * in the kernel's page cache, and the next open replays the WAL. synchronous=FULL (the default
 * here) adds an fsync of the WAL at every commit, which is what makes the commit survive an OS
 * crash or power cut too; synchronous=NORMAL fsyncs only at checkpoints, trading the last few
 * commits before a power cut for fewer fsyncs (the database stays consistent either way).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { RealClock } from '../../util/clock.js';
import { SwitchboardError } from '../../util/errors.js';
import { StoreError } from '../errors.js';
import { StoreGate } from '../store-gate.js';
import type { SqliteStoreOptions, Stores } from '../stores.js';
import { SqliteForwardingStore } from './sqlite-forwarding-store.js';
import { SqliteLocationStore } from './sqlite-location-store.js';
import { migrateSqlite } from './sqlite-schema.js';
import { SqliteUserStore } from './sqlite-user-store.js';

export const SQLITE_FILE_NAME = 'switchboard.db';

export async function openSqliteStores(options: SqliteStoreOptions): Promise<Stores> {
  const clock = options.clock ?? new RealClock();
  const memory = options.dataDir === ':memory:';
  const file = memory ? ':memory:' : join(resolve(options.dataDir), SQLITE_FILE_NAME);
  let db: Database.Database;
  try {
    // The file holds password digests: keep the directory private when we create it.
    if (!memory) mkdirSync(resolve(options.dataDir), { recursive: true, mode: 0o700 });
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new StoreError(`cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  let durability = '';
  try {
    if (!memory) {
      chmodSync(file, 0o600);
      db.pragma('journal_mode = WAL');
    }
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrateSqlite(db, clock.wallTime());
    const journal = String(db.pragma('journal_mode', { simple: true }));
    const sync = ['OFF', 'NORMAL', 'FULL', 'EXTRA'][Number(db.pragma('synchronous', { simple: true }))] ?? '?';
    durability = `journal_mode=${journal} synchronous=${sync}`;
  } catch (err) {
    db.close();
    if (err instanceof SwitchboardError) throw err;
    throw new StoreError(`cannot prepare ${file}: ${(err as Error).message}`, { cause: err });
  }
  const gate = new StoreGate(`sqlite ${file}`);
  return {
    kind: 'sqlite',
    description: `sqlite ${file}`,
    durability,
    locations: new SqliteLocationStore(db, gate),
    users: new SqliteUserStore(db, gate, clock),
    forwarding: new SqliteForwardingStore(db, gate, clock),
    close: async () => {
      if (gate.closed) return;
      gate.close();
      db.close();
    },
  };
}
