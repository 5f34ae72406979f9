/**
 * The server configuration: YAML and JSON files validated with one-line errors naming the field
 * (unknown fields, wrong types, bad values, bad listen specs), defaults, flags overriding the
 * file, and the mapping to startServer's options.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  applyFlags,
  loadServerConfig,
  parseServerConfig,
  ServerConfigError,
  startOptionsFromConfig,
} from '../../../src/roles/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ServerConfigError, `a ServerConfigError, not ${String(err)}`);
    assert.equal(err.code, 'ERR_CONFIG');
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err.message;
  }
  assert.fail('no error');
}

describe('server configuration', () => {
  it('fills every default', () => {
    const c = parseServerConfig({});
    assert.deepEqual(c.listen, ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060']);
    assert.equal(c.auth.enabled, true);
    assert.equal(c.proxy.recordRoute, true);
    assert.equal(c.proxy.timerC, 185);
    assert.equal(c.proxy.maxBreadth, 60);
    assert.equal(c.registrar.minExpires, 60);
    assert.equal(c.timers.t1, 500);
  });

  it('reads YAML and JSON', async () => {
    const yaml = file('a.yaml', 'domains: [example.com]\nproxy:\n  forking: sequential\n  ringTimeout: 20\n');
    const c = await loadServerConfig(yaml);
    assert.deepEqual(c.domains, ['example.com']);
    assert.equal(c.proxy.forking, 'sequential');
    const json = file('b.json', JSON.stringify({ auth: { enabled: false }, registrar: { maxContacts: 5 } }));
    const j = await loadServerConfig(json);
    assert.equal(j.auth.enabled, false);
    assert.equal(j.registrar.maxContacts, 5);
  });

  it('names the bad field in one line', async () => {
    assert.equal(
      await errorOf(loadServerConfig(file('server.yaml', 'proxy:\n  recordRoute: "yes"\n'))),
      'server.yaml: proxy.recordRoute: expected boolean, got string',
    );
    assert.equal(
      await errorOf(loadServerConfig(file('c.yaml', 'proxy:\n  recordRout: true\n'))),
      'c.yaml: proxy.recordRout: unknown field',
    );
    assert.equal(await errorOf(loadServerConfig(file('d.yaml', 'listn: []\n'))), 'd.yaml: listn: unknown field');
    assert.match(
      await errorOf(loadServerConfig(file('e.yaml', 'proxy:\n  forking: random\n'))),
      /^e\.yaml: proxy\.forking: expected one of/,
    );
    assert.match(
      await errorOf(loadServerConfig(file('f.yaml', 'proxy:\n  timerC: 60\n'))),
      /^f\.yaml: proxy\.timerC: /,
    );
    assert.match(
      await errorOf(loadServerConfig(file('g.yaml', 'listen: [udp:127.0.0.1:99999, "sctp:1.2.3.4"]\n'))),
      /^g\.yaml: listen\[0\]: /,
    );
    assert.match(
      await errorOf(loadServerConfig(file('h.yaml', 'store: { data: ./x, db: "postgres://h/d" }\n'))),
      /^h\.yaml: store: give either/,
    );
    assert.match(
      await errorOf(loadServerConfig(file('i.yaml', 'auth:\n  secret: short\n'))),
      /^i\.yaml: auth\.secret: must be at least 16/,
    );
    assert.match(await errorOf(loadServerConfig(file('j.yaml', 'a: [1\nb: 2\n'))), /^j\.yaml: syntax: .*line 2/);
    assert.match(await errorOf(loadServerConfig(file('k.json', '{"a":}'))), /^k\.json: syntax: /);
    assert.match(await errorOf(loadServerConfig(join(dir, 'missing.yaml'))), /^--config: no such file/);
  });

  it('lets flags override the file, with errors naming the flag', async () => {
    const base = await loadServerConfig(
      file('base.yaml', 'listen: [udp:127.0.0.1:5070]\ndomains: [a.example]\nstore: { data: /tmp/x }\n'),
    );
    const c = applyFlags(base, {
      listen: ['tcp:127.0.0.1:5080'],
      domain: ['b.example'],
      db: 'postgres://u@h/d',
      auth: 'off',
      realm: 'R',
    });
    assert.deepEqual(c.listen, ['tcp:127.0.0.1:5080']);
    assert.deepEqual(c.domains, ['b.example']);
    assert.deepEqual(c.store, { synchronous: 'full', db: 'postgres://u@h/d' });
    assert.equal(c.auth.enabled, false);
    assert.equal(c.auth.realm, 'R');
    assert.throws(
      () => applyFlags(base, { listen: ['sctp:127.0.0.1:5060'] }),
      /--listen: expected "transport:host:port"/,
    );
    assert.throws(() => applyFlags(base, { auth: 'maybe' }), /--auth: expected on or off/);
    assert.throws(() => applyFlags(base, { data: 'x', db: 'postgres://h/d' }), /--db: give either/);
    assert.throws(() => applyFlags(base, { db: 'mysql://h/d' }), /--db: expected a postgres/);
  });

  it('maps the configuration to startServer options (seconds to milliseconds)', () => {
    const c = parseServerConfig({
      listen: ['udp:127.0.0.1:0', { transport: 'tcp', host: '::1', port: 5062 }],
      domains: ['example.com'],
      store: { data: '/tmp/sb' },
      proxy: { ringTimeout: 25, timerC: 200, registrar: 'sip:reg.example.com:5070' },
    });
    const o = startOptionsFromConfig(c, 'proxy');
    assert.equal(o.role, 'proxy');
    assert.deepEqual(o.listen, [
      { transport: 'udp', host: '127.0.0.1', port: 0 },
      { transport: 'tcp', host: '::1', port: 5062 },
    ]);
    assert.equal(o.proxy?.ringTimeoutMs, 25_000);
    assert.equal(o.proxy?.timerCMs, 200_000);
    assert.equal(o.proxy?.registrar?.toString(), 'sip:reg.example.com:5070');
    assert.deepEqual(o.store, { kind: 'sqlite', dataDir: '/tmp/sb', synchronous: 'full' });
    assert.equal(o.auth === false ? 'off' : o.auth?.nonceLifetimeMs, 300_000);
  });
});
