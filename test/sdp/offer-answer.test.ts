import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as transform from 'sdp-transform';
import {
  audioStreamOf,
  directionOf,
  type NegotiatorConfig,
  OfferAnswerNegotiator,
  parseSdp,
  SdpStateError,
  type SessionDescription,
  serializeSdp,
} from '../../src/sdp/index.js';
import { rfc5118Body } from './rfc5118-bodies.js';

function negotiator(address: string, port: number, overrides: Partial<NegotiatorConfig> = {}): OfferAnswerNegotiator {
  return new OfferAnswerNegotiator({
    local: {
      address,
      rtpPort: port,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: { payloadType: 101, events: '0-16' },
      ptime: 20,
      ...overrides.local,
    },
    ...(overrides.holdStyle ? { holdStyle: overrides.holdStyle } : {}),
    ...(overrides.answerPolicy ? { answerPolicy: overrides.answerPolicy } : {}),
  });
}

/** Runs one offer/answer exchange offerer -> answerer and returns both SDP texts. */
function exchange(
  offerer: OfferAnswerNegotiator,
  answerer: OfferAnswerNegotiator,
  offerOptions: Parameters<OfferAnswerNegotiator['createOffer']>[0] = {},
  answerHold: 'sendonly' | 'inactive' | null = null,
): { offer: string; answer: string } {
  const offer = serializeSdp(offerer.createOffer(offerOptions));
  assert.deepEqual(answerer.setRemoteOffer(offer), { ok: true });
  const a = answerer.createAnswer({ hold: answerHold });
  assert.ok(a.ok, a.ok ? '' : a.warning.text);
  const answer = serializeSdp(a.answer);
  const r = offerer.setRemoteAnswer(answer);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  return { offer, answer };
}

function offerWith(mLines: string[], c = 'c=IN IP4 192.0.2.10'): string {
  return `${['v=0', 'o=peer 1 1 IN IP4 192.0.2.10', 's=-', c, 't=0 0', ...mLines].join('\r\n')}\r\n`;
}

describe('offer/answer: initial exchange and codecs', () => {
  it('offers PCMU, PCMA and telephone-event 101 with ptime 20 and sendrecv, as sdp-transform reads it', () => {
    const a = negotiator('127.0.0.1', 40000);
    const offer = a.createOffer();
    assert.equal(a.state, 'have-local-offer');
    const t = transform.parse(serializeSdp(offer));
    const m = t.media[0];
    assert.ok(m);
    assert.equal(m.port, 40000);
    assert.equal(String(m.payloads), '0 8 101');
    assert.deepEqual(
      m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`),
      ['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000'],
    );
    assert.deepEqual(m.fmtp, [{ payload: 101, config: '0-16' }]);
    assert.equal(m.ptime, 20);
    assert.equal(m.direction, 'sendrecv');
    assert.equal(t.connection?.ip, '127.0.0.1');
  });

  it('negotiates the same codec and telephone-event on both sides', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    exchange(a, b);
    for (const [n, port] of [
      [a, 40002],
      [b, 40000],
    ] as const) {
      assert.equal(n.state, 'stable');
      const neg = n.negotiated;
      assert.ok(neg);
      const audio = audioStreamOf(neg);
      assert.ok(audio);
      assert.equal(audio.codec, 'PCMU');
      assert.equal(audio.sendPayloadType, 0);
      assert.deepEqual(audio.telephoneEvent, {
        sendPayloadType: 101,
        receivePayloadType: 101,
        remoteEvents: Array.from({ length: 17 }, (_, i) => i),
      });
      assert.equal(audio.remoteAddress, '127.0.0.1');
      assert.equal(audio.remoteRtpPort, port);
      assert.equal(audio.remoteRtcpPort, port + 1);
      const d = directionOf(neg);
      assert.deepEqual([d.send, d.receive, d.localHold, d.remoteHold], [true, true, false, false]);
    }
  });

  const CODEC_TABLE: {
    name: string;
    offered: string[];
    policy?: { preferRemoteCodecOrder: boolean };
    expectFormats: string;
    expectFmtp?: string;
  }[] = [
    {
      name: "the offerer's order by default (PCMA first)",
      offered: ['m=audio 5004 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15'],
      expectFormats: '8 101',
      expectFmtp: '101 0-15',
    },
    {
      name: 'our order when preferRemoteCodecOrder is false',
      offered: ['m=audio 5004 RTP/AVP 8 0'],
      policy: { preferRemoteCodecOrder: false },
      expectFormats: '0',
    },
    {
      name: "the offerer's dynamic payload type for telephone-event, events intersected",
      offered: [
        'm=audio 5004 RTP/AVP 0 96',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-11,16,66',
      ],
      expectFormats: '0 96',
      expectFmtp: '96 0-11,16',
    },
    {
      name: 'no telephone-event when the offer has none',
      offered: ['m=audio 5004 RTP/AVP 0'],
      expectFormats: '0',
    },
    {
      name: 'events 0-15 when the offer lists telephone-event without fmtp (RFC 4733 section 7.1.1)',
      offered: ['m=audio 5004 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000'],
      expectFormats: '0 101',
      expectFmtp: '101 0-15',
    },
    {
      name: 'PCMA declared with a dynamic rtpmap (case-insensitive encoding names)',
      offered: ['m=audio 5004 RTP/AVP 97', 'a=rtpmap:97 pcma/8000'],
      expectFormats: '97',
    },
  ];
  for (const row of CODEC_TABLE) {
    it(`answers with ${row.name}`, () => {
      const b = negotiator('127.0.0.1', 40002, row.policy ? { answerPolicy: row.policy } : {});
      assert.deepEqual(b.setRemoteOffer(offerWith(row.offered)), { ok: true });
      const r = b.createAnswer();
      assert.ok(r.ok);
      const m = transform.parse(serializeSdp(r.answer)).media[0];
      assert.ok(m);
      assert.equal(String(m.payloads), row.expectFormats);
      assert.equal(m.fmtp[0] ? `${m.fmtp[0].payload} ${m.fmtp[0].config}` : undefined, row.expectFmtp);
      assert.equal(r.audio?.sendPayloadType, Number(row.expectFormats.split(' ')[0]));
    });
  }
});

describe('offer/answer: refusals as typed results (488 + Warning)', () => {
  const TABLE: {
    name: string;
    offer: string;
    config?: Partial<NegotiatorConfig>;
    address?: string;
    code: number;
    reason: string;
  }[] = [
    {
      name: 'no common codec: Warning 304 by default (as the Cisco phones of the seeds)',
      offer: offerWith(['m=audio 5004 RTP/AVP 18', 'a=rtpmap:18 G729/8000']),
      code: 304,
      reason: 'no-common-codec',
    },
    {
      name: 'no common codec: Warning 305 when configured',
      offer: offerWith(['m=audio 5004 RTP/AVP 18 3']),
      config: { answerPolicy: { noCommonCodecWarning: 305 } },
      code: 305,
      reason: 'no-common-codec',
    },
    {
      name: 'no audio stream at all: 304',
      offer: offerWith(['m=video 5006 RTP/AVP 31']),
      code: 304,
      reason: 'no-audio',
    },
    {
      name: 'SRTP only: 302',
      offer: offerWith(['m=audio 5004 RTP/SAVP 0']),
      code: 302,
      reason: 'unsupported-transport',
    },
    {
      name: 'RFC 5118 section 4.6 (IPv6, G726-32 only) at an IPv6 endpoint: no common codec, 305',
      offer: rfc5118Body('ipv6-in-sdp'),
      address: '::1',
      config: { answerPolicy: { noCommonCodecWarning: 305 } },
      code: 305,
      reason: 'no-common-codec',
    },
    {
      name: 'RFC 5118 section 4.6 at an IPv4-only endpoint: incompatible address format, 301',
      offer: rfc5118Body('ipv6-in-sdp'),
      code: 301,
      reason: 'unsupported-address',
    },
  ];
  for (const row of TABLE) {
    it(row.name, () => {
      const b = negotiator(row.address ?? '127.0.0.1', 40002, row.config ?? {});
      assert.deepEqual(b.setRemoteOffer(row.offer), { ok: true });
      assert.equal(b.state, 'have-remote-offer');
      const r = b.createAnswer();
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.status, 488);
      assert.equal(r.reason, row.reason);
      assert.equal(r.warning.code, row.code);
      assert.ok(r.warning.text.length > 0);
      assert.equal(b.state, 'stable');
      assert.equal(b.negotiated, null);
    });
  }

  it('a refused re-offer leaves the previous session in force', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    exchange(a, b);
    const before = b.negotiated;
    assert.deepEqual(b.setRemoteOffer(offerWith(['m=audio 5004 RTP/AVP 18'])), { ok: true });
    const r = b.createAnswer();
    assert.equal(r.ok, false);
    assert.equal(b.negotiated, before);
    assert.equal(audioStreamOf(before as NonNullable<typeof before>)?.codec, 'PCMU');
  });

  it('a malformed offer is a 400, not an exception', () => {
    const b = negotiator('127.0.0.1', 40002);
    const r = b.setRemoteOffer('v=0\r\nthis is not sdp\r\n');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.status, 400);
    assert.equal(b.state, 'stable');
  });
});

describe('offer/answer: several m= lines and IPv6', () => {
  it('accepts the audio of RFC 5118 section 4.11 and rejects its video with port 0', () => {
    const b = negotiator('127.0.0.1', 40002);
    assert.deepEqual(b.setRemoteOffer(rfc5118Body('mult-ip-in-sdp')), { ok: true });
    const r = b.createAnswer();
    assert.ok(r.ok);
    const t = transform.parse(serializeSdp(r.answer));
    assert.deepEqual(
      t.media.map((m) => [m.type, m.port, String(m.payloads)]),
      [
        ['audio', 40002, '0'],
        ['video', 0, '107'],
      ],
    );
    assert.equal(r.audio?.remoteAddress, '192.0.2.1'); // the media-level c= of the audio stream
    assert.equal(r.audio?.remoteRtpPort, 22334);
  });

  it('negotiates over IPv6 (c=IN IP6) in both directions', () => {
    const a = negotiator('::1', 40000);
    const b = negotiator('::1', 40002);
    const { offer, answer } = exchange(a, b);
    assert.match(offer, /\r\nc=IN IP6 ::1\r\n/);
    assert.match(offer, /\r\no=- \d+ \d+ IN IP6 ::1\r\n/);
    assert.match(answer, /\r\nc=IN IP6 ::1\r\n/);
    const audio = audioStreamOf(a.negotiated as NonNullable<typeof a.negotiated>);
    assert.equal(audio?.remoteAddress, '::1');
    assert.equal(audio?.remoteAddrType, 'IP6');
  });

  it('a re-offer keeps a rejected m= line in place (RFC 3264 section 8)', () => {
    const b = negotiator('127.0.0.1', 40002);
    b.setRemoteOffer(offerWith(['m=video 5006 RTP/AVP 31', 'm=audio 5004 RTP/AVP 0', 'm=audio 5008 RTP/AVP 0']));
    const r = b.createAnswer();
    assert.ok(r.ok);
    assert.deepEqual(
      r.answer.media.map((m) => m.port),
      [0, 40002, 0],
    );
    const reoffer = b.createOffer({ hold: 'sendonly' });
    assert.deepEqual(
      reoffer.media.map((m) => [m.type, m.port]),
      [
        ['video', 0],
        ['audio', 40002],
        ['audio', 0],
      ],
    );
  });
});

describe('offer/answer: hold is an SDP fact, recognised both ways', () => {
  const STYLES = ['rfc3264', 'rfc2543'] as const;
  for (const style of STYLES) {
    it(`hold and resume, ${style} style: offers, answers and derived state on both sides`, () => {
      const a = negotiator('127.0.0.1', 40000, { holdStyle: style });
      const b = negotiator('127.0.0.1', 40002);
      exchange(a, b);
      const { offer, answer } = exchange(a, b, { hold: 'sendonly' });
      if (style === 'rfc3264') {
        assert.match(offer, /\r\na=sendonly\r\n/);
        assert.match(offer, /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
      } else {
        assert.match(offer, /\r\nc=IN IP4 0\.0\.0\.0\r\n/);
        assert.doesNotMatch(offer, /a=(sendonly|recvonly|inactive)/);
      }
      assert.match(answer, /\r\na=recvonly\r\n/);
      const da = directionOf(a.negotiated);
      const db = directionOf(b.negotiated);
      const method = style === 'rfc3264' ? 'attribute' : 'connection-address';
      assert.deepEqual(
        {
          send: da.send,
          receive: da.receive,
          localHold: da.localHold,
          remoteHold: da.remoteHold,
          m: da.localHoldMethod,
        },
        // At the SDP level both styles allow us to send (sendonly, or sendrecv minus the 0.0.0.0
        // receive side); MediaSession's policy then sends nothing while holding.
        { send: true, receive: false, localHold: true, remoteHold: false, m: method },
      );
      assert.deepEqual(
        {
          send: db.send,
          receive: db.receive,
          localHold: db.localHold,
          remoteHold: db.remoteHold,
          m: db.remoteHoldMethod,
        },
        { send: false, receive: true, localHold: false, remoteHold: true, m: method },
      );
      const resumed = exchange(a, b);
      assert.match(resumed.offer, /\r\na=sendrecv\r\n/);
      assert.match(resumed.offer, /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
      assert.match(resumed.answer, /\r\na=sendrecv\r\n/);
      for (const d of [directionOf(a.negotiated), directionOf(b.negotiated)]) {
        assert.deepEqual([d.send, d.receive, d.localHold, d.remoteHold], [true, true, false, false]);
      }
    });
  }

  const DIRECTION_TABLE: [string, string, string, boolean, boolean, boolean][] = [
    // offered attribute / c=, answer attribute, our send, our receive, remoteHold
    ['a=sendrecv', 'sendrecv', 'IN IP4 192.0.2.10', true, true, false],
    ['a=sendonly', 'recvonly', 'IN IP4 192.0.2.10', false, true, true],
    ['a=recvonly', 'sendonly', 'IN IP4 192.0.2.10', true, false, false],
    ['a=inactive', 'inactive', 'IN IP4 192.0.2.10', false, false, true],
    ['(none)', 'recvonly', 'IN IP4 0.0.0.0', false, true, true],
    ['(none)', 'recvonly', 'IN IP6 ::', false, true, true],
  ];
  for (const [attr, answered, conn, send, receive, remoteHold] of DIRECTION_TABLE) {
    it(`answers an offer with ${attr} and c=${conn} with a=${answered} (RFC 3264 section 6.1)`, () => {
      const local = conn.includes('IP6') ? '::1' : '127.0.0.1';
      const b = negotiator(local, 40002);
      const lines = ['m=audio 5004 RTP/AVP 0', ...(attr === '(none)' ? [] : [attr])];
      assert.deepEqual(b.setRemoteOffer(offerWith(lines, `c=${conn}`)), { ok: true });
      const r = b.createAnswer();
      assert.ok(r.ok);
      assert.equal(transform.parse(serializeSdp(r.answer)).media[0]?.direction, answered);
      const d = directionOf(b.negotiated);
      assert.deepEqual([d.send, d.receive, d.remoteHold, d.localHold], [send, receive, remoteHold, false]);
    });
  }

  it('inactive hold is answered inactive: nobody sends, only the offerer holds', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    exchange(a, b);
    const { answer } = exchange(a, b, { hold: 'inactive' });
    assert.match(answer, /\r\na=inactive\r\n/);
    const da = directionOf(a.negotiated);
    const db = directionOf(b.negotiated);
    assert.deepEqual([da.send, da.receive, da.localHold, da.remoteHold], [false, false, true, false]);
    assert.deepEqual([db.send, db.receive, db.localHold, db.remoteHold], [false, false, false, true]);
  });

  it('recognises a Cisco-style c=0.0.0.0 offer and answers recvonly', () => {
    const b = negotiator('127.0.0.1', 40002);
    b.setRemoteOffer(
      offerWith(['m=audio 29652 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000'], 'c=IN IP4 0.0.0.0'),
    );
    const r = b.createAnswer();
    assert.ok(r.ok);
    assert.equal(transform.parse(serializeSdp(r.answer)).media[0]?.direction, 'recvonly');
    assert.equal(r.audio?.remoteAddress, null);
    const d = directionOf(b.negotiated);
    assert.deepEqual([d.send, d.remoteHold, d.remoteHoldMethod], [false, true, 'connection-address']);
  });

  it('an answerer that holds keeps holding when the peer re-offers sendrecv', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    exchange(a, b);
    exchange(b, a, { hold: 'sendonly' }); // b holds a
    const { answer } = exchange(a, b, {}, 'sendonly'); // a refreshes; b still holds
    assert.match(answer, /\r\na=sendonly\r\n/);
    assert.equal(directionOf(b.negotiated).localHold, true);
    assert.equal(directionOf(a.negotiated).remoteHold, true);
  });

  it('keeps our hold through a two-sided hold answered inactive, and when the peer resumes', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    exchange(a, b);
    exchange(a, b, { hold: 'sendonly' }); // a holds b
    // b now holds a too, with inactive; a (still holding) can only answer inactive.
    const both = exchange(b, a, { hold: 'inactive' }, 'sendonly');
    assert.match(both.answer, /\r\na=inactive\r\n/);
    assert.deepEqual([directionOf(a.negotiated).localHold, directionOf(a.negotiated).remoteHold], [true, true]);
    // b resumes; a still holds b, so a answers sendonly.
    const resumed = exchange(b, a, {}, 'sendonly');
    assert.match(resumed.answer, /\r\na=sendonly\r\n/);
    assert.deepEqual([directionOf(a.negotiated).localHold, directionOf(a.negotiated).remoteHold], [true, false]);
    assert.deepEqual([directionOf(b.negotiated).localHold, directionOf(b.negotiated).remoteHold], [false, true]);
  });

  it('a port-0 answer rejects the stream: no audio, nothing sent or held', () => {
    const a = negotiator('127.0.0.1', 40000);
    a.createOffer();
    const offer = a.localOffer as SessionDescription;
    const answer = `v=0\r\no=x 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 0 RTP/AVP ${offer.media[0]?.formats[0]}\r\n`;
    const r = a.setRemoteAnswer(answer);
    assert.ok(r.ok);
    assert.equal(r.audio, null);
    const d = directionOf(a.negotiated);
    assert.deepEqual([d.rejected, d.send, d.receive, d.localHold, d.remoteHold], [true, false, false, false, false]);
  });

  it('a recvonly answer to a sendrecv offer: we send, they do not, nobody holds', () => {
    const a = negotiator('127.0.0.1', 40000);
    a.createOffer();
    const answer =
      'v=0\r\no=x 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=recvonly\r\n';
    assert.ok(a.setRemoteAnswer(answer).ok);
    const d = directionOf(a.negotiated);
    assert.deepEqual([d.send, d.receive, d.localHold, d.remoteHold], [true, false, false, false]);
  });
});

describe('offer/answer: state machine, versions, rollback, glare', () => {
  it('increments o= version on every new offer and keeps o= sess-id', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    const versions: bigint[] = [];
    let id: string | undefined;
    for (const hold of [undefined, 'sendonly', undefined, undefined] as const) {
      const { offer } = exchange(a, b, hold ? { hold } : {});
      const r = parseSdp(offer);
      assert.ok(r.ok);
      versions.push(BigInt(r.sdp.origin.sessionVersion));
      id ??= r.sdp.origin.sessionId;
      assert.equal(r.sdp.origin.sessionId, id);
    }
    for (let i = 1; i < versions.length; i++) assert.equal(versions[i], (versions[i - 1] as bigint) + 1n);
  });

  it('keeps the answer version when the answer does not change, bumps it when it does', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    const v = (sdp: string): bigint => {
      const r = parseSdp(sdp);
      assert.ok(r.ok);
      return BigInt(r.sdp.origin.sessionVersion);
    };
    const first = exchange(a, b);
    const same = exchange(a, b);
    assert.equal(v(same.answer), v(first.answer));
    const held = exchange(a, b, { hold: 'sendonly' });
    assert.equal(v(held.answer), v(first.answer) + 1n);
  });

  it('a refresh offer repeats the previous SDP, version included', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    const first = exchange(a, b);
    const refresh = exchange(a, b, { refresh: true });
    assert.equal(refresh.offer, first.offer);
  });

  it('rollback after a 491 restores the previous session; the next offer still gets a new version', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    const first = exchange(a, b);
    const before = a.negotiated;
    const hold = serializeSdp(a.createOffer({ hold: 'sendonly' }));
    assert.equal(a.state, 'have-local-offer');
    a.rollback();
    assert.equal(a.state, 'stable');
    assert.equal(a.negotiated, before);
    assert.equal(directionOf(a.negotiated).localHold, false);
    const next = serializeSdp(a.createOffer());
    const ver = (s: string): bigint =>
      BigInt((parseSdp(s) as { ok: true; sdp: SessionDescription }).sdp.origin.sessionVersion);
    assert.equal(ver(hold), ver(first.offer) + 1n);
    assert.equal(ver(next), ver(hold) + 1n);
  });

  it('answers glare with 491 and a second pending offer with 500', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    const offerFromB = serializeSdp(b.createOffer());
    a.createOffer();
    const glare = a.setRemoteOffer(offerFromB);
    assert.equal(glare.ok, false);
    if (!glare.ok) assert.equal(glare.status, 491);
    const c = negotiator('127.0.0.1', 40004);
    assert.deepEqual(c.setRemoteOffer(offerFromB), { ok: true });
    const second = c.setRemoteOffer(offerFromB);
    assert.equal(second.ok, false);
    if (!second.ok) assert.equal(second.status, 500);
  });

  it('throws SdpStateError on illegal local calls', () => {
    const a = negotiator('127.0.0.1', 40000);
    assert.throws(() => a.createAnswer(), SdpStateError);
    a.createOffer();
    assert.throws(() => a.createOffer(), SdpStateError);
  });

  it('ignores a repeated identical answer (183 then 200 with the same SDP) and refuses a stray one', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    const { answer } = exchange(a, b);
    const again = a.setRemoteAnswer(answer);
    assert.ok(again.ok);
    if (again.ok) assert.equal(again.changed, false);
    const stray = a.setRemoteAnswer(answer.replace('a=sendrecv', 'a=recvonly'));
    assert.equal(stray.ok, false);
  });

  it('takes a revised answer (same origin, higher version) after an early one, as after an unreliable 183', () => {
    const a = negotiator('127.0.0.1', 40000);
    a.createOffer();
    const early =
      'v=0\r\no=uas 7 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';
    assert.ok(a.setRemoteAnswer(early).ok);
    const final = early.replace('o=uas 7 1', 'o=uas 7 2').replace('m=audio 6000 RTP/AVP 0', 'm=audio 6002 RTP/AVP 8');
    const r = a.setRemoteAnswer(final);
    assert.ok(r.ok && r.changed);
    assert.equal(r.ok && r.audio?.codec, 'PCMA');
    assert.equal(r.ok && r.audio?.remoteRtpPort, 6002);
    // Another origin is not a revision of this answer.
    const other = final.replace('o=uas 7 2', 'o=other 9 3');
    assert.equal(a.setRemoteAnswer(other).ok, false);
  });

  it('refuses an answer with a different number of m= lines and keeps the old session', () => {
    const a = negotiator('127.0.0.1', 40000);
    const b = negotiator('127.0.0.1', 40002);
    exchange(a, b);
    const before = a.negotiated;
    a.createOffer();
    const r = a.setRemoteAnswer(offerWith(['m=audio 5004 RTP/AVP 0', 'm=video 0 RTP/AVP 31']));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'media-count-mismatch');
    assert.equal(a.state, 'stable');
    assert.equal(a.negotiated, before);
  });

  it('refuses an answer whose codecs we never offered', () => {
    const a = negotiator('127.0.0.1', 40000, {
      local: { address: '127.0.0.1', rtpPort: 40000, codecs: ['PCMA'], telephoneEvent: null, ptime: 20 },
    });
    a.createOffer();
    const r = a.setRemoteAnswer(offerWith(['m=audio 5004 RTP/AVP 0']));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'no-common-codec');
  });
});
