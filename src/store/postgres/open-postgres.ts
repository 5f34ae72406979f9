/**
 * Opens the PostgreSQL stores: a connection pool, the schema migrated (once, whichever instance
 * gets there first), and the three stores over it. Every connection runs with
 * synchronous_commit=on whatever the server's default, because the registrar answers 200 OK
 * on the strength of a resolved commit: with it off, PostgreSQL would acknowledge a COMMIT
 * before its WAL record is on disk.
 */
import pg from 'pg';
import { RealClock } from '../../util/clock.js';
import { SwitchboardError } from '../../util/errors.js';
import { nullLogger } from '../../util/logger.js';
import { StoreError } from '../errors.js';
import { StoreGate } from '../store-gate.js';
import type { PostgresStoreOptions, Stores } from '../stores.js';
import { PgForwardingStore } from './pg-forwarding-store.js';
import { PgLocationStore } from './pg-location-store.js';
import { migratePostgres, quoteSchema } from './pg-schema.js';
import { PgUserStore } from './pg-user-store.js';

/** host:port/database of a connection string, without user or password, for logs. */
export function describePostgres(connectionString: string, schema: string): string {
  try {
    const u = new URL(connectionString);
    return `postgres ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname} schema ${schema}`;
  } catch {
    return `postgres schema ${schema}`;
  }
}

export async function openPostgresStores(options: PostgresStoreOptions): Promise<Stores> {
  const schema = options.schema ?? 'switchboard';
  const quoted = quoteSchema(schema);
  const clock = options.clock ?? new RealClock();
  const logger = (options.logger ?? nullLogger).child({ store: 'postgres' });
  const description = describePostgres(options.connectionString, schema);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: 'switchboard',
    options: '-c synchronous_commit=on',
  });
  // An idle connection that the server drops (restart, failover) surfaces here; without a
  // listener it would crash the process. The pool replaces it on the next query.
  pool.on('error', (err) => logger.warn('idle PostgreSQL connection failed', { error: err.message }));
  let durability = '';
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, schema, clock.wallTime());
      const r = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      durability = `synchronous_commit=${r.rows[0]?.synchronous_commit ?? '?'}`;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof SwitchboardError) throw err;
    throw new StoreError(`cannot open ${description}: ${(err as Error).message}`, { cause: err });
  }
  const gate = new StoreGate(description);
  return {
    kind: 'postgres',
    description,
    durability,
    locations: new PgLocationStore(pool, schema, quoted, gate),
    users: new PgUserStore(pool, quoted, gate, clock),
    forwarding: new PgForwardingStore(pool, quoted, gate, clock),
    close: async () => {
      if (gate.closed) return;
      gate.close();
      await pool.end();
    },
  };
}
