/**
 * "A 200 OK to REGISTER is sent only after the binding is durable": `switchboard registrar` runs
 * as a child process on a SQLite data directory; the test registers over real UDP and sends
 * SIGKILL the moment the 200 OK arrives, restarts the registrar on the same directory, and
 * fetches the bindings: they are all there, with their original expiry (± 1 s).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { registerText, type ServerProcess, startProcess, UdpClient } from '../server/processes.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-registrar-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

function args(dataDir: string): string[] {
  return [
    'registrar',
    '--listen',
    'udp:127.0.0.1:0',
    '--data',
    dataDir,
    '--auth',
    'off',
    '--domain',
    'example.com',
    '--log-level',
    'silent',
  ];
}

/** Seconds left on the binding of `contact` in a 200 OK. */
function expiresOf(contacts: readonly string[], contact: string): number | undefined {
  const line = contacts.flatMap((c) => c.split(/,(?=\s*<)/)).find((c) => c.includes(contact));
  const m = line === undefined ? null : /;expires=(\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

describe('registrar: durability under SIGKILL', () => {
  it('keeps every acknowledged binding, with its original expiry, across a SIGKILL right after the 200 OK', async () => {
    const dataDir = join(root, 'kill');
    const client = await new UdpClient().open();
    let first: ServerProcess | undefined;
    let second: ServerProcess | undefined;
    try {
      first = await startProcess(args(dataDir));
      const n = 12;
      const sent = Array.from({ length: n }, (_, i) =>
        client.request(
          registerText(client, {
            user: `user${i}`,
            callId: `kill-${i}`,
            contact: `<sip:user${i}@127.0.0.1:${40000 + i}>`,
            expires: 600,
          }),
          first?.port as number,
        ),
      );
      // The last of them to be acknowledged pulls the plug at once.
      let acknowledged = 0;
      const acks: number[] = [];
      await Promise.all(
        sent.map((p) =>
          p.then((res) => {
            assert.equal(res.status, 200);
            acks.push(Date.now());
            if (++acknowledged === n) first?.child.kill('SIGKILL');
          }),
        ),
      );
      assert.equal(await first.exited, 'SIGKILL');
      const acknowledgedAt = Math.max(...acks);

      second = await startProcess(args(dataDir));
      for (let i = 0; i < n; i++) {
        const fetched = await client.request(
          registerText(client, { user: `user${i}`, callId: `fetch-${i}` }),
          second.port,
        );
        const fetchedAt = Date.now();
        assert.equal(fetched.status, 200);
        const left = expiresOf(fetched.getRaw('Contact'), `user${i}@127.0.0.1:${40000 + i}`);
        assert.ok(left !== undefined, `user${i} was acknowledged but is gone after the kill`);
        // Registered for 600 s at (or just before) acknowledgedAt: what is left now, to the second.
        const expected = 600 - (fetchedAt - acknowledgedAt) / 1000;
        assert.ok(Math.abs(left - expected) <= 1, `user${i}: ${left} s left, expected about ${expected.toFixed(1)}`);
      }
    } finally {
      first?.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await second?.exited;
      client.close();
    }
  });
});
