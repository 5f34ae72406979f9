/**
 * PROTOS c07-sip (OUSPG): 4527 INVITE cases, case 0 valid and each other one mutating one
 * element. Every case, with its placeholders filled, goes through parseMessage as a datagram and
 * through the stream framer (INVITE then CANCEL, split at random points): nothing may throw, and
 * every input must end in a message or a clear rejection (a status and a reason). What parses
 * must also serialize and parse again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FramerEvent,
  IncomingRequest,
  parseMessage,
  SipParseError,
  StreamFramer,
  validateRequest,
} from '../../src/sip/index.js';
import { type ProtosCase, prng, protosCases, protosGroups } from './support/protos.js';

const STATUSES = new Set([400, 413, 414, 416, 420, 501, 505, 513]);
const cases = protosCases();
const groups = protosGroups();

/** Problems found with one case, empty when it behaved. */
function checkDatagram(c: ProtosCase): string[] {
  const problems: string[] = [];
  let r: ReturnType<typeof parseMessage>;
  try {
    r = parseMessage(c.invite);
  } catch (err) {
    return [`parseMessage threw ${String(err)}`];
  }
  if (!r.ok) {
    if (!(r.error instanceof SipParseError) || !STATUSES.has(r.error.status) || r.error.message.length === 0) {
      problems.push(`unclear rejection ${r.error.status} "${r.error.message}"`);
    }
    if (/[\r\n]/.test(r.error.message)) problems.push('the reason spans several lines');
    return problems;
  }
  try {
    const m = r.message;
    m.headerErrors();
    if (m instanceof IncomingRequest) {
      const p = validateRequest(m);
      if (p && !STATUSES.has(p.status) && p.status !== 406 && p.status !== 415 && p.status !== 405) {
        problems.push(`validation gave ${p.status}`);
      }
    }
    const again = parseMessage(m.toBuffer());
    if (!again.ok) problems.push(`serialized message does not parse: ${again.error.message}`);
    else if (again.message.headerLines().length !== m.headerLines().length + (m.has('content-length') ? 0 : 1)) {
      problems.push('serialized message lost header lines');
    }
  } catch (err) {
    problems.push(`threw after parsing: ${String(err)}`);
  }
  return problems;
}

function splitStream(bytes: Buffer, random: () => number): Buffer[] {
  const n = Math.floor(random() * 6);
  const cuts = Array.from({ length: n }, () => Math.floor(random() * (bytes.length + 1))).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(prev, cut));
    prev = cut;
  }
  return out;
}

function checkStream(c: ProtosCase): string[] {
  const stream = Buffer.concat([c.invite, c.teardown]);
  const random = prng(c.number + 1);
  const problems: string[] = [];
  let reference: string[] | undefined;
  for (let round = 0; round < 3; round++) {
    const framer = new StreamFramer();
    let events: FramerEvent[];
    try {
      events = splitStream(stream, random).flatMap((chunk) => framer.push(chunk));
      events.push(...framer.finish());
    } catch (err) {
      return [`framer threw ${String(err)}`];
    }
    if (events.length === 0) problems.push('no event at all');
    const summary: string[] = [];
    for (const ev of events) {
      if (ev.kind === 'error') {
        if (!STATUSES.has(ev.status) || ev.reason.length === 0) problems.push(`unclear framing error ${ev.status}`);
        summary.push(`error ${ev.status}`);
      } else if (ev.kind === 'message') {
        try {
          const r = parseMessage(ev.bytes, { datagram: false });
          if (!r.ok && !STATUSES.has(r.error.status)) problems.push(`unclear rejection ${r.error.status}`);
          summary.push(r.ok ? `message ${r.message.startLine}` : `rejected ${r.error.status}`);
        } catch (err) {
          problems.push(`parseMessage threw ${String(err)}`);
        }
      } else summary.push(ev.kind);
    }
    // Keep-alive events may differ with the split; messages and errors may not.
    const essential = summary.filter((s) => s !== 'ping' && s !== 'pong');
    if (reference === undefined) reference = essential;
    else if (JSON.stringify(reference) !== JSON.stringify(essential)) {
      problems.push(`split-dependent result: ${JSON.stringify(reference)} vs ${JSON.stringify(essential)}`);
    }
  }
  return problems;
}

describe('PROTOS c07-sip', () => {
  it('has the 4527 cases of its 54 groups, with placeholders filled', () => {
    assert.equal(cases.length, 4527);
    assert.deepEqual(
      cases.map((c) => c.number),
      Array.from({ length: 4527 }, (_, i) => i),
    );
    assert.equal(groups.length, 54);
    assert.equal(
      groups.reduce((n, g) => n + g.last - g.first + 1, 0),
      4527,
    );
    assert.ok(cases.every((c) => !c.invite.includes('<Content-Length>') && !c.invite.includes('<To>')));
  });

  it('case 0 is a valid INVITE a UAS processes, and its CANCEL is framed after it', () => {
    const valid = cases[0] as ProtosCase;
    const r = parseMessage(valid.invite);
    assert.ok(r.ok && r.message instanceof IncomingRequest);
    assert.equal(r.message.method, 'INVITE');
    assert.equal(r.message.uri.toString(), 'sip:test@127.0.0.1');
    assert.equal(validateRequest(r.message), undefined);
    assert.equal(r.message.get('content-length'), r.message.body.length);
    const events = new StreamFramer().push(Buffer.concat([valid.invite, valid.teardown]));
    const methods = events.map((e) => (e.kind === 'message' ? e.bytes.toString('latin1').split(' ')[0] : e.kind));
    assert.deepEqual(methods, ['INVITE', 'CANCEL']);
  });

  for (const g of groups) {
    it(`${g.group} (cases ${g.first}-${g.last}): a message or a clear rejection, as datagram and over a stream`, () => {
      const problems: string[] = [];
      let accepted = 0;
      for (let n = g.first; n <= g.last; n++) {
        const c = cases[n] as ProtosCase;
        for (const p of [...checkDatagram(c), ...checkStream(c)]) problems.push(`case ${n}: ${p}`);
        if (parseMessage(c.invite).ok) accepted++;
      }
      assert.deepEqual(problems.slice(0, 10), []);
      // Every group but "valid" mutates something; at least the valid case must be accepted.
      if (g.group === 'valid') assert.equal(accepted, 1);
    });
  }
});
