/**
 * Message framing for stream transports (TCP, TLS, and WebSocket-less streams): RFC 3261 section
 * 18.3 (Content-Length delimits the body; it is mandatory on streams, a message without it has
 * no body) and RFC 5626 section 3.5.1 keep-alives (CRLFCRLF ping answered by CRLF pong; a lone
 * CRLF is a pong). CRLFs before a start line are allowed (section 7.5): a lone LF is skipped, a
 * CRLF reported as a pong. Partial reads are buffered in one growing buffer (linear time however
 * the bytes are split). A message larger than maxMessageSize, a header section that never ends,
 * and a missing, negative or conflicting Content-Length are fatal framing errors, after which the
 * connection must be closed because the stream cannot be resynchronised.
 */
import { findHeaderEnd } from './header-end.js';

export type FramerEvent =
  | { readonly kind: 'message'; readonly bytes: Buffer }
  | { readonly kind: 'ping' }
  | { readonly kind: 'pong' }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly reason: string;
      /** The start of the message that could not be framed (what arrived of it), for a last error response. */
      readonly bytes?: Buffer;
    };

export interface StreamFramerOptions {
  /** Largest message accepted, headers and body (default 256 KiB). */
  maxMessageSize?: number;
  /**
   * Which keep-alives this end expects (RFC 5626 section 3.5.1: clients send CRLFCRLF pings,
   * servers answer CRLF pongs). 'client' and 'either' (the default) report a CRLF as a pong at
   * once, so that a client's pong arrives without delay; 'server' waits for the byte after a
   * CRLF, so that a ping split across reads is still one ping.
   */
  keepAlive?: 'client' | 'server' | 'either';
}

const CL_LINE = /^(?:content-length|l)[ \t]*:(.*)$/gim;

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** The held bytes are buf[start, end). */
  private start = 0;
  private end = 0;
  /** Where to resume looking for the end of the header section of the message at `start`. */
  private scanFrom = 0;
  /** Total size of the message at `start` once its header section was read. */
  private expected: number | undefined;
  private failed = false;
  readonly maxMessageSize: number;
  readonly keepAlive: 'client' | 'server' | 'either';

  constructor(options: StreamFramerOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? 256 * 1024;
    this.keepAlive = options.keepAlive ?? 'either';
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Feeds bytes; returns the events they complete. After an 'error' event, everything is ignored. */
  push(chunk: Uint8Array): FramerEvent[] {
    if (this.failed) return [];
    this.append(chunk);
    const events: FramerEvent[] = [];
    for (;;) {
      const ev = this.next();
      if (!ev) break;
      events.push(ev);
      if (ev.kind === 'error') {
        this.failed = true;
        this.buf = Buffer.alloc(0);
        this.start = this.end = 0;
        break;
      }
    }
    if (this.start === this.end) this.start = this.end = this.scanFrom = 0;
    return events;
  }

  /**
   * The connection has ended: bytes still held are an incomplete message, reported as an error
   * (a transport may still answer it, or log it). Nothing is reported when nothing is held.
   */
  finish(): FramerEvent[] {
    if (this.failed) return [];
    let i = this.start;
    while (i < this.end && (this.buf[i] === 0x0d || this.buf[i] === 0x0a)) i++;
    if (i === this.end) return []; // only line ends: a stray CRLF, nothing lost
    const ev = this.fail(400, `the stream ended inside a message (${this.end - this.start} bytes held)`);
    this.failed = true;
    return [ev];
  }

  private append(chunk: Uint8Array): void {
    const held = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      // Grow (doubling) or compact, so that every byte is copied O(1) times on average.
      const need = held + chunk.length;
      const next = need > this.buf.length / 2 ? Buffer.allocUnsafe(Math.max(need * 2, 4096)) : this.buf;
      this.buf.copy(next, 0, this.start, this.end);
      this.buf = next;
      this.scanFrom -= this.start;
      this.start = 0;
      this.end = held;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private consume(n: number): void {
    this.start += n;
    this.scanFrom = this.start;
    this.expected = undefined;
  }

  private fail(status: number, reason: string): FramerEvent {
    return { kind: 'error', status, reason, bytes: Buffer.from(this.buf.subarray(this.start, this.end)) };
  }

  private next(): FramerEvent | undefined {
    const buf = this.buf;
    const s = this.start;
    const avail = this.end - s;
    if (avail === 0) return undefined;
    if (this.expected === undefined) {
      // Keep-alives and the CRLFs that may precede a start line (section 7.5).
      const c0 = buf[s];
      if (c0 === 0x0a) {
        this.consume(1);
        return this.next();
      }
      if (c0 === 0x0d) {
        if (avail === 1) return undefined; // a lone "\r": wait
        if (buf[s + 1] === 0x0a) {
          if (avail === 2) {
            if (this.keepAlive === 'server') return undefined; // the first half of a ping?
            this.consume(2);
            return { kind: 'pong' };
          }
          if (buf[s + 2] !== 0x0d) {
            this.consume(2);
            return { kind: 'pong' };
          }
          if (avail === 3) return undefined; // "\r\n\r": wait for the rest of a possible ping
          if (buf[s + 3] === 0x0a) {
            this.consume(4);
            return { kind: 'ping' };
          }
          this.consume(2);
          return { kind: 'pong' };
        }
        // "\r" then anything else: the start of a (malformed) message, left to the parser.
      }
      const he = findHeaderEnd(buf.subarray(0, this.end), Math.max(s, this.scanFrom - 3));
      if (!he) {
        this.scanFrom = this.end;
        if (avail > this.maxMessageSize) {
          return this.fail(513, `header section exceeds ${this.maxMessageSize} bytes`);
        }
        return undefined;
      }
      const length = contentLength(buf.toString('latin1', s, he.end));
      if (typeof length === 'string') return this.fail(400, length);
      const total = he.bodyStart - s + length;
      if (!Number.isSafeInteger(total) || total > this.maxMessageSize) {
        return this.fail(513, `message of ${total} bytes exceeds ${this.maxMessageSize}`);
      }
      this.expected = total;
    }
    const total = this.expected;
    if (avail < total) return undefined;
    const bytes = Buffer.from(buf.subarray(s, s + total));
    this.consume(total);
    return { kind: 'message', bytes };
  }
}

/** The Content-Length of a header section (0 when absent), or the reason it is unusable. */
function contentLength(head: string): number | string {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  let value: number | undefined;
  for (const m of unfolded.matchAll(CL_LINE)) {
    const text = (m[1] as string).trim();
    if (!/^[0-9]+$/.test(text)) return `malformed Content-Length "${text.slice(0, 20)}"`;
    const v = Number(text);
    if (value !== undefined && v !== value) return `conflicting Content-Length values ${value} and ${v}`;
    value = v;
  }
  return value ?? 0;
}
