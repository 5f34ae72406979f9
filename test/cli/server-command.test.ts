/**
 * `switchboard server|proxy|registrar` from the command line: a bad configuration field or flag
 * is one line on standard error and exit code 2; a port in use is one line saying so and exit 1
 * (also for `npm start`'s default 127.0.0.1:5060); a server started on an ephemeral port answers
 * OPTIONS and REGISTER over UDP and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { registerText, runProcess, startProcess, UdpClient } from '../roles/server/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-server-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (l) => out.push(...l.split('\n')),
    stderr: (l) => err.push(...l.split('\n')),
    readStdin: async () => Buffer.alloc(0),
  };
}

async function bindUdp(port: number): Promise<Socket | undefined> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

describe('switchboard server|proxy|registrar', () => {
  it('exits 2 with one line naming a bad configuration field', async () => {
    const config = join(dir, 'server.yaml');
    writeFileSync(config, 'listen: [udp:127.0.0.1:0]\nproxy:\n  recordRoute: "yes"\n');
    const io = capture();
    assert.equal(await main(['server', '--config', config], io), 2);
    assert.deepEqual(io.err, ['switchboard server: server.yaml: proxy.recordRoute: expected boolean, got string']);
    assert.deepEqual(io.out, []);
  });

  it('exits 2 with one line for a bad flag', async () => {
    for (const [args, pattern] of [
      [['proxy', '--listen', 'sctp:127.0.0.1:5060'], /^switchboard proxy: --listen: expected/],
      [['registrar', '--auth', 'maybe'], /^switchboard registrar: --auth: expected on or off/],
      [['server', '--bogus'], /^switchboard server: .*bogus/],
      [['server', 'extra'], /^switchboard server: arguments: unexpected "extra"/],
    ] as const) {
      const io = capture();
      assert.equal(await main([...args], io), 2, args.join(' '));
      assert.equal(io.err.length, 1, io.err.join(' | '));
      assert.match(io.err[0] ?? '', pattern);
    }
  });

  it('says in one line that the port is taken and exits 1', async () => {
    const holder = await bindUdp(0);
    assert.ok(holder);
    try {
      const port = holder.address().port;
      const r = await runProcess([
        'server',
        '--listen',
        `udp:127.0.0.1:${port}`,
        '--data',
        join(dir, 'taken'),
        '--auth',
        'off',
      ]);
      assert.equal(r.code, 1);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', new RegExp(`^switchboard server: udp:127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      holder.close();
    }
  });

  it('npm start (switchboard server on 127.0.0.1:5060) says so when 5060 is taken', async () => {
    // Hold 5060 unless someone (a Kamailio, another server) already does: either way it is taken.
    const holder = await bindUdp(5060);
    try {
      const r = await runProcess(['server', '--data', join(dir, 'npmstart')]);
      assert.equal(r.code, 1, `it must not run: ${r.stdout}`);
      assert.match(r.stderr.trim(), /^switchboard server: udp:127\.0\.0\.1:5060 is already in use/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    } finally {
      holder?.close();
    }
  });

  it('runs a server on an ephemeral port that answers OPTIONS and REGISTER, and stops on SIGTERM', async () => {
    const server = await startProcess([
      'server',
      '--listen',
      'udp:127.0.0.1:0',
      '--data',
      join(dir, 'running'),
      '--auth',
      'off',
      '--domain',
      'example.com',
      '--log-level',
      'warn',
    ]);
    const client = await new UdpClient().open();
    try {
      const options = await client.request(
        [
          `OPTIONS sip:127.0.0.1:${server.port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKcli1;rport`,
          'Max-Forwards: 70',
          'From: <sip:probe@example.com>;tag=1',
          `To: <sip:127.0.0.1:${server.port}>`,
          'Call-ID: cli-options',
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
        server.port,
      );
      assert.equal(options.status, 200);
      const reg = await client.request(
        registerText(client, {
          user: 'alice',
          callId: 'cli-reg',
          contact: `<sip:alice@127.0.0.1:${client.port}>`,
          expires: 120,
        }),
        server.port,
      );
      assert.equal(reg.status, 200);
      assert.deepEqual(reg.getRaw('Contact'), [`<sip:alice@127.0.0.1:${client.port}>;expires=120`]);
      assert.match(server.lines.join('\n'), /^ready: switchboard server, domains example\.com, store sqlite /m);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      assert.equal(server.lines.at(-1), 'stopped: switchboard server');
    } finally {
      server.child.kill('SIGKILL');
      client.close();
    }
  });
});
