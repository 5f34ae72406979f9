/**
 * DigestClient against hand-written challenges: which challenge it answers, what it sends (checked
 * against the RFC formulas computed here), nc across requests, stale, refusals, several realms.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type ChallengeResult,
  type ClientCredentials,
  computeHa1,
  computeRspauth,
  DigestClient,
  type DigestClientOptions,
  parseCredentials,
} from '../../src/auth/index.js';
import {
  type AuthValue,
  type IncomingResponse,
  type OutgoingRequest,
  parseAuthValue,
  responseTo,
  type SipRequest,
} from '../../src/sip/index.js';
import { nextAttempt, request, responseOnWire } from './wire.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

const ALICE: ClientCredentials = { username: 'alice', password: 'wonderland' };

function client(options: Partial<DigestClientOptions> = {}, calls: string[] = []): DigestClient {
  let n = 0;
  return new DigestClient({
    credentials: (realm) => {
      calls.push(realm);
      return realm === 'example.com' || realm === 'proxy.example.net' ? ALICE : undefined;
    },
    cnonce: () => `cnonce${++n}`,
    ...options,
  });
}

/** A 401/407 to `req` carrying the given challenge lines (name, value). */
function challenge(req: SipRequest, status: number, lines: readonly (readonly [string, string])[]): IncomingResponse {
  const res = responseTo(req, status, { toTag: 'srv1' });
  for (const [name, value] of lines) res.appendRaw(name, value);
  return responseOnWire(res);
}

const www = (v: string) => ['WWW-Authenticate', v] as const;
const pxy = (v: string) => ['Proxy-Authenticate', v] as const;

function retried(r: ChallengeResult): OutgoingRequest {
  assert.equal(r.retry, true, r.retry ? '' : `${r.reason}: ${r.detail}`);
  if (!r.retry) throw new Error('unreachable');
  return r.request;
}

function creds(req: SipRequest, header: 'authorization' | 'proxy-authorization' = 'authorization') {
  return req.get(header).map((v: AuthValue) => {
    const p = parseCredentials(v);
    assert.ok(p.ok, p.ok ? '' : p.problem);
    return p.credentials;
  });
}

describe('DigestClient.handleChallenge', () => {
  it('answers an MD5 qop=auth challenge with what RFC 7616 computes, on a copy of the request', () => {
    const c = client();
    const req = request({ cseq: 7 });
    const res = challenge(req, 401, [
      www('Digest realm="example.com", nonce="n1", opaque="op1", algorithm=MD5, qop="auth"'),
    ]);
    const next = retried(c.handleChallenge(req, res));
    assert.notEqual(next, req);
    assert.equal(req.count('authorization'), 0, 'the original is untouched');
    assert.deepEqual(next.cseq, { seq: 7, method: 'REGISTER' }, 'the caller increments CSeq');
    const [a] = creds(next);
    assert.ok(a);
    assert.equal(a.username, 'alice');
    assert.equal(a.realm, 'example.com');
    assert.equal(a.nonce, 'n1');
    assert.equal(a.uri, 'sip:example.com');
    assert.equal(a.algorithm, 'MD5');
    assert.equal(a.qop, 'auth');
    assert.equal(a.ncText, '00000001');
    assert.equal(a.cnonce, 'cnonce1');
    assert.equal(a.opaque, 'op1');
    const ha1 = md5('alice:example.com:wonderland');
    assert.equal(a.response, md5(`${ha1}:n1:00000001:cnonce1:auth:${md5('REGISTER:sip:example.com')}`));
  });

  it('answers an RFC 2069 challenge (no qop) without cnonce, qop and nc', () => {
    const c = client();
    const req = request({ method: 'INVITE', uri: 'sip:bob@example.com' });
    const next = retried(c.handleChallenge(req, challenge(req, 407, [pxy('Digest realm="example.com", nonce="old"')])));
    const [a] = creds(next, 'proxy-authorization');
    assert.ok(a);
    assert.equal(a.qop, undefined);
    assert.equal(a.cnonce, undefined);
    assert.equal(next.getRaw('Proxy-Authorization')[0]?.includes('nc='), false);
    const ha1 = md5('alice:example.com:wonderland');
    assert.equal(a.response, md5(`${ha1}:old:${md5('INVITE:sip:bob@example.com')}`));
    assert.equal(next.count('authorization'), 0);
  });

  it('chooses the strongest of several algorithms of one realm, whatever their order (RFC 8760 section 2.4)', () => {
    const req = request();
    const res = challenge(req, 401, [
      www('Digest realm="example.com", nonce="m", algorithm=MD5, qop="auth"'),
      www('Digest realm="example.com", nonce="s", algorithm=SHA-256, qop="auth"'),
      www('Digest realm="example.com", nonce="x", algorithm=AKAv1-MD5, qop="auth"'),
    ]);
    const strongest = creds(retried(client().handleChallenge(req, res)));
    assert.equal(strongest.length, 1, 'one answer per realm');
    assert.equal(strongest[0]?.algorithm, 'SHA-256');
    assert.equal(strongest[0]?.nonce, 's');
    const ha1 = sha256('alice:example.com:wonderland');
    assert.equal(
      strongest[0]?.response,
      sha256(`${ha1}:s:00000001:cnonce1:auth:${sha256('REGISTER:sip:example.com')}`),
    );
    const topmost = creds(retried(client({ selection: 'server-order' }).handleChallenge(req, res)));
    assert.equal(topmost[0]?.algorithm, 'MD5');
    const noMd5 = creds(retried(client({ algorithms: ['SHA-256'] }).handleChallenge(req, res)));
    assert.equal(noMd5[0]?.algorithm, 'SHA-256');
    const onlyMd5 = creds(retried(client({ algorithms: ['MD5'] }).handleChallenge(req, res)));
    assert.equal(onlyMd5[0]?.algorithm, 'MD5');
  });

  it('answers every realm it has credentials for, WWW and Proxy alike (a forking proxy merges them)', () => {
    const calls: string[] = [];
    const c = client({}, calls);
    const req = request({ method: 'INVITE', uri: 'sip:bob@example.com' });
    const res = challenge(req, 407, [
      pxy('Digest realm="proxy.example.net", nonce="p1", algorithm=MD5, qop="auth"'),
      www('Digest realm="example.com", nonce="w1", algorithm=SHA-256, qop="auth"'),
      pxy('Digest realm="stranger.org", nonce="z1", algorithm=MD5, qop="auth"'),
    ]);
    const next = retried(c.handleChallenge(req, res));
    assert.deepEqual(
      creds(next, 'proxy-authorization').map((a) => a.realm),
      ['proxy.example.net'],
    );
    assert.deepEqual(
      creds(next).map((a) => a.realm),
      ['example.com'],
    );
    assert.deepEqual(calls.sort(), ['example.com', 'proxy.example.net', 'stranger.org']);
  });

  it('fails with a typed reason when it cannot retry', () => {
    const req = request();
    const cases: [IncomingResponse, string][] = [
      [responseOnWire(responseTo(req, 200)), 'not-a-challenge'],
      [challenge(req, 401, []), 'no-challenge'],
      [challenge(req, 401, [www('Basic realm="example.com"')]), 'no-challenge'],
      [challenge(req, 401, [www('Digest realm="nowhere.org", nonce="n"')]), 'no-credentials'],
      [challenge(req, 401, [www('Digest realm="example.com", nonce="n", algorithm=AKAv1-MD5')]), 'unsupported'],
      [challenge(req, 401, [www('Digest realm="example.com", nonce="n", qop="auth-conf"')]), 'unsupported'],
      [challenge(req, 401, [www('Digest realm="example.com", nonce="n", algorithm=MD5-sess')]), 'unsupported'],
    ];
    for (const [res, reason] of cases) {
      const r = client().handleChallenge(req, res);
      assert.equal(r.retry, false);
      if (!r.retry) assert.equal(r.reason, reason, res.toString());
    }
  });

  it('ignores an unreadable challenge beside a good one', () => {
    const req = request();
    const res = challenge(req, 401, [
      www('Digest realm="example.com, nonce="broken'),
      www('Digest realm="example.com", nonce="good", qop="auth"'),
    ]);
    assert.equal(creds(retried(client().handleChallenge(req, res)))[0]?.nonce, 'good');
  });

  it('reports a second challenge after its answer as rejected (wrong password, RFC 3261 section 22.1)', () => {
    const c = client();
    const req = request();
    const first = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n1", qop="auth"')])),
    );
    nextAttempt(first);
    const again = c.handleChallenge(
      first,
      challenge(first, 401, [www('Digest realm="example.com", nonce="n2", qop="auth"')]),
    );
    assert.equal(again.retry, false);
    if (!again.retry) {
      assert.equal(again.reason, 'rejected');
      assert.equal(again.realm, 'example.com');
    }
    assert.equal(c.cachedRealms().length, 0, 'refused credentials are not kept');
    // Without qop too.
    const old = request();
    const o1 = retried(c.handleChallenge(old, challenge(old, 401, [www('Digest realm="example.com", nonce="a"')])));
    const o2 = c.handleChallenge(o1, challenge(o1, 401, [www('Digest realm="example.com", nonce="b"')]));
    assert.equal(o2.retry ? 'retry' : o2.reason, 'rejected');
  });

  it('answers stale=true with the new nonce without asking the provider again', () => {
    const calls: string[] = [];
    const c = client({}, calls);
    const req = request();
    const first = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n1", qop="auth"')])),
    );
    assert.equal(calls.length, 1);
    const res = challenge(first, 401, [www('Digest realm="example.com", nonce="n2", qop="auth", stale=true')]);
    const second = retried(c.handleChallenge(first, res));
    assert.equal(calls.length, 1, 'no second prompt');
    const [a] = creds(second);
    assert.equal(a?.nonce, 'n2');
    assert.equal(a?.ncText, '00000001');
    assert.equal(second.count('authorization'), 1, 'the old credentials are replaced');
  });

  it('stops after maxStaleRetries stale challenges in a row', () => {
    const c = client({ maxStaleRetries: 2 });
    let req = request();
    req = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n0", qop="auth"')])),
    );
    for (let i = 1; i <= 2; i++) {
      req = retried(
        c.handleChallenge(
          req,
          challenge(req, 401, [www(`Digest realm="example.com", nonce="n${i}", qop="auth", stale=true`)]),
        ),
      );
    }
    const r = c.handleChallenge(
      req,
      challenge(req, 401, [www('Digest realm="example.com", nonce="n3", qop="auth", stale=true')]),
    );
    assert.equal(r.retry ? 'retry' : r.reason, 'stale-loop');
    // The same against an RFC 2069 server (no qop, hence no nc to tell answers apart).
    const old = client({ maxStaleRetries: 1 });
    let o = request();
    o = retried(old.handleChallenge(o, challenge(o, 401, [www('Digest realm="example.com", nonce="a"')])));
    o = retried(old.handleChallenge(o, challenge(o, 401, [www('Digest realm="example.com", nonce="b", stale=true')])));
    const loop = old.handleChallenge(o, challenge(o, 401, [www('Digest realm="example.com", nonce="c", stale=true')]));
    assert.equal(loop.retry ? 'retry' : loop.reason, 'stale-loop');
  });

  it('carries credentials for a realm not challenged again forward with the next nc', () => {
    const c = client();
    const req = request({ method: 'INVITE', uri: 'sip:bob@example.com' });
    const viaProxy = retried(
      c.handleChallenge(req, challenge(req, 407, [pxy('Digest realm="proxy.example.net", nonce="p1", qop="auth"')])),
    );
    assert.equal(creds(viaProxy, 'proxy-authorization')[0]?.ncText, '00000001');
    // The proxy accepted; the UAS behind it challenges for its own realm.
    const both = retried(
      c.handleChallenge(
        viaProxy,
        challenge(viaProxy, 401, [www('Digest realm="example.com", nonce="w1", qop="auth"')]),
      ),
    );
    const [p] = creds(both, 'proxy-authorization');
    assert.equal(p?.nonce, 'p1');
    assert.equal(p?.ncText, '00000002', 'not the same nc again: that would be a replay');
    assert.equal(creds(both)[0]?.realm, 'example.com');
  });

  it('keeps credentials it does not manage as they were', () => {
    const c = client();
    const req = request({
      headers: [
        [
          'Proxy-Authorization',
          'Digest username="x", realm="other.net", nonce="q", uri="sip:example.com", response="00"',
        ],
      ],
    });
    const next = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n1", qop="auth"')])),
    );
    assert.deepEqual(next.getRaw('Proxy-Authorization'), req.getRaw('Proxy-Authorization'));
  });

  it('uses precomputed HA1s, and hashes the username when the server asks (RFC 7616 section 3.4.4)', () => {
    const ha1 = computeHa1('MD5', 'alice', 'example.com', 'wonderland');
    const c = new DigestClient({ credentials: () => ({ username: 'alice', ha1: { MD5: ha1 } }), cnonce: () => 'k' });
    const req = request();
    const res = challenge(req, 401, [
      www('Digest realm="example.com", nonce="s", algorithm=SHA-256, qop="auth"'),
      www('Digest realm="example.com", nonce="m", algorithm=MD5, qop="auth", userhash=true'),
    ]);
    const next = retried(c.handleChallenge(req, res));
    const [a] = creds(next);
    assert.equal(a?.algorithm, 'MD5', 'no SHA-256 HA1 was given');
    assert.equal(a?.userhash, true);
    assert.equal(a?.username, md5('alice:example.com'));
    assert.equal(a?.response, md5(`${ha1}:m:00000001:k:auth:${md5('REGISTER:sip:example.com')}`));
  });

  it('answers qop=auth-int over the body when that is all the server offers', () => {
    const c = client();
    const req = request({ method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0\r\n' });
    const next = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n", qop="auth-int"')])),
    );
    const [a] = creds(next);
    assert.equal(a?.qop, 'auth-int');
    const ha1 = md5('alice:example.com:wonderland');
    const ha2 = md5(`INVITE:sip:bob@example.com:${md5('v=0\r\n')}`);
    assert.equal(a?.response, md5(`${ha1}:n:00000001:cnonce1:auth-int:${ha2}`));
  });
});

describe('DigestClient.authorize (credentials up front)', () => {
  function registered(options: Partial<DigestClientOptions> = {}) {
    const c = client(options);
    const req = request();
    retried(
      c.handleChallenge(
        req,
        challenge(req, 401, [www('Digest realm="example.com", nonce="n1", opaque="o", qop="auth"')]),
      ),
    );
    return c;
  }

  it('adds the cached nonce to the re-REGISTER with nc=00000002, 00000003, ...', () => {
    const c = registered();
    const refresh = request({ cseq: 3 });
    assert.equal(c.authorize(refresh), 1);
    const [a] = creds(refresh);
    assert.equal(a?.nonce, 'n1');
    assert.equal(a?.ncText, '00000002');
    assert.equal(a?.cnonce, 'cnonce1');
    assert.equal(a?.opaque, 'o');
    const ha1 = md5('alice:example.com:wonderland');
    assert.equal(a?.response, md5(`${ha1}:n1:00000002:cnonce1:auth:${md5('REGISTER:sip:example.com')}`));
    const again = request({ cseq: 4 });
    c.authorize(again);
    assert.equal(creds(again)[0]?.ncText, '00000003');
    assert.equal(c.authorize(again), 0, 'not twice');
  });

  it("limits a UAS's credentials to its host and Call-IDs, a proxy's to the Call-IDs it challenged", () => {
    const c = client();
    const invite = request({ method: 'INVITE', uri: 'sip:bob@example.com', callId: 'call-A' });
    retried(
      c.handleChallenge(
        invite,
        challenge(invite, 407, [pxy('Digest realm="proxy.example.net", nonce="p", qop="auth"')]),
      ),
    );
    const bye = request({ method: 'BYE', uri: 'sip:bob@192.0.2.20', callId: 'call-A' });
    assert.equal(c.authorize(bye), 1, 'same dialog');
    assert.equal(creds(bye, 'proxy-authorization')[0]?.ncText, '00000002');
    const other = request({ method: 'INVITE', uri: 'sip:carol@example.com', callId: 'call-B' });
    assert.equal(c.authorize(other), 0, 'RFC 3261 section 22.3: not across dialogs');
    const outbound = client({ outboundProxyRealms: ['proxy.example.net'] });
    retried(
      outbound.handleChallenge(
        invite,
        challenge(invite, 407, [pxy('Digest realm="proxy.example.net", nonce="p", qop="auth"')]),
      ),
    );
    assert.equal(outbound.authorize(other), 1, 'the local outbound proxy may be cached across dialogs');

    const r = registered();
    assert.equal(r.authorize(request({ callId: 'another-registration' })), 1, 'same registrar host');
    assert.equal(r.authorize(request({ method: 'MESSAGE', uri: 'sip:bob@elsewhere.org', callId: 'x' })), 0);
  });

  it('does not send RFC 2069 credentials up front, and can be turned off', () => {
    const c = client();
    const req = request();
    retried(c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n1"')])));
    assert.equal(c.authorize(request()), 0);
    assert.equal(registered({ preemptive: false }).authorize(request()), 0);
  });

  it('retries once with a fresh challenge when credentials sent up front are refused', () => {
    const c = registered();
    const refresh = request({ cseq: 3 });
    c.authorize(refresh);
    const r = c.handleChallenge(
      refresh,
      challenge(refresh, 401, [www('Digest realm="example.com", nonce="n9", qop="auth"')]),
    );
    const [a] = creds(retried(r));
    assert.equal(a?.nonce, 'n9');
    assert.equal(a?.ncText, '00000001');
  });

  it('forgets on reset', () => {
    const c = registered();
    c.reset('example.com');
    assert.equal(c.authorize(request()), 0);
    assert.deepEqual(c.cachedRealms(), []);
  });
});

describe('DigestClient.handleAuthenticationInfo', () => {
  it('verifies rspauth and takes the nextnonce for the next request', () => {
    const c = client();
    const req = request();
    const sent = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n1", qop="auth"')])),
    );
    const ha1 = md5('alice:example.com:wonderland');
    const rspauth = computeRspauth({
      algorithm: 'MD5',
      ha1,
      nonce: 'n1',
      uri: 'sip:example.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'cnonce1',
    });
    const ok = responseTo(sent, 200);
    ok.appendRaw(
      'Authentication-Info',
      `nextnonce="n2", qop=auth, rspauth="${rspauth}", cnonce="cnonce1", nc=00000001`,
    );
    assert.deepEqual(c.handleAuthenticationInfo(sent, responseOnWire(ok)), { status: 'verified', nextnonce: true });
    const refresh = request({ cseq: 3 });
    c.authorize(refresh);
    const [a] = creds(refresh);
    assert.equal(a?.nonce, 'n2');
    assert.equal(a?.ncText, '00000001');
    // A fresh challenge to credentials sent up front with a nextnonce is not a refusal.
    const r = c.handleChallenge(
      refresh,
      challenge(refresh, 401, [www('Digest realm="example.com", nonce="n3", qop="auth"')]),
    );
    assert.equal(r.retry, true);
  });

  it('reports a wrong rspauth and then ignores the nextnonce', () => {
    const c = client();
    const req = request();
    const sent = retried(
      c.handleChallenge(req, challenge(req, 401, [www('Digest realm="example.com", nonce="n1", qop="auth"')])),
    );
    const bad = responseTo(sent, 200);
    bad.appendRaw('Authentication-Info', `nextnonce="evil", rspauth="${'0'.repeat(32)}"`);
    assert.deepEqual(c.handleAuthenticationInfo(sent, responseOnWire(bad)), { status: 'mismatch', nextnonce: false });
    const none = responseOnWire(responseTo(sent, 200));
    assert.deepEqual(c.handleAuthenticationInfo(sent, none), { status: 'absent', nextnonce: false });
    const stranger = responseTo(request(), 200);
    stranger.appendRaw('Authentication-Info', 'nextnonce="x"');
    assert.equal(c.handleAuthenticationInfo(request(), responseOnWire(stranger)).status, 'unknown-realm');
    assert.equal(parseAuthValue('Digest a=b').scheme, 'Digest');
  });
});
