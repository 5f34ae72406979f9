/**
 * The two servers bench/proxy measures, each started fresh for each test on a free UDP port of
 * 127.0.0.1, in processes of their own, with the same UDP receive buffer:
 *
 * - Switchboard: switchboard-server.ts forked (compiled JavaScript unless told otherwise), one
 *   process, or with `workers > 1` cluster-worker.ts (several processes on one port).
 * - Kamailio: kamailio.cfg.template filled in and written to a temp dir, run in the foreground
 *   (`-DD -E`) with `children` UDP receiver processes; its receive buffer is set through the core
 *   parameter `maxbuffer` (the ceiling of its SO_RCVBUF auto-probing).
 *
 * Both are "ready" once they answer an OPTIONS. CPU time is that of the whole process tree
 * (user + system, /proc/PID/stat), so Kamailio's timer and helper processes count too. The
 * kernel's view of the listening socket (SO_RCVBUF as `ss` reports it, drops from
 * /proc/net/udp) is read here as well.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../../src/util/clock.js';
import { repoRoot } from '../../test/helpers/paths.js';
import { freePort, processCpuMs } from '../../test/helpers/sipp.js';

const here = dirname(fileURLToPath(import.meta.url));
const clock = new RealClock();
export const pause = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimer(ms, resolve));

export const KAMAILIO_MISSING =
  'kamailio not found: run scripts/install-peers.sh (Debian package kamailio), or set KAMAILIO to its path';

/** plain: no authentication; digest: REGISTER challenged (401, MD5, qop=auth). */
export type AuthMode = 'plain' | 'digest';

export interface ServerOptions {
  readonly mode: AuthMode;
  /** SO_RCVBUF asked for (Linux doubles it; `ss` shows the doubled value). */
  readonly receiveBuffer: number;
  /** The password every bench user has. */
  readonly password: string;
}

/** What a Switchboard server says about itself (single process). */
export interface ServerSample {
  readonly heapUsed: number;
  readonly rss: number;
  /** heapUsed is after a full garbage collection (the server runs with --expose-gc). */
  readonly collected: boolean;
  readonly clientTransactions: number;
  readonly serverTransactions: number;
  /** Requests the proxy is still handling (response contexts). */
  readonly proxied: number;
  /** The event loop's longest delay and 99th percentile since the previous sample, ms. */
  readonly loopDelayMaxMs: number;
  readonly loopDelayP99Ms: number;
}

export interface ServerUnderTest {
  readonly name: string;
  readonly port: number;
  /** How it runs (processes), for the report. */
  readonly layout: string;
  /** Every process of the server (the main one and its children). */
  pids(): number[];
  /** CPU time (user + system) of all of them so far, ms. */
  cpuMs(): number;
  /** Memory and state held, when the server can say (Switchboard with one process). */
  sample?(): Promise<ServerSample | undefined>;
  stop(): Promise<void>;
}

/** The pid and every descendant of it, from /proc (Linux). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  }
  return out;
}

export function treeCpuMs(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
}

/** Datagrams the kernel dropped on sockets bound to 127.0.0.1:port (full receive buffer), from /proc/net/udp. */
export function udpDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === local) drops += Number(cols[cols.length - 1]) || 0;
  }
  return drops;
}

/** The receive buffers (bytes, `rb` of `ss -m`) of the UDP sockets bound to port; [] when ss is missing. */
export function receiveBuffers(port: number): number[] {
  const r = spawnSync('ss', ['-u', '-a', '-m', '-n', '-H', `sport = :${port}`], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return [];
  return [...r.stdout.matchAll(/\brb(\d+)/g)].map((m) => Number(m[1]));
}

/** Resolves once something answers an OPTIONS on udp 127.0.0.1:port (any status); rejects after timeoutMs. */
export async function waitAnswering(
  port: number,
  alive: () => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const local = socket.address().port;
  let answered = false;
  socket.on('message', () => {
    answered = true;
  });
  try {
    const deadline = clock.now() + timeoutMs;
    for (let n = 1; !answered; n++) {
      if (!alive()) throw new Error(`${what} exited before it answered on udp 127.0.0.1:${port}`);
      if (clock.now() > deadline) throw new Error(`${what} did not answer an OPTIONS on udp 127.0.0.1:${port}`);
      const options = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-bench-ready-${n}`,
        'Max-Forwards: 70',
        `From: <sip:bench@127.0.0.1:${local}>;tag=bench${n}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: bench-ready-${n}-${process.pid}@127.0.0.1`,
        `CSeq: ${n} OPTIONS`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(options, port, '127.0.0.1');
      await pause(200);
    }
  } finally {
    socket.close();
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = clock.setTimer(graceMs, () => {
    if (!exited(child)) child.kill('SIGKILL');
  });
  await gone;
  timer.cancel();
}

export class SwitchboardServer implements ServerUnderTest {
  readonly name = 'Switchboard';
  private nextId = 1;
  private readonly waiting = new Map<number, (s: ServerSample) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly layout: string,
    private readonly workers: number,
  ) {
    child.on('message', (raw: unknown) => {
      const m = raw as ServerSample & { kind?: string; id?: number };
      if (m.kind !== 'sample' || m.id === undefined) return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  sample(): Promise<ServerSample | undefined> {
    if (this.workers > 1 || !this.child.connected) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ kind: 'sample', id });
    });
  }

  /**
   * Forks `script` (switchboard-server.js compiled, or .ts through tsx) on a free port.
   * `profileDir` runs it under --cpu-prof (written when it stops).
   */
  static async start(
    script: string,
    options: ServerOptions & {
      readonly workers?: number;
      readonly profileDir?: string | undefined;
      /** --perf-basic-prof: /tmp/perf-PID.map names JavaScript functions for perf. */
      readonly perfMap?: boolean;
    },
  ): Promise<SwitchboardServer> {
    const port = await freePort();
    const execArgv = script.endsWith('.ts') ? ['--import', 'tsx', '--expose-gc'] : ['--expose-gc'];
    if (options.profileDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', options.profileDir);
    if (options.perfMap) execArgv.push('--perf-basic-prof');
    const workers = options.workers ?? 1;
    const args = [
      '--port',
      String(port),
      '--rcvbuf',
      String(options.receiveBuffer),
      '--auth',
      options.mode === 'digest' ? 'on' : 'off',
      '--password',
      options.password,
      '--workers',
      String(workers),
    ];
    const child = fork(script, args, { cwd: repoRoot, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`switchboard-server exited with ${code} before it was ready`)));
      child.on('message', (raw: unknown) => {
        if ((raw as { kind?: string }).kind === 'ready') resolve();
      });
    });
    await waitAnswering(port, () => !exited(child), 'the Switchboard server');
    const layout = workers > 1 ? `${workers} worker processes on one UDP port` : '1 process';
    return new SwitchboardServer(child, port, layout, workers);
  }

  pids(): number[] {
    return this.child.pid === undefined ? [] : processTree(this.child.pid);
  }

  cpuMs(): number {
    return this.child.pid === undefined ? 0 : treeCpuMs(this.child.pid);
  }

  async stop(): Promise<void> {
    const pids = this.pids();
    await stopChild(this.child);
    for (const pid of pids) rmSync(`/tmp/perf-${pid}.map`, { force: true });
  }
}

/** The kamailio binary ($KAMAILIO, else on PATH, else /usr/sbin/kamailio); throws KAMAILIO_MISSING. */
export function kamailioBinary(): { path: string; version: string } {
  const candidates = [process.env.KAMAILIO, 'kamailio', '/usr/sbin/kamailio', '/usr/local/sbin/kamailio'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  for (const path of candidates) {
    const r = spawnSync(path, ['-v'], { encoding: 'utf8' });
    if (r.error) continue;
    const version = /kamailio \S+/.exec(`${r.stdout}${r.stderr}`)?.[0];
    if (version) return { path, version };
  }
  throw new Error(KAMAILIO_MISSING);
}

/** The folder holding tm.so ($KAMAILIO_MODULES, else the Debian and source-install defaults). */
function kamailioModules(): string {
  const candidates = [
    process.env.KAMAILIO_MODULES,
    '/usr/lib/x86_64-linux-gnu/kamailio/modules',
    '/usr/lib/aarch64-linux-gnu/kamailio/modules',
    '/usr/lib/kamailio/modules',
    '/usr/lib64/kamailio/modules',
    '/usr/local/lib64/kamailio/modules',
    '/usr/local/lib/kamailio/modules',
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const found = candidates.find((d) => existsSync(join(d, 'tm.so')));
  if (!found) {
    throw new Error(
      `Kamailio's modules (tm.so) not found in ${candidates.join(', ')}: run scripts/install-peers.sh, or set KAMAILIO_MODULES`,
    );
  }
  return found;
}

export interface KamailioOptions extends ServerOptions {
  /** UDP receiver processes (`children`). */
  readonly children: number;
  /**
   * Shared memory, MiB (transactions, the location table). Default 4096: with 512 MiB, usrloc
   * runs out after about 459,000 bindings (a 40 s register step above 11,000/s) and every
   * REGISTER after that fails; the pages are touched only as they are used.
   */
  readonly sharedMemoryMb?: number;
}

export class KamailioServer implements ServerUnderTest {
  readonly name = 'Kamailio';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly layout: string,
    private readonly dir: string,
    private readonly log: () => string,
  ) {}

  /** Writes the configuration for `options` into `dir` and returns its path (also used by run.ts to show it). */
  static writeConfig(dir: string, port: number, options: KamailioOptions): string {
    const template = readFileSync(join(here, 'kamailio.cfg.template'), 'utf8');
    const values: Record<string, string> = {
      CHILDREN: String(options.children),
      PORT: String(port),
      MAXBUFFER: String(options.receiveBuffer),
      MPATH: `${kamailioModules()}/`,
      SECRET: 'bench-proxy-nonce-secret-0123456789',
      PASSWORD: options.password,
    };
    const text = template.replace(/@@([A-Z]+)@@/g, (all, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`kamailio.cfg.template: unknown placeholder ${all}`);
      return v;
    });
    const path = join(dir, 'kamailio.cfg');
    writeFileSync(path, text);
    return path;
  }

  static async start(options: KamailioOptions): Promise<KamailioServer> {
    const bin = kamailioBinary();
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-kamailio-'));
    const port = await freePort();
    const cfg = KamailioServer.writeConfig(dir, port, options);
    const args = [
      '-DD',
      '-E',
      '-f',
      cfg,
      '-Y',
      dir,
      '-w',
      dir,
      '-m',
      String(options.sharedMemoryMb ?? 4096),
      '-M',
      '16',
    ];
    if (options.mode === 'digest') args.push('-A', 'WITH_AUTH');
    const check = spawnSync(bin.path, ['-c', ...args], { encoding: 'utf8' });
    if (check.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`kamailio -c rejected the generated configuration:\n${check.stdout}${check.stderr}`);
    }
    const child = spawn(bin.path, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (d: Buffer): void => {
      log = (log + d.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    try {
      await waitAnswering(port, () => !exited(child), 'kamailio');
    } catch (err) {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${(err as Error).message}\n${log}`);
    }
    const layout = `${options.children} UDP receiver processes (children=${options.children}) + main, timer and helper processes`;
    return new KamailioServer(child, port, layout, dir, () => log);
  }

  pids(): number[] {
    return this.child.pid === undefined ? [] : processTree(this.child.pid);
  }

  cpuMs(): number {
    return this.child.pid === undefined ? 0 : treeCpuMs(this.child.pid);
  }

  /** The tail of Kamailio's standard error (its log). */
  logTail(): string {
    return this.log();
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
