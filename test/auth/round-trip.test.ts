/**
 * DigestClient and DigestServer together, every message crossing the printer and the parser:
 * REGISTER and INVITE flows as the seed ladders draw them (Cisco "Authentication Error": INVITE,
 * 407, ACK, INVITE with credentials), nc across requests, stale nonces under a virtual clock,
 * a proxy and a registrar with their own realms, Authentication-Info.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ChallengeResult,
  DigestClient,
  type DigestClientOptions,
  DigestServer,
  type DigestServerOptions,
  InMemoryUserLookup,
  parseCredentials,
  type VerifyOptions,
  type VerifyResult,
} from '../../src/auth/index.js';
import { ackForNon2xx, type OutgoingRequest, responseTo } from '../../src/sip/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { nextAttempt, request, requestOnWire, responseOnWire } from './wire.js';

const users = new InMemoryUserLookup({ alice: 'wonderland' });

function parties(serverOptions: Partial<DigestServerOptions> = {}, clientOptions: Partial<DigestClientOptions> = {}) {
  const clock = new VirtualClock();
  const server = new DigestServer({ clock, secret: 'round trip secret, 32 bytes long', ...serverOptions });
  const prompts: string[] = [];
  const client = new DigestClient({
    credentials: (realm) => {
      prompts.push(realm);
      return { username: 'alice', password: 'wonderland' };
    },
    ...clientOptions,
  });
  return { clock, server, client, prompts };
}

function retry(r: ChallengeResult): OutgoingRequest {
  assert.ok(r.retry, r.retry ? '' : `${r.reason}: ${r.detail}`);
  return nextAttempt(r.request);
}

function rejected(r: VerifyResult) {
  assert.equal(r.ok, false);
  if (r.ok) throw new Error('unreachable');
  return r;
}

/** One request through the server: verify, or the challenge to answer. */
async function send(server: DigestServer, req: OutgoingRequest, options: VerifyOptions): Promise<VerifyResult> {
  return server.verify(requestOnWire(req), options);
}

const REG: VerifyOptions = { realm: 'example.com', proxy: false, users };

describe('client and server', () => {
  for (const algorithm of ['MD5', 'SHA-256', 'SHA-512-256', 'SHA-256-sess'] as const) {
    for (const qop of [['auth'], []] as const) {
      if (qop.length === 0 && algorithm.endsWith('-sess')) continue;
      it(`REGISTER with ${algorithm}, ${qop.length ? 'qop=auth' : 'no qop (RFC 2069)'}`, async () => {
        const { server, client } = parties({ algorithms: [algorithm], qop });
        const reg = request();
        const first = rejected(await send(server, reg, REG));
        assert.equal(first.reason, 'missing');
        const again = retry(client.handleChallenge(reg, responseOnWire(first.respond)));
        const ok = await send(server, again, REG);
        assert.ok(ok.ok, ok.ok ? '' : ok.detail);
        assert.equal(ok.username, 'alice');
        assert.equal(ok.algorithm, algorithm);
        assert.equal(ok.qop, qop.length ? 'auth' : undefined);
      });
    }
  }

  it('answers the default MD5 + SHA-256 challenge with SHA-256, or with MD5 when that is all the phone does', async () => {
    for (const [algorithms, expected] of [
      [undefined, 'SHA-256'],
      [['MD5'], 'MD5'],
    ] as const) {
      const { server, client } = parties({}, algorithms ? { algorithms } : {});
      const reg = request();
      const challenge = rejected(await send(server, reg, REG)).respond;
      const ok = await send(server, retry(client.handleChallenge(reg, responseOnWire(challenge))), REG);
      assert.ok(ok.ok);
      assert.equal(ok.algorithm, expected);
    }
  });

  it('runs the Cisco "Authentication Error" flow: INVITE, 407, ACK, INVITE with credentials', async () => {
    const { server, client } = parties();
    const proxy: VerifyOptions = { realm: 'companyb.com', proxy: true, users };
    const invite = request({
      method: 'INVITE',
      uri: 'sip:555-0002@companyb.com;user=phone',
      cseq: 101,
      body: 'v=0\r\n',
    });
    const r407 = rejected(await send(server, invite, proxy));
    assert.equal(r407.respond.status, 407);
    const wire407 = responseOnWire(r407.respond);
    // The ACK of the 407 (RFC 3261 section 17.1.1.3) is hop-by-hop and never challenged.
    const ack = ackForNon2xx(invite, wire407);
    assert.equal(DigestServer.mayChallenge(ack.method), false);
    assert.deepEqual(ack.cseq, { seq: 101, method: 'ACK' });
    assert.equal(ack.to.tag, wire407.toTag);
    const resent = retry(client.handleChallenge(invite, wire407));
    assert.deepEqual(resent.cseq, { seq: 102, method: 'INVITE' });
    assert.notEqual(resent.topVia.branch, invite.topVia.branch);
    const ok = await send(server, resent, proxy);
    assert.ok(ok.ok);
    assert.equal(ok.username, 'alice');
  });

  it('sends nc=00000002, 00000003 on the re-REGISTERs and the server accepts each once', async () => {
    const { server, client, prompts } = parties();
    const reg = request({ callId: 'reg-1' });
    const c = rejected(await send(server, reg, REG)).respond;
    const first = retry(client.handleChallenge(reg, responseOnWire(c)));
    assert.ok((await send(server, first, REG)).ok);
    for (const nc of [2, 3]) {
      const refresh = request({ callId: 'reg-1', cseq: nc + 1 });
      assert.equal(client.authorize(refresh), 1);
      const sent = parseCredentials(refresh.get('authorization')[0]!);
      assert.ok(sent.ok && sent.credentials.nc === nc);
      const r = await send(server, refresh, REG);
      assert.ok(r.ok && r.nc === nc);
    }
    assert.deepEqual(prompts, ['example.com'], 'asked once');
  });

  it('after the nonce expires, answers stale=true without prompting and is accepted', async () => {
    const { server, client, clock, prompts } = parties({ nonceLifetimeMs: 300_000 });
    const reg = request({ callId: 'reg-2' });
    const first = retry(client.handleChallenge(reg, responseOnWire(rejected(await send(server, reg, REG)).respond)));
    assert.ok((await send(server, first, REG)).ok);
    clock.advance(3_600_000); // the registration refresh an hour later
    const refresh = request({ callId: 'reg-2', cseq: 5 });
    client.authorize(refresh);
    const stale = rejected(await send(server, refresh, REG));
    assert.equal(stale.reason, 'stale');
    const again = retry(client.handleChallenge(refresh, responseOnWire(stale.respond)));
    const ok = await send(server, again, REG);
    assert.ok(ok.ok);
    assert.equal(prompts.length, 1, 'no new prompt for a stale nonce');
  });

  it('refuses a replayed request and tells the client a wrong password', async () => {
    const { server } = parties();
    const wrong = new DigestClient({ credentials: () => ({ username: 'alice', password: 'alice123' }) });
    const reg = request();
    const answer = retry(wrong.handleChallenge(reg, responseOnWire(rejected(await send(server, reg, REG)).respond)));
    const bad = rejected(await send(server, answer, REG));
    assert.equal(bad.reason, 'bad-credentials');
    const verdict = wrong.handleChallenge(answer, responseOnWire(bad.respond));
    assert.equal(verdict.retry ? 'retry' : verdict.reason, 'rejected');

    const { server: s2, client } = parties();
    const reg2 = request();
    const good = retry(client.handleChallenge(reg2, responseOnWire(rejected(await send(s2, reg2, REG)).respond)));
    assert.ok((await send(s2, good, REG)).ok);
    const replay = rejected(await send(s2, good, REG));
    assert.equal(replay.reason, 'replay');
  });

  it('an unknown user is refused like a wrong password, and the client reports it rejected', async () => {
    const { server } = parties();
    const mallory = new DigestClient({ credentials: () => ({ username: 'mallory', password: 'x' }) });
    const reg = request();
    const answer = retry(mallory.handleChallenge(reg, responseOnWire(rejected(await send(server, reg, REG)).respond)));
    const r = rejected(await send(server, answer, REG));
    assert.equal(r.reason, 'bad-credentials');
    const verdict = mallory.handleChallenge(answer, responseOnWire(r.respond));
    assert.equal(verdict.retry ? 'retry' : verdict.reason, 'rejected');
  });

  it('passes a proxy and a registrar with their own realms, the proxy seeing nc rise, never a replay', async () => {
    const clock = new VirtualClock();
    const proxy = new DigestServer({ clock, secret: 'the proxy secret, long enough!!' });
    const registrar = new DigestServer({ clock, secret: 'the registrar secret, long too!' });
    const client = new DigestClient({ credentials: () => ({ username: 'alice', password: 'wonderland' }) });
    const P: VerifyOptions = { realm: 'proxy.example.net', proxy: true, users };
    const R: VerifyOptions = { realm: 'example.com', proxy: false, users };
    let reg = request({ callId: 'reg-3' });
    // 1. The proxy challenges.
    reg = retry(client.handleChallenge(reg, responseOnWire(rejected(await send(proxy, reg, P)).respond)));
    // 2. The proxy accepts and forwards; the registrar challenges; the 401 comes back through the proxy.
    assert.ok((await send(proxy, reg, P)).ok);
    reg = retry(client.handleChallenge(reg, responseOnWire(rejected(await send(registrar, reg, R)).respond)));
    // 3. Both accept.
    const p = await send(proxy, reg, P);
    assert.ok(p.ok, p.ok ? '' : `${p.reason} ${p.detail}`);
    assert.equal(p.nc, 2);
    assert.ok((await send(registrar, reg, R)).ok);
  });

  it('verifies the registrar with Authentication-Info and moves to its nextnonce', async () => {
    const { server, client } = parties({ algorithms: ['SHA-256'] });
    const reg = request({ callId: 'reg-4' });
    const answer = retry(client.handleChallenge(reg, responseOnWire(rejected(await send(server, reg, REG)).respond)));
    const incoming = requestOnWire(answer);
    const ok = await server.verify(incoming, REG);
    assert.ok(ok.ok);
    const res = responseTo(incoming, 200, { toTag: 'reg' });
    server.addAuthenticationInfo(ok, res, { nextnonce: true });
    assert.deepEqual(client.handleAuthenticationInfo(answer, responseOnWire(res)), {
      status: 'verified',
      nextnonce: true,
    });
    const refresh = request({ callId: 'reg-4', cseq: 9 });
    client.authorize(refresh);
    const next = await send(server, refresh, REG);
    assert.ok(next.ok);
    assert.notEqual(next.nonce, ok.nonce);
    assert.equal(next.nc, 1);
  });
});
