/** Who may register which address of record (RFC 3261 section 10.3 step 6). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizedForAor } from '../../src/auth/index.js';
import { parseUri } from '../../src/sip/index.js';

describe('authorizedForAor', () => {
  it("lets a user register its own AOR and not someone else's", () => {
    assert.equal(authorizedForAor('alice', parseUri('sip:alice@example.com')), true);
    assert.equal(authorizedForAor('alice', parseUri('sips:alice@EXAMPLE.com:5061')), true);
    assert.equal(authorizedForAor('alice', parseUri('sip:bob@example.com')), false);
    assert.equal(authorizedForAor('alice', parseUri('sip:example.com')), false, 'no user part');
  });

  it('compares user parts case-sensitively after unescaping (RFC 3261 section 19.1.4)', () => {
    assert.equal(authorizedForAor('alice', parseUri('sip:%61lice@example.com')), true);
    assert.equal(authorizedForAor('alice', parseUri('sip:Alice@example.com')), false);
  });

  it('restricts hosts to the configured domains', () => {
    const domains = ['example.com', 'Example.ORG'];
    assert.equal(authorizedForAor('alice', parseUri('sip:alice@example.org'), { domains }), true);
    assert.equal(authorizedForAor('alice', parseUri('sip:alice@evil.net'), { domains }), false);
  });

  it('matches IMS-style usernames with a domain against user@host', () => {
    assert.equal(authorizedForAor('alice@example.com', parseUri('sip:alice@Example.com')), true);
    assert.equal(authorizedForAor('alice@example.com', parseUri('sip:alice@example.net')), false);
    assert.equal(authorizedForAor('alice@example.com', parseUri('sip:bob@example.com')), false);
  });

  it('grants more through the mapping: numbers, tel URIs', () => {
    const numbers = new Map([['alice', ['100', '+15551230100']]]);
    const mapping = (username: string, aor: ReturnType<typeof parseUri>): boolean => {
      const own = numbers.get(username) ?? [];
      if (aor.kind === 'tel') return own.includes(aor.digits);
      return aor.kind === 'sip' && aor.user !== undefined && own.includes(aor.user);
    };
    assert.equal(authorizedForAor('alice', parseUri('sip:100@example.com'), { mapping }), true);
    assert.equal(authorizedForAor('alice', parseUri('tel:+1-555-123-0100'), { mapping }), true);
    assert.equal(authorizedForAor('alice', parseUri('sip:101@example.com'), { mapping }), false);
    assert.equal(authorizedForAor('alice', parseUri('tel:+15551230100')), false, 'tel only through the mapping');
  });
});
