/**
 * The UserStore behaviour every backend must show: accounts keyed by username and domain,
 * HA1s (never passwords) per digest algorithm checked against published vectors through the
 * digest computation they feed, the lookupHa1 contract of the auth layer, and persistence.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { type StoreHarness, T0, withDatabase } from './store-harness.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function describeUserStore(harness: StoreHarness): void {
  describe(`UserStore (${harness.name})`, () => {
    it('stores the RFC 2617 HA1 and yields the RFC 2617 section 3.5 response from it', async () => {
      await withDatabase(harness, async (db) => {
        const { users } = await db.open();
        await users.add({ username: 'Mufasa', domain: 'host.com', realm: 'testrealm@host.com' }, 'Circle Of Life');
        const ha1 = await users.lookupHa1('Mufasa', 'testrealm@host.com', 'MD5');
        assert.equal(ha1, '939e7578ed9e3c518a452acee763bce9');
        const ha2 = md5('GET:/dir/index.html');
        const response = md5(`${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:${ha2}`);
        assert.equal(response, '6629fae49393a05397450978507c4ef1');
      });
    });

    it('stores the RFC 7616 section 3.9.1 HA1s: MD5 and SHA-256 responses match the RFC', async () => {
      await withDatabase(harness, async (db) => {
        const { users } = await db.open();
        await users.add(
          { username: 'Mufasa', domain: 'example.org', realm: 'http-auth@example.org' },
          'Circle of Life',
        );
        const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
        const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
        const m = await users.lookupHa1('Mufasa', 'http-auth@example.org', 'MD5');
        const s = await users.lookupHa1('Mufasa', 'http-auth@example.org', 'SHA-256');
        assert.ok(m && s);
        assert.equal(
          md5(`${m}:${nonce}:00000001:${cnonce}:auth:${md5('GET:/dir/index.html')}`),
          '8ca523f5e9506fed4657c9700eebdbec',
        );
        assert.equal(
          sha256(`${s}:${nonce}:00000001:${cnonce}:auth:${sha256('GET:/dir/index.html')}`),
          '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
        );
        // Algorithm tokens as challenges spell them; -sess variants start from the same HA1.
        assert.equal(await users.lookupHa1('Mufasa', 'http-auth@example.org', 'md5-sess'), m);
        assert.equal(await users.lookupHa1('Mufasa', 'http-auth@example.org', 'sha-256'), s);
        assert.match((await users.lookupHa1('Mufasa', 'http-auth@example.org', 'SHA-512-256')) ?? '', /^[0-9a-f]{64}$/);
        assert.equal(await users.lookupHa1('Mufasa', 'http-auth@example.org', 'SHA-1'), undefined);
        assert.equal(await users.lookupHa1('Mufasa', 'example.org', 'MD5'), undefined, 'realm, not domain');
        assert.equal(
          await users.lookupHa1('mufasa', 'http-auth@example.org', 'MD5'),
          undefined,
          'usernames are case-sensitive',
        );
      });
    });

    it('adds, gets, lists, disables, re-keys and removes accounts', async () => {
      await withDatabase(harness, async (db) => {
        const { users } = await db.open();
        const bob = await users.add({ username: 'bob', domain: 'Example.COM', displayName: 'Bob B.' }, 's3cret');
        assert.equal(bob.domain, 'example.com');
        assert.equal(bob.realm, 'example.com');
        assert.equal(bob.enabled, true);
        assert.equal(bob.createdAt, T0);
        assert.equal(bob.ha1.MD5, md5('bob:example.com:s3cret'));
        assert.equal(bob.ha1['SHA-256'], sha256('bob:example.com:s3cret'));
        assert.deepEqual(await users.get('bob', 'EXAMPLE.com'), bob);
        assert.equal(await users.get('bob', 'other.example'), undefined);
        assert.ok(!JSON.stringify(bob).includes('s3cret'), 'the password is not part of the account');

        await users.add({ username: 'alice', domain: 'example.com' }, 'pw1');
        await users.add({ username: 'alice', domain: 'a.example' }, 'pw2');
        await users.add({ username: 'zed', domain: 'a.example', enabled: false }, 'pw3');
        assert.deepEqual(
          (await users.list()).map((u) => `${u.username}@${u.domain}`),
          ['alice@a.example', 'zed@a.example', 'alice@example.com', 'bob@example.com'],
        );
        assert.deepEqual(
          (await users.list('example.com')).map((u) => u.username),
          ['alice', 'bob'],
        );
        assert.equal(await users.lookupHa1('zed', 'a.example', 'MD5'), undefined, 'disabled');
        await users.setEnabled('zed', 'a.example', true);
        assert.equal(await users.lookupHa1('zed', 'a.example', 'MD5'), md5('zed:a.example:pw3'));
        await users.setEnabled('bob', 'example.com', false);
        assert.equal((await users.get('bob', 'example.com'))?.enabled, false);
        assert.equal(await users.lookupHa1('bob', 'example.com', 'MD5'), undefined);
        await users.setEnabled('bob', 'example.com', true);

        await users.setPassword('bob', 'example.com', 'n3w');
        assert.equal(await users.lookupHa1('bob', 'example.com', 'MD5'), md5('bob:example.com:n3w'));
        assert.equal(await users.lookupHa1('bob', 'example.com', 'SHA-256'), sha256('bob:example.com:n3w'));

        assert.equal(await users.remove('bob', 'example.com'), true);
        assert.equal(await users.remove('bob', 'example.com'), false);
        assert.equal(await users.get('bob', 'example.com'), undefined);
        assert.equal(await users.lookupHa1('bob', 'example.com', 'MD5'), undefined);
      });
    });

    it('refuses duplicates, unknown accounts and bad fields with stable codes', async () => {
      await withDatabase(harness, async (db) => {
        const { users } = await db.open();
        await users.add({ username: 'carol', domain: 'example.com' }, 'pw');
        await assert.rejects(users.add({ username: 'carol', domain: 'EXAMPLE.com' }, 'other'), {
          code: 'ERR_USER_EXISTS',
        });
        // Same username in another domain but the same digest realm: lookupHa1 could not choose.
        await assert.rejects(users.add({ username: 'carol', domain: 'b.example', realm: 'example.com' }, 'x'), {
          code: 'ERR_USER_EXISTS',
        });
        await assert.rejects(users.setPassword('nobody', 'example.com', 'x'), { code: 'ERR_USER_NOT_FOUND' });
        await assert.rejects(users.setEnabled('nobody', 'example.com', false), { code: 'ERR_USER_NOT_FOUND' });
        await assert.rejects(users.add({ username: '', domain: 'example.com' }, 'x'), { code: 'ERR_STORE_RECORD' });
        await assert.rejects(users.add({ username: 'a b', domain: 'example.com' }, 'x'), { code: 'ERR_STORE_RECORD' });
        await assert.rejects(users.add({ username: 'dave', domain: 'bad domain' }, 'x'), { code: 'ERR_STORE_RECORD' });
        await assert.rejects(users.add({ username: 'dave', domain: 'example.com' }, ''), { code: 'ERR_STORE_RECORD' });
        assert.equal((await users.list()).length, 1);
      });
    });

    it('keeps accounts across close and reopen, visible to a second instance at once', async () => {
      await withDatabase(harness, async (db) => {
        const a = await db.open();
        const b = await db.open();
        await a.users.add({ username: 'erin', domain: 'example.com', displayName: 'Érin Ünïcode' }, 'pässwörd');
        assert.equal(await b.users.lookupHa1('erin', 'example.com', 'MD5'), md5('erin:example.com:pässwörd'));
        const before = await a.users.get('erin', 'example.com');
        await a.close();
        await b.close();
        const c = await db.open();
        assert.deepEqual(await c.users.get('erin', 'example.com'), before);
      });
    });
  });
}
