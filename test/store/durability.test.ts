/**
 * "A 200 OK to REGISTER is sent only after the binding is durable": a child process commits
 * through the SQLite store, says so, and is killed with SIGKILL the instant the parent reads
 * that line; a fresh open of the same file must then find everything that was acknowledged,
 * with its original expiry. The child never closes the database, so its WAL is not
 * checkpointed: what survives is what each commit itself wrote.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Binding, openStores, SQLITE_FILE_NAME } from '../../src/store/index.js';
import { runUntilLine } from './kill-on-line.js';

const child = fileURLToPath(new URL('./fixtures/commit-then-wait.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'switchboard-durability-'));
after(() => rmSync(root, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function walOf(dataDir: string): string {
  return join(dataDir, `${SQLITE_FILE_NAME}-wal`);
}

describe('SQLite durability under SIGKILL', () => {
  it('keeps a binding acknowledged just before the kill, with the same expiresAt', async () => {
    const dataDir = join(root, 'register');
    const run = await runUntilLine(child, [dataDir, 'register', String(T0)], (l) => l.startsWith('committed'));
    assert.equal(run.signal, 'SIGKILL');
    const acknowledged = JSON.parse((run.lines.at(-1) as string).slice('committed '.length)) as Binding[];
    assert.equal(acknowledged.length, 1);
    // The data is still only in the write-ahead log: recovery, not a clean close, must bring it back.
    assert.ok(existsSync(walOf(dataDir)) && statSync(walOf(dataDir)).size > 0);

    const stores = await openStores({ kind: 'sqlite', dataDir });
    try {
      const got = await stores.locations.get('sip:alice@example.com', T0);
      assert.deepEqual(got, acknowledged);
      assert.equal(got[0]?.expiresAt, T0 + 3_600_000);
      assert.equal(got[0]?.contact, 'sip:alice@192.0.2.1:5060;transport=udp');
    } finally {
      await stores.close();
    }
  });

  it('keeps an account and a forwarding rule acknowledged just before the kill', async () => {
    const dataDir = join(root, 'user');
    const run = await runUntilLine(child, [dataDir, 'user', String(T0)], (l) => l === 'committed');
    assert.equal(run.signal, 'SIGKILL');
    const stores = await openStores({ kind: 'sqlite', dataDir });
    try {
      assert.ok(await stores.users.lookupHa1('bob', 'example.com', 'MD5'));
      assert.equal((await stores.forwarding.get('sip:bob@example.com', 'busy'))?.target, 'sip:vm@example.com');
    } finally {
      await stores.close();
    }
  });

  it('keeps every acknowledged REGISTER when killed in the middle of a stream of them', async () => {
    const dataDir = join(root, 'stream');
    const run = await runUntilLine(child, [dataDir, 'stream', String(T0)], (l) => l === 'committed 150');
    assert.equal(run.signal, 'SIGKILL');
    const stores = await openStores({ kind: 'sqlite', dataDir });
    try {
      for (let i = 0; i <= 150; i++) {
        const got = await stores.locations.get(`sip:user${i}@example.com`, T0);
        assert.equal(got.length, 1, `user${i} was acknowledged but is missing`);
        assert.equal(got[0]?.expiresAt, T0 + 60_000 + i);
      }
      // Whatever the child committed after line 150 is there too or not at all, never half.
      const stats = await stores.locations.stats(T0);
      assert.equal(stats.aors, stats.contacts);
      assert.ok(stats.aors >= 151);
    } finally {
      await stores.close();
    }
  });
});
