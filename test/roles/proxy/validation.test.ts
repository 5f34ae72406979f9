/**
 * Request validation and routing policy of the proxy (RFC 3261 sections 16.3 to 16.5, RFC 5393,
 * RFC 4475 bext01 and zeromf): 416, 420 with Unsupported, 483, 482 for a real loop but not for a
 * spiral, 400 for a malformed Max-Breadth, OPTIONS answered for itself even at Max-Forwards 0,
 * 481 for a CANCEL without context, 484 for a request to us without a user, and the relay rule.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { NextHopResolver } from '../../../src/roles/proxy/index.js';
import { SipUri } from '../../../src/sip/index.js';
import { conformanceDir } from '../../helpers/paths.js';
import { answer, PROXY, rawRequest, settle, World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Sends one raw request from 10.0.0.8 and returns the final status it got. */
async function finalFor(
  w: World,
  text: string,
): Promise<{ status: number | undefined; headers: Map<string, string[]> }> {
  const client = w.raw('10.0.0.8');
  client.send(text);
  await settle(w.clock);
  const res = client.responses.find((r) => r.status >= 200);
  const headers = new Map<string, string[]>();
  for (const name of ['Unsupported', 'Allow', 'Accept']) headers.set(name, res?.getRaw(name) ?? []);
  await client.transport.stop();
  return { status: res?.status, headers };
}

/** Resolves example.com to the proxy itself (for loops and spirals), IP literals as themselves. */
const resolveToUs: NextHopResolver = async (uri: SipUri) => [
  { transport: 'udp', address: uri.host === 'example.com' ? PROXY : uri.host, port: uri.port ?? 5060 },
];

describe('proxy: validation (16.3) and policy', () => {
  it('answers 416 for a Request-URI scheme it cannot route', async () => {
    const w = (world = new World());
    await w.start();
    const r = await finalFor(
      w,
      rawRequest('INVITE', 'nobodyKnowsThisScheme:totallyopaquecontent', { to: '<sip:x@example.com>' }),
    );
    assert.equal(r.status, 416);
  });

  it('answers RFC 4475 bext01 with 420 listing the Proxy-Require tags it lacks', async () => {
    const w = (world = new World());
    await w.start();
    const bytes = readFileSync(join(conformanceDir(), 'rfc4475', 'bext01.dat'));
    const r = await finalFor(w, bytes.toString('latin1'));
    assert.equal(r.status, 420);
    assert.deepEqual(r.headers.get('Unsupported'), ['noProxiesSupportThis, norDoAnyProxiesSupportThis']);
  });

  it('answers RFC 4475 zeromf (Max-Forwards: 0 for a user) with 483', async () => {
    const w = (world = new World());
    await w.start();
    const bytes = readFileSync(join(conformanceDir(), 'rfc4475', 'zeromf.dat'));
    assert.equal((await finalFor(w, bytes.toString('latin1'))).status, 483);
  });

  it('answers an OPTIONS addressed to itself with 200 even at Max-Forwards 0', async () => {
    const w = (world = new World());
    await w.start();
    const text = rawRequest('OPTIONS', 'sip:10.0.0.1:5060').replace('Max-Forwards: 70', 'Max-Forwards: 0');
    const r = await finalFor(w, text);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('Allow')?.[0] ?? '', /INVITE.*REGISTER/);
  });

  it('detects a loop (482) when a request comes back unchanged, and lets a spiral through', async () => {
    const w = (world = new World());
    await w.start({ proxy: { resolve: resolveToUs } });
    await w.bind('loop', 'sip:loop@example.com');
    assert.equal((await finalFor(w, rawRequest('MESSAGE', 'sip:loop@example.com'))).status, 482);

    const uas = w.uas('10.0.0.9', answer(200));
    await w.bind('spiral', 'sip:spiral2@example.com');
    await w.bind('spiral2', 'sip:spiral2@10.0.0.9');
    assert.equal((await finalFor(w, rawRequest('MESSAGE', 'sip:spiral@example.com'))).status, 200);
    const got = uas.received[0];
    assert.ok(got);
    // Two passes through the proxy: two Vias of ours, each with its own loop hash.
    const ours = got.get('via').filter((v) => v.host === PROXY);
    assert.equal(ours.length, 2);
    assert.notEqual(ours[0]?.branch?.split('.')[1], ours[1]?.branch?.split('.')[1]);
  });

  it('answers 400 for a malformed Max-Breadth and 440 for Max-Breadth 0', async () => {
    const w = (world = new World());
    await w.start();
    w.uas('10.0.0.9', answer(200));
    await w.bind('bob', 'sip:bob@10.0.0.9');
    const bad = rawRequest('MESSAGE', 'sip:bob@example.com', { extra: ['Max-Breadth: many'] });
    assert.equal((await finalFor(w, bad)).status, 400);
    const zero = rawRequest('MESSAGE', 'sip:bob@example.com', { extra: ['Max-Breadth: 0'] });
    assert.equal((await finalFor(w, zero)).status, 440);
  });

  it('answers a CANCEL that matches nothing with 481', async () => {
    const w = (world = new World());
    await w.start();
    assert.equal((await finalFor(w, rawRequest('CANCEL', 'sip:bob@example.com'))).status, 481);
  });

  it('answers 484 for a request to its own address without a user', async () => {
    const w = (world = new World());
    await w.start();
    assert.equal((await finalFor(w, rawRequest('MESSAGE', 'sip:10.0.0.1'))).status, 484);
  });

  it('relays to other domains for its own users only (403 Relaying Denied otherwise)', async () => {
    const w = (world = new World());
    await w.start();
    const uas = w.uas('10.0.0.9', answer(200));
    const foreign = rawRequest('MESSAGE', 'sip:x@10.0.0.9', { from: '<sip:eve@elsewhere.example>;tag=e' });
    assert.equal((await finalFor(w, foreign)).status, 403);
    const ours = rawRequest('MESSAGE', 'sip:x@10.0.0.9', { from: '<sip:alice@example.com>;tag=a' });
    assert.equal((await finalFor(w, ours)).status, 200);
    assert.equal(uas.received.length, 1);
  });

  it('lets any domain call our users, and refuses in-dialog requests that no Route of ours brought', async () => {
    const w = (world = new World());
    await w.start();
    const uas = w.uas('10.0.0.9', answer(200));
    await w.bind('bob', 'sip:bob@10.0.0.9');
    const inbound = rawRequest('MESSAGE', 'sip:bob@example.com', { from: '<sip:eve@elsewhere.example>;tag=e' });
    assert.equal((await finalFor(w, inbound)).status, 200);
    assert.equal(uas.received.length, 1);
    const stray = rawRequest('BYE', 'sip:bob@example.com', { to: '<sip:bob@example.com>;tag=t' });
    assert.equal((await finalFor(w, stray)).status, 404);
  });

  it('runs onRequest hooks: a redirect answers 302 with the Contacts given', async () => {
    const w = (world = new World());
    await w.start({
      hooks: [
        {
          onRequest: (ctx) =>
            ctx.request.uri instanceof SipUri && ctx.request.uri.user === 'moved'
              ? { kind: 'redirect', contacts: ['sip:new@10.0.0.9'] }
              : { kind: 'continue' },
        },
      ],
    });
    const client = w.raw('10.0.0.8');
    client.send(rawRequest('MESSAGE', 'sip:moved@example.com'));
    await settle(w.clock);
    const res = client.responses.find((r) => r.status >= 200);
    assert.equal(res?.status, 302);
    assert.deepEqual(res?.getRaw('Contact'), ['<sip:new@10.0.0.9>']);
  });

  it('reports an outcome per request and counts requests and responses by the ECOSYSTEM.md names', async () => {
    const w = (world = new World());
    const server = await w.start();
    const outcomes: string[] = [];
    server.proxy?.events.on('outcome', (_req, o) =>
      outcomes.push(o.kind === 'responded' ? `${o.stage}:${o.status}` : o.kind),
    );
    await finalFor(w, rawRequest('MESSAGE', 'sip:nobody@example.com'));
    await finalFor(w, rawRequest('INVITE', 'nobodyKnowsThisScheme:x', { to: '<sip:x@example.com>' }));
    assert.deepEqual(outcomes, ['forwarded', 'validation:416']);
    const samples = await server.metricSamples();
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    assert.equal(value('sip_requests_received_total', { method: 'MESSAGE' }), 1);
    assert.equal(value('sip_responses_sent_total', { code_class: '4xx', method: 'MESSAGE' }), 1);
    assert.equal(value('sip_responses_sent_total', { code_class: '4xx', method: 'INVITE' }), 1);
    assert.equal(value('registrar_contacts', {}), 0);
    assert.ok(samples.some((s) => s.name === 'sip_transactions_active' && s.labels['kind'] === 'server'));
  });
});
