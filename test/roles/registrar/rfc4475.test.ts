/**
 * The RFC 4475 registrar cases, sent byte for byte from the shared conformance corpus
 * (../shared/conformance/rfc4475): cparam01 (a contact parameter that must stay outside the URI),
 * cparam02 (a URI parameter that must stay inside it) and regescrt (an escaped Route header in the
 * contact URI that must be kept). Each is answered 200, and a later fetch returns the contact as
 * the manifest says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { conformanceDir } from '../../helpers/paths.js';
import { rawRequest, settle, World } from '../proxy/harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

interface ManifestEntry {
  readonly name: string;
  readonly file: string;
  readonly expected_response: number | null;
  readonly by_role?: Readonly<Record<string, string>>;
}

const dir = join(conformanceDir(), 'rfc4475');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { messages: ManifestEntry[] };

function entry(name: string): ManifestEntry {
  const e = manifest.messages.find((m) => m.name === name);
  assert.ok(e, `${name} is in the manifest`);
  return e;
}

/** Sends the case, then fetches the AOR's bindings; returns both responses' Contact values. */
async function runCase(
  name: string,
  aor: string,
): Promise<{ status: number; registered: string[]; fetched: string[] }> {
  const w = (world = new World());
  await w.start();
  const client = w.raw('10.0.0.8');
  client.send(readFileSync(join(dir, entry(name).file)));
  await settle(w.clock);
  const first = client.responses.find((r) => r.status >= 200);
  assert.ok(first, `${name}: no answer`);
  client.send(
    rawRequest('REGISTER', 'sip:example.com', { from: `<${aor}>;tag=q`, to: `<${aor}>`, callId: `fetch-${name}` }),
  );
  await settle(w.clock);
  const fetched = client.responses.filter((r) => r.status >= 200)[1];
  assert.equal(fetched?.status, 200);
  return { status: first.status, registered: first.getRaw('Contact'), fetched: fetched?.getRaw('Contact') ?? [] };
}

describe('registrar: RFC 4475 registrar cases', () => {
  it('cparam01: unknownparam is a contact parameter, never a URI parameter', async () => {
    const r = await runCase('cparam01', 'sip:watson@example.com');
    assert.equal(r.status, entry('cparam01').expected_response);
    for (const contact of [...r.registered, ...r.fetched]) {
      assert.match(contact, /^<sip:\+19725552222@gw1\.example\.net>;expires=\d+;unknownparam$/);
    }
    assert.equal(r.fetched.length, 1);
  });

  it('cparam02: unknownparam is a URI parameter and stays one', async () => {
    const r = await runCase('cparam02', 'sip:watson@example.com');
    assert.equal(r.status, entry('cparam02').expected_response);
    for (const contact of [...r.registered, ...r.fetched]) {
      assert.match(contact, /^<sip:\+19725552222@gw1\.example\.net;unknownparam>;expires=\d+$/);
    }
  });

  it('regescrt: the escaped Route header of the contact URI is kept as sent', async () => {
    const r = await runCase('regescrt', 'sip:user@example.com');
    assert.equal(r.status, entry('regescrt').expected_response);
    for (const contact of [...r.registered, ...r.fetched]) {
      assert.match(contact, /^<sip:user@example\.com\?Route=%3Csip:sip\.example\.com%3E>;expires=\d+$/);
    }
  });
});
