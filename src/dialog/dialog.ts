/**
 * A dialog (RFC 3261 section 12): the peer-to-peer relationship identified by Call-ID, local tag
 * and remote tag, holding the state needed to send requests within it — local and remote
 * sequence numbers, local and remote URIs, the remote target, the route set — created on either
 * side, early from a provisional response or confirmed from a 2xx, refreshed by target-refresh
 * requests and their responses, and shared by several usages (RFC 5057: an INVITE usage and
 * REFER-created subscriptions; the dialog ends only when its last usage ends, so a REFER
 * subscription outlives the BYE that ends the call, as the seeds' blind transfer needs).
 *
 *   1xx with To tag   +-------+  2xx   +-----------+  last usage removed  +------------+
 *   ----------------> | Early | -----> | Confirmed | -------------------> | Terminated |
 *                     +-------+        +-----------+                      +------------+
 *                         |  non-2xx final / 2xx on another fork              ^
 *                         +---------------------------------------------------+
 */
import diagnostics from 'node:diagnostics_channel';
import {
  type IncomingRequest,
  type IncomingResponse,
  NameAddr,
  OutgoingRequest,
  type SipRequest,
  SipUri,
  type Uri,
} from '../sip/index.js';
import { SwitchboardError } from '../util/errors.js';
import { type RequestTarget, targetRequest } from './route-set.js';

export type DialogState = 'Early' | 'Confirmed' | 'Terminated';

export const DIALOG_STATE_CHANNEL = 'sip:dialog:state';
const dialogStateChannel = diagnostics.channel(DIALOG_STATE_CHANNEL);

export interface DialogStateEvent {
  readonly id: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly from: DialogState;
  readonly to: DialogState;
  readonly usages: readonly string[];
}

/** Methods whose requests and 2xx responses refresh the remote target (RFC 3261 12.2, RFC 3311, RFC 6665 4.1.2). */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'UPDATE',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
]);

export class DialogError extends SwitchboardError {
  constructor(code: 'ERR_DIALOG_STATE' | 'ERR_DIALOG_CSEQ', message: string) {
    super(code, message);
  }
}

export interface DialogInit {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  readonly localSeq: number | undefined;
  readonly remoteSeq: number | undefined;
  readonly remoteTarget: Uri;
  readonly routeSet: readonly NameAddr[];
  readonly localContact: NameAddr;
  readonly secure: boolean;
  readonly state: 'Early' | 'Confirmed';
  /** True for the side that sent the dialog-creating request. */
  readonly isUac: boolean;
}

/** The dialog id as one string (Call-ID, local tag, remote tag). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  readonly secure: boolean;
  readonly isUac: boolean;
  private localSeqValue: number | undefined;
  private remoteSeqValue: number | undefined;
  private targetUri: Uri;
  private routes: readonly NameAddr[];
  private contact: NameAddr;
  private stateValue: DialogState;
  private readonly usageSet = new Set<string>();
  private readonly terminatedListeners: ((d: Dialog) => void)[] = [];

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.secure = init.secure;
    this.isUac = init.isUac;
    this.localSeqValue = init.localSeq;
    this.remoteSeqValue = init.remoteSeq;
    this.targetUri = init.remoteTarget;
    this.routes = init.routeSet;
    this.contact = init.localContact;
    this.stateValue = init.state;
  }

  get id(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  get state(): DialogState {
    return this.stateValue;
  }

  get localSeq(): number | undefined {
    return this.localSeqValue;
  }

  get remoteSeq(): number | undefined {
    return this.remoteSeqValue;
  }

  get remoteTarget(): Uri {
    return this.targetUri;
  }

  get routeSet(): readonly NameAddr[] {
    return this.routes;
  }

  get localContact(): NameAddr {
    return this.contact;
  }

  /** The usages sharing this dialog ('invite', 'refer;id=7', 'subscription:presence', ...). */
  get usages(): readonly string[] {
    return [...this.usageSet];
  }

  /**
   * UAC side (section 12.1.2): from the request we sent and a 1xx (with a To tag) or 2xx response.
   * "The route set MUST be set to the list of URIs in the Record-Route header field from the
   * response, taken in reverse order"; the remote target is the response's Contact.
   */
  static asUac(request: SipRequest, response: IncomingResponse, usage: string): Dialog {
    const toTag = response.toTag;
    if (toTag === undefined) throw new DialogError('ERR_DIALOG_STATE', 'a response without To tag creates no dialog');
    const contact = response.get('contact')[0];
    const dialog = new Dialog({
      callId: request.callId,
      localTag: request.fromTag ?? '',
      remoteTag: toTag,
      localUri: request.from,
      remoteUri: response.to,
      localSeq: request.cseq.seq,
      remoteSeq: undefined,
      remoteTarget: contact?.uri ?? request.uri,
      routeSet: [...response.get('record-route')].reverse(),
      localContact: request.get('contact')[0] ?? new NameAddr(request.from.uri),
      secure: request.uri instanceof SipUri && request.uri.scheme === 'sips',
      state: response.status < 200 ? 'Early' : 'Confirmed',
      isUac: true,
    });
    dialog.addUsage(usage);
    return dialog;
  }

  /**
   * UAS side (section 12.1.1): from the request received and the tag we put in To. "The route set
   * MUST be set to the list of URIs in the Record-Route header field from the request, taken in
   * order"; the remote target is the request's Contact; the remote sequence number its CSeq.
   */
  static asUas(
    request: IncomingRequest,
    localTag: string,
    localContact: NameAddr,
    early: boolean,
    usage: string,
  ): Dialog {
    const contact = request.get('contact')[0];
    const dialog = new Dialog({
      callId: request.callId,
      localTag,
      remoteTag: request.fromTag ?? '',
      localUri: request.to.withTag(localTag),
      remoteUri: request.from,
      localSeq: undefined,
      remoteSeq: request.cseq.seq,
      remoteTarget: contact?.uri ?? request.from.uri,
      routeSet: request.get('record-route'),
      localContact,
      secure: request.uri instanceof SipUri && request.uri.scheme === 'sips',
      state: early ? 'Early' : 'Confirmed',
      isUac: false,
    });
    dialog.addUsage(usage);
    return dialog;
  }

  private setState(to: DialogState): void {
    const from = this.stateValue;
    if (from === to) return;
    if (from === 'Terminated' || (from === 'Confirmed' && to === 'Early')) {
      throw new DialogError('ERR_DIALOG_STATE', `dialog ${this.callId}: no transition ${from} -> ${to}`);
    }
    this.stateValue = to;
    if (dialogStateChannel.hasSubscribers) {
      const event: DialogStateEvent = {
        id: this.id,
        callId: this.callId,
        localTag: this.localTag,
        remoteTag: this.remoteTag,
        from,
        to,
        usages: this.usages,
      };
      dialogStateChannel.publish(event);
    }
    if (to === 'Terminated') for (const l of this.terminatedListeners) l(this);
  }

  /** An early dialog became confirmed by a 2xx (section 13.2.2.4). */
  confirm(response?: IncomingResponse): void {
    if (this.stateValue === 'Terminated') return;
    if (response) this.refreshFromResponse(response);
    if (this.stateValue === 'Early' && response && this.isUac) {
      // 12.1.2: the route set of a confirmed dialog comes from the 2xx.
      this.routes = [...response.get('record-route')].reverse();
    }
    this.setState('Confirmed');
  }

  addUsage(usage: string): void {
    if (this.stateValue !== 'Terminated') this.usageSet.add(usage);
  }

  hasUsage(usage: string): boolean {
    return this.usageSet.has(usage);
  }

  /** Removes a usage; the dialog terminates with its last usage (RFC 5057 section 5). */
  removeUsage(usage: string): void {
    this.usageSet.delete(usage);
    if (this.usageSet.size === 0) this.terminate();
  }

  terminate(): void {
    if (this.stateValue === 'Terminated') return;
    this.usageSet.clear();
    this.setState('Terminated');
  }

  onTerminated(listener: (dialog: Dialog) => void): void {
    this.terminatedListeners.push(listener);
  }

  /** Next local CSeq number (section 12.2.1.1: incremented by one for each new request). */
  nextCSeq(): number {
    const next = this.localSeqValue === undefined ? 1 + Math.floor(Math.random() * 0x7fff) : this.localSeqValue + 1;
    this.localSeqValue = next;
    return next;
  }

  /** The Request-URI, Route headers and next hop for a request in this dialog. */
  target(): RequestTarget {
    return targetRequest(this.targetUri, this.routes);
  }

  /**
   * Builds a request within the dialog (section 12.2.1.1): To with the remote tag, From with the
   * local tag, the dialog's Call-ID, a new CSeq (not for ACK and CANCEL, which reuse the INVITE's),
   * the Request-URI and Route from the route set, Max-Forwards, and our Contact for target-refresh
   * requests. Via is added by the transaction layer.
   */
  createRequest(
    method: string,
    options: { cseq?: number; body?: Uint8Array | string; contentType?: string } = {},
  ): OutgoingRequest {
    if (this.stateValue === 'Terminated')
      throw new DialogError('ERR_DIALOG_STATE', `dialog ${this.callId} is terminated`);
    const { requestUri, route } = this.target();
    const req = new OutgoingRequest(method, requestUri);
    req.set('max-forwards', 70);
    if (route.length > 0) req.set('route', route);
    req.set('from', this.localUri.tag === this.localTag ? this.localUri : this.localUri.withTag(this.localTag));
    req.set('to', this.remoteUri.tag === this.remoteTag ? this.remoteUri : this.remoteUri.withTag(this.remoteTag));
    req.set('call-id', this.callId);
    const seq = options.cseq ?? (method === 'ACK' || method === 'CANCEL' ? (this.localSeqValue ?? 1) : this.nextCSeq());
    req.set('cseq', { seq, method });
    if (TARGET_REFRESH_METHODS.has(method) || method === 'ACK') req.set('contact', this.contact);
    if (options.body !== undefined) req.setBody(options.body, options.contentType);
    return req;
  }

  /**
   * Checks and records the CSeq of a request received within the dialog (section 12.2.2):
   * "If the remote sequence number was not empty, but the sequence number of the request is lower
   * than the remote sequence number, the request is out of order and MUST be rejected with a 500".
   * ACK and CANCEL carry the INVITE's number and are not checked. Returns false for out of order.
   */
  receiveRequest(request: IncomingRequest): boolean {
    if (request.method === 'ACK' || request.method === 'CANCEL') return true;
    const seq = request.cseq.seq;
    if (this.remoteSeqValue !== undefined && seq <= this.remoteSeqValue) {
      // Equal numbers are retransmissions, which the transaction layer absorbs; a new request with
      // the same number is out of order as well.
      return false;
    }
    this.remoteSeqValue = seq;
    if (TARGET_REFRESH_METHODS.has(request.method)) {
      const contact = request.get('contact')[0];
      if (contact && !contact.isWildcard) this.targetUri = contact.uri;
    }
    return true;
  }

  /** A 2xx to a target-refresh request we sent updates the remote target (section 12.2.1.2). */
  refreshFromResponse(response: IncomingResponse): void {
    if (response.status < 200 || response.status >= 300) return;
    if (!TARGET_REFRESH_METHODS.has(response.cseq.method)) return;
    const contact = response.get('contact')[0];
    if (contact && !contact.isWildcard) this.targetUri = contact.uri;
  }

  /** Our Contact changed (a re-INVITE after moving to another address). */
  setLocalContact(contact: NameAddr): void {
    this.contact = contact;
  }

  /** True when an incoming request belongs to this dialog (section 12.2.2 matching). */
  matches(request: IncomingRequest): boolean {
    return request.callId === this.callId && request.toTag === this.localTag && request.fromTag === this.remoteTag;
  }
}
