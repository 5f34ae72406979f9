/**
 * Message framing for stream transports (TCP, TLS, WebSocket-less streams): RFC 3261 section
 * 18.3 (Content-Length delimits the body; it is mandatory on streams) and RFC 5626 section 3.5.1
 * keep-alives (CRLFCRLF ping answered by CRLF pong; a lone CRLF is a pong). Partial reads are
 * buffered; a message larger than maxMessageSize or a header section that never ends is a
 * fatal framing error, after which the connection must be closed because the stream cannot be
 * resynchronised.
 */
export type FramerEvent =
  | { readonly kind: 'message'; readonly bytes: Buffer }
  | { readonly kind: 'ping' }
  | { readonly kind: 'pong' }
  | { readonly kind: 'error'; readonly status: number; readonly reason: string };

export interface StreamFramerOptions {
  /** Largest message accepted, headers and body (default 256 KiB). */
  maxMessageSize?: number;
}

const CL_RE = /^(?:content-length|l)[ \t]*:[ \t]*([0-9]+)[ \t]*$/im;

export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private failed = false;
  readonly maxMessageSize: number;

  constructor(options: StreamFramerOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? 256 * 1024;
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Feeds bytes; returns the events they complete. After an 'error' event, everything is ignored. */
  push(chunk: Uint8Array): FramerEvent[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const events: FramerEvent[] = [];
    for (;;) {
      const ev = this.next();
      if (!ev) break;
      events.push(ev);
      if (ev.kind === 'error') {
        this.failed = true;
        this.buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  private next(): FramerEvent | undefined {
    const buf = this.buffer;
    // Keep-alives and the CRLFs that may precede a start line (section 7.5).
    if (buf.length > 0 && (buf[0] === 0x0d || buf[0] === 0x0a)) {
      if (buf.length >= 4 && buf[0] === 0x0d && buf[1] === 0x0a && buf[2] === 0x0d && buf[3] === 0x0a) {
        this.buffer = buf.subarray(4);
        return { kind: 'ping' };
      }
      if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
        if (buf.length === 2 || buf[2] !== 0x0d) {
          this.buffer = buf.subarray(2);
          return { kind: 'pong' };
        }
        return undefined; // "\r\n\r" : wait for the rest of a possible ping
      }
      if (buf[0] === 0x0a) {
        this.buffer = buf.subarray(1);
        return this.next();
      }
      return undefined; // a lone "\r": wait
    }
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > this.maxMessageSize) {
        return { kind: 'error', status: 513, reason: `header section exceeds ${this.maxMessageSize} bytes` };
      }
      return undefined;
    }
    const head = buf.toString('latin1', 0, end);
    const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
    const matches = [...unfolded.matchAll(new RegExp(CL_RE.source, 'gim'))];
    let length = 0;
    if (matches.length > 0) {
      const values = new Set(matches.map((m) => m[1] as string).map((v) => Number(v)));
      if (values.size > 1) return { kind: 'error', status: 400, reason: 'conflicting Content-Length values' };
      length = [...values][0] as number;
    } else if (/^(?:content-length|l)[ \t]*:/im.test(unfolded)) {
      return { kind: 'error', status: 400, reason: 'malformed Content-Length' };
    }
    // RFC 3261 18.3: on a stream, Content-Length is mandatory; a message without it is taken as
    // having no body, which the parser then sees as a message without Content-Length.
    const total = end + 4 + length;
    if (!Number.isSafeInteger(total) || total > this.maxMessageSize) {
      return { kind: 'error', status: 513, reason: `message of ${total} bytes exceeds ${this.maxMessageSize}` };
    }
    if (buf.length < total) return undefined;
    const bytes = Buffer.from(buf.subarray(0, total));
    this.buffer = buf.subarray(total);
    return { kind: 'message', bytes };
  }
}
