/**
 * Helpers for tests that run `switchboard proxy|registrar|server` as a real process and talk to
 * it over real UDP on 127.0.0.1: start the command and wait for its `listening` line, a small
 * UDP client that sends a request and waits for the final response with the same Call-ID and
 * CSeq, and SIGKILL on demand.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type IncomingResponse, parseMessage } from '../../../src/sip/index.js';
import { repoRoot } from '../../helpers/paths.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The UDP port it listens on. */
  readonly port: number;
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

/** Starts `node bin/switchboard.js <args>`; resolves once it printed `listening udp HOST:PORT`. */
export function startProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'switchboard.js'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let err = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<number | NodeJS.Signals>((res) => {
      child.on('exit', (code, signal) => res(signal ?? code ?? 0));
    });
    let done = false;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      const m = /^listening udp (?:\[[^\]]+\]|[^:]+):(\d+)$/.exec(line);
      if (m && !done) {
        done = true;
        resolve({ child, port: Number(m[1]), lines, stderr: () => err, exited });
      }
    });
    void exited.then((code) => {
      if (!done) {
        done = true;
        reject(
          new Error(`switchboard ${args[0]} exited (${code}) before listening: ${err.trim() || lines.join(' | ')}`),
        );
      }
    });
  });
}

/** Runs the command to completion; resolves with its exit code and output. */
export function runProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | NodeJS.Signals; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'switchboard.js'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('exit', (code, signal) => resolve({ code: signal ?? code ?? 0, stdout, stderr }));
  });
}

/** A UDP client on 127.0.0.1 that sends requests and collects responses. */
export class UdpClient {
  readonly socket: Socket = createSocket('udp4');
  readonly responses: IncomingResponse[] = [];
  #waiters: { match: (r: IncomingResponse) => boolean; resolve: (r: IncomingResponse) => void }[] = [];
  port = 0;

  async open(): Promise<this> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.port = this.socket.address().port;
    this.socket.on('message', (bytes) => {
      const r = parseMessage(bytes, { datagram: true });
      if (!r.ok || r.message.kind !== 'response') return;
      const res = r.message;
      this.responses.push(res);
      for (const w of [...this.#waiters]) {
        if (w.match(res)) {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          w.resolve(res);
        }
      }
    });
    return this;
  }

  /** Sends `text` (LF line ends become CRLF) and waits for the final response to it. */
  request(text: string, port: number, timeoutMs = 10_000): Promise<IncomingResponse> {
    const bytes = Buffer.from(text.includes('\r\n') ? text : text.replace(/\n/g, '\r\n'));
    const callId = /^Call-ID: *(.+)$/im.exec(text)?.[1]?.trim();
    const cseq = /^CSeq: *(\d+)/im.exec(text)?.[1];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no final response to ${text.split('\n')[0]}`)), timeoutMs);
      this.#waiters.push({
        match: (r) => r.status >= 200 && r.get('call-id') === callId && String(r.get('cseq')?.seq) === cseq,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      this.socket.send(bytes, port, '127.0.0.1');
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** A REGISTER from the UDP client (its own address in Via, rport asked). */
export function registerText(
  client: UdpClient,
  options: { user: string; callId: string; cseq?: number; contact?: string; expires?: number; domain?: string },
): string {
  const domain = options.domain ?? 'example.com';
  return [
    `REGISTER sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
    'Max-Forwards: 70',
    `From: <sip:${options.user}@${domain}>;tag=${Math.random().toString(36).slice(2, 8)}`,
    `To: <sip:${options.user}@${domain}>`,
    `Call-ID: ${options.callId}`,
    `CSeq: ${options.cseq ?? 1} REGISTER`,
    ...(options.contact === undefined ? [] : [`Contact: ${options.contact}`]),
    ...(options.expires === undefined ? [] : [`Expires: ${options.expires}`]),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
