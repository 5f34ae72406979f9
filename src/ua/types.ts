/**
 * The interfaces the UA layer consumes, declared here so that it depends on nothing above it
 * (ARCHITECTURE.md: "ua/ declares the MediaSession interface it consumes"; the phone and gateway
 * roles adapt media/ to it), and the typed results and indications it produces.
 */
import type { IncomingRequest, IncomingResponse, NameAddr, OutgoingRequest, ReplacesValue, Uri } from '../sip/index.js';
import type { Destination } from '../transport/index.js';

/** Outcome of applying a remote offer: our answer, or the status to refuse it with (488 + Warning). */
export type RemoteOfferResult =
  | { readonly ok: true; readonly answer: string }
  | {
      readonly ok: false;
      readonly status: number;
      readonly warning?: { readonly code: number; readonly text: string };
    };

export type RemoteAnswerResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The media of one call as the UA sees it: SDP text in, SDP text out, offer/answer state kept by
 * the implementation (RFC 3264). Hold is a property of the offers it creates, and what the
 * remote side asked for is derived from the negotiated SDP (ARCHITECTURE.md principle 8).
 */
export interface SessionMedia {
  /** A new offer. `hold` puts the stream on hold (sendonly/inactive or c=0.0.0.0, by the media's setting). */
  createOffer(options?: { readonly hold?: boolean }): string;
  receiveAnswer(sdp: string): RemoteAnswerResult;
  receiveOffer(sdp: string): RemoteOfferResult;
  /** Abandons an outstanding offer (a 491 or other failure of a re-INVITE, section 14.1). */
  rollback(): void;
  /** True while an offer (local or remote) awaits its answer. */
  readonly offerPending: boolean;
  /** Derived from the negotiated SDP: we put the other side on hold. */
  readonly localHold: boolean;
  /** Derived from the negotiated SDP: the other side put us on hold. */
  readonly remoteHold: boolean;
  /** Starts or updates RTP after a successful negotiation. */
  start(): void;
  /** Ends RTP; idempotent. */
  stop(): void;
}

/** Adds digest credentials to requests (the auth layer implements it). */
export interface RequestAuthenticator {
  /**
   * Sets Authorization / Proxy-Authorization values answering the challenges of a 401/407 on the
   * retry (same Call-ID, next CSeq, new branch). `request` starts as a copy of the request that was
   * challenged, with the credentials it carried (so that a challenge after our own credentials can
   * be told from a first one, RFC 3261 section 22.1) and the CSeq already incremented (section
   * 22.2). Returns false when no credentials apply or ours were just refused (wrong password): the
   * request then fails with that response.
   */
  authorize(request: OutgoingRequest, challenge: IncomingResponse): boolean;
  /** Adds credentials from earlier challenges to a new request before it is sent (optional). */
  preauthorize?(request: OutgoingRequest): void;
}

/** RFC 3263: from a next-hop URI to the ordered destinations to try. */
export type Resolver = (uri: Uri) => Promise<Destination[]>;

export type CallState = 'calling' | 'proceeding' | 'early' | 'incoming' | 'established' | 'terminating' | 'terminated';

export type CallEndReason =
  | 'bye'
  | 'rejected'
  | 'cancelled'
  | 'timeout'
  | 'transport'
  | 'no-ack'
  | 'replaced'
  | 'failed'
  | 'not-acceptable';

export interface CallEnd {
  readonly reason: CallEndReason;
  /** Who ended it. */
  readonly by: 'local' | 'remote';
  /** The SIP status involved (final response, or the status a local failure counts as). */
  readonly status: number | undefined;
  readonly text: string | undefined;
  /** The BYE that ended it, when it carried Also (RFC 2543-era transfer used by Cisco phones). */
  readonly also?: readonly NameAddr[];
}

export type CallResult = { readonly ok: true } | { readonly ok: false; readonly end: CallEnd };

/** Result of a re-INVITE (hold, resume, refresh). */
export type ReinviteResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: number | undefined; readonly reason: string };

/** A NOTIFY of a REFER subscription (RFC 3515 section 2.4.5): the sipfrag status line of the new call. */
export interface ReferProgress {
  readonly status: number;
  readonly reason: string;
  /** True when the subscription is terminated (this is the last NOTIFY). */
  readonly final: boolean;
}

export type TransferResult =
  | {
      readonly ok: true;
      readonly method: 'refer' | 'also';
      /** The final status of the REFER (202) or of the BYE carrying Also. */
      readonly status: number;
      /** REFER: resolves with the final NOTIFY's sipfrag status (undefined if none came); Also: at once. */
      readonly completion: Promise<ReferProgress | undefined>;
    }
  | {
      readonly ok: false;
      readonly method: 'refer' | 'also';
      readonly status: number | undefined;
      readonly reason: string;
    };

/** What an incoming REFER asks for (RFC 3515, RFC 3892 Referred-By, RFC 3891 Replaces). */
export interface TransferTarget {
  /** Refer-To as received. */
  readonly referTo: NameAddr;
  /** The URI to call: Refer-To's URI without its headers. */
  readonly target: Uri;
  readonly replaces: ReplacesValue | undefined;
  readonly referredBy: NameAddr | undefined;
}

export type { Destination, IncomingRequest };
