/**
 * Memory per established dialog: SIPp's UAC opens `calls` calls against a fresh Switchboard UAS
 * process and holds them (the built-in uac's pause before BYE, -d); once every 2xx is
 * acknowledged the UAS collects garbage and reports its heap and RSS; the difference from before
 * the calls, divided by the calls, is the cost of one established call. It is measured twice:
 * right away (each call still has its INVITE server transaction in the RFC 6026 Accepted state,
 * waiting for Timer L, 64*T1) and once those transactions have ended (dialog and call only).
 */
import { runSipp, type SippRun, startSipp } from '../../test/helpers/sipp.js';
import type { ServerSample } from './protocol.js';
import { pause, SwitchboardTarget } from './targets.js';

export interface MemoryResult {
  readonly target: string;
  readonly calls: number;
  readonly before: ServerSample;
  readonly withTransactions: ServerSample;
  readonly dialogsOnly: ServerSample;
  /** Bytes per call: heapUsed and RSS deltas. */
  readonly heapPerCall: number;
  readonly rssPerCall: number;
  readonly heapPerDialogOnly: number;
  readonly rssPerDialogOnly: number;
}

async function until(
  target: SwitchboardTarget,
  cond: (s: ServerSample) => boolean,
  what: string,
  maxMs: number,
): Promise<void> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const s = await target.sample();
    if (cond(s)) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
    await pause(250);
  }
}

export async function measureMemory(
  impl: 'ua' | 'lean',
  calls: number,
  rate: number,
  log: (line: string) => void,
  compiledDir?: string,
): Promise<MemoryResult> {
  const target = await SwitchboardTarget.start(impl, undefined, compiledDir);
  let sipp: SippRun | undefined;
  try {
    // Warm up (JIT, lazily built tables) with a few hundred complete calls, then let them go.
    await runSipp({
      scenario: { builtin: 'uac' },
      remote: `127.0.0.1:${target.port}`,
      transport: 'udp',
      calls: 300,
      rate: Math.min(rate, 300),
      timeoutS: 60,
    });
    await until(target, (s) => s.activeCalls === 0 && s.serverTransactions === 0, 'the warm-up to drain', 90_000);
    const before = await target.sample(true);
    const holdMs = 600_000;
    sipp = await startSipp({
      scenario: { builtin: 'uac' },
      remote: `127.0.0.1:${target.port}`,
      transport: 'udp',
      calls,
      rate,
      limit: calls,
      durationMs: holdMs,
      timeoutS: 900,
      extraArgs: ['-buff_size', '4194304'],
    });
    const started = performance.now();
    await until(
      target,
      (s) => s.confirmed >= calls + 300,
      `${calls} calls established`,
      (calls / rate) * 1000 + 120_000,
    );
    log(`  ${calls} calls established in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const withTransactions = await target.sample(true);
    await until(target, (s) => s.serverTransactions === 0, 'the INVITE transactions to end (Timer L)', 120_000);
    const dialogsOnly = await target.sample(true);
    if (dialogsOnly.dialogs !== calls)
      throw new Error(`expected ${calls} dialogs, the UAS holds ${dialogsOnly.dialogs}`);
    return {
      target: target.name,
      calls,
      before,
      withTransactions,
      dialogsOnly,
      heapPerCall: (withTransactions.heapUsed - before.heapUsed) / calls,
      rssPerCall: (withTransactions.rss - before.rss) / calls,
      heapPerDialogOnly: (dialogsOnly.heapUsed - before.heapUsed) / calls,
      rssPerDialogOnly: (dialogsOnly.rss - before.rss) / calls,
    };
  } finally {
    // SIPp would send the BYEs after its pause: stop it instead, and the UAS with it.
    sipp?.kill('SIGTERM');
    await sipp?.result;
    await target.stop();
  }
}
