/**
 * `switchboard uas` as a real process (bin/switchboard.js) with SIPp calling it: the callee hangs
 * up (--hangup-ms) and SIPp must receive a BYE in each dialog and answer it; on SIGTERM the
 * command prints what it did and exits 0. Bad command lines exit 2 with one line naming the problem.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { describeRun, runSipp, waitFor } from '../helpers/sipp.js';

const BIN = join(repoRoot, 'bin', 'switchboard.js');

function startUas(args: readonly string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'uas', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

describe('switchboard uas with SIPp', () => {
  it('answers, hangs up after --hangup-ms, and reports on SIGTERM', async () => {
    const uas = startUas(['--listen', 'udp:127.0.0.1:0', '--ring-ms', '50', '--answer-ms', '50', '--hangup-ms', '200']);
    try {
      await waitFor(() => /listening udp 127\.0\.0\.1:\d+/.test(uas.out()), 'the listening line', 30_000);
      const port = Number(/listening udp 127\.0\.0\.1:(\d+)/.exec(uas.out())?.[1]);
      const calls = 5;
      const r = await runSipp({
        scenario: { file: join(repoRoot, 'test', 'fixtures', 'sipp', 'uac-callee-hangs-up.xml') },
        remote: `127.0.0.1:${port}`,
        transport: 'udp',
        calls,
        rate: 10,
        timeoutS: 40,
      });
      const why = describeRun(r);
      assert.equal(r.exitCode, 0, why);
      assert.equal(r.successful, calls, why);
      const bye = r.messages.find((m) => m.name === 'BYE');
      assert.equal(bye?.received, calls, why);
      uas.child.kill('SIGTERM');
      assert.equal(await uas.exit, 0, uas.out());
      assert.match(
        uas.out(),
        /invites 5, answered 5, confirmed 5, ended bye 5, active 0, dialogs 0/,
        'the final statistics line',
      );
    } finally {
      uas.child.kill('SIGKILL');
    }
  });

  it('refuses a bad --listen and a TLS listener without a certificate', async () => {
    const bad = startUas(['--listen', 'udp:127.0.0.1']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.out(), /--listen: expected udp\|tcp\|tls:HOST:PORT, not "udp:127\.0\.0\.1"/);
    const tls = startUas(['--listen', 'tls:127.0.0.1:0']);
    assert.equal(await tls.exit, 2);
    assert.match(tls.out(), /a tls listener needs --tls-cert and --tls-key/);
  });
});
