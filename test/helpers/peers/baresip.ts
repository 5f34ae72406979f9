/**
 * baresip 1.0.0 (Debian package baresip-core) as a scripted test peer, driven over ctrl_tcp:
 * netstring-framed JSON (`<length>:<json>,`) both ways; commands are the menu's long names
 * (`dial`, `accept`, `hold`, `resume`, `transfer`, `hangup`, `listcalls`, `quit`), events come
 * unasked (`CALL_INCOMING`, `CALL_ESTABLISHED`, `CALL_CLOSED`, `TRANSFER`, ...).
 *
 * Each peer gets its own temp directory with `config` (the headless template of
 * ../shared/peers/baresip: loopback only, G.711, a WAV file as microphone, ALSA's null device as
 * speaker, sndfile recordings in rec/), `accounts`, an empty `contacts`, its source WAV (a tone of
 * its own frequency, 120 s: baresip hangs up when the file ends) and `baresip.log` (`-s`: every
 * SIP message). Ports are probed: SIP on P for UDP and TCP and TLS on P+1 (baresip 1.0.0 always
 * binds it), ctrl_tcp, and an RTP range. A start that loses a port race (baresip exits with
 * "Address already in use") is retried on new ports.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePorts } from '../free-port.js';
import { writeToneWav } from './audio.js';
import { clock, findBinary, PeerProcess, sleep, within } from './peer-process.js';

export const BARESIP_PACKAGE = 'baresip-core';

export interface BaresipEvent {
  readonly event: true;
  readonly class: string;
  readonly type: string;
  readonly param?: string;
  readonly accountaor?: string;
  readonly direction?: string;
  readonly peeruri?: string;
  readonly id?: string;
  /** Set when a waitEvent() took it. */
  used?: boolean;
}

export interface BaresipResponse {
  readonly response: true;
  readonly ok: boolean;
  readonly data: string;
  readonly token: string;
}

export interface BaresipOptions {
  /** Label in logs and the temp directory name. */
  readonly name: string;
  /** User part of the AOR (default: the name). */
  readonly user?: string;
  /** Frequency of the tone it sends (its microphone), Hz. */
  readonly toneHz: number;
  readonly answerMode?: 'manual' | 'auto' | 'early';
  /**
   * The accounts line; default peer-to-peer: `<sip:user@127.0.0.1:P>;regint=0;...`. Called with
   * the SIP port when a registering account needs it.
   */
  readonly account?: (sipPort: number) => string;
}

function configText(sipPort: number, ctrlPort: number, rtpMin: number, rtpMax: number): string {
  return `# written by test/helpers/peers/baresip.ts (from ../shared/peers/baresip/config.template)
poll_method\t\tepoll
sip_listen\t\t127.0.0.1:${sipPort}
net_interface\t\t127.0.0.1
call_local_timeout\t120
call_max_calls\t\t4
audio_player\t\talsa,null
audio_alert\t\talsa,null
audio_source\t\taufile,source.wav
rtp_ports\t\t${rtpMin}-${rtpMax}
rtcp_mux\t\tno
jitter_buffer_delay\t5-10
rtp_stats\t\tno
module_path\t\t/usr/lib/baresip/modules
module\t\t\tg711.so
module\t\t\talsa.so
module\t\t\taufile.so
module\t\t\tsndfile.so
snd_path\t\trec
module_tmp\t\tuuid.so
module_tmp\t\taccount.so
module_app\t\tmenu.so
module_app\t\tctrl_tcp.so
ctrl_tcp_listen\t\t127.0.0.1:${ctrlPort}
`;
}

/** The ctrl_tcp connection: netstrings of JSON, responses matched by token, events kept in order. */
class CtrlConnection {
  private buf = Buffer.alloc(0);
  private token = 0;
  private readonly pending = new Map<string, (r: BaresipResponse) => void>();
  private readonly waiters: ((e: BaresipEvent) => boolean)[] = [];
  readonly events: BaresipEvent[] = [];

  private constructor(
    private readonly name: string,
    private readonly sock: Socket,
    private readonly onText: (line: string) => void,
  ) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', () => undefined);
  }

  /** Connects, retrying while baresip starts (or until it exits). */
  static async open(
    name: string,
    port: number,
    alive: () => boolean,
    onText: (line: string) => void,
    timeoutMs = 20_000,
  ): Promise<CtrlConnection> {
    const start = clock.now();
    for (;;) {
      try {
        const sock = await new Promise<Socket>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
        return new CtrlConnection(name, sock, onText);
      } catch (err) {
        if (!alive()) throw new Error(`${name}: baresip exited before ctrl_tcp accepted a connection`);
        if (clock.now() - start > timeoutMs)
          throw new Error(`${name}: ctrl_tcp on 127.0.0.1:${port} not reachable: ${String(err)}`);
        await sleep(100);
      }
    }
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString('latin1'));
      if (!Number.isInteger(len)) throw new Error(`${this.name}: bad netstring ${this.buf.toString('latin1', 0, 40)}`);
      if (this.buf.length < colon + 1 + len + 1) return;
      const text = this.buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
      this.buf = this.buf.subarray(colon + 2 + len);
      this.onText(text);
      const msg = JSON.parse(text) as BaresipResponse | BaresipEvent;
      if ('response' in msg) {
        const p = this.pending.get(msg.token);
        this.pending.delete(msg.token);
        p?.(msg);
      } else {
        this.events.push(msg);
        const i = this.waiters.findIndex((w) => w(msg));
        if (i >= 0) this.waiters.splice(i, 1);
      }
    }
  }

  command(command: string, params: string | undefined, timeoutMs: number): Promise<BaresipResponse> {
    const token = String(++this.token);
    const body = JSON.stringify(params === undefined ? { command, token } : { command, params, token });
    this.sock.write(`${Buffer.byteLength(body)}:${body},`);
    return within(
      `${this.name}: the response to ${command}`,
      timeoutMs,
      new Promise<BaresipResponse>((resolve) => this.pending.set(token, resolve)),
    ).finally(() => this.pending.delete(token));
  }

  /** The first event not taken yet of this type (matching `match`), waiting for it if needed. */
  waitEvent(type: string, match: (e: BaresipEvent) => boolean, timeoutMs: number): Promise<BaresipEvent> {
    const take = (e: BaresipEvent) => {
      if (e.used || e.type !== type || !match(e)) return false;
      e.used = true;
      return true;
    };
    const hit = this.events.find(take);
    if (hit) return Promise.resolve(hit);
    let waiter: ((e: BaresipEvent) => boolean) | undefined;
    return within(
      `${this.name}: event ${type} (seen: ${this.events.map((e) => e.type).join(' ') || 'none'})`,
      timeoutMs,
      new Promise<BaresipEvent>((resolve) => {
        waiter = (e) => {
          if (!take(e)) return false;
          resolve(e);
          return true;
        };
        this.waiters.push(waiter);
      }),
    ).finally(() => {
      const i = waiter ? this.waiters.indexOf(waiter) : -1;
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

export class Baresip extends PeerProcess {
  private ctrl!: CtrlConnection;

  private constructor(
    name: string,
    dir: string,
    proc: PeerProcess['proc'],
    readonly user: string,
    readonly toneHz: number,
    readonly sipPort: number,
    readonly ctrlPort: number,
    readonly rtpPorts: readonly [number, number],
  ) {
    super(name, dir, proc, join(dir, 'baresip.log'));
  }

  /** Starts baresip in a new temp directory; throws (with the install command) when it is not installed. */
  static async start(options: BaresipOptions): Promise<Baresip> {
    const bin = findBinary('baresip', 'BARESIP', BARESIP_PACKAGE);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const peer = await Baresip.launch(bin, options);
      try {
        await peer.connect();
        return peer;
      } catch (err) {
        lastError = err;
        await peer.stop({ keep: attempt === 2 });
      }
    }
    throw lastError;
  }

  private static async launch(bin: string, o: BaresipOptions): Promise<Baresip> {
    const user = o.user ?? o.name;
    const sipPort = await freePorts({ count: 2 });
    const ctrlPort = await freePorts({ protocols: ['tcp'] });
    const rtpMin = await freePorts({ count: 12, protocols: ['udp'], even: true });
    const dir = PeerProcess.tempDir('baresip', o.name);
    writeFileSync(join(dir, 'config'), configText(sipPort, ctrlPort, rtpMin, rtpMin + 11));
    const account =
      o.account?.(sipPort) ??
      `<sip:${user}@127.0.0.1:${sipPort}>;regint=0;answermode=${o.answerMode ?? 'manual'};audio_codecs=PCMU,PCMA`;
    writeFileSync(join(dir, 'accounts'), `${account}\n`);
    writeFileSync(join(dir, 'contacts'), '');
    mkdirSync(join(dir, 'rec'));
    writeToneWav(join(dir, 'source.wav'), o.toneHz, 120);
    const proc = PeerProcess.spawnIn(bin, ['-f', '.', '-s'], dir, process.env);
    const peer = new Baresip(o.name, dir, proc, user, o.toneHz, sipPort, ctrlPort, [rtpMin, rtpMin + 11]);
    proc.stdout?.on('data', (d: Buffer) => peer.writeLog(d));
    proc.stderr?.on('data', (d: Buffer) => peer.writeLog(d));
    proc.stdin?.end();
    return peer;
  }

  private async connect(): Promise<void> {
    this.ctrl = await CtrlConnection.open(
      this.name,
      this.ctrlPort,
      () => this.running,
      (text) => this.writeLog(`\n[ctrl] ${text}\n`),
    );
  }

  /** Its peer-to-peer address: sip:user@127.0.0.1:P. */
  get uri(): string {
    return `sip:${this.user}@127.0.0.1:${this.sipPort}`;
  }

  get events(): readonly BaresipEvent[] {
    return this.ctrl.events;
  }

  /** Runs a menu command; fails unless baresip answers ok. */
  async cmd(command: string, params?: string, timeoutMs = 10_000): Promise<BaresipResponse> {
    this.writeLog(`\n[test] > ${command}${params === undefined ? '' : ` ${params}`}\n`);
    const r = await this.ctrl.command(command, params, timeoutMs);
    if (!r.ok) throw new Error(`${this.name}: ${command} ${params ?? ''} failed: ${r.data}`);
    return r;
  }

  /** Takes the first event of this type not taken before (matching `match`), waiting up to `timeoutMs`. */
  waitEvent(type: string, match: (e: BaresipEvent) => boolean = () => true, timeoutMs = 20_000): Promise<BaresipEvent> {
    return this.ctrl.waitEvent(type, match, timeoutMs);
  }

  /** The sndfile recordings so far, oldest first: `-dec` (what it received) and `-enc` (what it sent). */
  recordings(): { readonly dec: string[]; readonly enc: string[] } {
    const files = readdirSync(join(this.dir, 'rec')).sort();
    return {
      dec: files.filter((f) => f.endsWith('-dec.wav')).map((f) => join(this.dir, 'rec', f)),
      enc: files.filter((f) => f.endsWith('-enc.wav')).map((f) => join(this.dir, 'rec', f)),
    };
  }

  protected async quit(): Promise<void> {
    try {
      await this.ctrl?.command('quit', undefined, 3000);
    } finally {
      this.ctrl?.close();
    }
  }
}
