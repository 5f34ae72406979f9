/**
 * The shared store suites on SQLite (one fresh data directory per test), and what is particular
 * to the embedded backend: the file's place, WAL and synchronous=FULL, schema versioning,
 * private file permissions, and no password anywhere in the file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStores, SQLITE_FILE_NAME } from '../../src/store/index.js';
import { describeForwardingStore } from './forwarding-suite.js';
import { describeLocationStore } from './location-suite.js';
import { clockAt, type StoreHarness, T0 } from './store-harness.js';
import { describeUserStore } from './user-suite.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-sqlite-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const newDir = (): string => join(root, `db${++n}`, 'nested');

const harness: StoreHarness = {
  name: 'sqlite',
  fresh: async () => {
    const dataDir = newDir();
    return { open: () => openStores({ kind: 'sqlite', dataDir, clock: clockAt() }) };
  },
};

describeLocationStore(harness);
describeUserStore(harness);
describeForwardingStore(harness);

describe('SQLite backend', () => {
  it('creates <dataDir>/switchboard.db (and the directory), private, in WAL mode with synchronous=FULL', async () => {
    const dataDir = newDir();
    const stores = await openStores({ kind: 'sqlite', dataDir, clock: clockAt() });
    try {
      const file = join(dataDir, SQLITE_FILE_NAME);
      assert.equal(stores.description, `sqlite ${file}`);
      assert.ok(existsSync(file));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      const peek = new Database(file, { readonly: true });
      assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(peek.prepare('SELECT version FROM schema_version').all(), [{ version: 1 }]);
      const indexes = peek
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'location'")
        .all()
        .map((r) => (r as { name: string }).name);
      assert.ok(indexes.includes('location_expires_at'));
      peek.close();
      // Read back from the store's own connection, not assumed from what it asked for.
      assert.equal(stores.durability, 'journal_mode=wal synchronous=FULL');
    } finally {
      await stores.close();
    }
  });

  it('never writes a password into the database file or its WAL', async () => {
    const dataDir = newDir();
    const stores = await openStores({ kind: 'sqlite', dataDir, clock: clockAt() });
    await stores.users.add({ username: 'alice', domain: 'example.com' }, 'Tr0ub4dor&3-unique-marker');
    await stores.users.setPassword('alice', 'example.com', 'correct-horse-unique-marker');
    const bytes = readdirSync(dataDir)
      .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
      .join('');
    assert.ok(bytes.includes('alice'), 'the check reads the right files');
    assert.ok(!bytes.includes('unique-marker'));
    await stores.close();
  });

  it('refuses a database written by a newer schema version', async () => {
    const dataDir = newDir();
    await (await openStores({ kind: 'sqlite', dataDir })).close();
    const raw = new Database(join(dataDir, SQLITE_FILE_NAME));
    raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (99, ?)').run(T0);
    raw.close();
    await assert.rejects(openStores({ kind: 'sqlite', dataDir }), { code: 'ERR_STORE_SCHEMA' });
  });

  it('applies synchronous=NORMAL when asked (process-kill safe, not power-cut safe)', async () => {
    const stores = await openStores({ kind: 'sqlite', dataDir: newDir(), synchronous: 'normal' });
    assert.equal(stores.durability, 'journal_mode=wal synchronous=NORMAL');
    await stores.close();
  });

  it('reports a data directory it cannot create as ERR_STORE', async () => {
    const dataDir = newDir();
    await (await openStores({ kind: 'sqlite', dataDir })).close();
    // A directory inside a regular file cannot exist.
    await assert.rejects(openStores({ kind: 'sqlite', dataDir: join(dataDir, SQLITE_FILE_NAME, 'sub') }), {
      code: 'ERR_STORE',
    });
  });

  it('runs in memory for tests of other layers', async () => {
    const stores = await openStores({ kind: 'sqlite', dataDir: ':memory:' });
    await stores.locations.applyRegister(
      'sip:a@b',
      { callId: 'c', cseq: 1, contacts: [{ contact: 'sip:a@h', expiresAt: T0 + 1 }] },
      T0,
    );
    assert.equal((await stores.locations.get('sip:a@b', T0)).length, 1);
    await stores.close();
    await stores.close();
  });
});
