/**
 * Every header of the registry, table-driven (support/header-cases.ts): a valid value parses to
 * the expected typed value, prints back to the expected text, and that text parses to the same
 * value again; invalid values are reported as malformed (at parse time for the headers the parser
 * checks eagerly, when read for the others).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HEADERS,
  type HeaderKey,
  type HeaderSet,
  type IncomingMessage,
  OutgoingRequest,
  parseMessage,
  parseUri,
  SipHeaderError,
} from '../../src/sip/index.js';
import { HEADER_CASES } from './support/header-cases.js';
import { plain } from './support/plain.js';

const EAGER: ReadonlySet<HeaderKey> = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'content-length',
]);

const BASE: readonly (readonly [HeaderKey, string])[] = [
  ['via', 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds'],
  ['max-forwards', '70'],
  ['to', 'Bob <sip:bob@biloxi.com>'],
  ['from', 'Alice <sip:alice@atlanta.com>;tag=1928301774'],
  ['call-id', 'a84b4c76e66710@pc33.atlanta.com'],
  ['cseq', '314159 INVITE'],
  ['content-length', '0'],
];

/** An INVITE with `key: value` in place of the base line of that header, or appended. */
function withHeader(key: HeaderKey, value: string): string {
  const name = HEADERS[key].name;
  const lines = BASE.filter(([k]) => k !== key).map(([k, v]) => `${HEADERS[k].name}: ${v}`);
  lines.splice(2, 0, `${name}: ${value}`);
  return `INVITE sip:bob@biloxi.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function parseWith(key: HeaderKey, value: string): IncomingMessage {
  const r = parseMessage(withHeader(key, value));
  if (!r.ok) throw new Error(`${HEADERS[key].name}: ${value} did not parse: ${r.error.message}`);
  return r.message;
}

/** The printed value of `key` after copying its typed value into an outgoing request. */
function printed<K extends HeaderKey>(msg: IncomingMessage, key: K): string {
  const out = new OutgoingRequest('INVITE', parseUri('sip:bob@biloxi.com'));
  out.set(key, msg.get(key) as HeaderSet<K>);
  const line = out.headerLines().find((l) => l.name === HEADERS[key].name);
  assert.ok(line, `${HEADERS[key].name} printed`);
  const text = out.toString();
  assert.ok(text.includes(`\r\n${HEADERS[key].name}: ${line.value}\r\n`), 'the serializer writes the printed line');
  return line.value;
}

describe('header registry: one table row per header', () => {
  it('has a row for every registry entry, and only for those', () => {
    const keys = Object.keys(HEADERS).sort();
    assert.deepEqual(HEADER_CASES.map((c) => c.key).sort(), keys);
  });

  it('covers every header the issue lists', () => {
    const required = `Via From To Call-ID CSeq Contact Max-Forwards Route Record-Route Content-Length Content-Type
      Content-Encoding Expires Min-Expires Allow Supported Require Proxy-Require Unsupported Accept Authorization
      Proxy-Authorization WWW-Authenticate Proxy-Authenticate Authentication-Info Event Allow-Events
      Subscription-State Refer-To Referred-By Replaces Also Requested-By Warning Reason Diversion User-Agent Server
      Retry-After Date Timestamp Subject Call-Info Alert-Info Session-Expires Min-SE RSeq RAck Path`.split(/\s+/);
    const names = new Set(Object.values(HEADERS).map((s) => s.name));
    for (const n of required) assert.ok(names.has(n), `${n} is in the registry`);
  });

  for (const c of HEADER_CASES) {
    const spec = HEADERS[c.key];
    describe(`${spec.name} (${spec.rfc}, ${spec.cardinality})`, () => {
      it('parses to the typed value, prints back, and re-parses to the same value', () => {
        const msg = parseWith(c.key, c.raw);
        assert.deepEqual(plain(msg.get(c.key)), c.value);
        const text = printed(msg, c.key);
        assert.equal(text, c.printed);
        assert.deepEqual(plain(parseWith(c.key, text).get(c.key)), c.value);
        assert.deepEqual(msg.headerErrors(), []);
      });

      for (const bad of c.invalid) {
        it(`rejects ${JSON.stringify(bad)}`, () => {
          const r = parseMessage(withHeader(c.key, bad));
          if (EAGER.has(c.key)) {
            assert.ok(!r.ok, 'the parser checks this header eagerly');
            assert.equal(r.error.status, 400);
            assert.ok(r.error.message.startsWith(spec.name), r.error.message);
            return;
          }
          assert.ok(r.ok, r.ok ? '' : r.error.message);
          const got = r.message.tryGet(c.key);
          assert.ok(!got.ok, `${spec.name}: ${bad} must be malformed`);
          assert.ok(got.error instanceof SipHeaderError);
          assert.equal(got.error.header, spec.name);
          assert.equal(got.error.status, 400);
          assert.throws(() => r.message.get(c.key), SipHeaderError);
          assert.deepEqual(
            r.message.headerErrors().map((e) => e.name),
            [spec.name],
          );
        });
      }
    });
  }
});
