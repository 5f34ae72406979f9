/**
 * Transactions on a pg pool. A transaction runs on one pooled connection between BEGIN and
 * COMMIT; the promise resolves only after COMMIT returned, i.e. after PostgreSQL flushed the
 * commit record to its WAL (synchronous_commit=on, which open-postgres.ts sets for every
 * connection). Serialization failures and deadlocks (SQLSTATE 40001, 40P01) are retried a few
 * times, as PostgreSQL's documentation asks of applications; with the per-AOR advisory locks
 * below they should not happen, but a DBA's default_transaction_isolation may differ from ours.
 */
import type pg from 'pg';

const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 5;

export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection itself failed: do not put it back in the pool.
        broken = true;
      }
      const code = (err as { code?: unknown }).code;
      if (attempt < ATTEMPTS && typeof code === 'string' && RETRYABLE.has(code)) continue;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Serialises writers of one AOR across every connection and every instance until the end of
 * the transaction. The key mixes in the schema so that two deployments in one database do not
 * wait for each other; a hash collision between two AORs only makes them wait, never mixes data.
 */
export async function lockAor(client: pg.PoolClient, schema: string, aor: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${schema}:${aor}`]);
}
