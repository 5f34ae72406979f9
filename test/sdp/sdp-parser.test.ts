import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as transform from 'sdp-transform';
import { parseSdp, type SessionDescription, serializeSdp } from '../../src/sdp/index.js';
import { rfc5118Body } from './rfc5118-bodies.js';

const crlf = (lines: string[]): string => `${lines.join('\r\n')}\r\n`;

const BODIES: Record<string, string> = {
  baresip: crlf([
    'v=0',
    'o=- 1427313717 2816143540 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 20000 RTP/AVP 0 8 101',
    'b=AS:80',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    'a=sendrecv',
  ]),
  ciscoHold: crlf([
    'v=0',
    'o=CiscoSystemsSIP-IPPhone-UserAgent 17169 9849 IN IP4 181.23.250.2',
    's=SIP Call',
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'm=audio 29652 RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-11',
  ]),
  everyField: crlf([
    'v=0',
    'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
    's=Call to John Smith',
    'i=SDP Offer #1',
    'u=http://www.jdoe.example.com/home.html',
    'e=Jane Doe <jane@jdoe.example.com>',
    'p=+1 617 555-6011',
    'c=IN IP4 233.252.0.1/127/3',
    'b=CT:154',
    't=2873397496 2873404696',
    'r=7d 1h 0 25h',
    'z=2882844526 -1h 2898848070 0',
    'k=prompt',
    'a=recvonly',
    'a=tool:switchboard',
    'm=audio 49170/2 RTP/AVP 0',
    'i=voice',
    'c=IN IP6 ff15::101/3',
    'b=AS:64',
    'a=ptime:20',
    'm=video 51372 RTP/AVP 99',
    'c=IN IP6 2001:db8::2',
    'a=rtpmap:99 h263-1998/90000',
    'm=application 9 UDP/BFCP *',
  ]),
};

describe('SDP parser and serializer', () => {
  for (const [name, body] of Object.entries(BODIES)) {
    it(`round-trips ${name} byte for byte`, () => {
      const r = parseSdp(body);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.equal(serializeSdp(r.sdp), body);
    });
  }

  it('reads every field of RFC 8866 section 5 as written', () => {
    const r = parseSdp(BODIES.everyField as string);
    assert.ok(r.ok);
    const s = r.sdp;
    assert.equal(s.origin.sessionVersion, '3724394405');
    assert.deepEqual(s.connection, { netType: 'IN', addrType: 'IP4', address: '233.252.0.1', ttl: 127, count: 3 });
    assert.deepEqual(s.timing, [{ start: 2873397496, stop: 2873404696, repeats: ['7d 1h 0 25h'] }]);
    assert.equal(s.timeZones, '2882844526 -1h 2898848070 0');
    assert.deepEqual(s.attributes, [
      { name: 'recvonly', value: null },
      { name: 'tool', value: 'switchboard' },
    ]);
    assert.equal(s.media.length, 3);
    assert.equal(s.media[0]?.portCount, 2);
    assert.deepEqual(s.media[0]?.connections, [{ netType: 'IN', addrType: 'IP6', address: 'ff15::101', count: 3 }]);
    assert.deepEqual(s.media[2]?.formats, ['*']);
  });

  it('agrees with sdp-transform on the fields both model', () => {
    // everyField is left out: sdp-transform does not read the m= "<port>/<count>" form.
    for (const body of [BODIES.baresip as string, BODIES.ciscoHold as string]) {
      const ours = parseSdp(body);
      assert.ok(ours.ok);
      const theirs = transform.parse(body);
      assert.equal(ours.sdp.origin.username, String(theirs.origin.username));
      assert.equal(ours.sdp.origin.sessionId, String(theirs.origin.sessionId));
      assert.equal(ours.sdp.sessionName, String(theirs.name));
      // sdp-transform keeps the multicast /ttl/count suffix inside ip.
      assert.equal(ours.sdp.connection?.address, theirs.connection?.ip.split('/')[0]);
      assert.equal(ours.sdp.media.length, theirs.media.length);
      ours.sdp.media.forEach((m, i) => {
        const t = theirs.media[i];
        assert.ok(t);
        assert.equal(m.type, t.type);
        assert.equal(m.port, t.port);
        assert.equal(m.protocol, t.protocol);
        assert.equal(m.formats.join(' '), String(t.payloads));
        const rtpmaps = m.attributes.filter((a) => a.name === 'rtpmap').map((a) => a.value);
        assert.deepEqual(
          rtpmaps,
          t.rtp.map((x) => `${x.payload} ${x.codec}/${x.rate}${x.encoding ? `/${x.encoding}` : ''}`),
        );
      });
    }
  });

  it('accepts bare LF line ends and a missing final line end', () => {
    const lf = (BODIES.baresip as string).replace(/\r\n/g, '\n').trimEnd();
    const r = parseSdp(lf);
    assert.ok(r.ok);
    assert.equal(serializeSdp(r.sdp), BODIES.baresip);
  });

  const BAD: [string, string, number, RegExp][] = [
    ['empty', '', 0, /empty/],
    ['no v= first', 'o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n', 1, /first line/],
    ['unknown type letter', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nx=1\r\n', 4, /unknown line type/],
    ['short o=', 'v=0\r\no=- 1 IN IP4 1.2.3.4\r\n', 2, /6 fields/],
    ['non-numeric version', 'v=0\r\no=- 1 x IN IP4 1.2.3.4\r\n', 2, /sess-version/],
    ['bad port', 'v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n', 4, /port/],
    ['t= in media', 'v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n', 5, /not allowed/],
    ['garbage line', 'v=0\r\no=- 1 1 IN IP4 a\r\nhello\r\n', 3, /type/],
    ['missing o=', 'v=0\r\ns=-\r\n', 0, /missing o=/],
    ['bad c=', 'v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4\r\n', 4, /c=/],
  ];
  for (const [name, body, line, message] of BAD) {
    it(`rejects ${name} with the line number`, () => {
      const r = parseSdp(body);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.line, line);
        assert.match(r.error.message, message);
      }
    });
  }

  it('parses the RFC 5118 section 4.6 body (IPv6 session-level c=, audio and video)', () => {
    const body = rfc5118Body('ipv6-in-sdp');
    const r = parseSdp(body);
    assert.ok(r.ok);
    assert.equal(r.sdp.origin.sessionId, '971731711378798081'); // beyond 2^53: kept exact
    assert.deepEqual(r.sdp.connection, { netType: 'IN', addrType: 'IP6', address: '2001:db8::20' });
    assert.deepEqual(
      r.sdp.media.map((m) => [m.type, m.port, m.formats.join(' ')]),
      [
        ['audio', 6000, '2'],
        ['video', 6024, '107'],
      ],
    );
    assert.equal(serializeSdp(r.sdp), body);
    const t = transform.parse(body);
    assert.equal(t.connection?.version, 6);
    assert.equal(t.connection?.ip, r.sdp.connection?.address);
  });

  it('parses the RFC 5118 section 4.11 body (per-media c= lines, IPv4 and IPv6)', () => {
    const body = rfc5118Body('mult-ip-in-sdp');
    const r = parseSdp(body);
    assert.ok(r.ok);
    assert.equal(r.sdp.sessionName, '');
    assert.equal(r.sdp.connection, undefined);
    assert.deepEqual(r.sdp.media[0]?.connections, [{ netType: 'IN', addrType: 'IP4', address: '192.0.2.1' }]);
    assert.deepEqual(r.sdp.media[1]?.connections, [{ netType: 'IN', addrType: 'IP6', address: '2001:db8::1' }]);
    assert.equal(serializeSdp(r.sdp), body);
    const t = transform.parse(body);
    assert.deepEqual(
      t.media.map((m) => m.connection?.ip),
      ['192.0.2.1', '2001:db8::1'],
    );
  });
});

// Generated descriptions: parse(serialize(x)) must give x back, and sdp-transform must read our
// output the same way.
const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$/);
const text = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,!-]{0,20}$/);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.ipV6();
const connection = fc.oneof(
  ipv4.map((address) => ({ netType: 'IN', addrType: 'IP4', address })),
  ipv6.map((address) => ({ netType: 'IN', addrType: 'IP6', address })),
);
const attribute = fc.oneof(
  fc.constantFrom('sendrecv', 'sendonly', 'recvonly', 'inactive').map((name) => ({ name, value: null })),
  fc
    .tuple(fc.integer({ min: 0, max: 127 }), fc.constantFrom('PCMU/8000', 'PCMA/8000', 'telephone-event/8000'))
    .map(([pt, enc]) => ({ name: 'rtpmap', value: `${pt} ${enc}` })),
  fc.integer({ min: 10, max: 60 }).map((p) => ({ name: 'ptime', value: String(p) })),
  fc.tuple(token, text).map(([name, value]) => ({ name, value })),
);
const media = fc.record(
  {
    type: fc.constantFrom('audio', 'video', 'application'),
    port: fc.integer({ min: 0, max: 65535 }),
    protocol: fc.constantFrom('RTP/AVP', 'RTP/SAVP', 'udp'),
    formats: fc.array(fc.integer({ min: 0, max: 127 }).map(String), { minLength: 1, maxLength: 5 }),
    connections: fc.array(connection, { maxLength: 1 }),
    bandwidths: fc.array(fc.record({ type: fc.constantFrom('AS', 'CT', 'TIAS'), value: fc.nat(100000) }), {
      maxLength: 1,
    }),
    attributes: fc.array(attribute, { maxLength: 6 }),
  },
  { noNullPrototype: true },
);
const session = fc
  .record(
    {
      version: fc.constant(0),
      origin: fc.record({
        username: token,
        sessionId: fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
        sessionVersion: fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
        netType: fc.constant('IN'),
        addrType: fc.constant('IP4'),
        address: ipv4,
      }),
      sessionName: text,
      emails: fc.constant([]),
      phones: fc.constant([]),
      connection: connection,
      bandwidths: fc.constant([]),
      timing: fc.constant([{ start: 0, stop: 0, repeats: [] }]),
      attributes: fc.array(attribute, { maxLength: 3 }),
      media: fc.array(media, { minLength: 1, maxLength: 3 }),
    },
    { noNullPrototype: true },
    // Plain objects only (fast-check may build null-prototype records deeper down).
  )
  .map((x) => JSON.parse(JSON.stringify(x)) as SessionDescription);

describe('SDP round trip on generated descriptions', () => {
  it('parse(serialize(x)) equals x', () => {
    fc.assert(
      fc.property(session, (sdp) => {
        const r = parseSdp(serializeSdp(sdp));
        assert.ok(r.ok, r.ok ? '' : r.error.message);
        assert.deepEqual(r.sdp, sdp);
      }),
      { numRuns: 300 },
    );
  });

  it('sdp-transform reads our output the same way', () => {
    fc.assert(
      fc.property(session, (sdp) => {
        const t = transform.parse(serializeSdp(sdp));
        // sdp-transform turns numeric-looking tokens into numbers.
        assert.equal(String(t.origin.username), sdp.origin.username);
        assert.equal(t.connection?.ip, sdp.connection?.address);
        assert.equal(t.media.length, sdp.media.length);
        sdp.media.forEach((m, i) => {
          const tm = t.media[i];
          assert.ok(tm);
          assert.equal(tm.port, m.port);
          assert.equal(String(tm.payloads), m.formats.join(' '));
          assert.equal(tm.connection?.ip, m.connections[0]?.address);
          const dirs = m.attributes.filter((a) => a.value === null && /^(send|recv|inactive)/.test(a.name));
          if (dirs.length > 0) assert.equal(tm.direction, dirs[dirs.length - 1]?.name);
        });
      }),
      { numRuns: 200 },
    );
  });
});
