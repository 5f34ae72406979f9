/**
 * What a call tells its application (typed indications, ARCHITECTURE.md principle 11) and the
 * objects an incoming REFER hands over.
 */
import type { IncomingRequest } from '../sip/index.js';
import type { CallEnd, ReferProgress, TransferTarget } from './types.js';

export interface CallEvents {
  [event: string]: unknown[];
  /** A provisional response (outgoing calls). */
  progress: [status: number, reason: string];
  /** The call is answered (2xx sent or received). */
  established: [];
  /** Incoming calls: the ACK of our 2xx arrived. */
  confirmed: [];
  ended: [end: CallEnd];
  /** The remote party put us on hold / took us off hold (derived from the negotiated SDP). */
  remoteHold: [];
  remoteResume: [];
  /** An offer/answer exchange completed; media parameters may have changed. */
  mediaUpdated: [];
  /** The other party asks us to transfer (REFER); accept or reject the request. */
  transferRequested: [request: IncomingTransfer];
  /** A NOTIFY about the call our REFER started. */
  referProgress: [progress: ReferProgress];
  /** An INFO within the call (e.g. application/dtmf-relay). */
  info: [request: IncomingRequest];
}

/** An incoming REFER, waiting for the application's decision. */
export interface IncomingTransfer extends TransferTarget {
  /**
   * Accepts with 202 and, unless `notifyTrying` is false, sends the first NOTIFY (100 Trying, as
   * RFC 3515 section 2.4.4 and baresip do; Cisco phones send only the final one); report the new
   * call's progress through the returned notifier.
   */
  accept(options?: { readonly notifyTrying?: boolean }): TransferNotifier;
  /** Refuses (603 Decline by default; 501 for phones configured without REFER support). */
  reject(status?: number): void;
}

export interface TransferNotifier {
  /** Sends a NOTIFY with `SIP/2.0 <status> <reason>`; a final status ends the subscription. */
  notify(status: number, reason?: string): void;
}
