/**
 * Registrar authentication (RFC 3261 section 10.3 steps 3 and 4, section 22): 401 with
 * WWW-Authenticate sent once without a transaction, a phone that answers it registers, an
 * authenticated user cannot register someone else's AOR (403), an unknown user and a wrong
 * password get the same answer, and RFC 4475 regaut01 (an unknown scheme) gets a Digest challenge.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { computeHa1, computeResponse, InMemoryUserLookup, parseChallenge } from '../../../src/auth/index.js';
import { type IncomingResponse, parseUri } from '../../../src/sip/index.js';
import { conformanceDir } from '../../helpers/paths.js';
import { advance, PROXY, type RawClient, rawRequest, settle, World } from '../proxy/harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const users = new InMemoryUserLookup({ alice: 'alice-secret', bob: 'bob-secret' });

function authorization(challenge: IncomingResponse, username: string, password: string): string {
  const c = challenge
    .get('www-authenticate')
    .map(parseChallenge)
    .find((v) => v?.algorithm === 'MD5');
  assert.ok(c);
  const uri = 'sip:example.com';
  const ha1 = computeHa1('MD5', username, c.realm, password);
  const response = computeResponse({
    algorithm: 'MD5',
    ha1,
    nonce: c.nonce,
    method: 'REGISTER',
    uri,
    qop: 'auth',
    nc: '00000001',
    cnonce: 'c1',
  });
  return `Digest username="${username}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1", opaque="${c.opaque}"`;
}

function register(client: RawClient, aor: string, cseq: number, extra: string[] = []): void {
  client.send(
    rawRequest('REGISTER', 'sip:example.com', {
      from: `<${aor}>;tag=t${cseq}`,
      to: `<${aor}>`,
      callId: 'auth-reg@10.0.0.8',
      cseq,
      via: `SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKauth${cseq}`,
      extra: ['Contact: <sip:me@10.0.0.8>', ...extra],
    }),
  );
}

describe('registrar: digest authentication (401)', () => {
  it('challenges once without a transaction, and a phone that answers registers', async () => {
    const w = (world = new World());
    await w.start({ auth: { users } });
    const client = w.raw('10.0.0.8');
    register(client, 'sip:alice@example.com', 1);
    await advance(w.clock, 40_000, 2000);
    assert.deepEqual(client.statuses, [401], 'one 401, never retransmitted');
    assert.equal(w.server?.transactions.stats().serverTransactions, 0);

    const alice = w.phone('alice', '10.0.0.2', { auth: ['alice', 'alice-secret'] });
    const done = alice.registration({ registrar: parseUri('sip:example.com') }).register();
    await settle(w.clock);
    const r = await done;
    assert.equal(r.ok, true);
    assert.deepEqual(w.between('10.0.0.2', PROXY), ['> REGISTER', '< 401 REGISTER', '> REGISTER', '< 200 REGISTER']);
    const bindings = await w.server?.stores.locations.get('sip:alice@example.com', w.clock.wallTime());
    assert.equal(bindings?.length, 1);
  });

  it("refuses to let a user register someone else's address of record (403)", async () => {
    const w = (world = new World());
    await w.start({ auth: { users } });
    const client = w.raw('10.0.0.8');
    register(client, 'sip:bob@example.com', 1);
    await settle(w.clock);
    const challenge = client.responses[0] as IncomingResponse;
    register(client, 'sip:bob@example.com', 2, [`Authorization: ${authorization(challenge, 'alice', 'alice-secret')}`]);
    await settle(w.clock);
    assert.deepEqual(client.statuses, [401, 403]);
    assert.deepEqual(await w.server?.stores.locations.get('sip:bob@example.com', w.clock.wallTime()), []);
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const w = (world = new World());
    await w.start({ auth: { users } });
    const client = w.raw('10.0.0.8');
    register(client, 'sip:alice@example.com', 1);
    await settle(w.clock);
    const challenge = client.responses[0] as IncomingResponse;
    register(client, 'sip:alice@example.com', 2, [`Authorization: ${authorization(challenge, 'alice', 'nope')}`]);
    register(client, 'sip:alice@example.com', 3, [`Authorization: ${authorization(challenge, 'zed', 'nope')}`]);
    await settle(w.clock);
    const [wrong, unknown] = client.responses.slice(1);
    assert.ok(wrong && unknown);
    const shape = (r: IncomingResponse) =>
      r
        .toString()
        .replace(/nonce="[^"]*"/g, 'nonce="N"')
        .replace(/(tag|branch)=[^\r\n;]+/g, '$1=X')
        .replace(/CSeq: \d+/, 'CSeq: N');
    assert.equal(wrong.status, 401);
    assert.equal(shape(wrong), shape(unknown));
  });

  it('answers RFC 4475 regaut01 (an unknown authorization scheme) with a Digest challenge', async () => {
    const w = (world = new World());
    await w.start({ auth: { users } });
    const client = w.raw('10.0.0.8');
    client.send(readFileSync(join(conformanceDir(), 'rfc4475', 'regaut01.dat')));
    await settle(w.clock);
    const res = client.responses[0];
    assert.equal(res?.status, 401);
    assert.ok(res?.get('www-authenticate').some((c) => c.scheme === 'Digest'));
  });
});
