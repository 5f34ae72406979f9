/**
 * The UserStore is the digest server's UserLookup: a REGISTER answered with credentials for an
 * account created through the store is accepted, with SHA-256 and with MD5; a wrong password,
 * a disabled account and a removed one are refused. Credentials are computed from the RFC
 * formulas, so the store's HA1s are checked against an independent computation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeHa1,
  computeResponse,
  credentialsValue,
  type DigestAlgorithm,
  DigestServer,
  formatNc,
  parseChallenge,
  type UserLookup,
} from '../../src/auth/index.js';
import {
  createRequest,
  IncomingRequest,
  IncomingResponse,
  type OutgoingRequest,
  parseOrThrow,
  parseVia,
} from '../../src/sip/index.js';
import { openStores } from '../../src/store/index.js';
import { VirtualClock } from '../../src/util/clock.js';

const REALM = 'example.com';

function register(cseq: number): OutgoingRequest {
  return createRequest({
    method: 'REGISTER',
    uri: 'sip:example.com',
    from: '<sip:alice@example.com>;tag=1',
    to: '<sip:alice@example.com>',
    callId: 'digest-lookup@192.0.2.10',
    cseq,
    via: parseVia(`SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${cseq}`),
    contact: '<sip:alice@192.0.2.10:5060>',
  });
}

function onWire<T extends IncomingRequest | IncomingResponse>(bytes: Buffer, type: new (...a: never[]) => T): T {
  const m = parseOrThrow(bytes);
  if (!(m instanceof type)) throw new Error('unexpected message kind');
  return m;
}

async function attempt(
  server: DigestServer,
  users: UserLookup,
  password: string,
  algorithm: DigestAlgorithm,
): Promise<boolean> {
  const first = onWire(register(1).toBuffer(), IncomingRequest);
  const challenge = onWire(server.challenge(first, { realm: REALM, proxy: false }).toBuffer(), IncomingResponse);
  const offered = challenge.get('www-authenticate').map(parseChallenge);
  const chosen = offered.find((c) => c?.algorithm === algorithm);
  assert.ok(chosen, `server offered ${algorithm}`);
  const req = register(2);
  const uri = req.uri.toString();
  const ha1 = computeHa1(algorithm, 'alice', chosen.realm, password);
  const response = computeResponse({
    algorithm,
    ha1,
    nonce: chosen.nonce,
    method: 'REGISTER',
    uri,
    qop: 'auth',
    nc: formatNc(1),
    cnonce: 'c0ffee',
    body: req.body,
  });
  req.append(
    'authorization',
    credentialsValue({
      username: 'alice',
      realm: chosen.realm,
      nonce: chosen.nonce,
      uri,
      response,
      algorithm,
      qop: 'auth',
      cnonce: 'c0ffee',
      nc: 1,
      opaque: chosen.opaque,
    }),
  );
  const result = await server.verify(onWire(req.toBuffer(), IncomingRequest), { realm: REALM, proxy: false, users });
  return result.ok;
}

describe('UserStore as the digest server UserLookup', () => {
  it('accepts the right password with SHA-256 and MD5, refuses wrong, disabled and removed accounts', async () => {
    const stores = await openStores({ kind: 'sqlite', dataDir: ':memory:' });
    try {
      const server = new DigestServer({ clock: new VirtualClock(), secret: 'a server secret of enough bytes' });
      const users: UserLookup = stores.users;
      await stores.users.add({ username: 'alice', domain: REALM }, 'wonderland');
      assert.equal(await attempt(server, users, 'wonderland', 'SHA-256'), true);
      assert.equal(await attempt(server, users, 'wonderland', 'MD5'), true);
      assert.equal(await attempt(server, users, 'Wonderland', 'SHA-256'), false);
      await stores.users.setEnabled('alice', REALM, false);
      assert.equal(await attempt(server, users, 'wonderland', 'SHA-256'), false);
      await stores.users.setEnabled('alice', REALM, true);
      await stores.users.setPassword('alice', REALM, 'looking-glass');
      assert.equal(await attempt(server, users, 'wonderland', 'MD5'), false);
      assert.equal(await attempt(server, users, 'looking-glass', 'MD5'), true);
      await stores.users.remove('alice', REALM);
      assert.equal(await attempt(server, users, 'looking-glass', 'SHA-256'), false);
    } finally {
      await stores.close();
    }
  });
});
