/**
 * The contract between the transport layer and the layers above it (transactions, and the
 * stateless parts of proxies). Transports send bytes to a Flow; every message they deliver
 * carries the Flow it arrived on (ARCHITECTURE.md principle 7). This file declares only types;
 * the implementations are the UDP, TCP and TLS transports with the TransportManager, and the
 * in-memory MemoryTransport for tests.
 */
import type {
  Flow,
  IncomingRequest,
  IncomingResponse,
  OutgoingRequest,
  OutgoingResponse,
  TransportProtocol,
} from '../sip/index.js';
import { SwitchboardError } from '../util/errors.js';

/** Where to send a request: a resolved next hop (RFC 3263 output), always an IP literal. */
export interface Destination {
  readonly transport: TransportProtocol;
  /** IPv4 or IPv6 literal (no brackets). */
  readonly address: string;
  readonly port: number;
  /** The host name the destination was resolved from, for TLS server-name checks. */
  readonly hostname?: string | undefined;
  /**
   * Send on this connection while it is open (a stream flow from an earlier message: the ACK of a
   * non-2xx response and a CANCEL go where the request went, RFC 3261 sections 17.1.1.3 and 9.1;
   * RFC 5626 flows). When it has closed, a connection to (transport, address, port) is used.
   */
  readonly connectionId?: number | undefined;
  /**
   * true forbids the RFC 3261 section 18.1.1 switch from UDP to TCP for large requests (the
   * transport is fixed, e.g. it must match the flow of the request being acknowledged).
   */
  readonly fixedTransport?: boolean | undefined;
}

/** TLS material of a listener or of outgoing connections (PEM). */
export interface TlsOptions {
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Trusted CA certificates for verifying the peer; the system store when absent. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Verify the peer's certificate (default true for clients; a server asks only with requestCert). */
  readonly rejectUnauthorized?: boolean;
  /** Server only: ask clients for a certificate (mutual TLS). */
  readonly requestCert?: boolean;
}

/** A socket we listen on. */
export interface ListenSpec {
  readonly transport: TransportProtocol;
  /** Address to bind (default 127.0.0.1); '0.0.0.0' or '::' for every interface. */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (tests). Default 0. */
  readonly port?: number;
  /** The host to put in Via sent-by and Contact when it differs from the bound address (NAT, 0.0.0.0). */
  readonly advertisedHost?: string;
  /** TLS only: PEM certificate and key (and optional CA for verifying peers). */
  readonly tls?: TlsOptions;
}

/** A bound listener: what Via sent-by and Contact use. */
export interface LocalEndpoint {
  readonly transport: TransportProtocol;
  /** IP literal without brackets (bracket IPv6 with bracketHost() for Via and URIs), or a host name. */
  readonly host: string;
  readonly port: number;
}

/** What the transport layer delivers upward. */
export interface TransportUser {
  /** A parsed request or response; `message.flow` is set. */
  onMessage(message: IncomingRequest | IncomingResponse): void;
  /** A stream connection closed (RFC 5626 flow failure, registrar bindings over it). Optional. */
  onFlowClosed?(flow: Flow, reason: string): void;
}

export type TransportErrorCode =
  | 'ERR_TRANSPORT_CONNECT'
  | 'ERR_TRANSPORT_SEND'
  | 'ERR_TRANSPORT_CLOSED'
  | 'ERR_TRANSPORT_UNAVAILABLE'
  | 'ERR_TRANSPORT_RESOLVE';

/** A failure to deliver bytes: reported to the transaction user (RFC 3261 section 17.1.4). */
export class TransportError extends SwitchboardError {
  declare readonly code: TransportErrorCode;

  constructor(
    code: TransportErrorCode,
    message: string,
    readonly destination?: Destination | Flow,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The result of sending a message: the flow it went out on and the bytes, for retransmission. */
export interface Sent {
  readonly flow: Flow;
  readonly bytes: Buffer;
}

/** What to resolve: a host (name or IP literal) with an optional port and transport. */
export interface ResolveTarget {
  readonly host: string;
  readonly port?: number | undefined;
  readonly transport?: TransportProtocol | undefined;
  /** A SIPS target: TLS only (RFC 3263 section 4.1). */
  readonly secure?: boolean | undefined;
}

/** RFC 3263 resolution as the transport layer uses it (Via sent-by host names, section 5). */
export interface DestinationResolver {
  resolve(target: ResolveTarget): Promise<Destination[]>;
}

/**
 * The transport layer as the transaction layer sees it.
 *
 * sendRequest picks the transport (switching from UDP to TCP for a request larger than
 * 1300 bytes, RFC 3261 section 18.1.1, unless the destination forbids it), sets the top Via's
 * transport and sent-by (adding rport, RFC 3581), serializes, and sends, reusing an open
 * connection to the destination when there is one.
 *
 * sendResponse follows section 18.2.2 and RFC 3581: over a stream, back on the request's
 * connection while it is open; otherwise to maddr, then to received/rport of the top Via, then
 * to its sent-by.
 *
 * resend sends already serialized bytes again on a flow (retransmissions).
 *
 * Received requests are handed up with `received` and `rport` already set in their top Via
 * (section 18.2.1, RFC 3581 section 4), so responses built from them and requests a proxy
 * forwards carry them as on the wire of any RFC server.
 */
export interface Transport {
  sendRequest(request: OutgoingRequest, destination: Destination): Promise<Sent>;
  sendResponse(response: OutgoingResponse, requestFlow: Flow | undefined): Promise<Sent>;
  resend(bytes: Buffer, flow: Flow): void;
  /** The endpoint to advertise for a transport (Via sent-by, Contact). */
  localEndpoint(transport: TransportProtocol): LocalEndpoint | undefined;
  /** Every bound listener. */
  endpoints(): readonly LocalEndpoint[];
  /** Sets the receiver of parsed messages. */
  setUser(user: TransportUser): void;
}
