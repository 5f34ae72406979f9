/**
 * The UASes bench/transactions drives SIPp's UAC against, each in a process of its own: the
 * Switchboard auto-answer UAS (uas-server.ts, forked with IPC; the UA-core or the lean variant)
 * and SIPp itself as the UAS (test/fixtures/sipp/uas.xml: the same INVITE/100/180/200/ACK/BYE/200
 * ladder), whose rate is the generator's own ceiling on this machine.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { RealClock } from '../../src/util/clock.js';
import { repoRoot } from '../../test/helpers/paths.js';
import { freePort, processCpuMs, type SippRun, startSipp } from '../../test/helpers/sipp.js';
import type { ServerReply, ServerRequest, ServerSample } from './protocol.js';

const clock = new RealClock({ unref: true });
export const pause = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimer(ms, resolve));

export interface Target {
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** CPU time (user + system) the UAS process has used so far, ms. */
  cpuMs(): Promise<number>;
  /** Event-loop delay (p99, max, ms) since the last call, when the UAS can tell (Switchboard). */
  loopDelay(): Promise<{ p99: number; max: number } | undefined>;
  /** Resolves once the UAS has no call in progress and its CPU is quiet (< 5% over 500 ms). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Waits until `cpu` grows by less than 25 ms over 500 ms (and `quiet()` holds), at most maxMs. */
async function waitQuiet(cpu: () => Promise<number>, quiet: () => Promise<boolean>, maxMs = 60_000): Promise<void> {
  const deadline = clock.now() + maxMs;
  let last = await cpu();
  while (clock.now() < deadline) {
    await pause(500);
    const now = await cpu();
    if (now - last < 25 && (await quiet())) return;
    last = now;
  }
}

export class SwitchboardTarget implements Target {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ServerReply) => void>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (raw: unknown) => {
      const reply = raw as ServerReply;
      if (reply.kind === 'ready') return;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  /**
   * Forks the UAS: the compiled uas-server.js under `compiledDir` (see compile.ts), else
   * uas-server.ts through tsx. `profileDir` runs it under --cpu-prof (written when it stops).
   */
  static async start(impl: 'ua' | 'lean', profileDir?: string, compiledDir?: string): Promise<SwitchboardTarget> {
    const script = compiledDir
      ? join(compiledDir, 'bench', 'transactions', 'uas-server.js')
      : join(repoRoot, 'bench', 'transactions', 'uas-server.ts');
    const execArgv = compiledDir ? ['--expose-gc'] : ['--import', 'tsx', '--expose-gc'];
    if (profileDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir);
    const child = fork(script, ['--impl', impl], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`uas-server exited with ${code} before it was ready`)));
      child.on('message', (raw: unknown) => {
        const reply = raw as ServerReply;
        if (reply.kind === 'ready') resolve(reply.port);
      });
    });
    return new SwitchboardTarget(impl === 'ua' ? 'Switchboard UAS (UA core)' : 'Switchboard UAS (lean)', child, port);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private ask(req: { kind: 'sample'; gc: boolean; resetLoopDelay?: boolean } | { kind: 'stop' }): Promise<ServerReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...req, id } as ServerRequest);
    });
  }

  async sample(gc = false): Promise<ServerSample> {
    const reply = await this.ask({ kind: 'sample', gc });
    if (reply.kind !== 'sample') throw new Error(`unexpected reply ${reply.kind}`);
    return reply.sample;
  }

  async cpuMs(): Promise<number> {
    const s = await this.sample();
    return s.cpuUserMs + s.cpuSystemMs;
  }

  async loopDelay(): Promise<{ p99: number; max: number }> {
    const reply = await this.ask({ kind: 'sample', gc: false, resetLoopDelay: true });
    if (reply.kind !== 'sample') throw new Error(`unexpected reply ${reply.kind}`);
    return { p99: reply.sample.loopDelayP99Ms, max: reply.sample.loopDelayMaxMs };
  }

  idle(): Promise<void> {
    return waitQuiet(
      () => this.cpuMs(),
      async () => (await this.sample()).activeCalls === 0,
    );
  }

  /** Stops the UAS and waits for its process to exit (idempotent). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) await this.ask({ kind: 'stop' });
    await exited;
  }
}

export class SippUasTarget implements Target {
  readonly name = 'SIPp UAS';

  private constructor(private readonly run: SippRun) {}

  static async start(): Promise<SippUasTarget> {
    const port = await freePort();
    const run = await startSipp({
      port,
      scenario: { file: join(repoRoot, 'test', 'fixtures', 'sipp', 'uas.xml') },
      transport: 'udp',
      // The closing pause of uas.xml: 4 s, as the timewait of SIPp's built-in uas.
      durationMs: 4000,
      timeoutS: 7200,
      extraArgs: ['-buff_size', '4194304'],
      keys: { contact_port: port, contact_transport: 'udp' },
    });
    await run.ready;
    return new SippUasTarget(run);
  }

  get port(): number {
    return this.run.port;
  }

  get pid(): number | undefined {
    return this.run.pid;
  }

  async cpuMs(): Promise<number> {
    return this.run.pid === undefined ? 0 : (processCpuMs(this.run.pid) ?? 0);
  }

  async loopDelay(): Promise<undefined> {
    return undefined;
  }

  idle(): Promise<void> {
    return waitQuiet(
      () => this.cpuMs(),
      async () => true,
    );
  }

  async stop(): Promise<void> {
    this.run.kill('SIGTERM');
    await this.run.result;
  }
}
