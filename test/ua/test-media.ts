/**
 * A scripted SessionMedia for UA tests: real SDP text (one audio stream, PCMU) whose direction
 * attribute carries hold, with the offer/answer state kept as RFC 3264 asks. It opens no sockets.
 */
import type { RemoteAnswerResult, RemoteOfferResult, SessionMedia } from '../../src/ua/index.js';

type Dir = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

function sdp(port: number, dir: Dir, version: number, codecs = '0'): string {
  return [
    'v=0',
    `o=- 1 ${version} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${codecs}`,
    `a=${dir}`,
    '',
  ].join('\r\n');
}

function dirOf(text: string): Dir {
  const m = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(text);
  return (m?.[1] as Dir | undefined) ?? 'sendrecv';
}

const REVERSE: Record<Dir, Dir> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

export class TestMedia implements SessionMedia {
  static nextPort = 20000;
  readonly port = TestMedia.nextPort++;
  private version = 0;
  private pending: 'local' | 'remote' | undefined;
  private pendingDir: Dir = 'sendrecv';
  /** The directions in force: what we declared, what they declared. */
  local: Dir | undefined;
  remote: Dir | undefined;
  started = 0;
  stopped = false;
  /** Codecs we accept ("0" = PCMU); set to "8" to force a 488. */
  codecs = '0';

  createOffer(options: { hold?: boolean } = {}): string {
    this.pending = 'local';
    this.pendingDir = options.hold ? 'sendonly' : 'sendrecv';
    return sdp(this.port, this.pendingDir, ++this.version, this.codecs);
  }

  receiveAnswer(text: string): RemoteAnswerResult {
    if (this.pending !== 'local') return { ok: false, reason: 'no offer outstanding' };
    this.pending = undefined;
    this.local = this.pendingDir;
    this.remote = dirOf(text);
    return { ok: true };
  }

  receiveOffer(text: string): RemoteOfferResult {
    const m = /m=audio \d+ RTP\/AVP ([0-9 ]+)/.exec(text);
    const offered = (m?.[1] ?? '').split(' ');
    if (!offered.includes(this.codecs))
      return { ok: false, status: 488, warning: { code: 304, text: 'Media type not available' } };
    const theirs = dirOf(text);
    const ours = REVERSE[theirs];
    this.remote = theirs;
    this.local = ours;
    this.pending = undefined;
    return { ok: true, answer: sdp(this.port, ours, ++this.version, this.codecs) };
  }

  rollback(): void {
    this.pending = undefined;
  }

  get offerPending(): boolean {
    return this.pending !== undefined;
  }

  get localHold(): boolean {
    return this.local === 'sendonly' || this.local === 'inactive';
  }

  get remoteHold(): boolean {
    return this.remote === 'sendonly' || this.remote === 'inactive';
  }

  start(): void {
    this.started++;
  }

  stop(): void {
    this.stopped = true;
  }
}
