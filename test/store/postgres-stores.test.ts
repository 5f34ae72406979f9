/**
 * The shared store suites on a real PostgreSQL server (Debian's binaries, one throwaway cluster
 * for this file, one schema per test), and what the shared backend must add: several instances
 * writing the same AOR at the same moment without duplicates, lost updates or errors, and
 * instances starting together against an empty database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openStores, type RegisterGuard, type Stores } from '../../src/store/index.js';
import { postgresForThisFile } from '../helpers/postgres.js';
import { describeForwardingStore } from './forwarding-suite.js';
import { describeLocationStore } from './location-suite.js';
import { clockAt, type StoreHarness, T0 } from './store-harness.js';
import { describeUserStore } from './user-suite.js';

const server = postgresForThisFile();
const HOUR = 3600_000;

const harness: StoreHarness = {
  name: 'postgres',
  fresh: async () => {
    const schema = server.freshSchema();
    return { open: () => openStores({ kind: 'postgres', connectionString: server.url, schema, clock: clockAt() }) };
  },
};

describeLocationStore(harness);
describeUserStore(harness);
describeForwardingStore(harness);

async function twoInstances(): Promise<[Stores, Stores]> {
  const schema = server.freshSchema();
  const open = () => openStores({ kind: 'postgres', connectionString: server.url, schema, poolSize: 8 });
  return [await open(), await open()];
}

describe('PostgreSQL backend', () => {
  it('commits with synchronous_commit=on and names the server without credentials', async () => {
    const url = server.url.replace('postgres@', 'postgres:hunter2@');
    const stores = await openStores({ kind: 'postgres', connectionString: url, schema: server.freshSchema() });
    try {
      assert.equal(stores.durability, 'synchronous_commit=on');
      assert.match(stores.description, /^postgres 127\.0\.0\.1:\d+\/postgres schema t\d+_\d+$/);
      assert.ok(!stores.description.includes('hunter2'));
    } finally {
      await stores.close();
    }
  });

  it('two instances registering the same contact of one AOR at once leave exactly one binding', async () => {
    const [a, b] = await twoInstances();
    try {
      const aor = 'sip:alice@example.com';
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const store = i % 2 === 0 ? a : b;
        jobs.push(
          store.locations.applyRegister(
            aor,
            {
              callId: `call-${i}`,
              cseq: i + 1,
              contacts: [{ contact: 'sip:alice@192.0.2.10:5060', expiresAt: T0 + HOUR }],
            },
            T0 + i,
          ),
        );
      }
      const results = await Promise.allSettled(jobs);
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected'),
        [],
      );
      const got = await a.locations.get(aor, T0 + 100);
      assert.equal(got.length, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two instances adding different contacts of one AOR at once keep all of them', async () => {
    const [a, b] = await twoInstances();
    try {
      const aor = 'sip:bob@example.com';
      const jobs = Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).locations.applyRegister(
          aor,
          { callId: `c${i}`, cseq: 1, contacts: [{ contact: `sip:bob@192.0.2.${i + 1}:5060`, expiresAt: T0 + HOUR }] },
          T0,
        ),
      );
      await Promise.all(jobs);
      assert.equal((await b.locations.get(aor, T0)).length, 30);
      assert.deepEqual(await a.locations.stats(T0), { aors: 1, contacts: 30 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a guard's check still holds at commit when instances race (no lost update)", async () => {
    const [a, b] = await twoInstances();
    try {
      const aor = 'sip:carol@example.com';
      const max3: RegisterGuard = (plan) =>
        plan.resulting.length > 3 ? { status: 403, reason: 'at most 3 contacts' } : undefined;
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? a : b).locations.applyRegister(
            aor,
            {
              callId: `c${i}`,
              cseq: 1,
              contacts: [{ contact: `sip:carol@198.51.100.${i + 1}`, expiresAt: T0 + HOUR }],
            },
            T0,
            max3,
          ),
        ),
      );
      assert.equal(outcomes.filter((o) => o.ok).length, 3);
      assert.equal((await a.locations.get(aor, T0)).length, 3);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('instances starting together on an empty database migrate it once', async () => {
    const schema = server.freshSchema();
    const opened = await Promise.all(
      Array.from({ length: 4 }, () => openStores({ kind: 'postgres', connectionString: server.url, schema })),
    );
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const r = await client.query(`SELECT version FROM "${schema}".schema_version`);
      await client.end();
      assert.deepEqual(r.rows, [{ version: 1 }]);
      await opened[0]?.users.add({ username: 'x', domain: 'example.com' }, 'pw');
      assert.equal((await opened[3]?.users.list())?.length, 1);
    } finally {
      for (const s of opened) await s.close();
    }
  });

  it('refuses a schema written by a newer version, and a schema name it cannot quote', async () => {
    const schema = server.freshSchema();
    await (await openStores({ kind: 'postgres', connectionString: server.url, schema })).close();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`INSERT INTO "${schema}".schema_version (version, applied_at) VALUES (42, 0)`);
    await client.end();
    await assert.rejects(openStores({ kind: 'postgres', connectionString: server.url, schema }), {
      code: 'ERR_STORE_SCHEMA',
    });
    await assert.rejects(openStores({ kind: 'postgres', connectionString: server.url, schema: 'x"; DROP' }), {
      code: 'ERR_STORE_RECORD',
    });
  });

  it('runs with a role that has only USAGE and DML rights once the schema exists', async () => {
    const schema = server.freshSchema();
    await (await openStores({ kind: 'postgres', connectionString: server.url, schema })).close();
    const role = `app_${schema}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
    await admin.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`);
    await admin.end();
    const url = server.url.replace('postgres://postgres@', `postgres://${role}@`);
    const stores = await openStores({ kind: 'postgres', connectionString: url, schema });
    try {
      await stores.users.add({ username: 'ann', domain: 'example.com' }, 'pw');
      const out = await stores.locations.applyRegister(
        'sip:ann@example.com',
        { callId: 'c', cseq: 1, contacts: [{ contact: 'sip:ann@192.0.2.5', expiresAt: T0 + HOUR }] },
        T0,
      );
      assert.ok(out.ok);
    } finally {
      await stores.close();
    }
  });

  it('reports an unreachable server as ERR_STORE', async () => {
    const port = new URL(server.url).port;
    const wrong = server.url.replace(`:${port}/`, ':1/');
    await assert.rejects(openStores({ kind: 'postgres', connectionString: wrong }), { code: 'ERR_STORE' });
  });
});
