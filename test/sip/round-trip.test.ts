/**
 * Round trips (RFC 3261 section 7: what the serializer writes, the parser reads back the same):
 * generated messages with random header sets (known and unknown, compact names, any letter case,
 * folded lines) and random bodies (CRLFs, NULs), and every corpus message that parses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  HEADERS,
  type HeaderKey,
  type IncomingMessage,
  isKnownHeader,
  KNOWN_METHODS,
  parseMessage,
} from '../../src/sip/index.js';
import { corpusEntries } from './support/corpus.js';
import { HEADER_CASES } from './support/header-cases.js';
import { plain } from './support/plain.js';

const EAGER = new Set<HeaderKey>([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'content-length',
  'content-type',
]);
const POOL = HEADER_CASES.filter((c) => !EAGER.has(c.key));

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]{0,11}$/);
const word = fc.stringMatching(/^[A-Za-z0-9;,"<>=@:/.!%*_+`'~()?\-\u00e9\u4e2d\u{1F600}]{1,10}$/u);
const letterCase = fc.constantFrom<'as-is' | 'lower' | 'upper'>('as-is', 'lower', 'upper');

function cased(name: string, how: 'as-is' | 'lower' | 'upper'): string {
  return how === 'lower' ? name.toLowerCase() : how === 'upper' ? name.toUpperCase() : name;
}

/** A value written with some of its single spaces turned into line folds (section 7.3.1). */
const folded = (words: readonly string[]) =>
  fc
    .array(fc.constantFrom(' ', '\r\n ', '\r\n\t', '\r\n   '), { minLength: words.length, maxLength: words.length })
    .map((seps) => words.map((w, i) => (i === 0 ? w : `${seps[i]}${w}`)).join(''));

const unknownHeader = fc
  .tuple(
    token.filter((n) => !isKnownHeader(n)),
    fc.array(word, { maxLength: 6 }).chain(folded),
    fc.nat(),
  )
  .map(([name, value, rank]) => ({ line: `${name}: ${value}`, rank }));

const knownHeader = fc
  .tuple(fc.constantFrom(...POOL), letterCase, fc.boolean(), fc.nat())
  .map(([c, how, compact, rank]) => {
    const spec = HEADERS[c.key];
    const name = compact && spec.compact ? spec.compact : cased(spec.name, how);
    return { key: c.key, line: `${name}:${c.raw.length > 0 ? ' ' : ''}${c.raw}`, rank };
  });

const body = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(fc.constantFrom('\r\n', '\0', 'v=0', ' ', 'x', '\r\n\r\n', 'é'), { maxLength: 40 })
    .map((parts) => Buffer.from(parts.join(''))),
);

const startLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...KNOWN_METHODS, 'FOO'),
      fc.constantFrom(
        'sip:bob@biloxi.example.com',
        'sips:[2001:db8::1]:5061;transport=tls',
        'tel:+1-201-555-0123',
        'sip:%61lice@atlanta.example.com;lr',
      ),
    )
    .map(([m, u]) => ({ line: `${m} ${u} SIP/2.0`, method: m })),
  fc
    .tuple(fc.integer({ min: 100, max: 699 }), fc.array(word, { maxLength: 4 }))
    .map(([s, r]) => ({ line: `SIP/2.0 ${s} ${r.join(' ')}`, method: 'INVITE' })),
);

const message = fc
  .record({
    start: startLine,
    known: fc.array(knownHeader, { maxLength: 8 }),
    unknown: fc.array(unknownHeader, { maxLength: 6 }),
    body,
    viaName: fc.constantFrom('Via', 'v', 'VIA', 'via'),
    withLength: fc.boolean(),
    leading: fc.constantFrom('', '\r\n', '\r\n\r\n'),
  })
  .map((g) => {
    // A 'single' header may appear once only: keep the first of each.
    const seen = new Set<HeaderKey>();
    const known = g.known.filter(
      (h) => HEADERS[h.key].cardinality !== 'single' || (!seen.has(h.key) && seen.add(h.key)),
    );
    // Known and unknown headers interleaved in a generated order.
    const extra = [...known, ...g.unknown].sort((a, b) => a.rank - b.rank).map((h) => h.line);
    const lines = [
      g.start.line,
      `${g.viaName}: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds`,
      'To: Bob <sip:bob@biloxi.example.com>',
      'f: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
      `CSeq: 314159 ${g.start.method}`,
      'Max-Forwards: 70',
      ...extra,
      ...(g.body.length > 0 ? ['Content-Type: application/octet-stream'] : []),
      ...(g.withLength ? [`Content-Length: ${g.body.length}`] : []),
    ];
    return Buffer.concat([Buffer.from(`${g.leading}${lines.join('\r\n')}\r\n\r\n`), g.body]);
  });

function parsed(bytes: Uint8Array): IncomingMessage {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error(`did not parse: ${r.error.message}\n${Buffer.from(bytes).toString('latin1')}`);
  return r.message;
}

/** Everything the round trip must keep: start line, header lines but Content-Length, typed values, body. */
function essence(m: IncomingMessage) {
  const lines = m.headerLines().filter((l) => !/^(content-length|l)$/i.test(l.name));
  const typed: Record<string, unknown> = {};
  for (const key of Object.keys(HEADERS) as HeaderKey[]) {
    if (key === 'content-length') continue; // computed by the serializer; checked on its own
    const r = m.tryGet(key);
    typed[key] = r.ok ? plain(r.value) : `error: ${r.error.message}`;
  }
  return { start: m.startLine, lines, typed, body: Buffer.from(m.body).toString('base64') };
}

/** The outgoing copy of a message prints to the same message (the Request-URI in its printed form). */
function assertReprinted(m: IncomingMessage): void {
  const again = parsed(m.toOutgoing().toBuffer());
  const { start, ...rest } = essence(again);
  const { start: expectedStart, ...expected } = essence(m);
  assert.deepEqual(rest, expected);
  if (m.kind === 'request' && again.kind === 'request') {
    assert.equal(again.method, m.method);
    assert.ok(again.uri.equals(m.uri), `${again.uri} equals ${m.uri}`);
  } else assert.equal(start, expectedStart);
}

describe('round trip of generated messages', () => {
  it('parse(serialize(parse(x))) keeps start line, header names and values, typed values and body bytes', () => {
    fc.assert(
      fc.property(message, (bytes) => {
        const first = parsed(bytes);
        const wire = first.toBuffer();
        const second = parsed(wire);
        assert.deepEqual(essence(second), essence(first));
        assert.equal(second.get('content-length'), first.body.length);
        assert.deepEqual(second.toBuffer(), wire, 'serializing again gives the same bytes');
        // The re-printing path (an outgoing copy, as a proxy forwards) gives the same message too.
        assertReprinted(first);
      }),
      { numRuns: 400 },
    );
  });

  it('the generator really produces folding, compact names, unknown headers and NULs', () => {
    const samples = fc.sample(message, 300).map((b) => Buffer.from(b).toString('latin1'));
    assert.ok(
      samples.some((s) => /\r\n[ \t]/.test(s.slice(0, s.indexOf('\r\n\r\n', 4)))),
      'folding',
    );
    assert.ok(
      samples.some((s) => /\r\n[a-z]: /.test(s)),
      'compact names',
    );
    assert.ok(
      samples.some((s) => s.includes('\0')),
      'NUL in a body',
    );
    assert.ok(
      samples.some((s) => !/Content-Length/.test(s)),
      'no Content-Length',
    );
  });
});

describe('round trip of the corpus', () => {
  for (const e of corpusEntries()) {
    const bytes = readFileSync(e.path);
    const r = parseMessage(bytes);
    if (!r.ok) continue;
    it(`${e.id}: serialize then parse gives the same message`, () => {
      const again = parsed(r.message.toBuffer());
      assert.deepEqual(essence(again), essence(r.message));
      assert.deepEqual(again.toBuffer(), r.message.toBuffer());
      assert.equal(again.get('content-length'), r.message.body.length);
      assertReprinted(r.message);
    });
  }
});
