import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Flow, type IncomingMessage, type OutgoingResponse, parseMessage } from '../../src/sip/index.js';
import { handleInbound, type InboundHost } from '../../src/transport/inbound.js';
import { VirtualClock } from '../../src/util/clock.js';
import type { LogFields, Logger } from '../../src/util/logger.js';

const flow: Flow = {
  transport: 'udp',
  localAddress: '192.0.2.1',
  localPort: 5060,
  remoteAddress: '198.51.100.7',
  remotePort: 40404,
  connectionId: undefined,
};

const REQUEST =
  'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfuzz;rport\r\n' +
  'Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n' +
  'Call-ID: fuzz@example.com\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\n' +
  'Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n';
const RESPONSE =
  'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKfuzz;rport=5060\r\n' +
  'From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b1\r\n' +
  'Call-ID: fuzz@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';

function host() {
  const delivered: IncomingMessage[] = [];
  const replies: OutgoingResponse[] = [];
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(msg: string, fields?: LogFields) {
      errors.push(`${msg} ${JSON.stringify(fields)}`);
    },
    child() {
      return logger;
    },
  };
  const h: InboundHost = {
    clock: new VirtualClock(),
    logger,
    deliver: (m) => delivered.push(m),
    reply: (r) => replies.push(r),
    isOwnSentBy: (via) => via.host === '192.0.2.1' && via.port === 5060,
  };
  return { h, delivered, replies, errors };
}

/** A message with random byte edits: flips, deletions, insertions, truncation. */
const mutated = (base: string) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'del', 'ins')), {
        maxLength: 6,
      }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([edits, cut]) => {
      const bytes = [...Buffer.from(base)];
      for (const [at, value, op] of edits) {
        const i = at % (bytes.length + 1);
        if (op === 'set' && i < bytes.length) bytes[i] = value;
        else if (op === 'del') bytes.splice(i, 1);
        else bytes.splice(i, 0, value);
      }
      const out = Buffer.from(bytes);
      return cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
    });

describe('inbound processing', () => {
  it('never throws, never answers a response or an ACK, and answers only with copies of the request Via', () => {
    fc.assert(
      fc.property(fc.oneof(mutated(REQUEST), mutated(RESPONSE), fc.uint8Array({ maxLength: 300 })), (input) => {
        const { h, delivered, replies, errors } = host();
        const outcome = handleInbound(h, Buffer.from(input), flow, true);
        assert.deepEqual(errors, []);
        const text = Buffer.from(input).toString('latin1');
        const startsAsResponse = /^[\r\n]*SIP\//i.test(text);
        if (startsAsResponse) assert.equal(replies.length, 0, 'a response is never answered');
        if (/^[\r\n]*ACK /.test(text)) assert.equal(replies.length, 0, 'an ACK is never answered');
        assert.ok(replies.length + delivered.length <= 1);
        for (const r of replies) {
          assert.ok(outcome === 'rejected' || outcome === 'not-sip', outcome);
          assert.ok(r.status >= 400 && r.status < 600);
          const reparsed = parseMessage(r.toBuffer());
          assert.ok(reparsed.ok, 'the stateless response is well formed');
          assert.ok(r.has('via'));
        }
        for (const m of delivered) {
          assert.equal(outcome, 'delivered');
          assert.equal(m.flow, flow);
          // An rport that was asked for is always filled, with received beside it.
          if (m.kind === 'request' && m.topVia.params.has('rport')) {
            assert.notEqual(m.topVia.rport, true);
            assert.equal(m.topVia.received, flow.remoteAddress);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('hands up the intact request with received/rport and the intact response', () => {
    const { h, delivered, replies } = host();
    assert.equal(handleInbound(h, Buffer.from(REQUEST), flow, true), 'delivered');
    assert.equal(handleInbound(h, Buffer.from(RESPONSE), flow, true), 'delivered');
    assert.equal(replies.length, 0);
    const [req, res] = delivered;
    assert.equal(
      req?.kind === 'request' && req.topVia.toString(),
      'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfuzz;rport=40404;received=198.51.100.7',
    );
    assert.equal(res?.kind, 'response');
    // A response whose Via is not ours is dropped (section 18.1.2).
    assert.equal(
      handleInbound(h, Buffer.from(RESPONSE.replace('192.0.2.1:5060', '192.0.2.9:5060')), flow, true),
      'dropped',
    );
    assert.equal(handleInbound(h, Buffer.from('HELLO WORLD\r\n\r\n'), flow, false), 'not-sip');
  });
});
