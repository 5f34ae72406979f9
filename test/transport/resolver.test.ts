import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSipUri } from '../../src/sip/index.js';
import { type Destination, Resolver } from '../../src/transport/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { FakeDns, type ZoneRecord } from './fake-dns.js';

const ZONE: ZoneRecord[] = [
  // example.test: NAPTR -> SRV -> A, three transports, plus services we must ignore.
  {
    type: 'NAPTR',
    name: 'example.test',
    order: 10,
    preference: 20,
    flags: 'S',
    service: 'SIP+D2U',
    replacement: '_sip._udp.example.test',
  },
  {
    type: 'NAPTR',
    name: 'example.test',
    order: 10,
    preference: 10,
    flags: 'S',
    service: 'SIP+D2T',
    replacement: '_sip._tcp.example.test',
  },
  {
    type: 'NAPTR',
    name: 'example.test',
    order: 20,
    preference: 5,
    flags: 's',
    service: 'SIPS+D2T',
    replacement: '_sips._tcp.example.test',
  },
  {
    type: 'NAPTR',
    name: 'example.test',
    order: 5,
    preference: 5,
    flags: 's',
    service: 'SIP+D2S',
    replacement: '_sip._sctp.example.test',
  },
  { type: 'NAPTR', name: 'example.test', order: 1, preference: 1, flags: 'u', service: 'E2U+sip', replacement: '' },
  { type: 'SRV', name: '_sip._udp.example.test', priority: 10, weight: 1, port: 5070, target: 'udp1.example.test' },
  { type: 'SRV', name: '_sip._tcp.example.test', priority: 10, weight: 1, port: 5080, target: 'tcp1.example.test' },
  { type: 'SRV', name: '_sips._tcp.example.test', priority: 10, weight: 1, port: 5091, target: 'tls1.example.test' },
  { type: 'SRV', name: '_sip._sctp.example.test', priority: 10, weight: 1, port: 5090, target: 'sctp.example.test' },
  { type: 'A', name: 'udp1.example.test', address: '192.0.2.10' },
  { type: 'A', name: 'tcp1.example.test', address: '192.0.2.20' },
  { type: 'AAAA', name: 'tcp1.example.test', address: '2001:db8::20' },
  { type: 'A', name: 'tls1.example.test', address: '192.0.2.30' },
  { type: 'A', name: 'sctp.example.test', address: '192.0.2.40' },
  { type: 'A', name: 'example.test', address: '192.0.2.1' },
  // srvonly.test: no NAPTR, SRV for UDP and TCP.
  { type: 'SRV', name: '_sip._udp.srvonly.test', priority: 1, weight: 0, port: 5062, target: 'a.srvonly.test' },
  { type: 'SRV', name: '_sip._tcp.srvonly.test', priority: 1, weight: 0, port: 5063, target: 'a.srvonly.test' },
  { type: 'A', name: 'a.srvonly.test', address: '198.51.100.1', ttl: 30 },
  { type: 'A', name: 'srvonly.test', address: '198.51.100.9' },
  // aonly.test: only addresses.
  { type: 'A', name: 'aonly.test', address: '203.0.113.5', ttl: 30 },
  { type: 'AAAA', name: 'aonly.test', address: '2001:db8::5', ttl: 30 },
  // weights.test: two priorities, weighted within the first.
  { type: 'SRV', name: '_sip._udp.weights.test', priority: 20, weight: 100, port: 5000, target: 'backup.weights.test' },
  { type: 'SRV', name: '_sip._udp.weights.test', priority: 10, weight: 0, port: 5001, target: 'zero.weights.test' },
  { type: 'SRV', name: '_sip._udp.weights.test', priority: 10, weight: 60, port: 5002, target: 'sixty.weights.test' },
  { type: 'SRV', name: '_sip._udp.weights.test', priority: 10, weight: 40, port: 5003, target: 'forty.weights.test' },
  { type: 'A', name: 'backup.weights.test', address: '10.0.0.100' },
  { type: 'A', name: 'zero.weights.test', address: '10.0.0.0' },
  { type: 'A', name: 'sixty.weights.test', address: '10.0.0.60' },
  { type: 'A', name: 'forty.weights.test', address: '10.0.0.40' },
  // secure.test: only addresses (SIPS falls back to TLS on 5061).
  { type: 'A', name: 'secure.test', address: '192.0.2.77' },
  // gone.test: SRV "." says no SIP service here.
  { type: 'SRV', name: '_sip._udp.gone.test', priority: 0, weight: 0, port: 0, target: '.' },
  { type: 'A', name: 'gone.test', address: '192.0.2.99' },
];

const short = (ds: readonly Destination[]) => ds.map((d) => `${d.transport}:${d.address}:${d.port}`);

describe('RFC 3263 resolver', () => {
  let dns: FakeDns;
  let clock: VirtualClock;
  let resolver: Resolver;

  before(async () => {
    dns = await FakeDns.start(ZONE);
  });

  after(async () => {
    await dns.close();
  });

  const fresh = (extra: Partial<ConstructorParameters<typeof Resolver>[0]> = {}) => {
    clock = new VirtualClock();
    resolver = new Resolver({ clock, servers: [dns.server], timeoutMs: 500, tries: 1, ...extra });
    return resolver;
  };

  it('uses no DNS for IP literals: UDP 5060 for sip, TLS 5061 for sips, the transport parameter otherwise', async () => {
    const r = fresh();
    const before = dns.queries.length;
    assert.deepEqual(short(await r.resolve(parseSipUri('sip:alice@192.0.2.5'))), ['udp:192.0.2.5:5060']);
    assert.deepEqual(short(await r.resolve(parseSipUri('sips:alice@192.0.2.5'))), ['tls:192.0.2.5:5061']);
    assert.deepEqual(short(await r.resolve(parseSipUri('sip:[2001:db8::1]:5070;transport=tcp'))), [
      'tcp:2001:db8::1:5070',
    ]);
    assert.deepEqual(short(await r.resolve(parseSipUri('sips:192.0.2.5;transport=tcp'))), ['tls:192.0.2.5:5061']);
    assert.deepEqual(short(await r.resolve({ host: '::1', transport: 'tcp' })), ['tcp:::1:5060']);
    assert.equal(dns.queries.length, before);
  });

  it('follows NAPTR (order, then preference) to SRV to A/AAAA, ignoring unsupported services', async () => {
    const r = fresh();
    const got = await r.resolve(parseSipUri('sip:bob@example.test'));
    assert.deepEqual(short(got), [
      'tcp:192.0.2.20:5080',
      'tcp:2001:db8::20:5080',
      'udp:192.0.2.10:5070',
      'tls:192.0.2.30:5091',
    ]);
    // The URI's domain is the identity for TLS (RFC 5922), not the SRV target.
    assert.ok(got.every((d) => d.hostname === 'example.test'));
    assert.equal(dns.count('SRV', '_sip._sctp.example.test'), 0);
    assert.equal(dns.count('A', 'example.test'), 0, 'no A lookup of the domain when NAPTR leads somewhere');
  });

  it('considers only SIPS+D2T for a SIPS URI, and falls back to TLS on 5061 without NAPTR or SRV', async () => {
    const r = fresh();
    assert.deepEqual(short(await r.resolve(parseSipUri('sips:bob@example.test'))), ['tls:192.0.2.30:5091']);
    assert.deepEqual(short(await r.resolve(parseSipUri('sips:bob@secure.test'))), ['tls:192.0.2.77:5061']);
    assert.equal(dns.count('SRV', '_sip._udp.secure.test'), 0);
    assert.equal(dns.count('SRV', '_sips._tcp.secure.test'), 1);
  });

  it('queries SRV per supported transport without NAPTR, and A/AAAA on 5060 without SRV', async () => {
    const r = fresh();
    assert.deepEqual(short(await r.resolve(parseSipUri('sip:srvonly.test'))), [
      'udp:198.51.100.1:5062',
      'tcp:198.51.100.1:5063',
    ]);
    assert.deepEqual(short(await r.resolve(parseSipUri('sip:aonly.test'))), [
      'udp:203.0.113.5:5060',
      'udp:2001:db8::5:5060',
    ]);
    const v6first = fresh({ families: 'ipv6-first' });
    assert.deepEqual(short(await v6first.resolve(parseSipUri('sip:aonly.test'))), [
      'udp:2001:db8::5:5060',
      'udp:203.0.113.5:5060',
    ]);
  });

  it('skips NAPTR and SRV when the port is explicit, and NAPTR when the transport is', async () => {
    const r = fresh();
    const naptrBefore = dns.count('NAPTR', 'srvonly.test');
    const srvBefore = dns.count('SRV', '_sip._udp.srvonly.test');
    assert.deepEqual(short(await r.resolve(parseSipUri('sip:srvonly.test:5099'))), ['udp:198.51.100.9:5099']);
    assert.deepEqual(short(await r.resolve(parseSipUri('sip:srvonly.test:5099;transport=tcp'))), [
      'tcp:198.51.100.9:5099',
    ]);
    assert.equal(dns.count('NAPTR', 'srvonly.test'), naptrBefore);
    assert.equal(dns.count('SRV', '_sip._udp.srvonly.test'), srvBefore);

    assert.deepEqual(short(await r.resolve(parseSipUri('sip:srvonly.test;transport=tcp'))), ['tcp:198.51.100.1:5063']);
    assert.equal(dns.count('NAPTR', 'srvonly.test'), naptrBefore);
    // A transport with no SRV record: the default port of that transport.
    assert.deepEqual(short(await r.resolve({ host: 'aonly.test', transport: 'tcp' })), [
      'tcp:203.0.113.5:5060',
      'tcp:2001:db8::5:5060',
    ]);
  });

  it('orders SRV targets by priority, then by RFC 2782 weighted random selection', async () => {
    // random() = 0: the running sum 0 of the weight-0 record is >= 0, then 60 >= 0, then 40.
    const low = fresh({ random: () => 0 });
    assert.deepEqual(short(await low.resolve(parseSipUri('sip:weights.test'))), [
      'udp:10.0.0.0:5001',
      'udp:10.0.0.60:5002',
      'udp:10.0.0.40:5003',
      'udp:10.0.0.100:5000',
    ]);
    // random() close to 1: pick = 100, only the last running sum reaches it (forty), then 60.
    const high = fresh({ random: () => 0.999 });
    assert.deepEqual(short(await high.resolve(parseSipUri('sip:weights.test'))), [
      'udp:10.0.0.40:5003',
      'udp:10.0.0.60:5002',
      'udp:10.0.0.0:5001',
      'udp:10.0.0.100:5000',
    ]);
  });

  it('does not fall back to A when SRV says "." (service not available)', async () => {
    const r = fresh({ transports: ['udp'] });
    await assert.rejects(r.resolve(parseSipUri('sip:gone.test')), { code: 'ERR_TRANSPORT_RESOLVE' });
    assert.equal(dns.count('A', 'gone.test'), 0);
  });

  it('caches answers by TTL on the clock', async () => {
    const r = fresh();
    const uri = parseSipUri('sip:aonly.test');
    await r.resolve(uri);
    const asked = dns.count('A', 'aonly.test');
    await r.resolve(uri);
    assert.equal(dns.count('A', 'aonly.test'), asked, 'cached');
    clock.advance(29_999);
    await r.resolve(uri);
    assert.equal(dns.count('A', 'aonly.test'), asked, 'still cached before the 30 s TTL');
    clock.advance(1);
    await r.resolve(uri);
    assert.equal(dns.count('A', 'aonly.test'), asked + 1, 'asked again after the TTL');
    // Concurrent identical lookups share one query.
    r.clearCache();
    await Promise.all([r.resolve(uri), r.resolve(uri), r.resolve(uri)]);
    assert.equal(dns.count('A', 'aonly.test'), asked + 2);
  });

  it('rejects with ERR_TRANSPORT_RESOLVE for unknown names and when the server does not answer', async () => {
    const r = fresh();
    await assert.rejects(r.resolve(parseSipUri('sip:nowhere.test')), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_TRANSPORT_RESOLVE');
      assert.match(err.message, /nowhere\.test/);
      return true;
    });
    dns.silent.add('slow.test');
    const t = fresh({ timeoutMs: 100, tries: 1 });
    await assert.rejects(t.resolve({ host: 'slow.test', port: 5060 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_TRANSPORT_RESOLVE');
      assert.match(err.message, /TIMEOUT/i);
      return true;
    });
    await assert.rejects(r.resolve(parseSipUri('sips:192.0.2.1;transport=udp')), { code: 'ERR_TRANSPORT_RESOLVE' });
  });
});
