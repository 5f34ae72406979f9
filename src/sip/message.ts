/**
 * SIP messages (RFC 3261 section 7). Received messages are immutable (IncomingRequest,
 * IncomingResponse: PJSIP's rx_data): readonly fields, no editing methods, header lines never
 * handed out (headerLines() gives copies); messages to send are built (OutgoingRequest,
 * OutgoingResponse: tx_data) with typed header editing. (The line array is not frozen at run
 * time: Object.freeze cost 5% of parsing and the types already forbid writes.) Both serialize the same way: start
 * line, header lines in order, a Content-Length computed from the body (section 20.14), the
 * empty line, and the body bytes untouched.
 */
import type { Flow } from './flow.js';
import { HeaderBlock, type HeaderLine, lineText, MutableHeaderBlock } from './header-block.js';
import type { Uri } from './uri.js';

const CRLF = '\r\n';
const EMPTY_BODY = Buffer.alloc(0);

function serialize(startLine: string, lines: readonly HeaderLine[], body: Uint8Array): Buffer {
  let head = startLine + CRLF;
  let sawLength = false;
  for (const line of lines) {
    if (line.key === 'content-length') {
      if (sawLength) continue;
      sawLength = true;
      head += `${line.name}: ${body.length}${CRLF}`;
    } else head += `${line.name}: ${lineText(line)}${CRLF}`;
  }
  if (!sawLength) head += `Content-Length: ${body.length}${CRLF}`;
  head += CRLF;
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + body.length);
  out.write(head, 0, headLength, 'utf8');
  if (body.length > 0) out.set(body, headLength);
  return out;
}

/** A Buffer over the same bytes (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * How a received message was written: its start line as it prints, and its bytes when they are
 * already a serialization (CRLF lines, no folding, nothing before the start line, a Content-Length
 * equal to the body's, nothing after the body). Supplied by the parser.
 */
export interface WireForm {
  readonly startLine: string;
  readonly bytes: Uint8Array | undefined;
}

export interface IncomingMeta {
  /** The flow the message arrived on, set by the transport. */
  readonly flow?: Flow | undefined;
  /** Monotonic time of arrival (Clock.now()). */
  readonly receivedAt?: number | undefined;
}

/** What both kinds of received message share: the flow, the time of arrival, the wire form. */
abstract class ReceivedMessage extends HeaderBlock {
  readonly flow: Flow | undefined;
  readonly receivedAt: number | undefined;
  readonly #wire: WireForm | undefined;

  protected constructor(lines: HeaderLine[], meta: IncomingMeta, wire: WireForm | undefined) {
    super(lines);
    this.flow = meta.flow;
    this.receivedAt = meta.receivedAt;
    this.#wire = wire;
  }

  /** The start line as received (as built for messages made by hand). */
  get startLine(): string {
    return this.#wire?.startLine ?? this.builtStartLine();
  }

  protected abstract builtStartLine(): string;

  /**
   * Serializes the message: the received bytes when they already are a serialization (a view on
   * them, like `body`: read-only), otherwise line by line with the Content-Length of the body.
   * Either way, semantically what was received.
   */
  toBuffer(): Buffer {
    const bytes = this.#wire?.bytes;
    if (bytes !== undefined) return asBuffer(bytes);
    return serialize(this.startLine, this.lines, this.body);
  }

  override toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

export class IncomingRequest extends ReceivedMessage {
  readonly kind = 'request' as const;

  /** `wire` is what the parser knows of the received form; built messages leave it out. */
  constructor(
    readonly method: string,
    readonly uri: Uri,
    lines: HeaderLine[],
    readonly body: Uint8Array,
    meta: IncomingMeta = {},
    wire?: WireForm,
  ) {
    super(lines, meta, wire);
  }

  protected builtStartLine(): string {
    return `${this.method} ${this.uri.toString()} SIP/2.0`;
  }

  /** A mutable copy to forward (section 16.6 step 1: "copy the request"). */
  toOutgoing(): OutgoingRequest {
    return new OutgoingRequest(this.method, this.uri, this.copyLines(), this.body);
  }
}

export class IncomingResponse extends ReceivedMessage {
  readonly kind = 'response' as const;

  /** `wire` is what the parser knows of the received form; built messages leave it out. */
  constructor(
    readonly status: number,
    readonly reason: string,
    lines: HeaderLine[],
    readonly body: Uint8Array,
    meta: IncomingMeta = {},
    wire?: WireForm,
  ) {
    super(lines, meta, wire);
  }

  protected builtStartLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }

  /** A mutable copy (a proxy forwarding the response upstream, section 16.7). */
  toOutgoing(): OutgoingResponse {
    return new OutgoingResponse(this.status, this.reason, this.copyLines(), this.body);
  }
}

/** Body editing and serialization shared by outgoing messages. */
abstract class OutgoingMessage extends MutableHeaderBlock {
  override body: Uint8Array = EMPTY_BODY;

  abstract get startLine(): string;

  toBuffer(): Buffer {
    return serialize(this.startLine, this.lines, this.body);
  }

  override toString(): string {
    return this.toBuffer().toString('utf8');
  }

  /** Sets the body and its Content-Type (removes both when body is empty). */
  setBody(body: Uint8Array | string, contentType?: string): this {
    this.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (this.body.length === 0) {
      this.remove('content-type');
    } else if (contentType !== undefined) {
      this.setRaw('Content-Type', contentType);
    }
    return this;
  }
}

export class OutgoingRequest extends OutgoingMessage {
  readonly kind = 'request' as const;

  constructor(
    public method: string,
    public uri: Uri,
    lines: HeaderLine[] = [],
    body: Uint8Array = EMPTY_BODY,
  ) {
    super(lines);
    this.body = body;
  }

  get startLine(): string {
    return `${this.method} ${this.uri.toString()} SIP/2.0`;
  }

  /** An independent copy (a proxy's per-branch copy, section 16.6). */
  clone(): OutgoingRequest {
    return new OutgoingRequest(this.method, this.uri, this.copyLines(), this.body);
  }
}

export class OutgoingResponse extends OutgoingMessage {
  readonly kind = 'response' as const;

  constructor(
    public status: number,
    public reason: string,
    lines: HeaderLine[] = [],
    body: Uint8Array = EMPTY_BODY,
  ) {
    super(lines);
    this.body = body;
  }

  get startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }

  clone(): OutgoingResponse {
    return new OutgoingResponse(this.status, this.reason, this.copyLines(), this.body);
  }
}

export type SipRequest = IncomingRequest | OutgoingRequest;
export type SipResponse = IncomingResponse | OutgoingResponse;
export type SipMessage = SipRequest | SipResponse;
export type IncomingMessage = IncomingRequest | IncomingResponse;
export type OutgoingMessageType = OutgoingRequest | OutgoingResponse;
