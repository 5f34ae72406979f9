/**
 * startServer over real sockets on 127.0.0.1 (ephemeral ports): OPTIONS and REGISTER answered,
 * two UA-layer phones on their own UDP sockets registering and calling each other through it
 * (the INVITE reaches the registered phone, the BYE comes back through the proxy), a port that
 * is taken, and the message size limit (513).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { type RunningServer, startServer } from '../../../src/roles/server/index.js';
import { parseUri } from '../../../src/sip/index.js';
import { TransactionLayer } from '../../../src/transaction/index.js';
import { TransportError, TransportManager } from '../../../src/transport/index.js';
import { UserAgent } from '../../../src/ua/index.js';
import { RealClock } from '../../../src/util/index.js';
import { TestMedia } from '../../ua/test-media.js';
import { authenticator } from '../proxy/harness.js';
import { registerText, UdpClient } from './processes.js';

async function phone(
  name: string,
  server: RunningServer,
  credentials?: [string, string],
): Promise<{ ua: UserAgent; stop: () => Promise<void> }> {
  const clock = new RealClock();
  const transport = new TransportManager({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], clock });
  await transport.start();
  const transactions = new TransactionLayer({ transport, clock });
  const ua = new UserAgent({
    transactions,
    identity: `sip:${name}@example.com`,
    proxies: [server.uri],
    clock,
    createMedia: () => new TestMedia(),
    ...(credentials ? { authenticator: authenticator(credentials[0], credentials[1]) } : {}),
  });
  return {
    ua,
    stop: async () => {
      ua.close();
      await transport.stop();
    },
  };
}

/** Waits until `check` holds (polling every 10 ms), failing after `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail('condition not reached in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('startServer on real sockets', () => {
  it('answers OPTIONS and REGISTER on an ephemeral UDP port', async () => {
    const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: ['example.com'] });
    const client = await new UdpClient().open();
    try {
      assert.match(server.uri.toString(), /^sip:127\.0\.0\.1:\d+$/);
      const port = server.uri.port as number;
      const options = await client.request(
        [
          `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKopt1;rport`,
          'Max-Forwards: 70',
          'From: <sip:probe@example.com>;tag=1',
          `To: <sip:127.0.0.1:${port}>`,
          'Call-ID: options-1',
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
        port,
      );
      assert.equal(options.status, 200);
      assert.match(options.getRaw('Allow')[0] ?? '', /REGISTER/);
      const reg = await client.request(
        registerText(client, { user: 'alice', callId: 'r-1', contact: `<sip:alice@127.0.0.1:${client.port}>` }),
        port,
      );
      assert.equal(reg.status, 200);
      assert.match(reg.getRaw('Contact')[0] ?? '', /;expires=3600$/);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('lets two phones register and call each other through it', async () => {
    const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: ['example.com'] });
    const alice = await phone('alice', server);
    const bob = await phone('bob', server);
    try {
      for (const p of [alice, bob]) {
        const registration = p.ua.registration({ registrar: parseUri('sip:example.com') });
        const r = await registration.register();
        registration.stop();
        assert.equal(r.ok, true);
      }
      bob.ua.events.on('incomingCall', (c) => {
        c.ring();
        c.answer();
      });
      const call = await alice.ua.call('sip:bob@example.com');
      assert.deepEqual(await call.waitEstablished(), { ok: true });
      const callee = bob.ua.activeCalls()[0];
      assert.ok(callee);
      callee.hangup();
      const end = await call.waitEnded();
      assert.equal(end.reason, 'bye');
      assert.equal(end.by, 'remote');
      await until(() => (server.proxy?.activeRequests ?? 1) === 0);
    } finally {
      await alice.stop();
      await bob.stop();
      await server.stop();
    }
  });

  it('runs the Authentication Error flow over real UDP (INVITE, 407, ACK, INVITE with credentials)', async () => {
    const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: ['example.com'], auth: {} });
    await server.stores.users.add({ username: 'alice', domain: 'example.com' }, 'alice-pw');
    await server.stores.users.add({ username: 'bob', domain: 'example.com' }, 'bob-pw');
    const alice = await phone('alice', server, ['alice', 'alice-pw']);
    const bob = await phone('bob', server, ['bob', 'bob-pw']);
    try {
      const registration = bob.ua.registration({ registrar: parseUri('sip:example.com') });
      assert.equal((await registration.register()).ok, true);
      registration.stop();
      bob.ua.events.on('incomingCall', (c) => c.answer());
      const call = await alice.ua.call('sip:bob@example.com');
      assert.deepEqual(await call.waitEstablished(), { ok: true });
      call.hangup();
      await call.waitEnded();
      const samples = await server.metricSamples();
      const sent = (klass: string, method: string) =>
        samples.find(
          (x) =>
            x.name === 'sip_responses_sent_total' && x.labels['code_class'] === klass && x.labels['method'] === method,
        )?.value;
      assert.equal(sent('4xx', 'INVITE'), 1, 'one 407');
      assert.equal(sent('4xx', 'REGISTER'), 1, 'one 401');
    } finally {
      await alice.stop();
      await bob.stop();
      await server.stop();
    }
  });

  it('fails to start on a port in use, saying so, and leaves nothing open', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
    try {
      const port = holder.address().port;
      await assert.rejects(startServer({ listen: [`udp:127.0.0.1:${port}`] }), (err: unknown) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.code, 'ERR_TRANSPORT_UNAVAILABLE');
        assert.match(err.message, /EADDRINUSE/);
        return true;
      });
    } finally {
      holder.close();
    }
  });

  it('answers 513 to a datagram over the configured limit', async () => {
    const server = await startServer({
      listen: ['udp:127.0.0.1:0'],
      domains: ['example.com'],
      transportOptions: { maxDatagramSize: 1500 },
    });
    const client = await new UdpClient().open();
    try {
      const big = registerText(client, { user: 'alice', callId: 'big-1' }).replace(
        'Content-Length: 0',
        `X-Padding: ${'x'.repeat(2000)}\r\nContent-Length: 0`,
      );
      const res = await client.request(big, server.uri.port as number);
      assert.equal(res.status, 513);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
