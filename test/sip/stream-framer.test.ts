/**
 * Stream framing (RFC 3261 section 18.3, RFC 5626 section 3.5.1): Content-Length delimits
 * messages, CRLF keep-alives between them, partial reads at any split point give the same
 * messages (fast-check), size limits, and unusable Content-Length values end the stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FramerEvent, parseMessage, StreamFramer } from '../../src/sip/index.js';
import { corpusBytes } from './support/corpus.js';

function msg(method: string, body = '', extra: readonly string[] = []): Buffer {
  const head = [
    `${method} sip:bob@biloxi.example.com SIP/2.0`,
    'Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
    'To: <sip:bob@biloxi.example.com>',
    'From: <sip:alice@atlanta.example.com>;tag=1928301774',
    `Call-ID: ${method}-${body.length}@atlanta.example.com`,
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function feed(framer: StreamFramer, chunks: readonly Uint8Array[]): FramerEvent[] {
  return chunks.flatMap((c) => framer.push(c));
}

function kinds(events: readonly FramerEvent[]): string[] {
  return events.map((e) => (e.kind === 'message' ? `message:${e.bytes.length}` : e.kind));
}

/** Splits bytes at the given (sorted, deduplicated) points. */
function splitAt(bytes: Buffer, points: readonly number[]): Buffer[] {
  const cuts = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

const MESSAGES = [
  msg('OPTIONS'),
  msg('MESSAGE', 'hello\r\n\r\nworld', ['Content-Type: text/plain']),
  msg('INVITE', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n', ['Content-Type: application/sdp']),
  Buffer.from(
    msg('NOTIFY', 'SIP/2.0 200 OK\r\n\r\n', ['Content-Type: message/sipfrag', 'Event: refer'])
      .toString()
      .replace('Content-Length', 'l'),
  ),
  Buffer.concat([msg('INFO', '\0\0\0\0', ['Content-Type: application/octet-stream'])]),
];

describe('StreamFramer: messages and keep-alives', () => {
  it('frames one message, then the next, by Content-Length', () => {
    const f = new StreamFramer();
    const [a, b] = [MESSAGES[1] as Buffer, MESSAGES[0] as Buffer];
    const events = f.push(Buffer.concat([a, b]));
    assert.deepEqual(events, [
      { kind: 'message', bytes: a },
      { kind: 'message', bytes: b },
    ]);
    assert.equal(f.buffered, 0);
  });

  it('reports a CRLFCRLF ping and a CRLF pong (RFC 5626 section 3.5.1), and skips lone LFs', () => {
    const f = new StreamFramer();
    assert.deepEqual(kinds(f.push(Buffer.from('\r\n\r\n'))), ['ping']);
    assert.deepEqual(kinds(f.push(Buffer.from('\r\n'))), ['pong']);
    assert.deepEqual(kinds(f.push(Buffer.from('\n\n\r\n\r\n'))), ['ping']);
    assert.deepEqual(kinds(f.push(Buffer.concat([Buffer.from('\r\n'), MESSAGES[0] as Buffer]))), [
      'pong',
      `message:${MESSAGES[0]?.length}`,
    ]);
  });

  it('waits on "\\r" and "\\r\\n\\r" to tell a ping from a pong', () => {
    const f = new StreamFramer();
    assert.deepEqual(f.push(Buffer.from('\r')), []);
    assert.deepEqual(kinds(f.push(Buffer.from('\n\r'))), []);
    assert.equal(f.buffered, 3);
    assert.deepEqual(kinds(f.push(Buffer.from('\n'))), ['ping']);
    assert.equal(f.buffered, 0);
  });

  it('as a server, waits after a lone CRLF: a ping split in two is still one ping', () => {
    const server = new StreamFramer({ keepAlive: 'server' });
    assert.deepEqual(server.push(Buffer.from('\r\n')), []);
    assert.deepEqual(kinds(server.push(Buffer.from('\r\n'))), ['ping']);
    assert.deepEqual(server.push(Buffer.from('\r\n')), []);
    assert.deepEqual(kinds(server.push(MESSAGES[0] as Buffer)), ['pong', `message:${MESSAGES[0]?.length}`]);
    assert.deepEqual(server.push(Buffer.from('\r\n')), []);
    assert.deepEqual(server.finish(), [], 'a trailing CRLF loses nothing');
    const client = new StreamFramer({ keepAlive: 'client' });
    assert.deepEqual(kinds(client.push(Buffer.from('\r\n'))), ['pong']);
  });

  it('waits for the rest of a partial message and reports what it holds', () => {
    const f = new StreamFramer();
    const m = MESSAGES[2] as Buffer;
    assert.deepEqual(f.push(m.subarray(0, 10)), []);
    assert.equal(f.buffered, 10);
    assert.deepEqual(f.push(m.subarray(10, m.length - 1)), []);
    assert.deepEqual(kinds(f.push(m.subarray(m.length - 1))), [`message:${m.length}`]);
    assert.equal(f.buffered, 0);
  });

  it('takes a message without Content-Length as having no body (section 18.3)', () => {
    const noLength = Buffer.from((MESSAGES[0] as Buffer).toString().replace('Content-Length: 0\r\n', ''));
    const f = new StreamFramer();
    const events = f.push(Buffer.concat([noLength, MESSAGES[0] as Buffer]));
    assert.deepEqual(kinds(events), [`message:${noLength.length}`, `message:${MESSAGES[0]?.length}`]);
  });

  it('frames LF-only messages and a folded Content-Length', () => {
    const lf = Buffer.from(
      (MESSAGES[1] as Buffer)
        .toString()
        .replace(/\r\n(?=.*\r\n\r\n)/gs, '\n')
        .replace('\r\n\r\nhello', '\n\nhello'),
    );
    const folded = Buffer.from(
      (MESSAGES[1] as Buffer).toString().replace('Content-Length: 14', 'Content-Length:\r\n 14'),
    );
    const f = new StreamFramer();
    const events = f.push(Buffer.concat([lf, folded]));
    assert.deepEqual(kinds(events), [`message:${lf.length}`, `message:${folded.length}`]);
    for (const e of events) {
      assert.ok(e.kind === 'message');
      const r = parseMessage(e.bytes, { datagram: false });
      assert.ok(r.ok);
      assert.equal(r.message.bodyText, 'hello\r\n\r\nworld');
    }
  });

  it('gives the trailing bytes of RFC 4475 dblreq as the next message over a stream', () => {
    const f = new StreamFramer();
    const events = f.push(corpusBytes('rfc4475/dblreq'));
    const framed = events.filter((e) => e.kind === 'message');
    const [register, invite, rest] = framed.map((e) =>
      e.kind === 'message' ? parseMessage(e.bytes, { datagram: false }) : undefined,
    );
    assert.ok(register?.ok && register.message.kind === 'request' && register.message.method === 'REGISTER');
    assert.ok(invite?.ok && invite.message.kind === 'request' && invite.message.method === 'INVITE');
    // The INVITE's body is 5 bytes longer than its Content-Length: on a stream they are junk.
    assert.equal(framed.length, 3);
    assert.ok(rest && !rest.ok);
  });

  it('frames huge messages in tiny chunks in linear time', () => {
    const big = msg('MESSAGE', 'x'.repeat(200_000), ['Content-Type: text/plain']);
    const f = new StreamFramer({ maxMessageSize: 300_000 });
    let events: FramerEvent[] = [];
    for (let i = 0; i < big.length; i += 7) events = events.concat(f.push(big.subarray(i, i + 7)));
    assert.deepEqual(kinds(events), [`message:${big.length}`]);
    const head = Buffer.from(`${'X-Long: '.padEnd(100_000, 'y')}\r\n`);
    const g = new StreamFramer({ maxMessageSize: 300_000 });
    const withHead = Buffer.concat([
      Buffer.from('OPTIONS sip:a@b.example SIP/2.0\r\n'),
      head,
      Buffer.from('Content-Length: 0\r\n\r\n'),
    ]);
    for (let i = 0; i < withHead.length; i++) events = g.push(withHead.subarray(i, i + 1));
    assert.deepEqual(kinds(events), [`message:${withHead.length}`]);
  });
});

describe('StreamFramer: split anywhere (fast-check)', () => {
  const stream = fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...MESSAGES).map((m) => ({ kind: 'message' as const, bytes: m })) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('\r\n\r\n', '\r\n', '\n')
          .map((k) => ({ kind: 'keepalive' as const, bytes: Buffer.from(k) })),
      },
    ),
    { minLength: 1, maxLength: 12 },
  );

  it('gives exactly the same messages and keep-alive bytes for any split of the stream', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 30 }), (items, points) => {
        const whole = Buffer.concat(items.map((i) => i.bytes));
        const events = feed(new StreamFramer(), splitAt(whole, points));
        const messages = events
          .filter((e) => e.kind === 'message')
          .map((e) => (e.kind === 'message' ? e.bytes : undefined));
        assert.deepEqual(
          messages,
          items.filter((i) => i.kind === 'message').map((i) => i.bytes),
        );
        // Keep-alive bytes are all accounted for: 4 per ping, 2 per pong, lone LFs skipped.
        const keepAliveCr = items
          .filter((i) => i.kind === 'keepalive')
          .reduce((n, i) => n + i.bytes.filter((b) => b === 0x0d).length, 0);
        const reported = events.reduce((n, e) => n + (e.kind === 'ping' ? 2 : e.kind === 'pong' ? 1 : 0), 0);
        assert.equal(reported, keepAliveCr);
        assert.ok(events.every((e) => e.kind !== 'error'));
      }),
      { numRuns: 300 },
    );
  });

  it("with keepAlive 'server', any split gives exactly the events of the unsplit stream", () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 30 }), (items, points) => {
        const whole = Buffer.concat(items.map((i) => i.bytes));
        const oneShot = new StreamFramer({ keepAlive: 'server' }).push(whole);
        const split = feed(new StreamFramer({ keepAlive: 'server' }), splitAt(whole, points));
        const bytewise = feed(
          new StreamFramer({ keepAlive: 'server' }),
          [...whole].map((b) => Buffer.from([b])),
        );
        assert.deepEqual(split, oneShot);
        assert.deepEqual(bytewise, oneShot);
      }),
      { numRuns: 200 },
    );
  });
});

describe('StreamFramer: limits and errors', () => {
  function errorOf(events: readonly FramerEvent[]) {
    const e = events.at(-1);
    assert.ok(e && e.kind === 'error', 'an error event ends the stream');
    return e;
  }

  it('refuses a message larger than maxMessageSize as soon as its Content-Length says so', () => {
    const f = new StreamFramer({ maxMessageSize: 1000 });
    const m = msg('MESSAGE', 'x'.repeat(2000));
    const e = errorOf(f.push(m.subarray(0, m.indexOf('\r\n\r\n') + 4)));
    assert.equal(e.status, 513);
    assert.match(e.reason, /exceeds 1000/);
    assert.ok(e.bytes?.toString().startsWith('MESSAGE sip:bob'));
  });

  it('refuses a header section that does not end within maxMessageSize', () => {
    const f = new StreamFramer({ maxMessageSize: 500 });
    assert.deepEqual(f.push(Buffer.from('INVITE sip:a@b.example SIP/2.0\r\n')), []);
    const e = errorOf(f.push(Buffer.from(`X-Pad: ${'p'.repeat(600)}\r\n`)));
    assert.equal(e.status, 513);
    assert.match(e.reason, /header section exceeds 500/);
  });

  it('refuses negative, non-numeric and conflicting Content-Length values (RFC 4475 ncl, mcl01)', () => {
    const base = (MESSAGES[0] as Buffer).toString();
    for (const [bad, why] of [
      [base.replace('Content-Length: 0', 'Content-Length: -999'), /malformed Content-Length "-999"/],
      [base.replace('Content-Length: 0', 'Content-Length: five'), /malformed Content-Length/],
      [base.replace('Content-Length: 0', 'Content-Length: 0\r\nl: 5'), /conflicting Content-Length values 0 and 5/],
      [base.replace('Content-Length: 0', 'Content-Length: 99999999999999999999999'), /exceeds/],
    ] as const) {
      const e = errorOf(new StreamFramer().push(Buffer.from(bad)));
      assert.match(e.reason, why);
      assert.ok(e.status === 400 || e.status === 513);
    }
    assert.equal(errorOf(new StreamFramer().push(corpusBytes('rfc4475/mcl01'))).status, 400);
    assert.equal(errorOf(new StreamFramer().push(corpusBytes('rfc4475/ncl'))).status, 400);
  });

  it('ignores everything after an error: the stream cannot be resynchronised', () => {
    const f = new StreamFramer();
    errorOf(f.push(Buffer.from((MESSAGES[0] as Buffer).toString().replace('Content-Length: 0', 'Content-Length: x'))));
    assert.deepEqual(f.push(MESSAGES[0] as Buffer), []);
    assert.equal(f.buffered, 0);
    assert.deepEqual(f.finish(), []);
  });

  it('reports an incomplete message when the stream ends, and nothing after a complete one', () => {
    const f = new StreamFramer();
    const m = MESSAGES[1] as Buffer;
    f.push(m.subarray(0, m.length - 3));
    const e = errorOf(f.finish());
    assert.equal(e.status, 400);
    assert.deepEqual(e.bytes, m.subarray(0, m.length - 3));
    const g = new StreamFramer();
    g.push(m);
    assert.deepEqual(g.finish(), []);
  });

  it('hands a message starting with a stray CR to the parser instead of hanging', () => {
    const f = new StreamFramer();
    const events = f.push(Buffer.concat([Buffer.from('\r'), MESSAGES[0] as Buffer]));
    assert.deepEqual(kinds(events), [`message:${(MESSAGES[0] as Buffer).length + 1}`]);
  });
});
