/**
 * The registrar's section 10.3 rules, REGISTER by REGISTER over an in-memory network: Expires
 * header and parameter, the default and the maximum, 423 with Min-Expires, q values, `*` only
 * with Expires 0, Call-ID/CSeq ordering (500), fetching bindings, +sip.instance/reg-id
 * replacement, Path, domains (404), Date, and the durable 200 (sent after the store's write).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { IncomingResponse } from '../../../src/sip/index.js';
import { advance, type RawClient, rawRequest, settle, World } from '../proxy/harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

interface Reg {
  readonly contacts?: readonly string[];
  readonly expires?: number;
  readonly callId?: string;
  readonly cseq?: number;
  readonly aor?: string;
  readonly ruri?: string;
  readonly extra?: string[];
}

let branch = 0;

/** Sends one REGISTER from the client and returns the final response. */
async function register(w: World, client: RawClient, reg: Reg = {}): Promise<IncomingResponse> {
  const aor = reg.aor ?? 'sip:alice@example.com';
  const extra = [
    ...(reg.contacts ?? []).map((c) => `Contact: ${c}`),
    ...(reg.expires === undefined ? [] : [`Expires: ${reg.expires}`]),
    ...(reg.extra ?? []),
  ];
  const before = client.responses.length;
  client.send(
    rawRequest('REGISTER', reg.ruri ?? 'sip:example.com', {
      from: `<${aor}>;tag=r${branch}`,
      to: `<${aor}>`,
      callId: reg.callId ?? 'reg-1@10.0.0.8',
      cseq: reg.cseq ?? 1,
      via: `SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKreg${++branch}`,
      extra,
    }),
  );
  await settle(w.clock);
  const res = client.responses.slice(before).find((r) => r.status >= 200);
  assert.ok(res, 'no final response');
  return res;
}

/** Contact header values of a response, in order. */
const contacts = (res: IncomingResponse): string[] =>
  res.getRaw('Contact').flatMap((v) => v.split(/,(?=\s*<)/).map((x) => x.trim()));

async function setup(role: 'server' | 'registrar' = 'server'): Promise<{ w: World; client: RawClient }> {
  const w = (world = new World());
  await w.start({ role, registrar: { minExpires: 60, maxExpires: 7200 } });
  return { w, client: w.raw('10.0.0.8') };
}

describe('registrar: RFC 3261 section 10.3', () => {
  it('takes the interval from the Expires header, the expires parameter, or 3600; caps it at the maximum', async () => {
    const { w, client } = await setup();
    let res = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], expires: 1800 });
    assert.equal(res.status, 200);
    assert.deepEqual(contacts(res), ['<sip:alice@10.0.0.8>;expires=1800']);
    assert.ok(res.get('date'), 'the 200 carries a Date (10.3 step 8)');
    res = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>;expires=120'], expires: 1800, cseq: 2 });
    assert.deepEqual(contacts(res), ['<sip:alice@10.0.0.8>;expires=120']);
    res = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], cseq: 3 });
    assert.deepEqual(contacts(res), ['<sip:alice@10.0.0.8>;expires=3600']);
    res = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], expires: 999_999, cseq: 4 });
    assert.deepEqual(contacts(res), ['<sip:alice@10.0.0.8>;expires=7200']);
  });

  it('answers 423 with Min-Expires to an interval below the minimum, and accepts 0', async () => {
    const { w, client } = await setup();
    const res = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], expires: 30 });
    assert.equal(res.status, 423);
    assert.equal(res.get('min-expires'), 60);
    const param = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>;expires=59'], cseq: 2 });
    assert.equal(param.status, 423);
    const zero = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], expires: 0, cseq: 3 });
    assert.equal(zero.status, 200);
    assert.deepEqual(contacts(zero), []);
  });

  it('keeps several contacts with their q values, highest q first, and removes one with expires=0', async () => {
    const { w, client } = await setup();
    let res = await register(w, client, {
      contacts: ['<sip:alice@10.0.0.8:5070>;q=0.5', '<sip:alice@10.0.0.9>;q=1.0', '<sip:alice@10.0.0.10>'],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(contacts(res), [
      '<sip:alice@10.0.0.9>;q=1;expires=3600',
      '<sip:alice@10.0.0.10>;expires=3600',
      '<sip:alice@10.0.0.8:5070>;q=0.5;expires=3600',
    ]);
    res = await register(w, client, { contacts: ['<sip:alice@10.0.0.9>;expires=0'], cseq: 2 });
    assert.equal(contacts(res).length, 2);
    assert.ok(!contacts(res).some((c) => c.includes('10.0.0.9>')));
    const bad = await register(w, client, { contacts: ['<sip:alice@10.0.0.11>;q=1.5'], cseq: 3 });
    assert.equal(bad.status, 400);
  });

  it('accepts `*` only alone and with Expires: 0, and then removes every binding', async () => {
    const { w, client } = await setup();
    await register(w, client, { contacts: ['<sip:alice@10.0.0.8>', '<sip:alice@10.0.0.9>'] });
    assert.equal((await register(w, client, { contacts: ['*'], expires: 60, cseq: 2 })).status, 400);
    assert.equal((await register(w, client, { contacts: ['*'], cseq: 3 })).status, 400);
    assert.equal(
      (await register(w, client, { contacts: ['*', '<sip:alice@10.0.0.9>'], expires: 0, cseq: 4 })).status,
      400,
    );
    const res = await register(w, client, { contacts: ['*'], expires: 0, cseq: 5 });
    assert.equal(res.status, 200);
    assert.deepEqual(contacts(res), []);
  });

  it('orders updates by Call-ID and CSeq: an older CSeq of the same Call-ID fails with 500', async () => {
    const { w, client } = await setup();
    assert.equal((await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], cseq: 5 })).status, 200);
    const old = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], cseq: 4, expires: 100 });
    assert.equal(old.status, 500);
    assert.match(old.reason, /Out Of Order/);
    const wildcard = await register(w, client, { contacts: ['*'], expires: 0, cseq: 5 });
    assert.equal(wildcard.status, 500, '`*` with a CSeq not above the binding is aborted too');
    const other = await register(w, client, {
      contacts: ['<sip:alice@10.0.0.8>'],
      cseq: 1,
      callId: 'other@10.0.0.8',
      expires: 100,
    });
    assert.equal(other.status, 200, 'another Call-ID replaces the binding whatever its CSeq');
    assert.deepEqual(contacts(other), ['<sip:alice@10.0.0.8>;expires=100']);
  });

  it('returns every binding with the time left to a REGISTER without Contact', async () => {
    const { w, client } = await setup();
    await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'], expires: 1800 });
    await register(w, client, { contacts: ['<sip:alice@10.0.0.9>'], expires: 600, callId: 'second@x' });
    await advance(w.clock, 100_000, 50_000);
    const res = await register(w, client, { cseq: 9, callId: 'fetch@x' });
    assert.equal(res.status, 200);
    assert.deepEqual(contacts(res).sort(), ['<sip:alice@10.0.0.8>;expires=1700', '<sip:alice@10.0.0.9>;expires=500']);
  });

  it('keeps +sip.instance and reg-id, and replaces the binding of the same instance and reg-id', async () => {
    const { w, client } = await setup();
    const instance = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"';
    let res = await register(w, client, { contacts: [`<sip:alice@10.0.0.8;ob>;${instance};reg-id=1`] });
    assert.deepEqual(contacts(res), [`<sip:alice@10.0.0.8;ob>;expires=3600;${instance};reg-id=1`]);
    res = await register(w, client, {
      contacts: [`<sip:alice@10.0.0.99;ob>;${instance};reg-id=1`],
      callId: 'reboot@x',
    });
    assert.deepEqual(
      contacts(res),
      [`<sip:alice@10.0.0.99;ob>;expires=3600;${instance};reg-id=1`],
      'same instance and reg-id: replaced',
    );
    res = await register(w, client, { contacts: [`<sip:alice@10.0.0.98;ob>;${instance};reg-id=2`], callId: 'flow2@x' });
    assert.equal(contacts(res).length, 2, 'another reg-id is another flow');
    const bad = await register(w, client, {
      contacts: [`<sip:alice@10.0.0.97>;${instance};reg-id=zero`],
      callId: 'bad@x',
    });
    assert.equal(bad.status, 400);
  });

  it('stores Path and echoes it to a UA that supports path (RFC 3327)', async () => {
    const { w, client } = await setup();
    const res = await register(w, client, {
      contacts: ['<sip:alice@10.0.0.8>'],
      extra: ['Path: <sip:edge.example.com;lr>', 'Supported: path'],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.getRaw('Path'), ['<sip:edge.example.com;lr>']);
    const stored = await w.server?.stores.locations.get('sip:alice@example.com', w.clock.wallTime());
    assert.deepEqual(stored?.[0]?.path, ['<sip:edge.example.com;lr>']);
  });

  it('answers 404 for a domain or an AOR it does not serve (registrar on its own)', async () => {
    const { w, client } = await setup('registrar');
    assert.equal(
      (await register(w, client, { contacts: ['<sip:a@10.0.0.8>'], ruri: 'sip:other.example' })).status,
      404,
    );
    assert.equal(
      (await register(w, client, { contacts: ['<sip:a@10.0.0.8>'], aor: 'sip:a@other.example', cseq: 2 })).status,
      404,
    );
    assert.equal((await register(w, client, { contacts: ['<sip:a@10.0.0.8>'], cseq: 3 })).status, 200);
  });

  it('lets the proxy forward REGISTERs for other domains in server mode', async () => {
    const { w, client } = await setup('server');
    const uas = w.uas('10.0.0.9', (req, tx, u) => u.respond(req, tx, 200));
    const res = await register(w, client, {
      contacts: ['<sip:alice@10.0.0.8>'],
      ruri: 'sip:10.0.0.9',
      aor: 'sip:alice@example.com',
    });
    assert.equal(res.status, 200);
    assert.equal(uas.received[0]?.method, 'REGISTER');
  });

  it('stores the binding before answering: the 200 follows the store write', async () => {
    const { w, client } = await setup();
    const server = w.server;
    assert.ok(server);
    const locations = server.stores.locations;
    let written = false;
    const original = locations.applyRegister.bind(locations);
    locations.applyRegister = async (...args) => {
      const r = await original(...args);
      written = true;
      return r;
    };
    let answeredBeforeWrite = false;
    client.transport.setUser({
      onMessage: (m) => {
        if (m.kind === 'response' && m.status === 200 && !written) answeredBeforeWrite = true;
        client.onMessage(m);
      },
    });
    const res = await register(w, client, { contacts: ['<sip:alice@10.0.0.8>'] });
    assert.equal(res.status, 200);
    assert.equal(answeredBeforeWrite, false);
  });
});
