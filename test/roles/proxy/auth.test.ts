/**
 * The proxy's digest authentication (RFC 3261 sections 22.3 and 26.3.2.4): the Cisco
 * "Authentication Error" flow (INVITE, 407, ACK, INVITE with credentials), the 407 sent once and
 * never retransmitted, its ACK absorbed, credentials consumed before forwarding, identical
 * answers for an unknown user and a wrong password, 403 when the credentials are someone else's,
 * and no challenge for calls from other domains or requests inside a dialog.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { computeHa1, computeResponse, InMemoryUserLookup, parseChallenge } from '../../../src/auth/index.js';
import type { IncomingResponse } from '../../../src/sip/index.js';
import { advance, answer, PROXY, rawRequest, settle, World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const users = new InMemoryUserLookup({ alice: 'alice-secret', bob: 'bob-secret' });

async function started(): Promise<World> {
  const w = (world = new World());
  await w.start({ auth: { users } });
  return w;
}

/** Proxy-Authorization answering a challenge for `username` (MD5, qop=auth). */
function credentials(challenge: IncomingResponse, username: string, password: string, uri: string): string {
  const values = challenge.get('proxy-authenticate').map(parseChallenge);
  const c = values.find((v) => v?.algorithm === 'MD5');
  assert.ok(c);
  const ha1 = computeHa1('MD5', username, c.realm, password);
  const response = computeResponse({
    algorithm: 'MD5',
    ha1,
    nonce: c.nonce,
    method: 'INVITE',
    uri,
    qop: 'auth',
    nc: '00000001',
    cnonce: 'abc',
  });
  return `Digest username="${username}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="abc", opaque="${c.opaque}"`;
}

describe('proxy: digest authentication (407)', () => {
  it('runs the Authentication Error flow: INVITE, 407, ACK absorbed, INVITE with credentials forwarded without them', async () => {
    const w = await started();
    const uas = w.uas('10.0.0.9', answer(180, 200));
    await w.bind('bob', 'sip:bob@10.0.0.9');
    const alice = w.phone('alice', '10.0.0.2', { auth: ['alice', 'alice-secret'] });
    const call = await alice.call('sip:bob@example.com');
    await settle(w.clock);
    assert.equal(call.state, 'established');
    assert.deepEqual(w.between('10.0.0.2', PROXY), [
      '> INVITE',
      '< 407 INVITE',
      '> ACK',
      '> INVITE',
      '< 100 INVITE',
      '< 180 INVITE',
      '< 200 INVITE',
      '> ACK',
    ]);
    assert.deepEqual(w.between(PROXY, '10.0.0.9'), ['> INVITE', '< 180 INVITE', '< 200 INVITE', '> ACK']);
    assert.equal(uas.invites.length, 1);
    assert.equal(uas.invites[0]?.has('proxy-authorization'), false, 'credentials are consumed');
    assert.equal(uas.acks.length, 1, 'only the ACK of the 2xx reaches the callee');
    const challenge = w.messages((p) => p.status === 407)[0];
    assert.ok(challenge && challenge.kind === 'response');
    const algorithms = challenge.get('proxy-authenticate').map((v) => v.params.getUnquoted('algorithm'));
    assert.deepEqual(
      [...algorithms],
      ['MD5'],
      'MD5 alone by default, as Kamailio (old clients refuse other algorithms)',
    );
    assert.equal(challenge.get('proxy-authenticate')[0]?.params.getUnquoted('realm'), 'example.com');
    call.hangup();
    await settle(w.clock);
    const byes = w.messages((p) => p.method === 'BYE' && p.status === undefined);
    assert.equal(byes.length, 2, 'the BYE went through the proxy (Record-Route)');
    assert.equal(byes[0]?.has('proxy-authorization'), true, 'alice answers the challenge again in the dialog');
    assert.equal(
      byes[1]?.has('proxy-authorization'),
      false,
      'credentials for our realm never go further, even in a dialog',
    );
  });

  it('sends the 407 once: no retransmission, no transaction, a small answer', async () => {
    const w = await started();
    const client = w.raw('10.0.0.8');
    client.send(rawRequest('INVITE', 'sip:bob@example.com'));
    await advance(w.clock, 40_000, 2000);
    assert.deepEqual(client.statuses, [407], 'one 407, no 100 Trying before it, no retransmission');
    assert.equal(w.server?.transactions.stats().serverTransactions, 0);
    const bytes = w.net.packets.find((p) => p.status === 407)?.bytes.length ?? 0;
    assert.ok(bytes < 1000, `the challenge is small (${bytes} bytes)`);
  });

  it('gives an unknown user and a wrong password the same answer', async () => {
    const w = await started();
    const client = w.raw('10.0.0.8');
    const uri = 'sip:bob@example.com';
    const base = { callId: 'same@10.0.0.8', via: 'SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKfirst' };
    client.send(rawRequest('INVITE', uri, base));
    await settle(w.clock);
    const challenge = client.responses[0] as IncomingResponse;
    const attempt = (user: string, password: string, branch: string, cseq: number) => {
      client.send(
        rawRequest('INVITE', uri, {
          ...base,
          from: `<sip:${user}@example.com>;tag=f1`,
          cseq,
          via: `SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bK${branch}`,
          extra: [`Proxy-Authorization: ${credentials(challenge, user, password, uri)}`],
        }),
      );
    };
    attempt('alice', 'wrong-password', 'wrongpw', 2);
    attempt('mallory', 'whatever', 'unknown', 3);
    await settle(w.clock);
    const [wrong, unknown] = client.responses.slice(1);
    assert.ok(wrong && unknown);
    const shape = (r: IncomingResponse) =>
      r
        .toString()
        .replace(/nonce="[^"]*"/g, 'nonce="N"')
        .replace(/tag=[^\r\n;]+/g, 'tag=T')
        .replace(/branch=[^\r\n;]+/g, 'branch=B')
        .replace(/CSeq: \d+/, 'CSeq: N')
        .replace(/sip:(alice|mallory)@/, 'sip:USER@');
    assert.equal(wrong.status, 407);
    assert.equal(shape(wrong), shape(unknown));
  });

  it('refuses credentials of another user with 403 (no calling as someone else)', async () => {
    const w = await started();
    const client = w.raw('10.0.0.8');
    const uri = 'sip:bob@example.com';
    client.send(rawRequest('INVITE', uri, { from: '<sip:bob@example.com>;tag=x' }));
    await settle(w.clock);
    const challenge = client.responses[0] as IncomingResponse;
    client.send(
      rawRequest('INVITE', uri, {
        from: '<sip:bob@example.com>;tag=x',
        cseq: 2,
        extra: [`Proxy-Authorization: ${credentials(challenge, 'alice', 'alice-secret', uri)}`],
      }),
    );
    await settle(w.clock);
    assert.deepEqual(client.statuses, [407, 403]);
    assert.equal(client.responses[1]?.reason, 'Forbidden Auth ID');
  });

  it('does not challenge calls from other domains, nor requests inside a dialog', async () => {
    const w = await started();
    const uas = w.uas('10.0.0.9', answer(200));
    await w.bind('bob', 'sip:bob@10.0.0.9');
    const client = w.raw('10.0.0.8');
    client.send(rawRequest('INVITE', 'sip:bob@example.com', { from: '<sip:carol@other.example>;tag=c' }));
    await settle(w.clock);
    assert.equal(uas.invites.length, 1);
    assert.ok(client.statuses.includes(200));
    client.send(rawRequest('BYE', 'sip:bob@10.0.0.9', { to: '<sip:bob@example.com>;tag=t' }));
    await settle(w.clock);
    assert.equal(
      uas.received.filter((r) => r.method === 'BYE').length,
      1,
      'an in-dialog BYE to a foreign target is relayed',
    );
  });

  it('answers stale=true to a correct answer on an expired nonce', async () => {
    const w = (world = new World());
    await w.start({ auth: { users, nonceLifetimeMs: 10_000 } });
    const client = w.raw('10.0.0.8');
    const uri = 'sip:bob@example.com';
    client.send(rawRequest('INVITE', uri));
    await settle(w.clock);
    const challenge = client.responses[0] as IncomingResponse;
    await advance(w.clock, 11_000, 1000);
    client.send(
      rawRequest('INVITE', uri, {
        cseq: 2,
        extra: [`Proxy-Authorization: ${credentials(challenge, 'alice', 'alice-secret', uri)}`],
      }),
    );
    await settle(w.clock);
    assert.equal(client.responses[1]?.status, 407);
    assert.ok(client.responses[1]?.get('proxy-authenticate').every((c) => c.params.get('stale') === 'true'));
  });
});
