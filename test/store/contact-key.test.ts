import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contactKey, contactsMatch, normalizeAor, sameInstance, splitAor } from '../../src/store/index.js';

describe('contactKey / contactsMatch (RFC 3261 section 19.1.4)', () => {
  it('gives equal keys to spellings of one URI', () => {
    const same = [
      'sip:alice@atlanta.com;transport=TCP',
      'SIP:%61lice@AtLanTa.CoM;Transport=tcp',
      'sip:alice@atlanta.com;transport=tcp',
    ];
    for (const s of same) assert.equal(contactKey(s), contactKey(same[0] as string), s);
    assert.equal(
      contactKey('sip:carol@chicago.com;security=on;newparam=5'),
      contactKey('sip:carol@chicago.com;newparam=5;security=on'),
    );
    assert.equal(
      contactKey('sip:a@h?Route=%3Csip:x%3E'),
      contactKey('sip:a@h?route=<sip:x>'.replace('<', '%3C').replace('>', '%3E')),
    );
  });

  it('keeps apart what section 19.1.4 keeps apart', () => {
    const pairs: [string, string][] = [
      ['sip:alice@atlanta.com', 'sip:ALICE@atlanta.com'],
      ['sip:alice@atlanta.com', 'sip:alice@atlanta.com:5060'],
      ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
      ['sip:bob@biloxi.com;transport=udp', 'sip:bob@biloxi.com;transport=tcp'],
      ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
      ['sip:carol@chicago.com?Subject=next%20meeting', 'sip:carol@chicago.com?Subject=another%20meeting'],
    ];
    for (const [a, b] of pairs) {
      assert.notEqual(contactKey(a), contactKey(b), `${a} / ${b}`);
      assert.equal(contactsMatch(a, b), false, `${a} / ${b}`);
    }
  });

  it('matches URIs that differ only in a parameter one of them lacks', () => {
    assert.ok(contactsMatch('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
    assert.ok(contactsMatch('sip:alice@10.0.0.1:5060;ob', 'sip:alice@10.0.0.1:5060'));
    assert.ok(!contactsMatch('sip:a@h;rinstance=1', 'sip:a@h;rinstance=2'));
    assert.ok(contactsMatch('tel:+1-201-555-0123', 'tel:+12015550123'));
  });

  it('keys unparseable text on itself, never losing it', () => {
    assert.equal(contactKey('not a uri'), 'raw:not a uri');
    assert.ok(contactsMatch('not a uri', 'not a uri'));
    assert.ok(!contactsMatch('not a uri', 'sip:a@h'));
  });

  it('compares instance URNs without quotes, brackets or hex case', () => {
    assert.ok(sameInstance('"<urn:uuid:ABC>"', '<urn:uuid:abc>'));
    assert.ok(!sameInstance('"<urn:uuid:abc>"', '<urn:uuid:abd>'));
    assert.ok(!sameInstance(null, '<urn:uuid:abc>'));
    assert.ok(sameInstance(null, null));
  });
});

describe('normalizeAor (RFC 3261 section 10.3 step 5)', () => {
  it('drops parameters, headers, port and password, unescapes, lower-cases the host, keeps the user case', () => {
    assert.equal(normalizeAor('sip:Alice@EXAMPLE.com:5060;transport=tcp?x=y'), 'sip:Alice@example.com');
    assert.equal(normalizeAor('<sips:%41lice@example.com>'), 'sip:Alice@example.com');
    assert.equal(normalizeAor('alice@example.com'), 'sip:alice@example.com');
    assert.equal(normalizeAor('sip:alice:secret@example.com'), 'sip:alice@example.com');
    assert.equal(
      normalizeAor('sip:+4930123;phone-context=x@example.com;user=phone'),
      'sip:+4930123;phone-context=x@example.com',
    );
    assert.equal(normalizeAor('sip:a%20b@[2001:DB8::1]'), 'sip:a%20b@[2001:db8::1]');
    assert.deepEqual(splitAor('sip:a%20b@Example.com'), { user: 'a b', domain: 'example.com' });
  });

  it('refuses what is not a SIP AOR with ERR_STORE_AOR', () => {
    for (const bad of ['tel:+123', 'sip:example.com', 'mailto:a@b', 'alice:secret@example.com', '', 'sip:a b@c']) {
      assert.throws(() => normalizeAor(bad), { code: 'ERR_STORE_AOR' }, bad);
    }
  });
});
