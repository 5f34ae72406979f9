/**
 * DigestServer: challenges, and every verdict of verify with the response it carries. Credentials
 * are computed here from the RFC formulas (computeResponse), not by DigestClient, so that the
 * server is checked on its own; the client meets it in round-trip.test.ts and interop.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeHa1,
  computeResponse,
  computeRspauth,
  credentialsValue,
  type DigestAlgorithm,
  DigestServer,
  type DigestServerOptions,
  formatNc,
  InMemoryUserLookup,
  parseChallenge,
  type VerifyResult,
} from '../../src/auth/index.js';
import { type IncomingResponse, type OutgoingRequest, parseAuthValue, printAuthValue } from '../../src/sip/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { ConfigError } from '../../src/util/errors.js';
import { request, requestOnWire, responseOnWire } from './wire.js';

const REALM = 'example.com';
const users = new InMemoryUserLookup({ alice: 'wonderland', bob: 'builder' });

function setup(options: Partial<DigestServerOptions> = {}) {
  const clock = new VirtualClock();
  const server = new DigestServer({ clock, secret: 'a server secret of enough bytes', ...options });
  return { clock, server };
}

interface AnswerSpec {
  username?: string;
  password?: string;
  realm?: string;
  algorithm?: DigestAlgorithm;
  qop?: 'auth' | 'auth-int' | null;
  nc?: number;
  cnonce?: string;
  uri?: string;
  opaque?: string | null;
  header?: 'authorization' | 'proxy-authorization';
}

/** Adds credentials computed from the RFC formulas for `challenge` to `req`. */
function answer(req: OutgoingRequest, challenge: IncomingResponse, spec: AnswerSpec = {}): OutgoingRequest {
  const header = spec.header ?? (challenge.status === 407 ? 'proxy-authorization' : 'authorization');
  const challenges = challenge.get(challenge.status === 407 ? 'proxy-authenticate' : 'www-authenticate');
  const algorithm = spec.algorithm ?? 'MD5';
  const chosen =
    challenges.map(parseChallenge).find((c) => c?.algorithm === algorithm) ?? parseChallenge(challenges[0]!);
  assert.ok(chosen);
  const username = spec.username ?? 'alice';
  const realm = spec.realm ?? chosen.realm;
  const qop = spec.qop === null ? undefined : (spec.qop ?? 'auth');
  const nc = spec.nc ?? 1;
  const cnonce = spec.cnonce ?? 'c0ffee';
  const uri = spec.uri ?? req.uri.toString();
  const ha1 = computeHa1(algorithm, username, realm, spec.password ?? 'wonderland');
  const response = computeResponse({
    algorithm,
    ha1,
    nonce: chosen.nonce,
    method: req.method,
    uri,
    qop,
    nc: qop ? formatNc(nc) : undefined,
    cnonce: qop ? cnonce : undefined,
    body: req.body,
  });
  req.append(
    header,
    credentialsValue({
      username,
      realm,
      nonce: chosen.nonce,
      uri,
      response,
      algorithm,
      qop,
      cnonce: qop ? cnonce : undefined,
      nc,
      opaque: spec.opaque === null ? undefined : (spec.opaque ?? chosen.opaque),
    }),
  );
  return req;
}

async function challengeThenVerify(
  server: DigestServer,
  spec: AnswerSpec = {},
  proxy = false,
): Promise<{ result: VerifyResult; challenge: IncomingResponse }> {
  const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy }));
  const req = answer(request({ cseq: 2 }), challenge, spec);
  return { result: await server.verify(requestOnWire(req), { realm: REALM, proxy, users }), challenge };
}

function failure(result: VerifyResult) {
  assert.equal(result.ok, false, 'expected a failure');
  if (result.ok) throw new Error('unreachable');
  return { ...result, wire: responseOnWire(result.respond) };
}

describe('DigestServer.challenge', () => {
  it('answers 401 with an MD5 then a SHA-256 challenge sharing one nonce, qop="auth", opaque', () => {
    const { server } = setup();
    const req = requestOnWire(request({ branch: 'z9hG4bKone' }));
    const res = responseOnWire(server.challenge(req, { realm: REALM, proxy: false }));
    assert.equal(res.status, 401);
    assert.equal(res.reason, 'Unauthorized');
    const lines = res.get('www-authenticate').map(parseChallenge);
    assert.deepEqual(
      lines.map((c) => c?.algorithm),
      ['MD5', 'SHA-256'],
    );
    assert.equal(lines[0]?.nonce, lines[1]?.nonce);
    assert.equal(lines[0]?.realm, REALM);
    assert.deepEqual(lines[0]?.qop, ['auth']);
    assert.ok(lines[0]?.opaque);
    assert.equal(lines[0]?.stale, false);
    assert.equal(res.count('proxy-authenticate'), 0);
    // Section 8.2.6.2: a To tag; the rest copied from the request.
    assert.ok(res.toTag);
    assert.equal(res.topVia.branch, 'z9hG4bKone');
    assert.deepEqual(res.cseq, { seq: 1, method: 'REGISTER' });
    assert.equal(res.body.length, 0);
    // RFC 3261 section 26.3.2.4: small. Two challenges and the copied headers fit well under 1 kB.
    assert.ok(res.toBuffer().length < 800, `challenge is ${res.toBuffer().length} bytes`);
  });

  it('answers 407 with Proxy-Authenticate for a proxy, and marks stale=true when asked', () => {
    const { server } = setup({ algorithms: ['MD5'] });
    const res = responseOnWire(
      server.challenge(requestOnWire(request({ method: 'INVITE', uri: 'sip:bob@example.com' })), {
        realm: REALM,
        proxy: true,
        stale: true,
      }),
    );
    assert.equal(res.status, 407);
    assert.equal(res.count('www-authenticate'), 0);
    const [c] = res.get('proxy-authenticate').map(parseChallenge);
    assert.equal(c?.algorithm, 'MD5');
    assert.equal(c?.stale, true);
  });

  it('derives the To tag from the request: stable for a retransmission, kept when the request has one', () => {
    const { server } = setup();
    const req = requestOnWire(request({ branch: 'z9hG4bKsame' }));
    const a = server.challenge(req, { realm: REALM, proxy: false });
    const b = server.challenge(req, { realm: REALM, proxy: false });
    assert.equal(a.toTag, b.toTag);
    const other = server.challenge(requestOnWire(request({ branch: 'z9hG4bKother' })), { realm: REALM, proxy: false });
    assert.notEqual(other.toTag, a.toTag);
    const inDialog = requestOnWire(request({ method: 'BYE', to: '<sip:bob@example.com>;tag=bobs' }));
    assert.equal(server.challenge(inDialog, { realm: REALM, proxy: true }).toTag, 'bobs');
  });

  it('never challenges ACK or CANCEL (RFC 3261 section 22.1)', () => {
    assert.equal(DigestServer.mayChallenge('ACK'), false);
    assert.equal(DigestServer.mayChallenge('CANCEL'), false);
    assert.equal(DigestServer.mayChallenge('INVITE'), true);
    assert.equal(DigestServer.mayChallenge('REGISTER'), true);
  });

  it('refuses a short secret and an empty algorithm list', () => {
    const clock = new VirtualClock();
    assert.throws(() => new DigestServer({ clock, secret: 'short' }), ConfigError);
    assert.throws(() => new DigestServer({ clock, algorithms: [] }), ConfigError);
    assert.throws(() => new DigestServer({ clock, qop: [], algorithms: ['MD5-sess'] }), ConfigError);
  });
});

describe('DigestServer.verify', () => {
  it('accepts MD5 and SHA-256 answers with qop=auth, and without qop', async () => {
    const { server } = setup();
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      for (const qop of ['auth', null] as const) {
        const { result } = await challengeThenVerify(server, { algorithm, qop });
        assert.ok(result.ok, `${algorithm} qop=${qop}`);
        assert.equal(result.username, 'alice');
        assert.equal(result.realm, REALM);
        assert.equal(result.algorithm, algorithm);
        assert.equal(result.qop, qop ?? undefined);
      }
    }
  });

  it('accepts SHA-512-256-sess with auth-int over the body, and Proxy-Authorization for a proxy', async () => {
    const { server } = setup({ algorithms: ['SHA-512-256-sess', 'MD5'], qop: ['auth', 'auth-int'] });
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: true }));
    const req = answer(request({ method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0\r\n' }), challenge, {
      algorithm: 'SHA-512-256-sess',
      qop: 'auth-int',
    });
    const ok = await server.verify(requestOnWire(req), { realm: REALM, proxy: true, users });
    assert.ok(ok.ok);
    assert.equal(ok.algorithm, 'SHA-512-256-sess');
    // The same credentials over another body are wrong (auth-int protects the body).
    const tampered = answer(request({ method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0\r\n' }), challenge, {
      algorithm: 'SHA-512-256-sess',
      qop: 'auth-int',
      nc: 2,
    });
    tampered.setBody('v=1\r\n', 'application/sdp');
    const bad = await server.verify(requestOnWire(tampered), { realm: REALM, proxy: true, users });
    assert.equal(failure(bad).reason, 'bad-credentials');
  });

  it('challenges a request without credentials, or with a scheme it does not know (RFC 4475 regaut01)', async () => {
    const { server } = setup();
    const none = failure(await server.verify(requestOnWire(request()), { realm: REALM, proxy: false, users }));
    assert.equal(none.reason, 'missing');
    assert.equal(none.wire.status, 401);
    assert.equal(none.wire.count('www-authenticate'), 2);
    const odd = request({ headers: [['Authorization', 'NoOneKnowsThisScheme opaque-data=here']] });
    const r = failure(await server.verify(requestOnWire(odd), { realm: REALM, proxy: false, users }));
    assert.equal(r.reason, 'missing');
    assert.equal(r.wire.status, 401);
  });

  it('answers a wrong password and an unknown user identically, apart from the nonce', async () => {
    const { server } = setup();
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    const wrong = answer(request({ cseq: 2, branch: 'z9hG4bKsame' }), challenge, { password: 'guess' });
    const unknown = answer(request({ cseq: 2, branch: 'z9hG4bKsame' }), challenge, {
      username: 'mallory',
      password: 'guess',
    });
    const a = failure(await server.verify(requestOnWire(wrong), { realm: REALM, proxy: false, users }));
    const b = failure(await server.verify(requestOnWire(unknown), { realm: REALM, proxy: false, users }));
    assert.equal(a.reason, 'bad-credentials');
    assert.equal(b.reason, 'bad-credentials');
    const nonceOf = (r: IncomingResponse) => parseChallenge(r.get('www-authenticate')[0]!)?.nonce ?? '';
    assert.notEqual(nonceOf(a.wire), nonceOf(b.wire));
    const strip = (r: IncomingResponse) => r.toString().replaceAll(nonceOf(r), 'NONCE');
    assert.equal(strip(a.wire), strip(b.wire));
    // The claimed username is never echoed.
    assert.equal(b.wire.toString().includes('mallory'), false);
  });

  it('rejects credentials for another realm: bad-realm for a registrar, missing for a proxy', async () => {
    const { server } = setup();
    const registrar = await challengeThenVerify(server, { realm: 'elsewhere.net' });
    const r = failure(registrar.result);
    assert.equal(r.reason, 'bad-realm');
    assert.equal(r.wire.status, 401);
    const proxy = await challengeThenVerify(server, { realm: 'elsewhere.net' }, true);
    const p = failure(proxy.result);
    assert.equal(p.reason, 'missing');
    assert.equal(p.wire.status, 407);
  });

  it('checks the digest uri against the Request-URI as URIs (RFC 3261 section 19.1.4)', async () => {
    const { server } = setup();
    const cisco = 'sip:555-0002@companyb.com;user=phone';
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: true }));
    const same = answer(request({ method: 'INVITE', uri: cisco }), challenge, {
      uri: 'sip:555-0002@COMPANYB.com;user=phone',
    });
    assert.ok((await server.verify(requestOnWire(same), { realm: REALM, proxy: true, users })).ok);
    const lost = answer(request({ method: 'INVITE', uri: cisco }), challenge, {
      uri: 'sip:555-0002@companyb.com',
      nc: 2,
    });
    const r = failure(await server.verify(requestOnWire(lost), { realm: REALM, proxy: true, users }));
    assert.equal(r.reason, 'bad-uri');
    assert.equal(r.wire.status, 400);
    const other = answer(request({ method: 'INVITE', uri: cisco }), challenge, { uri: 'sip:carol@example.com', nc: 3 });
    assert.equal(
      failure(await server.verify(requestOnWire(other), { realm: REALM, proxy: true, users })).reason,
      'bad-uri',
    );
  });

  it('answers a uri mismatch with 403 when configured', async () => {
    const { server } = setup({ uriMismatchStatus: 403 });
    const r = failure((await challengeThenVerify(server, { uri: 'sip:other.example.com' })).result);
    assert.equal(r.reason, 'bad-uri');
    assert.equal(r.wire.status, 403);
    const lax = setup({ checkUri: false });
    assert.ok((await challengeThenVerify(lax.server, { uri: 'sip:other.example.com' })).result.ok);
  });

  it('answers malformed credentials with 400', async () => {
    const { server } = setup();
    const missingNc = request({
      headers: [
        [
          'Authorization',
          'Digest username="alice", realm="example.com", nonce="n", uri="sip:example.com", response="0123456789abcdef0123456789abcdef", qop=auth, cnonce="c"',
        ],
      ],
    });
    const r = failure(await server.verify(requestOnWire(missingNc), { realm: REALM, proxy: false, users }));
    assert.equal(r.reason, 'malformed');
    assert.equal(r.wire.status, 400);
    assert.equal(r.wire.reason, 'Malformed Authorization');
    assert.equal(r.username, 'alice');
    const unterminated = request({ headers: [['Proxy-Authorization', 'Digest username="alice, realm="example.com']] });
    const u = failure(await server.verify(requestOnWire(unterminated), { realm: REALM, proxy: true, users }));
    assert.equal(u.reason, 'malformed');
    assert.equal(u.wire.status, 400);
    const shortResponse = request({
      headers: [
        [
          'Authorization',
          'Digest username="alice", realm="example.com", nonce="n", uri="sip:example.com", response="abcd"',
        ],
      ],
    });
    assert.equal(
      failure(await server.verify(requestOnWire(shortResponse), { realm: REALM, proxy: false, users })).reason,
      'malformed',
    );
  });

  it('answers an expired nonce with a right response stale=true, with a wrong one without', async () => {
    const { server, clock } = setup({ nonceLifetimeMs: 300_000 });
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    clock.advance(300_001);
    const right = answer(request({ cseq: 2 }), challenge);
    const s = failure(await server.verify(requestOnWire(right), { realm: REALM, proxy: false, users }));
    assert.equal(s.reason, 'stale');
    const fresh = s.wire.get('www-authenticate').map(parseChallenge);
    assert.ok(fresh.every((c) => c?.stale === true));
    assert.notEqual(fresh[0]?.nonce, parseChallenge(challenge.get('www-authenticate')[0]!)?.nonce);
    const wrong = answer(request({ cseq: 3 }), challenge, { password: 'guess', nc: 2 });
    const w = failure(await server.verify(requestOnWire(wrong), { realm: REALM, proxy: false, users }));
    assert.equal(w.reason, 'bad-credentials');
    assert.ok(
      w.wire
        .get('www-authenticate')
        .map(parseChallenge)
        .every((c) => c?.stale === false),
    );
  });

  it('is still fresh just before the lifetime ends', async () => {
    const { server, clock } = setup({ nonceLifetimeMs: 60_000 });
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    clock.advance(60_000);
    assert.ok(
      (await server.verify(requestOnWire(answer(request(), challenge)), { realm: REALM, proxy: false, users })).ok,
    );
  });

  it('answers a nonce from a restarted server (another secret) stale=true when the response is right', async () => {
    const before = setup({ secret: 'the secret before the restart' });
    const after = setup({ secret: 'the secret after the restart!!' });
    const challenge = responseOnWire(before.server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    const r = failure(
      await after.server.verify(requestOnWire(answer(request(), challenge)), { realm: REALM, proxy: false, users }),
    );
    assert.equal(r.reason, 'stale');
  });

  it('rejects a replayed nc and a decreasing nc, and accepts increasing ones on the same nonce', async () => {
    const { server } = setup();
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    const verify = async (nc: number) =>
      server.verify(requestOnWire(answer(request({ cseq: nc + 1 }), challenge, { nc })), {
        realm: REALM,
        proxy: false,
        users,
      });
    assert.ok((await verify(1)).ok);
    const replay = failure(await verify(1));
    assert.equal(replay.reason, 'replay');
    assert.ok(
      replay.wire
        .get('www-authenticate')
        .map(parseChallenge)
        .every((c) => c?.stale === true),
    );
    assert.ok((await verify(2)).ok);
    assert.ok((await verify(5)).ok);
    assert.equal(failure(await verify(4)).reason, 'replay');
    assert.ok((await verify(6)).ok);
  });

  it('accepts an nc written in upper-case hex, computed over the text as sent', async () => {
    const { server } = setup({ algorithms: ['MD5'] });
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    const c = parseChallenge(challenge.get('www-authenticate')[0]!);
    assert.ok(c);
    const ha1 = computeHa1('MD5', 'alice', REALM, 'wonderland');
    const response = computeResponse({
      algorithm: 'MD5',
      ha1,
      nonce: c.nonce,
      method: 'REGISTER',
      uri: 'sip:example.com',
      qop: 'auth',
      nc: '0000000A',
      cnonce: 'x',
    });
    const req = request({
      headers: [
        [
          'Authorization',
          `Digest username="alice", realm="example.com", nonce="${c.nonce}", uri="sip:example.com", response="${response}", qop=auth, nc=0000000A, cnonce="x", opaque="${c.opaque}"`,
        ],
      ],
    });
    const r = await server.verify(requestOnWire(req), { realm: REALM, proxy: false, users });
    assert.ok(r.ok);
    assert.equal(r.nc, 10);
  });

  it('refuses RFC 2069 credentials when allowNoQop is false', async () => {
    const { server } = setup({ allowNoQop: false });
    const r = failure((await challengeThenVerify(server, { qop: null })).result);
    assert.equal(r.reason, 'bad-credentials');
  });

  it('refuses an algorithm it did not offer, and treats an opaque not its own as a foreign nonce', async () => {
    const { server } = setup({ algorithms: ['SHA-256'] });
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    // The client answers the SHA-256 challenge's nonce with MD5.
    const md5 = answer(request(), challenge, { algorithm: 'MD5' });
    assert.equal(
      failure(await server.verify(requestOnWire(md5), { realm: REALM, proxy: false, users })).reason,
      'bad-credentials',
    );
    // Another opaque means another server's nonce: stale with the right password, never accepted.
    const foreign = answer(request(), challenge, { algorithm: 'SHA-256', opaque: 'not-ours' });
    assert.equal(
      failure(await server.verify(requestOnWire(foreign), { realm: REALM, proxy: false, users })).reason,
      'stale',
    );
    const foreignWrong = answer(request(), challenge, { algorithm: 'SHA-256', opaque: 'not-ours', password: 'x' });
    assert.equal(
      failure(await server.verify(requestOnWire(foreignWrong), { realm: REALM, proxy: false, users })).reason,
      'bad-credentials',
    );
    const noOpaque = answer(request(), challenge, { algorithm: 'SHA-256', opaque: null, nc: 2 });
    assert.ok(
      (await server.verify(requestOnWire(noOpaque), { realm: REALM, proxy: false, users })).ok,
      'RFC 2069 clients omit it',
    );
  });

  it('remembers counts for at most maxTrackedNonces nonces', async () => {
    const { server } = setup({ maxTrackedNonces: 3 });
    for (let i = 0; i < 6; i++) assert.ok((await challengeThenVerify(server)).result.ok);
    assert.equal(server.trackedNonces, 3);
  });

  it('adds Authentication-Info with rspauth, cnonce, nc and a usable nextnonce (RFC 7615)', async () => {
    const { server } = setup({ algorithms: ['SHA-256'] });
    const challenge = responseOnWire(server.challenge(requestOnWire(request()), { realm: REALM, proxy: false }));
    const req = requestOnWire(answer(request(), challenge, { algorithm: 'SHA-256', cnonce: 'abc' }));
    const result = await server.verify(req, { realm: REALM, proxy: false, users });
    assert.ok(result.ok);
    const ok = server.challenge(req, { realm: REALM, proxy: false });
    ok.status = 200;
    ok.reason = 'OK';
    ok.remove('www-authenticate');
    assert.equal(server.addAuthenticationInfo(result, ok, { nextnonce: true }), true);
    const info = responseOnWire(ok).get('authentication-info');
    assert.ok(info);
    assert.equal(info.get('qop'), 'auth');
    assert.equal(info.getUnquoted('cnonce'), 'abc');
    assert.equal(info.get('nc'), '00000001');
    const ha1 = computeHa1('SHA-256', 'alice', REALM, 'wonderland');
    const expected = computeRspauth({
      algorithm: 'SHA-256',
      ha1,
      nonce: result.nonce,
      uri: 'sip:example.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'abc',
    });
    assert.equal(info.getUnquoted('rspauth'), expected);
    // The nextnonce is a nonce of this server for this realm.
    const next = info.getUnquoted('nextnonce');
    assert.ok(next);
    const fake = `Digest realm="${REALM}", nonce="${next}", algorithm=SHA-256, qop="auth"`;
    const nextChallenge = server.challenge(req, { realm: REALM, proxy: false });
    nextChallenge.remove('www-authenticate');
    nextChallenge.append('www-authenticate', parseAuthValue(fake));
    const again = answer(request({ cseq: 3 }), responseOnWire(nextChallenge), { algorithm: 'SHA-256', opaque: null });
    assert.ok((await server.verify(requestOnWire(again), { realm: REALM, proxy: false, users })).ok);
    // Not for a result it did not produce, nor for a proxy.
    assert.equal(server.addAuthenticationInfo({ ...result }, ok), false);
    assert.equal(server.addAuthenticationInfo(result, ok, { proxy: true }), false);
    assert.ok(printAuthValue({ scheme: 'Digest', params: info }).includes('rspauth='));
  });
});
