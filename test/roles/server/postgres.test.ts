/**
 * Two `server` instances on different ports sharing one PostgreSQL location service and user
 * table (a throwaway cluster from scripts/pg-test-server.mjs; the test fails with the install
 * hint when PostgreSQL is missing): an account created through one is used by both, a phone
 * registers through instance 1, and a call placed through instance 2 reaches it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../../../src/roles/server/index.js';
import { parseUri } from '../../../src/sip/index.js';
import type { StoreOptions } from '../../../src/store/index.js';
import { TransactionLayer } from '../../../src/transaction/index.js';
import { TransportManager } from '../../../src/transport/index.js';
import { UserAgent } from '../../../src/ua/index.js';
import { RealClock } from '../../../src/util/index.js';
import { postgresForThisFile } from '../../helpers/postgres.js';
import { TestMedia } from '../../ua/test-media.js';
import { authenticator } from '../proxy/harness.js';

const pg = postgresForThisFile();

async function phone(name: string, password: string, proxy: string) {
  const clock = new RealClock();
  const transport = new TransportManager({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], clock });
  await transport.start();
  const ua = new UserAgent({
    transactions: new TransactionLayer({ transport, clock }),
    identity: `sip:${name}@example.com`,
    proxies: [proxy],
    clock,
    createMedia: () => new TestMedia(),
    authenticator: authenticator(name, password),
  });
  return {
    ua,
    stop: async () => {
      ua.close();
      await transport.stop();
    },
  };
}

describe('two server instances on one PostgreSQL', () => {
  it('register through one, call through the other', async () => {
    const store: StoreOptions = { kind: 'postgres', connectionString: pg.url, schema: pg.freshSchema() };
    const common = {
      listen: ['udp:127.0.0.1:0'],
      domains: ['example.com'],
      store,
      auth: { secret: 'shared-secret-of-the-pair' },
    };
    const one = await startServer(common);
    const two = await startServer(common);
    const bob = await phone('bob', 'bob-pw', one.uri.toString());
    const alice = await phone('alice', 'alice-pw', two.uri.toString());
    try {
      assert.notEqual(one.uri.port, two.uri.port);
      await one.stores.users.add({ username: 'bob', domain: 'example.com' }, 'bob-pw');
      await one.stores.users.add({ username: 'alice', domain: 'example.com' }, 'alice-pw');

      const registration = bob.ua.registration({ registrar: parseUri('sip:example.com') });
      const reg = await registration.register();
      registration.stop();
      assert.equal(reg.ok, true, 'bob registered through instance 1 (after its 401)');
      const seen = await two.stores.locations.get('sip:bob@example.com', Date.now());
      assert.equal(seen.length, 1, 'instance 2 sees the binding');

      const incoming = bob.ua.events.next('incomingCall');
      const call = await alice.ua.call('sip:bob@example.com');
      const [inc] = await incoming;
      assert.equal(inc.remoteIdentity.uri.toString(), 'sip:alice@example.com');
      inc.answer();
      assert.deepEqual(await call.waitEstablished(), { ok: true });
      call.hangup();
      await inc.waitEnded();
      assert.equal(two.proxy?.metrics.get('proxy_forwarded_total', { method: 'INVITE' }), 1);
    } finally {
      await alice.stop();
      await bob.stop();
      await one.stop();
      await two.stop();
    }
  });
});
