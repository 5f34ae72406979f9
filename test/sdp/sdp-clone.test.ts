/** cloneSession: a deep copy equal to its source and sharing no object or array with it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneSession, parseSdp, type SessionDescription } from '../../src/sdp/index.js';

const TEXT = [
  'v=0',
  'o=- 971731711378798081 2 IN IP4 192.0.2.1',
  's=call',
  'i=info',
  'u=http://example.com/',
  'e=a@example.com',
  'p=+1 555 0100',
  'c=IN IP4 192.0.2.1',
  'b=AS:64',
  't=0 0',
  'r=7d 1h 0 25h',
  'a=recvonly',
  'm=audio 49170 RTP/AVP 0 8 101',
  'c=IN IP4 192.0.2.2',
  'b=TIAS:64000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'm=video 0 RTP/AVP 31',
  '',
].join('\r\n');

function objects(value: unknown, out: Set<object> = new Set()): Set<object> {
  if (value !== null && typeof value === 'object') {
    out.add(value);
    for (const v of Object.values(value)) objects(v, out);
  }
  return out;
}

describe('cloneSession', () => {
  it('copies every field deeply and shares nothing with the source', () => {
    const r = parseSdp(TEXT);
    assert.ok(r.ok);
    const source: SessionDescription = r.sdp;
    const copy = cloneSession(source);
    assert.deepStrictEqual(copy, source);
    assert.deepStrictEqual(copy, structuredClone(source));
    const shared = [...objects(copy)].filter((o) => objects(source).has(o));
    assert.deepEqual(shared, []);
    (copy.media[0] as { attributes: { value: string | null }[] }).attributes[0]!.value = 'changed';
    assert.notEqual(source.media[0]?.attributes[0]?.value, 'changed');
  });
});
