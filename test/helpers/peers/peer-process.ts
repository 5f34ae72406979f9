/**
 * What every real peer (baresip, linphonec) shares: finding its binary (a missing one fails the
 * test with the command that installs it), a temp directory of its own, the child process with
 * its output in a log file, waiting without fixed sleeps (media/'s clock, never setTimeout), and
 * stop(): the peer's own quit first, then SIGTERM and SIGKILL to its PID, then the directory
 * removed, or kept, with its log, when the test failed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RealClock } from '../../../src/util/index.js';

export const clock = new RealClock({ unref: true });

/** Peers still running: killed by PID if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of live) if (proc.pid !== undefined && proc.exitCode === null) proc.kill('SIGKILL');
});

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** Polls `cond` every 50 ms; fails naming `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = clock.now();
  while (!cond()) {
    if (clock.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Rejects with `what` after `ms` unless `p` settles first. */
export async function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: { cancel(): void } | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = clock.setTimer(ms, () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)));
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    timer?.cancel();
  }
}

export const INSTALL_HINT = 'run scripts/install-peers.sh';

/** The absolute path of `bin` on PATH (or `envVar`), else an error saying how to install it. */
export function findBinary(bin: string, envVar: string, debianPackage: string): string {
  const override = process.env[envVar];
  const candidates = override
    ? [override]
    : (process.env.PATH ?? '/usr/bin').split(delimiter).map((dir) => join(dir, bin));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error(
    `${bin} not found${override ? ` at ${envVar}=${override}` : ' on PATH'}: ${INSTALL_HINT} (Debian package ${debianPackage}) or set ${envVar}`,
  );
}

export interface StopOptions {
  /** Keep the temp directory (config, logs, recordings): the test failed. */
  readonly keep?: boolean;
}

/** A running peer program with its directory and log. */
export abstract class PeerProcess {
  readonly exited: Promise<number | null>;
  private readonly log: WriteStream;
  private stopping: Promise<void> | undefined;

  protected constructor(
    readonly name: string,
    readonly dir: string,
    readonly proc: ChildProcess,
    readonly logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    live.add(proc);
    this.exited = new Promise<number | null>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
      else {
        proc.once('exit', (code) => resolve(code));
        proc.once('error', () => resolve(null));
      }
    }).then((code) => {
      live.delete(proc);
      return code;
    });
    proc.once('error', (err) => this.log.write(`\n[spawn error] ${String(err)}\n`));
  }

  protected static tempDir(kind: string, name: string): string {
    return mkdtempSync(join(tmpdir(), `sb-${kind}-${name}-`));
  }

  protected static spawnIn(bin: string, args: readonly string[], dir: string, env: NodeJS.ProcessEnv): ChildProcess {
    return spawn(bin, args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  protected writeLog(chunk: Buffer | string): void {
    this.log.write(chunk);
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The end of the peer's log, for failure messages. */
  logTail(chars = 1500): string {
    try {
      const text = readFileSync(this.logFile, 'utf8');
      return text.slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  /** The peer's own way out (quit command); the process may still be there afterwards. */
  protected abstract quit(): Promise<void>;

  /** Quits, then SIGTERM / SIGKILL by PID if needed; removes the directory unless `keep`. */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping.then(() => {
      if (!options.keep) rmSync(this.dir, { recursive: true, force: true });
    });
  }

  private async doStop(): Promise<void> {
    if (this.running) {
      await this.quit().catch(() => undefined);
      const quitOk = await within('quit', 3000, this.exited).then(
        () => true,
        () => false,
      );
      if (!quitOk && this.running && this.proc.pid !== undefined) {
        process.kill(this.proc.pid, 'SIGTERM');
        const termOk = await within('SIGTERM', 3000, this.exited).then(
          () => true,
          () => false,
        );
        if (!termOk && this.running && this.proc.pid !== undefined) process.kill(this.proc.pid, 'SIGKILL');
      }
    }
    await this.exited;
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}

/**
 * The peers of one test: stop() stops them all (in parallel), keeping their directories when the
 * test failed; failure messages get each peer's directory and the end of its log.
 */
export class PeerGroup {
  private readonly peers: PeerProcess[] = [];
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  add<T extends PeerProcess>(peer: T): T {
    this.peers.push(peer);
    return peer;
  }

  /** Something else to undo at the end (a server, Switchboard phones), run after the peers stopped. */
  onStop(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  /** Runs the test body; on failure, rethrows with the peers' logs appended. Always stops everything. */
  async run(body: () => Promise<void>): Promise<void> {
    let failure: unknown;
    try {
      await body();
    } catch (err) {
      failure = err;
    }
    const keep = failure !== undefined;
    const stopped = await Promise.allSettled(this.peers.map((p) => p.stop({ keep })));
    for (const fn of this.cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    if (failure !== undefined) {
      const logs = this.peers
        .map((p) => `--- ${p.name} (kept in ${p.dir}), end of ${p.logFile}:\n${p.logTail()}`)
        .join('\n');
      if (failure instanceof Error) {
        failure.message = `${failure.message}\n${logs}`;
        throw failure;
      }
      throw new Error(`${String(failure)}\n${logs}`);
    }
    const bad = stopped.find((s) => s.status === 'rejected');
    if (bad && bad.status === 'rejected') throw bad.reason;
  }
}
