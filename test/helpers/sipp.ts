/**
 * Runs SIPp (Debian package sip-tester) for the interop tests and bench/transactions: builds the
 * command line (scenario, transport, rate, loss, timeouts, free ports for SIP, media and control),
 * runs it in the foreground in a scratch folder, waits for it, and parses what it left: the exit
 * code (0 = every call succeeded), the cumulative line of -trace_stat, the per-message counters of
 * -trace_counts (sent, received, retransmissions, timeouts, unexpected, lost), the -trace_err log
 * and the final screen. A missing sipp fails with the install command.
 *
 * TLS: SIPp speaks TLS only when built with OpenSSL (its version banner then names TLS); Debian's
 * sip-tester 3.6.1 is built without it. `sippTlsMode()` says which is available; the tests use
 * `-t l1` natively when it is, and otherwise SIPp over TCP behind sipp-tls-relay.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../src/util/clock.js';

export const SIPP_MISSING = 'sipp not found: run scripts/install-peers.sh (Debian package sip-tester)';

const clock = new RealClock({ unref: true });

export interface SippInfo {
  readonly path: string;
  /** The version banner, e.g. "SIPp v3.6.1-SCTP-PCAP-RTPSTREAM". */
  readonly version: string;
  /** Built with OpenSSL: `-t l1` works. */
  readonly tls: boolean;
}

let info: SippInfo | undefined;

/** Finds sipp on PATH (SIPP overrides); throws SIPP_MISSING when it is not there. */
export function sipp(): SippInfo {
  if (info) return info;
  const path = process.env.SIPP ?? 'sipp';
  const r = spawnSync(path, ['-v'], { encoding: 'utf8' });
  if (r.error) throw new Error(SIPP_MISSING);
  const banner = /SIPp v\S+/.exec(`${r.stdout}${r.stderr}`)?.[0];
  if (!banner) throw new Error(`${SIPP_MISSING} (${path} -v printed no SIPp banner)`);
  info = { path, version: banner, tls: /\bTLS\b/.test(banner.replace(/-/g, ' ')) };
  return info;
}

/** 'native' when sipp speaks TLS, 'relay' when the tests must put a TLS relay in front of SIPp over TCP. */
export function sippTlsMode(): 'native' | 'relay' {
  return sipp().tls ? 'native' : 'relay';
}

export type SippTransport = 'udp' | 'tcp' | 'tls';

export interface SippOptions {
  /** A built-in scenario (-sn) or an XML file (-sf). */
  readonly scenario: { readonly builtin: 'uac' | 'uas' } | { readonly file: string };
  /** host:port of the peer (UAC scenarios). */
  readonly remote?: string;
  readonly transport: SippTransport;
  /** SIP port to bind (default: a free one). */
  readonly port?: number;
  /** -m: stop after this many calls. */
  readonly calls?: number;
  /** -r / -rp: calls per period (default 10 per second). */
  readonly rate?: number;
  readonly ratePeriodMs?: number;
  /** -l: simultaneous calls allowed. */
  readonly limit?: number;
  /** -lost: percentage of messages SIPp drops (sent and received), UDP only. */
  readonly lost?: number;
  /** -d: the pause of the built-in uac between ACK and BYE, ms. */
  readonly durationMs?: number;
  /** -timeout with -timeout_error: fail the run after this many seconds (default 60). */
  readonly timeoutS?: number;
  /** -key name value: [name] in the scenario. */
  readonly keys?: Readonly<Record<string, string | number>>;
  /** TLS certificate and key (PEM text) for -t l1; made with makeSippCertificate() when absent. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** -trace_err (default true): unexpected messages logged; benchmarks turn it off (disk I/O). */
  readonly traceErrors?: boolean;
  /** -trace_msg too (verbose; for debugging a failing run). */
  readonly traceMessages?: boolean;
  /** More arguments, appended as is. */
  readonly extraArgs?: readonly string[];
  /** Keep the scratch folder (its path is in the result). */
  readonly keepFiles?: boolean;
}

/** One message line of the scenario, from -trace_counts. */
export interface SippMessageCount {
  /** Index in the scenario. */
  readonly index: number;
  /** Method or status ("INVITE", "200", "Pause"). */
  readonly name: string;
  readonly sent: number;
  readonly received: number;
  readonly retransmissions: number;
  readonly timeouts: number;
  readonly unexpected: number;
  readonly lost: number;
}

export interface SippResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly command: string;
  /** The cumulative values of the last -trace_stat line, by column name ("SuccessfulCall(C)"). */
  readonly stats: Readonly<Record<string, string>>;
  readonly successful: number;
  readonly failed: number;
  readonly created: number;
  readonly retransmissions: number;
  readonly messages: readonly SippMessageCount[];
  /** -trace_err: the unexpected messages and errors SIPp logged. */
  readonly errors: string;
  /** The final screens (scenario, statistics). */
  readonly screen: string;
  readonly stdout: string;
  readonly stderr: string;
  /** The scratch folder (removed unless keepFiles). */
  readonly dir: string;
  /** CPU time SIPp used (user + system, ms), from /proc while it ran; undefined if unavailable. */
  readonly cpuMs: number | undefined;
}

export interface SippRun {
  /** The SIP port SIPp binds. */
  readonly port: number;
  readonly pid: number | undefined;
  /** Resolves once SIPp's SIP socket is bound (polls /proc/net; no fixed sleep). */
  readonly ready: Promise<void>;
  readonly result: Promise<SippResult>;
  /** Asks SIPp to stop (SIGUSR1 = quit after the calls in progress; SIGTERM at once). */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * A port free for both UDP and TCP on 127.0.0.1 (and, with `pairGap`, port + gap too), none of
 * port .. port + pairGap + 1 in `avoid` (ports already chosen but not bound yet).
 */
export async function freePort(pairGap = 0, avoid: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const ports = pairGap > 0 ? [port, port + pairGap] : [port];
    if (ports.some((p) => p > 65535)) continue;
    if (avoid.some((a) => a >= port && a <= port + pairGap + 1)) continue;
    const ok = await Promise.all(ports.map((p) => udpFree(p).then(async (u) => u && (await tcpFree(p)))));
    if (ok.every(Boolean)) return port;
  }
  throw new Error('no free port pair found on 127.0.0.1');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A self-signed certificate for localhost and 127.0.0.1 (its own CA), made with openssl. */
export function makeSippCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sipp-pki-'));
  try {
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.error) throw new Error('the TLS interop tests need the openssl binary: apt-get install openssl');
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TRANSPORT_FLAG: Readonly<Record<SippTransport, string>> = { udp: 'u1', tcp: 't1', tls: 'l1' };

/** Starts SIPp; see SippRun. */
export async function startSipp(options: SippOptions): Promise<SippRun> {
  const bin = sipp();
  if (options.transport === 'tls' && !bin.tls) {
    throw new Error(`${bin.version} was built without TLS: use SIPp over TCP behind a TLS relay (sippTlsMode())`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sipp-'));
  const port = options.port ?? (await freePort());
  // SIPp binds -mp (audio RTP), -mp + 2 (video RTP) and their RTCP ports + 1: none may be the SIP
  // port or the control port, which are chosen first but bound only when SIPp starts.
  const mediaPort = await freePort(2, [port]);
  const controlPort = await freePort(0, [port, mediaPort, mediaPort + 1, mediaPort + 2, mediaPort + 3]);
  const args: string[] = [];
  if ('builtin' in options.scenario) args.push('-sn', options.scenario.builtin);
  else args.push('-sf', options.scenario.file);
  if (options.remote) args.push(options.remote);
  args.push('-t', TRANSPORT_FLAG[options.transport], '-i', '127.0.0.1', '-p', String(port));
  args.push('-mp', String(mediaPort), '-cp', String(controlPort), '-nostdin');
  if (options.calls !== undefined) args.push('-m', String(options.calls));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.ratePeriodMs !== undefined) args.push('-rp', String(options.ratePeriodMs));
  if (options.limit !== undefined) args.push('-l', String(options.limit));
  if (options.lost !== undefined) args.push('-lost', String(options.lost));
  if (options.durationMs !== undefined) args.push('-d', String(options.durationMs));
  args.push('-timeout', `${options.timeoutS ?? 60}s`, '-timeout_error');
  args.push('-trace_stat', '-stf', 'stats.csv', '-fd', '1');
  args.push('-trace_counts');
  if (options.traceErrors ?? true) args.push('-trace_err', '-error_file', 'errors.log');
  args.push('-trace_screen', '-screen_file', 'screen.log');
  if (options.traceMessages) args.push('-trace_msg', '-message_file', 'messages.log');
  for (const [k, v] of Object.entries(options.keys ?? {})) args.push('-key', k, String(v));
  if (options.transport === 'tls') {
    const pem = options.tls ?? makeSippCertificate();
    writeFileSync(join(dir, 'cert.pem'), pem.cert);
    writeFileSync(join(dir, 'key.pem'), pem.key);
    args.push('-tls_cert', 'cert.pem', '-tls_key', 'key.pem');
  }
  args.push(...(options.extraArgs ?? []));
  const command = `${bin.path} ${args.join(' ')}`;
  const child = spawn(bin.path, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    // The periodic screen is large; keep the tail only.
    stdout = (stdout + d).slice(-20_000);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  let cpuMs: number | undefined;
  let exited = false;
  const sampleCpu = (): void => {
    const c = child.pid === undefined ? undefined : processCpuMs(child.pid);
    if (c !== undefined) cpuMs = c;
  };
  const sampler = (): void => {
    if (exited) return;
    sampleCpu();
    clock.setTimer(100, sampler);
  };
  sampler();
  const result = new Promise<SippResult>((resolve, reject) => {
    child.once('error', (err) => {
      exited = true;
      reject(err);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      const r = collect(dir, { code, signal, command, stdout, stderr, cpuMs });
      if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
      resolve(r);
    });
  });
  const ready = waitBound(
    options.transport === 'udp' ? 'udp' : 'tcp',
    port,
    () => exited,
    command,
    () => stderr,
  );
  return {
    port,
    pid: child.pid,
    ready,
    result,
    kill: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (!exited) child.kill(signal);
    },
  };
}

/** Runs SIPp to the end. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const run = await startSipp(options);
  return run.result;
}

/** user + system CPU of a process in ms, from /proc/PID/stat (Linux); undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Polls /proc/net/{udp,tcp} until something listens on 127.0.0.1:port. */
function waitBound(
  kind: 'udp' | 'tcp',
  port: number,
  gone: () => boolean,
  command: string,
  stderr: () => string,
): Promise<void> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const deadline = clock.now() + 15_000;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      let table = '';
      try {
        table = readFileSync(`/proc/net/${kind}`, 'utf8');
      } catch {
        resolve(); // not Linux: the caller's retransmissions or connection retries cover the start
        return;
      }
      const bound = table.split('\n').some((line) => {
        const cols = line.trim().split(/\s+/);
        const local = cols[1] ?? '';
        // TCP: state 0A is LISTEN.
        return local.endsWith(`:${hexPort}`) && (kind === 'udp' || cols[3] === '0A');
      });
      if (bound) resolve();
      else if (gone()) reject(new Error(`sipp exited before binding ${kind} ${port}: ${command}\n${stderr()}`));
      else if (clock.now() > deadline) reject(new Error(`sipp did not bind ${kind} ${port} within 15 s: ${command}`));
      else clock.setTimer(10, check);
    };
    check();
  });
}

/** The file's text, or its last `maxBytes` (an overloaded SIPp can write gigabytes of -trace_err). */
function readIf(path: string, maxBytes = 1 << 20): string {
  if (!existsSync(path)) return '';
  const size = statSync(path).size;
  if (size <= maxBytes) return readFileSync(path, 'utf8');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(maxBytes);
    readSync(fd, buf, 0, maxBytes, size - maxBytes);
    return `[... ${size - maxBytes} bytes left out ...]\n${buf.toString('utf8')}`;
  } finally {
    closeSync(fd);
  }
}

function lastLineRecord(csv: string): Record<string, string> {
  const lines = csv.split('\n').filter((l) => l.trim().length > 0);
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines[lines.length - 1] as string).split(';') : [];
  const out: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name) out[name] = last[i] ?? '';
  });
  return out;
}

/** -trace_counts columns are <index>_<name>_<Counter>; the last line holds the totals. */
function parseCounts(csv: string): SippMessageCount[] {
  const record = lastLineRecord(csv);
  const byIndex = new Map<number, { name: string; c: Record<string, number> }>();
  for (const [column, value] of Object.entries(record)) {
    const m = /^(\d+)_(.+)_([A-Za-z]+)$/.exec(column);
    if (!m) continue;
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? { name: m[2] as string, c: {} };
    entry.c[m[3] as string] = Number(value) || 0;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, { name, c }]) => ({
      index,
      name,
      sent: c.Sent ?? 0,
      received: c.Recv ?? 0,
      retransmissions: c.Retrans ?? 0,
      timeouts: c.Timeout ?? 0,
      unexpected: c.Unexp ?? 0,
      lost: c.Lost ?? 0,
    }));
}

function collect(
  dir: string,
  run: {
    code: number | null;
    signal: NodeJS.Signals | null;
    command: string;
    stdout: string;
    stderr: string;
    cpuMs: number | undefined;
  },
): SippResult {
  const stats = lastLineRecord(readIf(join(dir, 'stats.csv')));
  const countsFile = readdirSync(dir).find((f) => f.endsWith('_counts.csv'));
  const num = (k: string): number => Number(stats[k] ?? 0) || 0;
  return {
    exitCode: run.code,
    signal: run.signal,
    command: run.command,
    stats,
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    created: num('TotalCallCreated'),
    retransmissions: num('Retransmissions(C)'),
    messages: countsFile ? parseCounts(readIf(join(dir, countsFile))) : [],
    errors: readIf(join(dir, 'errors.log')),
    screen: readIf(join(dir, 'screen.log')),
    stdout: run.stdout,
    stderr: run.stderr,
    dir,
    cpuMs: run.cpuMs,
  };
}

/** A one-paragraph account of a run for assertion messages. */
export function describeRun(r: SippResult): string {
  const msgs = r.messages
    .map(
      (m) =>
        `${m.name}: sent ${m.sent} recv ${m.received} retrans ${m.retransmissions} timeout ${m.timeouts} unexp ${m.unexpected} lost ${m.lost}`,
    )
    .join('; ');
  return [
    `exit ${r.exitCode ?? r.signal}; calls created ${r.created}, successful ${r.successful}, failed ${r.failed}, retransmissions ${r.retransmissions}`,
    `command: ${r.command}`,
    `messages: ${msgs}`,
    r.errors ? `errors: ${r.errors.slice(-3000)}` : '',
    r.stderr ? `stderr: ${r.stderr.slice(-2000)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Resolves once cond() holds; rejects after timeoutMs naming `what`. Polls every 10 ms, no fixed sleeps. */
export function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (cond()) resolve();
      else if (clock.now() > deadline) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else clock.setTimer(10, check);
    };
    check();
  });
}
