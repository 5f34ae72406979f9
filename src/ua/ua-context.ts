/**
 * What a Call, a Registration and the REFER machinery need from their UserAgent: the stack
 * (transactions, dialogs, clock, logger), the identity and contact, and the helpers that send a
 * request to a URI or within a dialog. Declared as an interface so that those classes do not
 * depend on the UserAgent class itself.
 */
import type { Dialog, DialogTable } from '../dialog/index.js';
import type { NameAddr, OutgoingRequest, SipUri, Uri } from '../sip/index.js';
import type { TransactionLayer } from '../transaction/index.js';
import type { Destination } from '../transport/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { OutgoingRequestFlow, OutgoingRequestHandlers } from './outgoing-request.js';
import type { SessionMedia } from './types.js';

export interface UaContext {
  readonly transactions: TransactionLayer;
  readonly dialogs: DialogTable;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Our address of record (From of requests outside dialogs). */
  readonly identity: NameAddr;
  /** Our Contact. */
  contact(): NameAddr;
  /** Headers every request and response carries (User-Agent/Server, Allow, Supported). */
  readonly userAgent: string;
  readonly allow: readonly string[];
  readonly supported: readonly string[];
  /** Next hops for requests outside dialogs (proxies in order); empty means "the Request-URI itself". */
  readonly proxies: readonly Uri[];
  /** Starts sending a request (template without Via) to the given next hops, with failover and auth. */
  send(
    template: OutgoingRequest,
    nextHops: readonly Uri[] | readonly Destination[],
    handlers: OutgoingRequestHandlers,
  ): OutgoingRequestFlow;
  /** Sends a request within a dialog to its next hop (route set or remote target). */
  sendInDialog(dialog: Dialog, request: OutgoingRequest, handlers: OutgoingRequestHandlers): OutgoingRequestFlow;
  /** Sends an ACK for a 2xx (no transaction, section 13.2.2.4) to the dialog's next hop. */
  sendAck(dialog: Dialog, ack: OutgoingRequest): void;
  /** A media session for a new call. */
  createMedia(): SessionMedia | Promise<SessionMedia>;
  /** Resolves a URI's host to destinations (RFC 3263). */
  resolve(uri: Uri): Promise<Destination[]>;
  /** The AOR as a SIP URI. */
  readonly aor: SipUri;
}
