/**
 * linphonec 5.1 (Debian package linphone-cli) as a scripted test peer, driven through stdin and
 * stdout: commands typed one per line (`call`, `answer`, `pause`, `resume`, `transfer`,
 * `conference add`, `register`, `play`, `record`, `terminate`, `quit`), outcomes read from its
 * output with regular expressions.
 *
 * Each peer gets a fresh HOME (liblinphone keeps a sqlite db under ~/.local/share/linphone and
 * rewrites its config file on exit, so nothing is reused) holding `linphonerc` (the headless
 * template of ../shared/peers/linphone: SIP and RTP bound to 127.0.0.1, no IPv6, UDP only,
 * PCMU/PCMA only), the tone WAV it plays as microphone and `linphonec.log` (stdout, stderr, and
 * the commands typed). The first command is `soundcard use files`: no sound card, the microphone
 * is the `play` file and the speaker the `record` file (written as the call runs, closed when it
 * ends). Ports are probed: SIP UDP (TCP and TLS off) and audio RTP/RTCP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../free-port.js';
import { writeToneWav } from './audio.js';
import { clock, findBinary, PeerProcess, sleep } from './peer-process.js';

export const LINPHONE_PACKAGE = 'linphone-cli';

export interface LinphonecOptions {
  readonly name: string;
  /** User part of its identity (default: the name). */
  readonly user?: string;
  /**
   * Frequency of the tone it plays as microphone (Hz); null: no `play` file, so that the files
   * soundcard falls back to its default (see docs/interop.md: it loops back what it receives).
   */
  readonly toneHz: number | null;
  /** Start with -a (answers every call at once). */
  readonly autoAnswer?: boolean;
  /**
   * Register at this proxy/registrar (`sip:127.0.0.1:P`) as sip:user@domain with a digest
   * password; every request then goes through it (reg_route: the `register` command alone sets no
   * route, and calls to sip:x@domain would be resolved by DNS).
   */
  readonly account?: { readonly proxy: string; readonly domain: string; readonly password: string };
}

function accountText(user: string, a: NonNullable<LinphonecOptions['account']>): string {
  return `[proxy_0]
reg_proxy=<${a.proxy};transport=udp>
reg_route=<${a.proxy};transport=udp;lr>
reg_identity="${user}" <sip:${user}@${a.domain}>
reg_expires=600
reg_sendregister=1
publish=0
dial_escape_plus=0
[auth_info_0]
username=${user}
passwd=${a.password}
domain=${a.domain}
`;
}

function rcText(user: string, sipPort: number, rtpPort: number, account: LinphonecOptions['account']): string {
  return `${account ? accountText(user, account) : ''}# written by test/helpers/peers/linphonec.ts (from ../shared/peers/linphone/linphonerc.template)
[sip]
bind_address=127.0.0.1
sip_port=${sipPort}
${account ? 'default_proxy=0\n' : ''}sip_tcp_port=0
sip_tls_port=0
contact="${user}" <sip:${user}@127.0.0.1:${sipPort}>
guess_hostname=0
use_ipv6=0
ipv6_migration_done=1
inc_timeout=60
[rtp]
bind_address=127.0.0.1
audio_rtp_port=${rtpPort}
video_rtp_port=${rtpPort + 4}
text_rtp_port=${rtpPort + 8}
[video]
enabled=0
capture=0
display=0
automatically_initiate=0
automatically_accept=0
[sound]
echocancellation=0
[misc]
max_calls=4
[audio_codec_0]
mime=PCMU
rate=8000
channels=1
enabled=1
[audio_codec_1]
mime=PCMA
rate=8000
channels=1
enabled=1
[audio_codec_2]
mime=opus
rate=48000
channels=2
enabled=0
[audio_codec_3]
mime=speex
rate=16000
channels=1
enabled=0
[audio_codec_4]
mime=speex
rate=8000
channels=1
enabled=0
[audio_codec_5]
mime=G729
rate=8000
channels=1
enabled=0
`;
}

export class Linphonec extends PeerProcess {
  /** Everything it printed on stdout. */
  out = '';
  /** Where expect() continues from. */
  private seen = 0;

  private constructor(
    name: string,
    dir: string,
    proc: PeerProcess['proc'],
    readonly user: string,
    readonly toneHz: number | null,
    readonly sipPort: number,
    readonly rtpPort: number,
    /** The WAV it plays as microphone (none when toneHz is null). */
    readonly sourceWav: string | undefined,
  ) {
    super(name, dir, proc, join(dir, 'linphonec.log'));
  }

  static async start(options: LinphonecOptions): Promise<Linphonec> {
    const bin = findBinary('linphonec', 'LINPHONEC', LINPHONE_PACKAGE);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const peer = await Linphonec.launch(bin, options);
      try {
        await peer.expect(/linphonec> /, 30_000);
        peer.send('soundcard use files');
        await peer.expect(/Using wav files instead of soundcard/);
        if (peer.sourceWav !== undefined) peer.send(`play ${peer.sourceWav}`);
        return peer;
      } catch (err) {
        lastError = err;
        await peer.stop({ keep: attempt === 2 });
      }
    }
    throw lastError;
  }

  private static async launch(bin: string, o: LinphonecOptions): Promise<Linphonec> {
    const user = o.user ?? o.name;
    const sipPort = await freePorts({ protocols: ['udp'] });
    const rtpPort = await freePorts({ count: 10, protocols: ['udp'], even: true });
    const home = PeerProcess.tempDir('linphonec', o.name);
    mkdirSync(join(home, '.local', 'share', 'linphone'), { recursive: true });
    writeFileSync(join(home, 'linphonerc'), rcText(user, sipPort, rtpPort, o.account));
    const wav = o.toneHz === null ? undefined : join(home, `tone-${o.toneHz}.wav`);
    if (wav !== undefined && o.toneHz !== null) writeToneWav(wav, o.toneHz, 120);
    const args = ['-c', join(home, 'linphonerc'), '-d', '0', ...(o.autoAnswer ? ['-a'] : [])];
    const proc = PeerProcess.spawnIn(bin, args, home, { ...process.env, HOME: home });
    const peer = new Linphonec(o.name, home, proc, user, o.toneHz, sipPort, rtpPort, wav);
    proc.stdout?.on('data', (d: Buffer) => {
      peer.out += d.toString('utf8');
      peer.writeLog(d);
    });
    // "liblinphone-error-Could not find a suitable soundcard" and the like are expected.
    proc.stderr?.on('data', (d: Buffer) => peer.writeLog(d));
    proc.stdin?.on('error', () => undefined);
    return peer;
  }

  /** Its peer-to-peer address: sip:user@127.0.0.1:P. */
  get uri(): string {
    return `sip:${this.user}@127.0.0.1:${this.sipPort}`;
  }

  /** Types one command line. */
  send(line: string): void {
    this.writeLog(`\n[test] > ${line}\n`);
    if (this.proc.stdin?.writable) this.proc.stdin.write(`${line}\n`);
  }

  /** Waits until its output after the previous match matches `re`; returns the match and moves past it. */
  async expect(re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const start = clock.now();
    for (;;) {
      const m = this.out.slice(this.seen).match(re);
      if (m && m.index !== undefined) {
        this.seen += m.index + m[0].length;
        return m;
      }
      if (!this.running) throw new Error(`${this.name}: linphonec exited while waiting for ${re}`);
      if (clock.now() - start > timeoutMs)
        throw new Error(
          `${this.name}: timed out after ${timeoutMs} ms waiting for ${re}; output tail:\n${this.out.slice(-800)}`,
        );
      await sleep(50);
    }
  }

  /** Waits until its whole output (from the start) matches `re`, without moving expect()'s position. */
  async saw(re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const start = clock.now();
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (clock.now() - start > timeoutMs)
        throw new Error(
          `${this.name}: timed out after ${timeoutMs} ms waiting for ${re}; output tail:\n${this.out.slice(-800)}`,
        );
      await sleep(50);
    }
  }

  /** Asks `status register` until it says `registered, identity=...` (the account of the options). */
  async waitRegistered(timeoutMs = 20_000): Promise<string> {
    const start = clock.now();
    for (;;) {
      this.send('status register');
      // "registered, identity=... duration=N" once registered, "registered=-1" while the REGISTER
      // is in progress (or failed), "registered=0" without an account.
      const m = await this.expect(/(registered, identity=\S+[^\n]*|registered=-?\d+)/);
      if (m[1]?.startsWith('registered, ')) return m[1];
      if (clock.now() - start > timeoutMs)
        throw new Error(`${this.name}: not registered after ${timeoutMs} ms (last: ${m[1]})`);
      await sleep(200);
    }
  }

  protected async quit(): Promise<void> {
    this.send('terminate all');
    this.send('quit');
    this.proc.stdin?.end();
  }
}
