/**
 * The throwaway-PostgreSQL helper itself: it fails with the installation hint when the
 * binaries are missing (so PostgreSQL tests fail loudly rather than skip), and it cleans up
 * after itself.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { findPostgresBinDir, NOT_INSTALLED_MESSAGE, startPostgres } from '../../scripts/pg-test-server.mjs';

describe('scripts/pg-test-server.mjs', () => {
  it('fails with the installation hint when the PostgreSQL binaries are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-postgres-'));
    try {
      await assert.rejects(startPostgres({ binDir: empty }), { message: NOT_INSTALLED_MESSAGE });
      assert.equal(findPostgresBinDir({ PG_BIN_DIR: empty }), undefined);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    assert.equal(
      NOT_INSTALLED_MESSAGE,
      'PostgreSQL not installed: run scripts/install-peers.sh (Debian package postgresql)',
    );
  });

  it('starts a server on 127.0.0.1 that accepts queries, and stop() removes every trace', async () => {
    const server = await startPostgres();
    assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const r = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    await client.end();
    assert.match(r.rows[0]?.v ?? '', /^\d+\.\d+/);
    assert.ok(existsSync(server.dir));
    await server.stop();
    assert.ok(!existsSync(server.dir));
    await assert.rejects(
      (async () => {
        const c = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 });
        try {
          await c.connect();
        } finally {
          await c.end().catch(() => undefined);
        }
      })(),
    );
  });
});
