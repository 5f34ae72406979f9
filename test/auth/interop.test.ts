/**
 * Interoperability with digest code written by others, run in-process: JsSIP's and SIP.js's
 * DigestAuthentication (the WebRTC clients users compare with), the node `sip` package's parser
 * and server-side check, and the header baresip (libre src/sip/auth.c) writes. Each direction is
 * covered: Switchboard's client checked by their server-side computation, their clients checked
 * by Switchboard's server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import JssipDigest from 'jssip/lib/DigestAuthentication.js';
import * as nodeSipDigest from 'sip/digest.js';
import * as nodeSip from 'sip/sip.js';
import { LoggerFactory } from 'sip.js/lib/core/log/logger-factory.js';
import { DigestAuthentication as SipJsDigest } from 'sip.js/lib/core/messages/digest-authentication.js';
import {
  DigestClient,
  DigestServer,
  type DigestServerOptions,
  InMemoryUserLookup,
  parseChallenge,
  parseCredentials,
  type VerifyOptions,
} from '../../src/auth/index.js';
import type { IncomingResponse, OutgoingRequest } from '../../src/sip/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { request, requestOnWire, responseOnWire } from './wire.js';

const users = new InMemoryUserLookup({ alice: 'wonderland' });
const REG: VerifyOptions = { realm: 'example.com', proxy: false, users };

function server(options: Partial<DigestServerOptions> = {}): DigestServer {
  return new DigestServer({ clock: new VirtualClock(), secret: 'interop secret, thirty-two bytes', ...options });
}

function challengeOf(s: DigestServer, req: OutgoingRequest, proxy = false): IncomingResponse {
  return responseOnWire(s.challenge(requestOnWire(req), { realm: 'example.com', proxy }));
}

/** Our client's answer to `res` for `req`, with a fixed cnonce. */
function ourAnswer(req: OutgoingRequest, res: IncomingResponse, cnonce: string, password = 'wonderland') {
  const client = new DigestClient({
    credentials: () => ({ username: 'alice', password }),
    algorithms: ['MD5'],
    cnonce: () => cnonce,
  });
  const r = client.handleChallenge(req, res);
  assert.ok(r.retry);
  return r.request;
}

describe("Switchboard's client, checked by others", () => {
  it("is accepted by the node sip package's server-side check (its parser, its digest), and a wrong password is not", () => {
    const s = server({ algorithms: ['MD5'] });
    const reg = request();
    const res = challengeOf(s, reg);
    const nonce = parseChallenge(res.get('www-authenticate')[0]!)?.nonce;
    assert.ok(nonce);
    for (const [password, expected] of [
      ['wonderland', true],
      ['guess', false],
    ] as const) {
      const signed = ourAnswer(reg, res, 'abcdef0123456789', password);
      const theirs = nodeSip.parse(signed.toString());
      const ok = nodeSipDigest.authenticateRequest({ realm: 'example.com', nonce, proxy: false }, theirs, {
        user: 'alice',
        password: 'wonderland',
      });
      assert.equal(ok, expected, `password ${password}`);
    }
  });

  it('computes the same response as JsSIP for the same nonce and cnonce (MD5, qop=auth, nc=00000001)', () => {
    const s = server({ algorithms: ['MD5'] });
    const invite = request({ method: 'INVITE', uri: 'sip:bob@example.com;transport=tcp' });
    const res = challengeOf(s, invite, true);
    const c = parseChallenge(res.get('proxy-authenticate')[0]!);
    assert.ok(c);
    const ours = parseCredentials(ourAnswer(invite, res, '9k2xq8wz3b1m').get('proxy-authorization')[0]!);
    assert.ok(ours.ok);
    const jssip = new JssipDigest({ username: 'alice', password: 'wonderland' });
    assert.equal(
      jssip.authenticate(
        { method: 'INVITE', ruri: 'sip:bob@example.com;transport=tcp' },
        { realm: c.realm, nonce: c.nonce, opaque: c.opaque, algorithm: 'MD5', qop: c.qop },
        '9k2xq8wz3b1m',
      ),
      true,
    );
    const theirs = parseCredentials(
      request({ headers: [['Proxy-Authorization', jssip.toString()]] }).get('proxy-authorization')[0]!,
    );
    assert.ok(theirs.ok);
    assert.equal(ours.credentials.response, theirs.credentials.response);
    for (const field of [
      'username',
      'realm',
      'nonce',
      'uri',
      'cnonce',
      'qop',
      'ncText',
      'opaque',
      'algorithm',
    ] as const) {
      assert.equal(ours.credentials[field], theirs.credentials[field], field);
    }
  });

  it('writes what baresip writes for the same nonce and cnonce, and the server accepts that header', async () => {
    // libre src/sip/auth.c writes: username, realm, nonce, uri, response, [opaque], cnonce (16
    // hex digits), qop=auth, nc=%08x, algorithm. The response here is the node sip package's.
    const s = server({ algorithms: ['MD5'], opaque: false });
    const reg = request();
    const res = challengeOf(s, reg);
    const nonce = parseChallenge(res.get('www-authenticate')[0]!)?.nonce;
    assert.ok(nonce);
    const cnonce = '1f2e3d4c5b6a7988';
    const ha1 = nodeSipDigest.calculateUserRealmPasswordHash('alice', 'example.com', 'wonderland');
    const response = nodeSipDigest.calculateDigest({
      ha1,
      method: 'REGISTER',
      nonce,
      nc: '00000001',
      cnonce,
      qop: 'auth',
      uri: 'sip:example.com',
    });
    const baresip =
      `Digest username="alice", realm="example.com", nonce="${nonce}", uri="sip:example.com", ` +
      `response="${response}", cnonce="${cnonce}", qop=auth, nc=00000001, algorithm=MD5`;
    assert.equal(
      ourAnswer(reg, res, cnonce).getRaw('Authorization')[0],
      `Digest username="alice", realm="example.com", nonce="${nonce}", uri="sip:example.com", ` +
        `response="${response}", algorithm=MD5, cnonce="${cnonce}", qop=auth, nc=00000001`,
    );
    const verdict = await s.verify(requestOnWire(request({ headers: [['Authorization', baresip]] })), REG);
    assert.ok(verdict.ok);
  });
});

describe("others' clients, checked by Switchboard's server", () => {
  it('accepts JsSIP answering the default challenge, and a linphone-ordered header', async () => {
    const s = server();
    const reg = request();
    const res = challengeOf(s, reg);
    // JsSIP reads only the topmost WWW-Authenticate (RequestSender.js): MD5 by default.
    const top = parseChallenge(res.get('www-authenticate')[0]!);
    assert.ok(top);
    assert.equal(top.algorithm, 'MD5');
    const jssip = new JssipDigest({ username: 'alice', password: 'wonderland' });
    assert.ok(
      jssip.authenticate(
        { method: 'REGISTER', ruri: 'sip:example.com' },
        { realm: top.realm, nonce: top.nonce, opaque: top.opaque, algorithm: top.algorithmName, qop: top.qop },
      ),
    );
    const withJssip = request({ headers: [['Authorization', jssip.toString()]] });
    const ok = await s.verify(requestOnWire(withJssip), REG);
    assert.ok(ok.ok, ok.ok ? '' : ok.detail);
    // Its next request on the same nonce counts on: nc=00000002.
    jssip.authenticate(
      { method: 'REGISTER', ruri: 'sip:example.com' },
      { realm: top.realm, nonce: top.nonce, opaque: top.opaque, algorithm: 'MD5', qop: top.qop },
    );
    assert.ok((await s.verify(requestOnWire(request({ headers: [['Authorization', jssip.toString()]] })), REG)).ok);
    // belle-sip (linphone) orders the parameters its own way; nc=00000003 computed by the node sip package.
    const parsed = parseCredentials(withJssip.get('authorization')[0]!);
    assert.ok(parsed.ok);
    const c = parsed.credentials;
    const response = nodeSipDigest.calculateDigest({
      ha1: nodeSipDigest.calculateUserRealmPasswordHash('alice', 'example.com', 'wonderland'),
      method: 'REGISTER',
      nonce: c.nonce,
      nc: '00000003',
      cnonce: c.cnonce,
      qop: 'auth',
      uri: 'sip:example.com',
    });
    const linphone =
      `Digest realm="${c.realm}", nonce="${c.nonce}", algorithm=MD5, opaque="${c.opaque}", username="${c.username}", ` +
      `uri="${c.uri}", response="${response}", cnonce="${c.cnonce}", nc=00000003, qop=auth`;
    assert.ok((await s.verify(requestOnWire(request({ headers: [['Authorization', linphone]] })), REG)).ok);
    // The same header once more is a replay.
    const again = await s.verify(requestOnWire(request({ headers: [['Authorization', linphone]] })), REG);
    assert.equal(again.ok ? 'ok' : again.reason, 'replay');
  });

  it('accepts SIP.js answering a 407, which gives up when SHA-256 is on top', async () => {
    const s = server();
    const invite = request({ method: 'INVITE', uri: 'sip:bob@example.com' });
    const res = challengeOf(s, invite, true);
    const top = parseChallenge(res.get('proxy-authenticate')[0]!);
    assert.ok(top);
    const sipjs = new SipJsDigest(new LoggerFactory(), undefined, 'alice', 'wonderland');
    const request_ = { method: 'INVITE', ruri: 'sip:bob@example.com' } as unknown as Parameters<
      SipJsDigest['authenticate']
    >[0];
    assert.ok(
      sipjs.authenticate(request_, {
        realm: top.realm,
        nonce: top.nonce,
        opaque: top.opaque,
        algorithm: 'MD5',
        qop: 'auth',
      }),
    );
    const signed = request({
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      headers: [['Proxy-Authorization', sipjs.toString()]],
    });
    const ok = await s.verify(requestOnWire(signed), { realm: 'example.com', proxy: true, users });
    assert.ok(ok.ok, ok.ok ? '' : ok.detail);
    // Why MD5 is on top by default: SIP.js refuses anything else in the topmost challenge.
    const quiet = new LoggerFactory();
    quiet.builtinEnabled = false;
    const strict = new SipJsDigest(quiet, undefined, 'alice', 'wonderland');
    assert.equal(
      strict.authenticate(request_, { realm: top.realm, nonce: top.nonce, algorithm: 'SHA-256', qop: 'auth' }),
      false,
    );
  });

  it("accepts the node sip package's client (lower-case algorithm token, quoted qop list)", async () => {
    const s = server({ algorithms: ['MD5'] });
    const reg = request();
    const res = challengeOf(s, reg);
    const rq = nodeSip.parse(reg.toString());
    const rs = nodeSip.parse(res.toString());
    nodeSipDigest.signRequest({}, rq, rs, { user: 'alice', password: 'wonderland' });
    const text = nodeSip.stringify(rq);
    const line = /\r\nAuthorization: ([^\r]+)\r\n/i.exec(text)?.[1];
    assert.ok(line, text);
    const ok = await s.verify(requestOnWire(request({ headers: [['Authorization', line]] })), REG);
    assert.ok(ok.ok, ok.ok ? '' : ok.detail);
  });
});
