/**
 * The proxy's pure pieces on their own: best-response choice (RFC 3261 16.7 step 6), the target
 * set (16.5 dedupe by section 19.1.4, q groups), loop hashes and branches (16.6 step 8, RFC
 * 5393), route processing (16.4), Record-Route URIs, Myself, and the metric set's exposition.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BranchResult,
  branchFor,
  chooseBest,
  loopHash,
  loopPartOf,
  MetricSet,
  Myself,
  processRoute,
  recordRouteUri,
  statelessBranch,
  TargetSet,
  toPrometheusText,
} from '../../../src/roles/proxy/index.js';
import { type IncomingRequest, parseOrThrow, parseUri } from '../../../src/sip/index.js';
import type { LocalEndpoint } from '../../../src/transport/index.js';

const endpoints: LocalEndpoint[] = [
  { transport: 'udp', host: '10.0.0.1', port: 5060 },
  { transport: 'tcp', host: '10.0.0.1', port: 5060 },
];
const myself = new Myself(() => endpoints, ['Example.COM'], ['sip.example.com']);

function request(lines: string[]): IncomingRequest {
  const m = parseOrThrow(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`));
  assert.equal(m.kind, 'request');
  return m as IncomingRequest;
}

function invite(uri: string, extra: string[] = []): IncomingRequest {
  return request([
    `INVITE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKa',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1',
    'To: <sip:bob@example.com>',
    'Call-ID: c1',
    'CSeq: 1 INVITE',
    ...extra,
  ]);
}

const r = (status: number, local?: BranchResult['local']): BranchResult => ({
  status,
  reason: '',
  response: undefined,
  local,
});

describe('proxy units', () => {
  it('chooses 6xx first, else the lowest class, preferring resubmission hints and what the callee said', () => {
    assert.equal(chooseBest([r(486), r(603), r(302)])?.status, 603);
    assert.equal(chooseBest([r(486), r(503), r(404)])?.status, 486);
    assert.equal(chooseBest([r(408, 'no-answer'), r(480), r(404)])?.status, 480);
    assert.equal(chooseBest([r(486), r(407)])?.status, 407);
    assert.equal(chooseBest([r(500), r(302)])?.status, 302);
    assert.equal(chooseBest([r(487, 'cancelled'), r(408, 'timeout')])?.status, 487);
    assert.equal(chooseBest([]), undefined);
  });

  it('keeps each URI once (19.1.4) and hands out targets by q group, parallel or sequential', () => {
    const set = new TargetSet('q');
    const t = (u: string, q?: number) => ({ uri: parseUri(u), q });
    assert.equal(set.add([t('sip:a@h', 0.5), t('sip:b@h'), t('sip:c@h', 1), t('sip:A@h')]).length, 4);
    assert.equal(
      set.add([t('sip:b@H'), t('sip:b@h;transport=udp;x=1')]).length,
      1,
      'sip:b@H is sip:b@h; a transport makes another URI',
    );
    assert.deepEqual(
      set.nextGroup().map((x) => x.uri.toString()),
      ['sip:b@h', 'sip:c@h', 'sip:A@h', 'sip:b@h;transport=udp;x=1'],
      'q 1 (absent counts as 1) together, in the order given',
    );
    assert.deepEqual(
      set.nextGroup().map((x) => x.uri.toString()),
      ['sip:a@h'],
    );
    assert.equal(set.nextGroup().length, 0);
    const seq = new TargetSet('sequential');
    seq.add([t('sip:a@h'), t('sip:b@h')]);
    assert.equal(seq.nextGroup().length, 1);
    const par = new TargetSet('parallel');
    par.add([t('sip:a@h', 0.1), t('sip:b@h', 0.9)]);
    assert.equal(par.nextGroup().length, 2);
  });

  it('hashes what routing depends on into the branch, and nothing else', () => {
    const base = invite('sip:bob@example.com');
    const h = loopHash(base);
    assert.equal(loopHash(invite('sip:bob@example.com', ['Subject: other'])), h, 'unrelated headers do not count');
    assert.notEqual(loopHash(invite('sip:carol@example.com')), h, 'a new Request-URI is a spiral');
    assert.notEqual(loopHash(invite('sip:bob@example.com', ['Route: <sip:x;lr>'])), h);
    const b = branchFor(h, 'ctx', 3);
    assert.match(b, /^z9hG4bKsb\.[0-9a-f]{16}\.ctx\.3$/);
    assert.equal(loopPartOf(b), h);
    assert.equal(loopPartOf('z9hG4bKother'), undefined);
    assert.equal(statelessBranch(base), statelessBranch(invite('sip:bob@example.com')), 'retransmissions share it');
  });

  it('removes its own Route values (both of a double Record-Route) and fixes strict routing', () => {
    const loose = processRoute(
      invite('sip:bob@10.0.0.9', ['Route: <sip:10.0.0.1:5060;transport=tcp;lr>, <sip:10.0.0.1;lr>, <sip:next;lr>']),
      myself,
    );
    assert.equal(loose.routed, true);
    assert.deepEqual(loose.request.getRaw('Route'), ['<sip:next;lr>']);
    const strict = processRoute(invite('sip:10.0.0.1:5060;lr', ['Route: <sip:next;lr>, <sip:bob@10.0.0.9>']), myself);
    assert.equal(strict.strict, true);
    assert.equal(strict.request.uri.toString(), 'sip:bob@10.0.0.9');
    assert.deepEqual(strict.request.getRaw('Route'), ['<sip:next;lr>']);
    const maddr = processRoute(invite('sip:bob@example.com:5070;maddr=10.0.0.1;transport=udp'), myself);
    assert.equal(maddr.request.uri.toString(), 'sip:bob@example.com');
    assert.equal(recordRouteUri(endpoints[1] as LocalEndpoint).toString(), 'sip:10.0.0.1:5060;transport=tcp;lr');
  });

  it('knows its domains, addresses and aliases', () => {
    assert.ok(myself.isLocalUri(parseUri('sip:bob@example.com')));
    assert.ok(myself.isLocalUri(parseUri('sip:bob@10.0.0.1:5060')));
    assert.ok(!myself.isLocalUri(parseUri('sip:bob@10.0.0.1:5070')), 'a phone beside us is not our domain');
    assert.ok(!myself.isLocalUri(parseUri('sip:bob@example.com:5070')));
    assert.ok(myself.isOwnUri(parseUri('sip:sip.example.com;lr')));
    assert.equal(myself.realmFor('10.0.0.1'), 'example.com');
    assert.equal(myself.realmFor('EXAMPLE.com'), 'example.com');
  });

  it('counts and prints in the Prometheus text format', () => {
    const m = new MetricSet().declare('sip_requests_received_total', 'counter', 'SIP requests received');
    m.inc('sip_requests_received_total', { method: 'INVITE' });
    m.inc('sip_requests_received_total', { method: 'INVITE' }, 2);
    m.inc('sip_requests_received_total', { method: 'BYE' });
    assert.equal(m.get('sip_requests_received_total', { method: 'INVITE' }), 3);
    assert.equal(m.total('sip_requests_received_total'), 4);
    assert.equal(
      toPrometheusText(m.samples()),
      [
        '# HELP sip_requests_received_total SIP requests received',
        '# TYPE sip_requests_received_total counter',
        'sip_requests_received_total{method="INVITE"} 3',
        'sip_requests_received_total{method="BYE"} 1',
        '',
      ].join('\n'),
    );
  });
});
